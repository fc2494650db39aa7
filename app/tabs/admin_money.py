"""Admin → Money: the reconciliation check (with escrow for open orders), creator balances and payouts (with CSV), refunds,
creator plans this month, and the equity programme."""

import tempfile

import gradio as gr

from app.context import bind, require
from app.widgets import money

CREATOR_HEADERS = ["id", "creator", "earned", "refunded", "plans", "paid out", "available"]
PLAN_HEADERS = ["id", "creator", "plan", "months paid", "last paid", "this month"]
EQUITY_HEADERS = ["id", "creator", "years", "earnings (365 d)", "year before", "growth", "qualifies",
                  "grants"]
PAYOUT_HEADERS = ["run", "id", "creator", "amount", "entry", "at"]


def reconciliation_text(r: dict) -> str:
    """The reconciliation as a ✓ / ✗ check with its numbers."""
    mark = {True: "✓", False: "✗"}
    checks = r["checks"]
    return "\n".join([
        f"### {mark[r['ok']]} Money reconciles" if r["ok"] else "### ✗ Money does not reconcile",
        f"- {mark[checks['sales']]} buyer charges {money(r['buyer_charges_cents'])} = platform fees "
        f"{money(r['platform_fees_cents'])} + creator earnings {money(r['creator_earnings_cents'])}",
        f"- {mark[checks['refunds']]} refunds {money(r['refunds_cents'])} = fees returned "
        f"{money(r['fees_refunded_cents'])} + creator shares returned {money(r['earnings_refunded_cents'])}",
        f"- {mark[checks['creators']]} creator earnings net of refunds "
        f"{money(r['creator_earnings_cents'] - r['earnings_refunded_cents'])} = available "
        f"{money(r['available_cents'])} + paid out {money(r['paid_out_cents'])} + plans paid from earnings "
        f"{money(r['plans_from_earnings_cents'])}",
        f"- {mark[checks['escrow']]} held in escrow {money(r['escrow_cents'])} = open orders "
        f"{money(r['open_orders_cents'])}"])


def equity_text(data: dict) -> str:
    qualifying = [e for e in data["equity"] if e["qualifies"]]
    text = f"**Equity programme rules:** {data['equity_rules']}."
    if not qualifying:
        text += ("\n\nNo creator qualifies yet: the table shows each creator's standing against the rules "
                 "(earnings are their share of sales net of refunds, from the ledger).")
    return text


def _view(ctx, user):
    data = ctx.engine.money_overview(user)
    creators = [[c["user_id"], c["username"], money(c["earned_cents"]), money(c["refunded_cents"]),
                 money(c["plans_cents"]), money(c["paid_out_cents"]), money(c["available_cents"])]
                for c in data["creators"]]
    plans = [[p["user_id"], p["username"], f"{p['plan']} ({money(data['plan_prices'][p['plan']])}/month)",
              p["months_paid"], p["last_paid"] or "never", "paid" if p["active"] else "lapsed"]
             for p in data["plans"]]
    equity = [[e["user_id"], e["username"], e["years"], money(e["earnings_cents"]), money(e["previous_cents"]),
               "" if e["growth_bps"] is None else f"{e['growth_bps'] / 100:.1f} %",
               "yes" if e["qualifies"] else f"no: {e['why_not']}",
               ", ".join(f"{g['year']}: {money(g['cents'])}" for g in e["grants"])] for e in data["equity"]]
    history = [[p["run"], p["user_id"], p["username"], money(p["amount_cents"]), p["entry_id"], p["at"]]
               for p in data["payouts"]]
    enforced = ("enforced: a creator whose creation plan is unpaid this month has their models hidden "
                "from buyers" if data["plans_enforced"] else
                "not enforced (SIGNATURE_PLANS_ENFORCED=false): lapsed creators stay visible")
    plans_note = f"**Plans for {data['month']}** — {enforced}."
    return (reconciliation_text(data["reconciliation"]), creators, history, plans_note, plans,
            equity_text(data), equity)


