"""Creator balances, payout runs, their CSV export and the money reconciliation.

A payout moves a creator's whole available balance (their `earnings:` account) out through
platform cash, as one `payout` entry per creator; a run pays every creator in one transaction.
"""

import csv
import io

from storage import ledger
from storage.db import immediate


def _by_kind(db, account_like: str) -> dict[tuple[str, str], int]:
    """{(entry kind, account): sum of postings} for accounts matching a LIKE pattern."""
    rows = db.query("SELECT e.kind, p.account_id, SUM(p.amount_cents) AS total FROM ledger_postings p "
                    "JOIN ledger_entries e ON e.id = p.entry_id WHERE p.account_id LIKE ? "
                    "GROUP BY e.kind, p.account_id", [account_like])
    return {(r["kind"], r["account_id"]): r["total"] for r in rows}


def creator_balances(db) -> list[dict]:
    """Every creator (seller) with earned, refunded, plans paid from earnings, paid out and
    available cents; available = earned - refunded - plans - paid out, never negative."""
    sums = _by_kind(db, "earnings:%")
    sellers = db.query("SELECT id, username, display_name FROM users WHERE role = 'seller' ORDER BY id")
    out = []
    for seller in sellers:
        account = ledger.earnings_account(seller["id"])
        earned = -sums.get(("generation", account), 0) - sums.get(("sale", account), 0)
        refunded = sums.get(("refund", account), 0)
        plans = sums.get(("plan", account), 0)
        paid = sums.get(("payout", account), 0)
        out.append({"user_id": seller["id"], "username": seller["username"],
                    "name": seller["display_name"], "earned_cents": earned, "refunded_cents": refunded,
                    "plans_cents": plans, "paid_out_cents": paid,
                    "available_cents": ledger.earnings_balance(db, seller["id"])})
    return out


def run_payouts(db, run_key: str, minimum_cents: int = 1) -> list[dict]:
    """Pay every creator whose available balance is at least `minimum_cents`, all in one
    transaction; returns one row per creator paid (user_id, amount_cents, entry_id).

    A run key that paid anyone can be used once: running it again raises LedgerError and changes
    nothing. A run that found nobody to pay writes nothing, so its name stays free.
    """
    if not run_key or ":" in run_key:
        raise ledger.LedgerError("a payout run needs a name without ':' (for example 2026-11)")
    if not isinstance(minimum_cents, int) or minimum_cents < 1:
        raise ledger.LedgerError("the payout minimum must be a whole number of cents, at least 1")
    paid = []
    with immediate(db):
        if db.execute("SELECT 1 FROM ledger_entries WHERE idempotency_key LIKE ? LIMIT 1",
                      [f"payout:{run_key}:%"]).fetchone():
            raise ledger.LedgerError(f"payout run {run_key!r} was already made: name a new run")
        for row in db.query("SELECT account_id, -SUM(amount_cents) AS available FROM ledger_postings "
                            "WHERE account_id LIKE 'earnings:%' GROUP BY account_id "
                            "HAVING -SUM(amount_cents) >= ? ORDER BY account_id", [minimum_cents]):
            user_id = int(row["account_id"].split(":")[1])
            entry = ledger.post(db, "payout", [(row["account_id"], row["available"]),
                                               (ledger.CASH, -row["available"])],
                                f"payout:{run_key}:{user_id}", memo=f"payout run {run_key}")
            paid.append({"user_id": user_id, "amount_cents": row["available"], "entry_id": entry["id"]})
    return paid


def payout_history(db) -> list[dict]:
    """Every payout made: run, creator, amount in cents, when."""
    rows = db.query(
        "SELECT e.id AS entry_id, e.created_at, e.idempotency_key, p.amount_cents, u.id AS user_id, "
        "u.username FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id "
        "JOIN users u ON p.account_id = 'earnings:' || u.id WHERE e.kind = 'payout' ORDER BY e.id")
    return [{"run": r["idempotency_key"].split(":")[1], "user_id": r["user_id"],
             "username": r["username"], "amount_cents": r["amount_cents"],
             "entry_id": r["entry_id"], "at": r["created_at"]} for r in rows]


def payouts_csv(db, run_key: str | None = None) -> str:
    """The payouts (of one run, or all) as CSV: run, creator, amount in cents and dollars."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["run", "user_id", "username", "amount_cents", "amount_usd", "ledger_entry", "at"])
    for row in payout_history(db):
        if run_key is None or row["run"] == run_key:
            writer.writerow([row["run"], row["user_id"], row["username"], row["amount_cents"],
                             f"{row['amount_cents'] / 100:.2f}", row["entry_id"], row["at"]])
    return buffer.getvalue()


def reconciliation(db) -> dict:
    """Totals that must agree, recomputed from postings:

    buyer charges (generations, licences and completed orders) = platform fees + creator
    earnings on sales; refunds = fees returned + creator shares returned; creator earnings net of
    refunds = available + paid out + plans paid from earnings; and what escrow holds = the prices
    of the open orders. `ok` is True when all four hold.
    """
    from storage import orders

    totals = {}
    for kind in ("generation", "sale", "refund"):
        for prefix, name in (("wallet:%", "wallets"), (ledger.ESCROW, "escrow"), (ledger.FEES, "fees"),
                             ("earnings:%", "earnings")):
            totals[(kind, name)] = db.execute(
                "SELECT COALESCE(SUM(p.amount_cents), 0) FROM ledger_postings p JOIN ledger_entries e "
                "ON e.id = p.entry_id WHERE e.kind = ? AND p.account_id LIKE ?", [kind, prefix]).fetchone()[0]
    sales = ("generation", "sale")
    charges = sum(totals[(k, "wallets")] + totals[(k, "escrow")] for k in sales)
    fees = -sum(totals[(k, "fees")] for k in sales)
    earnings = -sum(totals[(k, "earnings")] for k in sales)
    refunds, fees_back, earnings_back = (-totals[("refund", "wallets")], totals[("refund", "fees")],
                                         totals[("refund", "earnings")])
    creators = creator_balances(db)
    available = sum(c["available_cents"] for c in creators)
    paid_out = sum(c["paid_out_cents"] for c in creators)
    plans = sum(c["plans_cents"] for c in creators)
    escrow = -ledger.balance(db, ledger.ESCROW)
    open_orders = orders.held_in_escrow(db)
    checks = {"sales": charges == fees + earnings, "refunds": refunds == fees_back + earnings_back,
              "creators": earnings - earnings_back == available + paid_out + plans,
              "escrow": escrow == open_orders}
    return {"buyer_charges_cents": charges, "platform_fees_cents": fees, "creator_earnings_cents": earnings,
            "refunds_cents": refunds, "fees_refunded_cents": fees_back,
            "earnings_refunded_cents": earnings_back, "available_cents": available,
            "paid_out_cents": paid_out, "plans_from_earnings_cents": plans,
            "escrow_cents": escrow, "open_orders_cents": open_orders,
            "checks": checks, "ok": all(checks.values())}
