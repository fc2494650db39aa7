"""Seller → Plans and earnings: the creator's balance and this month's plans, paid here."""

import gradio as gr

from app.context import bind, require
from app.widgets import money

LABELS = {"creation": "Creation-model plan", "assistant": "Assistant plan"}


def account_text(data: dict) -> str:
    """The creator's balance and plan standing for the month, in words."""
    b = data["balance"]
    lines = [f"**Available to pay out: {money(b['available_cents'])}** — earned {money(b['earned_cents'])}, "
             f"refunded {money(b['refunded_cents'])}, plans paid from earnings {money(b['plans_cents'])}, "
             f"paid out {money(b['paid_out_cents'])}.", "", f"**Plans for {data['month']}:**"]
    for plan in data["plans"]:
        state = "paid ✓" if plan["paid"] else "unpaid"
        lines.append(f"- {LABELS[plan['plan']]} ({money(plan['price_cents'])}/month): {state}")
    if data["enforced"]:
        lines.append("\nWhile the creation-model plan is unpaid this month, buyers do not see your models.")
    return "\n".join(lines)


def on_account_load(ctx, request: gr.Request):
    return account_text(ctx.engine.creator_account(require(ctx, request, "seller")))


def on_pay_plan(ctx, plan: str, source: str, request: gr.Request):
    """Seller: pay this month of a plan from earnings or by (demo) card."""
    user = require(ctx, request, "seller")
    entry = ctx.engine.pay_plan(user, plan, source)
    gr.Info("Already paid for this month." if entry["replayed"] else f"{LABELS[plan]} paid for this month.")
    return account_text(ctx.engine.creator_account(user))


def build(ctx, tab: gr.Tab) -> None:
    """The accordion, inside the seller's tab; loads when the tab is selected."""
    with gr.Accordion("Plans and earnings", open=False):
        account = gr.Markdown()
        with gr.Row():
            plan = gr.Radio([(label, key) for key, label in LABELS.items()], value="creation", label="Plan")
            source = gr.Radio([("From my earnings", "earnings"), ("By card (demo)", "card")],
                              value="earnings", label="Pay")
            pay = gr.Button("Pay this month", variant="primary")
    tab.select(bind(on_account_load, ctx), None, account, api_name="assistant_account")
    pay.click(bind(on_pay_plan, ctx), [plan, source], account, api_name="assistant_pay_plan")
