"""Try-outs: chat with a creator's AI assistant (replies stream in; handoffs go to the creator)."""

import gradio as gr

from app.context import bind, require
from engine.ids import as_id
from storage import creators

HINT = "Ask about prices, delivery or your project, e.g. “I need a poster for a jazz night in two weeks”."


def on_chat_creators(ctx, request: gr.Request):
    """The creators whose assistant a buyer can talk to."""
    require(ctx, request, "buyer", "seller", "admin")
    rows = creators.list_creators(ctx.engine.db)
    return gr.Dropdown(choices=[(f"{r['display_name']} — {r['headline'][:60]}", r["user_id"]) for r in rows],
                       value=None)


def on_chat_pick(ctx, seller_id, request: gr.Request):
    """A fresh chat with the picked creator's assistant (no conversation until the first message).
    The list being filled on load (nothing picked) is not a pick: sellers and admins see no error."""
    require(ctx, request, "buyer", "seller", "admin")
    if seller_id:
        require(ctx, request, "buyer")
    return [], None


def on_chat_send(ctx, seller_id, chat_state, message: str, history, request: gr.Request):
    """Send a message; the reply streams into the chat."""
    buyer = require(ctx, request, "buyer")
    if not seller_id:
        raise gr.Error("Pick a creator to chat with first.")
    if not (message or "").strip():
        raise gr.Error("Write a message first.")
    if not chat_state or chat_state[0] != as_id(seller_id):  # another creator: a new conversation
        history, chat_state = [], (as_id(seller_id), ctx.engine.assistant_start(buyer, seller_id))
    reply = ctx.engine.assistant_reply(buyer, chat_state[1], message)
    history = list(history or []) + [{"role": "user", "content": message},
                                     {"role": "assistant", "content": "…"}]
    yield history, chat_state, ""
    for text in reply.stream():
        history[-1] = {"role": "assistant", "content": text}
        yield history, chat_state, ""
    if reply.handoff:
        gr.Info(f"Handed to the creator: {reply.handoff}.")


def build(ctx, demo: gr.Blocks) -> None:
    with gr.Accordion("Chat with a creator's AI assistant", open=False):
        gr.Markdown("Each creator's assistant is an AI. It answers from the creator's own gigs and prices, "
                    "puts your brief together, and hands you to the creator for custom prices, refunds, "
                    "anything outside their services, or whenever you ask for them.")
        with gr.Column(elem_id="assistant-chat"):
            seller = gr.Dropdown(label="Creator", choices=[], allow_custom_value=True, elem_id="chat-creator")
            chat = gr.Chatbot(label="Assistant (AI)", height=360)
            with gr.Row(equal_height=True):
                message = gr.Textbox(label="Your message", placeholder=HINT, max_length=8000, scale=5,
                                     elem_id="chat-message")
                send = gr.Button("Send", variant="primary", scale=1)
        conversation = gr.State(None)
    demo.load(bind(on_chat_creators, ctx), None, seller, api_visibility="private")
    seller.change(bind(on_chat_pick, ctx), seller, [chat, conversation], api_name="chat_pick")
    inputs, outputs = [seller, conversation, message, chat], [chat, conversation, message]
    send.click(bind(on_chat_send, ctx), inputs, outputs, api_name="chat_send", concurrency_limit=2)
    message.submit(bind(on_chat_send, ctx), inputs, outputs, api_visibility="private", concurrency_limit=2)
