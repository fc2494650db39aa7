"""Money for the engine: refunds, creator plans, payout runs, the admin's money overview.

Plain functions over the engine's settings and database; the Engine facade checks roles.
"""

from engine.errors import InvalidInput, NotFound, PaymentError
from engine.ids import as_id
from storage import audit, equity, ledger, payouts, subscriptions


def plan_prices(settings) -> dict[str, int]:
    return {"creation": settings.plan_creation_cents, "assistant": settings.plan_assistant_cents}


def equity_rules(settings) -> equity.Rules:
    return equity.Rules(settings.equity_min_years, settings.equity_earnings_cents,
                        settings.equity_growth_bps, settings.equity_alt_earnings_cents,
                        settings.equity_grant_cents, settings.equity_grant_years)


def creation_plan_paid(engine, seller_id: int) -> bool:
    """Whether this creator's models may be shown to buyers: always when plans are not
    enforced, otherwise only while the creation plan is paid for the current month."""
    return (not engine.settings.plans_enforced
            or subscriptions.is_active(engine.db, seller_id, "creation", subscriptions.current_month()))


def visible(engine, models: list[dict]) -> list[dict]:
    """The published models whose creators' creation plan has not lapsed."""
    return [m for m in models if creation_plan_paid(engine, m["seller_id"])]


def check_model_available(engine, model_id) -> None:
    """NotFound when the model's creator let the creation plan lapse (nothing is charged)."""
    rows = list(engine.db.query("SELECT seller_id FROM models WHERE id = ?", [as_id(model_id)]))
    if rows and not creation_plan_paid(engine, rows[0]["seller_id"]):
        raise NotFound("This model is not available: its creator's plan has lapsed.")



def pay_plan(engine, actor: dict, plan: str, source: str) -> dict:
    """Seller: pay this month of a plan from earnings or card; returns the entry."""
    month = subscriptions.current_month()
    prices = plan_prices(engine.settings)
    if plan not in prices:
        raise InvalidInput(f"Choose the creation or assistant plan, not {plan!r}.")
    try:
        entry = subscriptions.pay_plan(engine.db, actor["id"], plan, month, prices[plan], source)
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None
    if not entry["replayed"]:
        audit.record(engine.db, actor["id"], "plan.paid", f"ledger:{entry['id']}", plan=plan, month=month,
                     source=source)
    return entry


def renew_plans(engine, actor: dict) -> dict:
    """Admin: charge this month's plans from earnings for last month's subscribers."""
    result = subscriptions.renew(engine.db, subscriptions.current_month(), plan_prices(engine.settings))
    audit.record(engine.db, actor["id"], "plan.renewal", subscriptions.current_month(),
                 renewed=len(result["renewed"]), lapsed=len(result["lapsed"]))
    return result


def refund(engine, actor: dict, generation_id, amount_cents: int | None, reason: str, key: str) -> dict:
    """Admin: refund all or part of a generation; returns the refund entry."""
    try:
        entry = ledger.refund_generation(engine.db, as_id(generation_id), key, amount_cents, reason)
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None
    if not entry["replayed"]:
        audit.record(engine.db, actor["id"], "generation.refund", f"generation:{as_id(generation_id)}",
                     entry=entry["id"], reason=reason)
    return entry


def run_payouts(engine, actor: dict, run_key: str) -> list[dict]:
    """Admin: pay every creator's available balance (at least the payout minimum) at once."""
    try:
        paid = payouts.run_payouts(engine.db, (run_key or "").strip(), engine.settings.payout_minimum_cents)
    except ledger.LedgerError as exc:
        raise InvalidInput(str(exc)) from None
    audit.record(engine.db, actor["id"], "payout.run", run_key, creators=len(paid),
                 cents=sum(p["amount_cents"] for p in paid))
    return paid


def creator_account(engine, actor: dict) -> dict:
    """Seller: their balance (earned, refunded, plans, paid out, available) and this month's plans."""
    db, month = engine.db, subscriptions.current_month()
    balance = next(c for c in payouts.creator_balances(db) if c["user_id"] == actor["id"])
    prices = plan_prices(engine.settings)
    plans = [{"plan": plan, "price_cents": prices[plan],
              "paid": subscriptions.is_active(db, actor["id"], plan, month)} for plan in subscriptions.PLANS]
    return {"balance": balance, "month": month, "plans": plans, "enforced": engine.settings.plans_enforced}


def overview(engine) -> dict:
    """Admin: creator balances, reconciliation, payouts, plans this month, equity programme."""
    db, month = engine.db, subscriptions.current_month()
    rules = equity_rules(engine.settings)
    return {"creators": payouts.creator_balances(db), "reconciliation": payouts.reconciliation(db),
            "payouts": payouts.payout_history(db), "month": month, "plans": subscriptions.status(db, month),
            "plan_prices": plan_prices(engine.settings), "plans_enforced": engine.settings.plans_enforced,
            "equity": equity.assess(db, rules), "equity_rules": rules.describe()}
