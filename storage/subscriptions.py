"""Creators' monthly plans (creation model, assistant), paid through the ledger.

A plan is paid per calendar month ("YYYY-MM"); the entry's idempotency key is
`plan:<creator id>:<plan>:<month>`, so a month can be paid once and the ledger alone says who
is paid up. Payment comes from the creator's available earnings or from their card (platform
cash); the money goes to `platform:plans`.

What lapses when a month is unpaid: without the creation plan a creator's published models are
hidden from buyers and cannot be run (when plans are enforced, see `Settings.plans_enforced`);
the assistant plan's lapse is recorded and shown to admins.
"""

import datetime

from storage import ledger
from storage.db import immediate

PLANS = ("creation", "assistant")
SOURCES = ("earnings", "card")


def current_month(today: datetime.date | None = None) -> str:
    """The billing month, "YYYY-MM", of today (UTC) or of the date given."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return f"{today.year:04d}-{today.month:02d}"


def next_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _check(db, creator_id: int, plan: str, month: str) -> None:
    if plan not in PLANS:
        raise ledger.LedgerError(f"unknown plan {plan!r}: choose one of {', '.join(PLANS)}")
    if not (len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit()
            and 1 <= int(month[5:]) <= 12):
        raise ledger.LedgerError(f"a billing month is written YYYY-MM, not {month!r}")
    row = db.execute("SELECT role FROM users WHERE id = ?", [creator_id]).fetchone()
    if row is None or row[0] != "seller":
        raise ledger.LedgerError(f"user {creator_id} is not a creator: plans are for creators")


def pay_plan(db, creator_id: int, plan: str, month: str, price_cents: int,
             source: str = "earnings") -> dict:
    """Charge one month of a plan; paying a month already paid returns the first entry.

    Raises InsufficientFunds when paying from earnings that do not cover the price (the ledger
    is unchanged), LedgerError on an unknown plan, month, source or creator.
    """
    _check(db, creator_id, plan, month)
    if source not in SOURCES:
        raise ledger.LedgerError(f"pay a plan from {' or '.join(SOURCES)}, not {source!r}")
    if not isinstance(price_cents, int) or price_cents <= 0:
        raise ledger.LedgerError("a plan price must be a positive whole number of cents")
    payer = ledger.earnings_account(creator_id) if source == "earnings" else ledger.CASH
    key = f"plan:{creator_id}:{plan}:{month}"
    with immediate(db):
        paid = list(db.query("SELECT * FROM ledger_entries WHERE idempotency_key = ?", [key]))
        if paid:
            return {**paid[0], "replayed": True}
        if source == "earnings" and ledger.earnings_balance(db, creator_id) < price_cents:
            raise ledger.InsufficientFunds(
                f"the {plan} plan costs ${price_cents / 100:.2f} and your available earnings are "
                f"${ledger.earnings_balance(db, creator_id) / 100:.2f}: pay it by card instead")
        return ledger.post(db, "plan", [(payer, price_cents), (ledger.PLANS, -price_cents)], key,
                           memo=f"{plan} plan for {month} ({source})")


def is_active(db, creator_id: int, plan: str, month: str) -> bool:
    """Whether the creator has paid this plan for this month."""
    return db.execute("SELECT 1 FROM ledger_entries WHERE idempotency_key = ?",
                      [f"plan:{creator_id}:{plan}:{month}"]).fetchone() is not None


def paid_months(db, creator_id: int, plan: str) -> list[str]:
    """The months of this plan the creator has paid, oldest first."""
    rows = db.execute("SELECT idempotency_key FROM ledger_entries WHERE kind = 'plan' AND "
                      "idempotency_key LIKE ? ORDER BY idempotency_key", [f"plan:{creator_id}:{plan}:%"])
    return [key.rsplit(":", 1)[1] for (key,) in rows]


def renew(db, month: str, prices: dict[str, int]) -> dict:
    """Charge `month` from earnings for every creator who paid a plan the month before.

    Returns {"renewed": [(creator id, plan)], "lapsed": [(creator id, plan, why)]}; a creator
    whose earnings do not cover the price lapses (they can still pay by card).
    """
    previous = _previous_month(month)
    renewed, lapsed = [], []
    for (creator_id,) in db.execute("SELECT id FROM users WHERE role = 'seller' ORDER BY id").fetchall():
        for plan in PLANS:
            if not is_active(db, creator_id, plan, previous) or is_active(db, creator_id, plan, month):
                continue
            try:
                pay_plan(db, creator_id, plan, month, prices[plan], "earnings")
                renewed.append((creator_id, plan))
            except ledger.InsufficientFunds as exc:
                lapsed.append((creator_id, plan, str(exc)))
    return {"renewed": renewed, "lapsed": lapsed}


def _previous_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def status(db, month: str) -> list[dict]:
    """Per creator and plan: months paid, the last one, and whether `month` is paid."""
    out = []
    for creator in db.query("SELECT id, username FROM users WHERE role = 'seller' ORDER BY id"):
        for plan in PLANS:
            months = paid_months(db, creator["id"], plan)
            out.append({"user_id": creator["id"], "username": creator["username"], "plan": plan,
                        "months_paid": len(months), "last_paid": months[-1] if months else None,
                        "active": month in months})
    return out
