"""Assistant tab: the creator's presence, their inbox (handoffs, briefs, pings) and the set-up review
of suggested answers."""

import gradio as gr

from app.context import bind, require
from app.widgets import money
from storage import creators

HANDOFF_HEADERS = ["id", "when", "buyer", "topic", "summary", "status"]
BRIEF_HEADERS = ["chat", "buyer", "project", "deadline", "budget", "fitting package", "lead (0-3)", "status"]
REVIEW_HEADERS = ["asked", "question", "answer"]
ANSWER_HEADERS = ["id", "question", "answer"]


def _inbox(ctx, user):
    engine = ctx.engine
    inbox = engine.assistant_inbox(user)
    profile = creators.get_profile(engine.db, user["id"]) or {}
    packages = {p["id"]: f"{g['title']} — {p['name']}" for g in creators.gigs_for(engine.db, user["id"])
                for p in g["packages"]}
    pings = "\n".join(f"- **{n['kind']}** · {n['created_at'][:16].replace('T', ' ')} · {n['body']}"
                      for n in inbox["notifications"][:20]) or "_No new notifications._"
    handoffs = [[h["id"], h["created_at"][:16].replace("T", " "), h["buyer_name"], h["topic"], h["summary"],
                 h["status"]] for h in inbox["handoffs"]]
    briefs = [[b["conversation_id"], b["buyer_name"], b["what"], b["deadline"],
               money(b["budget_cents"]) if b["budget_cents"] is not None else "", packages.get(b["package_id"], ""),
               b["lead_score"], b["status"]] for b in inbox["briefs"]]
    open_ids = [h["id"] for h in inbox["handoffs"] if h["status"] == "open"]
    presence = (f"Last active {profile.get('last_active_at', '')[:16].replace('T', ' ')} UTC"
                if profile.get("last_active_at") else "Not active yet")
    return (bool(profile.get("online")), presence, pings, handoffs,
            gr.Dropdown(choices=open_ids, value=open_ids[0] if open_ids else None), briefs,
            _answer_rows(ctx, user))


def _answer_rows(ctx, user):
    return [[a["id"], a["question"], a["answer"]] for a in ctx.engine.approved_answers(user)]


def on_inbox(ctx, request: gr.Request):
    """The seller's presence, notifications, handoffs, briefs and approved answers."""
    return _inbox(ctx, require(ctx, request, "seller"))


def on_presence(ctx, online: bool, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.set_presence(user, online)
    gr.Info("You're online: the assistant pings you about promising leads." if online else
            "You're offline: buyers are told when to expect your answer.")
    return _inbox(ctx, user)


def on_close_handoff(ctx, handoff_id, request: gr.Request):
    user = require(ctx, request, "seller")
    if not handoff_id:
        raise gr.Error("Pick an open handoff first.")
    ctx.engine.close_handoff(user, handoff_id)
    return _inbox(ctx, user)


def on_read(ctx, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.read_notifications(user)
    return _inbox(ctx, user)


def on_suggest(ctx, request: gr.Request):
    """Drafts of answers to the questions buyers asked most in past conversations."""
    user = require(ctx, request, "seller")
    found = ctx.engine.answer_proposals(user)
    if not found:
        gr.Info("No frequent questions left to review: every one has an approved answer.")
    return [[p["asked"], p["question"], p["answer"]] for p in found]


def on_approve(ctx, rows, request: gr.Request):
    """Approve every row of the review table as it is now (edit the answers first)."""
    user = require(ctx, request, "seller")
    rows = [r for r in (rows or []) if len(r) >= 3 and str(r[1] or "").strip() and str(r[2] or "").strip()]
    if not rows:
        raise gr.Error("Suggest answers first, or type a question and your answer into the table.")
    for asked, question, answer in (r[:3] for r in rows):
        ctx.engine.approve_answer(user, str(question), str(answer), int(float(asked or 0)))
    gr.Info(f"{len(rows)} answer{'s' if len(rows) != 1 else ''} approved: the assistant sends them as written.")
    return [], _answer_rows(ctx, user)


def on_remove_answer(ctx, answer_id, request: gr.Request):
    user = require(ctx, request, "seller")
    if not answer_id:
        raise gr.Error("Type the id of the approved answer to withdraw.")
    ctx.engine.remove_answer(user, answer_id)
    return _answer_rows(ctx, user)


def build(ctx, tab: gr.Tab) -> None:
    with gr.Accordion("Inbox — handoffs, briefs and pings", open=True):
        with gr.Row(equal_height=True):
            online = gr.Checkbox(label="I'm online (ping me about promising leads)")
            presence = gr.Markdown()
        pings = gr.Markdown()
        with gr.Row():
            refresh = gr.Button("Refresh inbox", size="sm")
            read = gr.Button("Mark notifications read", size="sm")
        handoffs = gr.Dataframe(headers=HANDOFF_HEADERS, interactive=False, wrap=True,
                                label="Handoffs: conversations the assistant passed to you")
        with gr.Row(equal_height=True):
            handoff_pick = gr.Dropdown(label="Open handoff", choices=[], allow_custom_value=True, scale=3)
            close = gr.Button("Mark answered", scale=1)
        briefs = gr.Dataframe(headers=BRIEF_HEADERS, interactive=False, wrap=True,
                              label="Briefs the assistant collected")
    with gr.Accordion("Set-up review — answers to your buyers' frequent questions", open=False):
        gr.Markdown("Suggested from your past conversations. Edit the answers, then approve: the assistant "
                    "sends an approved answer exactly as written when a buyer asks that question.")
        suggest = gr.Button("Suggest answers")
        review = gr.Dataframe(headers=REVIEW_HEADERS, type="array", interactive=True, wrap=True,
                              column_count=(3, "fixed"), row_count=(0, "dynamic"), label="To review")
        approve = gr.Button("Approve these answers", variant="primary")
        answers = gr.Dataframe(headers=ANSWER_HEADERS, interactive=False, wrap=True, label="Approved answers")
        with gr.Row(equal_height=True):
            answer_id = gr.Number(label="Approved answer id", precision=0, scale=3)
            remove = gr.Button("Withdraw answer", variant="stop", scale=1)

    view = [online, presence, pings, handoffs, handoff_pick, briefs, answers]
    tab.select(bind(on_inbox, ctx), None, view, api_name="assistant_inbox")
    online.input(bind(on_presence, ctx), online, view, api_name="assistant_presence")
    read.click(bind(on_read, ctx), None, view, api_name="assistant_read")
    close.click(bind(on_close_handoff, ctx), handoff_pick, view, api_name="assistant_close_handoff")
    suggest.click(bind(on_suggest, ctx), None, review, api_name="assistant_suggest")
    approve.click(bind(on_approve, ctx), review, [review, answers], api_name="assistant_approve")
    remove.click(bind(on_remove_answer, ctx), answer_id, answers, api_name="assistant_remove_answer")
    refresh.click(bind(on_inbox, ctx), None, view, api_visibility="private")
