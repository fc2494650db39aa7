"""Try-outs of published personal models: a buyer writes a brief and watches the copy arrive;
the creator's price is charged once the copy is complete and within the creator's boundaries."""

import uuid

import gradio as gr

from app.context import bind, require
from app.widgets import model_choices, money

HINT = ("Describe what the copy is for, the audience and the tone. The model writes in its "
        "creator's voice; prices, dates and promises are not part of what it can change.")


def on_models(ctx, request: gr.Request):
    """Published text models for the picker."""
    require(ctx, request, "buyer", "seller", "admin")
    choices = model_choices(ctx.engine.published_models("text"), "generation")
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def on_try_copy(ctx, model_id, brief: str, request: gr.Request):
    """Stream copy for the brief, then show what was charged."""
    user = require(ctx, request, "buyer")
    if not model_id:
        raise gr.Error("Pick a published model first.")
    text = ""
    for text in ctx.engine.stream_copy(user, model_id, brief, f"try:{uuid.uuid4().hex}"):
        yield text, "✍️ writing…"
    price = next((m["price_cents"] for m in ctx.engine.published_models("text") if m["id"] == int(model_id)), 0)
    yield text, (f"Charged {money(price)} · wallet {money(ctx.engine.wallet(user))}. "
                 "Like it? License it in **Orders**, or order the human from the creator's gigs for a "
                 "finished piece.")


def build(ctx, demo: gr.Blocks) -> None:
    with gr.Accordion("Try a personal model", open=False):
        with gr.Row(equal_height=True):
            model = gr.Dropdown(label="Published copywriting models", choices=[], scale=3,
                                allow_custom_value=True)
            refresh = gr.Button("Refresh", size="sm", scale=0)
        brief = gr.Textbox(label="Your brief", placeholder=HINT, lines=3, max_length=2000)
        go = gr.Button("Write it", variant="primary")
        output = gr.Markdown()
        receipt = gr.Markdown()
    load = bind(on_models, ctx)
    demo.load(load, None, model, api_visibility="private")
    refresh.click(load, None, model, api_name="tryouts_models")
    go.click(bind(on_try_copy, ctx), [model, brief], [output, receipt], api_name="tryouts_copy",
             concurrency_limit=1)