def on_money_load(ctx, request: gr.Request):
    """Admin: the money overview, fresh from the ledger."""
    return _view(ctx, require(ctx, request, "admin"))


def on_run_payouts(ctx, run_key: str, request: gr.Request):
    """Admin: pay out every available creator balance in one step; offers the run's CSV."""
    user = require(ctx, request, "admin")
    paid = ctx.engine.run_payouts(user, run_key)
    gr.Info(f"Payout run '{run_key}': {len(paid)} creator(s), "
            f"{money(sum(p['amount_cents'] for p in paid))} in all.")
    return (*_view(ctx, user), _csv_file(ctx, user, run_key))


def on_export(ctx, request: gr.Request):
    """Admin: every payout so far as a CSV file."""
    user = require(ctx, request, "admin")
    return _csv_file(ctx, user, None)


def _csv_file(ctx, user, run_key) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="payouts-", delete=False) as handle:
        handle.write(ctx.engine.payouts_csv(user, run_key))
    return handle.name


def on_refund(ctx, generation_id, amount_dollars, reason: str, request: gr.Request):
    """Admin: refund a generation, all of it when no amount is given."""
    user = require(ctx, request, "admin")
    cents = None if amount_dollars in (None, "", 0) else round(float(amount_dollars) * 100)
    entry = ctx.engine.refund(user, int(generation_id or 0), cents, reason or "")
    gr.Info(f"Refunded in ledger entry {entry['id']}.")
    return _view(ctx, user)


def on_renew(ctx, request: gr.Request):
    """Admin: renew this month's plans from creators' earnings."""
    user = require(ctx, request, "admin")
    result = ctx.engine.renew_plans(user)
    gr.Info(f"{len(result['renewed'])} plan(s) renewed, {len(result['lapsed'])} lapsed.")
    return _view(ctx, user)


def build(ctx) -> tuple[gr.Tab, list]:
    """The Money sub-tab; returns it and its load event's outputs."""
    with gr.Tab("Money") as tab:
        with gr.Row(equal_height=True):
            check = gr.Markdown()
            refresh = gr.Button("Refresh", size="sm", scale=0)
        gr.Markdown("#### Creator balances")
        creators = gr.Dataframe(headers=CREATOR_HEADERS, interactive=False)
        with gr.Row():
            run_key = gr.Textbox(label="Payout run name (once only, e.g. the month)", max_length=40)
            run = gr.Button("Pay out available balances", variant="primary")
            export = gr.Button("Export all payouts (CSV)")
        csv_file = gr.File(label="Payouts CSV", interactive=False)
        history = gr.Dataframe(headers=PAYOUT_HEADERS, interactive=False)
        with gr.Accordion("Refund a generation", open=False):
            with gr.Row():
                generation_id = gr.Number(label="Generation id", precision=0)
                amount = gr.Number(label="Amount in $ (empty: all that is left)")
                reason = gr.Textbox(label="Reason", max_length=200)
                refund = gr.Button("Refund")
        plans_note = gr.Markdown()
        plans = gr.Dataframe(headers=PLAN_HEADERS, interactive=False)
        renew = gr.Button("Renew this month's plans from earnings", size="sm")
        equity_note = gr.Markdown()
        equity = gr.Dataframe(headers=EQUITY_HEADERS, interactive=False, wrap=True)
        view = [check, creators, history, plans_note, plans, equity_note, equity]
        load = bind(on_money_load, ctx)
        tab.select(load, None, view, api_visibility="private")
        refresh.click(load, None, view, api_name="admin_money")
        run.click(bind(on_run_payouts, ctx), [run_key], [*view, csv_file], api_name="admin_payouts")
        export.click(bind(on_export, ctx), None, [csv_file], api_name="admin_payouts_csv")
        refund.click(bind(on_refund, ctx), [generation_id, amount, reason], view, api_name="admin_refund")
        renew.click(bind(on_renew, ctx), None, view, api_name="admin_renew_plans")
    return tab, view
