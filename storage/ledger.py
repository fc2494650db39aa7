"""Double-entry ledger in integer cents.

Amounts are signed: a debit is positive, a credit negative; every entry sums to zero. The
database itself refuses unbalanced entries and any update or delete (see migrations), so a
correction is always a new, reversing entry. Every entry carries an idempotency key: posting
the same key again with the same content returns the first entry; with other content it is
refused.

Accounts:
  platform:cash        asset      money received from buyers (card top-ups)
  platform:fees        revenue    the platform's fee on each sale
  wallet:<user id>     liability  a buyer's prepaid balance
  earnings:<user id>   liability  what the platform owes a creator (available to pay out)
  platform:plans       revenue    creators' monthly plan subscriptions (see storage/subscriptions)
  platform:escrow      liability  what buyers paid for orders not yet completed (see storage/orders)

Entry kinds: top_up, generation, refund (reverses part or all of a generation or an order's
sale), payout (earnings leave through platform cash, see storage/payouts), plan (a month of a
creator plan), sale (a licence, or an order completed out of escrow), order_hold and
order_release (an order's price into escrow and back to the wallet).
"""

import hashlib
import json

from storage.db import immediate, utcnow

CASH, FEES, PLANS, ESCROW = "platform:cash", "platform:fees", "platform:plans", "platform:escrow"


class LedgerError(ValueError):
    """A ledger operation that cannot be carried out; the message says why."""


class InsufficientFunds(LedgerError):
    pass


class IdempotencyConflict(LedgerError):
    pass


def wallet_account(user_id: int) -> str:
    return f"wallet:{user_id}"


def earnings_account(user_id: int) -> str:
    return f"earnings:{user_id}"


def ensure_account(db, account_id: str, kind: str, name: str, user_id: int | None = None) -> None:
    """Create the account if it does not exist yet."""
    db.execute("INSERT OR IGNORE INTO ledger_accounts (id, kind, user_id, name, created_at) "
               "VALUES (?, ?, ?, ?, ?)", [account_id, kind, user_id, name, utcnow()])


def ensure_platform_accounts(db) -> None:
    """Create the platform's own accounts."""
    ensure_account(db, CASH, "asset", "Platform cash")
    ensure_account(db, FEES, "revenue", "Platform fees")
    ensure_account(db, PLANS, "revenue", "Creator plan subscriptions")
    ensure_account(db, ESCROW, "liability", "Orders held until the buyer accepts")


def ensure_user_accounts(db, user: dict) -> None:
    """Create the wallet (buyers) or earnings (sellers) account for a user."""
    if user["role"] == "buyer":
        ensure_account(db, wallet_account(user["id"]), "liability",
                       f"Wallet of {user['username']}", user["id"])
    elif user["role"] == "seller":
        ensure_account(db, earnings_account(user["id"]), "liability",
                       f"Earnings of {user['username']}", user["id"])


def _fingerprint(kind: str, postings: list[tuple[str, int]]) -> str:
    canonical = json.dumps([kind, sorted(postings)], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing(db, idempotency_key: str, fingerprint: str) -> dict | None:
    rows = list(db.query("SELECT * FROM ledger_entries WHERE idempotency_key = ?",
                         [idempotency_key]))
    if not rows:
        return None
    if rows[0]["fingerprint"] != fingerprint:
        raise IdempotencyConflict(
            f"idempotency key {idempotency_key!r} was already used for a different charge; "
            "use a new key for a new charge")
    return rows[0]


def post(db, kind: str, postings: list[tuple[str, int]], idempotency_key: str,
         memo: str = "") -> dict:
    """Write one balanced entry (inside the caller's transaction if one is open).

    Returns the entry row, with "replayed": True when the key had already been posted.
    """
    if not idempotency_key:
        raise LedgerError("every ledger entry needs an idempotency key")
    if not db.conn.in_transaction:
        with immediate(db):
            return post(db, kind, postings, idempotency_key, memo)
    fingerprint = _fingerprint(kind, postings)
    existing = _existing(db, idempotency_key, fingerprint)
    if existing:
        return {**existing, "replayed": True}
    payload = json.dumps([{"account": a, "amount": amount} for a, amount in postings])
    entry_id = db["ledger_entries"].insert({
        "created_at": utcnow(), "kind": kind, "memo": memo, "idempotency_key": idempotency_key,
        "fingerprint": fingerprint, "postings": payload}).last_pk
    row = list(db.query("SELECT * FROM ledger_entries WHERE id = ?", [entry_id]))[0]
    return {**row, "replayed": False}


def balance(db, account_id: str) -> int:
    """The signed balance of an account in cents (debits positive)."""
    return db.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_postings "
                      "WHERE account_id = ?", [account_id]).fetchone()[0]


def wallet_balance(db, user_id: int) -> int:
    """What a buyer can spend, in cents."""
    return -balance(db, wallet_account(user_id))


def earnings_balance(db, user_id: int) -> int:
    """What the platform owes a creator, in cents."""
    return -balance(db, earnings_account(user_id))


def top_up(db, user_id: int, amount_cents: int, idempotency_key: str) -> dict:
    """Add money to a buyer's wallet (a card payment received into platform cash)."""
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise LedgerError("a top-up must be a positive whole number of cents")
    return post(db, "top_up", [(CASH, amount_cents), (wallet_account(user_id), -amount_cents)],
                idempotency_key, memo=f"wallet top-up for user {user_id}")


def split_fee(price_cents: int, fee_bps: int) -> tuple[int, int]:
    """(platform fee, creator share) of a price; the fee rounds down, in the creator's favour."""
    fee = price_cents * fee_bps // 10_000
    return fee, price_cents - fee


def charge_generation(db, buyer_id: int, seller_id: int, model_version_id: int,
                      price_cents: int, fee_bps: int, idempotency_key: str, request: str,
                      output_path: str | None, output_text: str | None = None, then=None) -> dict:
    """Record one paid generation and its charge in a single transaction.

    The buyer's wallet pays the price; the creator's earnings and the platform's fees are
    credited; `then(generation)`, if given, runs in the same transaction (the provenance
    record). Replaying the same key returns the first generation without charging again.
    Raises InsufficientFunds when the wallet cannot pay, IdempotencyConflict when the key was
    used for something else.
    """
    if not isinstance(price_cents, int) or price_cents < 0:
        raise LedgerError("a price must be a whole, non-negative number of cents")
    fee, share = split_fee(price_cents, fee_bps)
    postings = [(wallet_account(buyer_id), price_cents), (earnings_account(seller_id), -share)]
    if fee:
        postings.append((FEES, -fee))
    with immediate(db):
        previous = list(db.query("SELECT * FROM generations WHERE idempotency_key = ?",
                                 [idempotency_key]))
        if previous:
            _existing(db, idempotency_key, _fingerprint("generation", postings))
            return {**previous[0], "replayed": True}
        entry_id = None
        if price_cents:
            if wallet_balance(db, buyer_id) < price_cents:
                raise InsufficientFunds(
                    f"this generation costs ${price_cents / 100:.2f} and your wallet holds "
                    f"${wallet_balance(db, buyer_id) / 100:.2f}: top up your wallet first")
            entry_id = post(db, "generation", postings, idempotency_key,
                            memo=f"generation on model version {model_version_id}")["id"]
        generation_id = db["generations"].insert({
            "model_version_id": model_version_id, "buyer_id": buyer_id, "request": request,
            "output_path": output_path, "output_text": output_text, "status": "done",
            "price_cents": price_cents,
            "ledger_entry_id": entry_id, "idempotency_key": idempotency_key,
            "created_at": utcnow()}).last_pk
        row = list(db.query("SELECT * FROM generations WHERE id = ?", [generation_id]))[0]
        if then:
            then(row)
    return {**row, "replayed": False}


def refunded_cents(db, generation_id: int) -> int:
    """How much of a generation's price has been refunded so far, in cents."""
    return -db.execute(
        "SELECT COALESCE(SUM(p.amount_cents), 0) FROM ledger_entries e JOIN ledger_postings p "
        "ON p.entry_id = e.id WHERE e.kind = 'refund' AND e.idempotency_key LIKE ? "
        "AND p.account_id LIKE 'wallet:%'", [f"refund:{generation_id}:%"]).fetchone()[0]


def refund_generation(db, generation_id: int, idempotency_key: str,
                      amount_cents: int | None = None, reason: str = "") -> dict:
    """Return all (default) or part of a generation's price to the buyer's wallet.

    A reversing entry takes the fee back from the platform and the share back from the creator
    in proportion to the amount (cumulative rounding, so refunding everything in parts returns
    exactly the fee and the share). Refused, with the ledger unchanged, when the amount is not
    a positive whole number of cents, exceeds what is left to refund, or when the creator's
    available earnings no longer cover their part (it was paid out). Replaying the key returns
    the first refund entry.
    """
    if amount_cents is not None and (not isinstance(amount_cents, int) or amount_cents <= 0):
        raise LedgerError("a refund must be a positive whole number of cents")
    if not idempotency_key:
        raise LedgerError("every refund needs an idempotency key")
    key = f"refund:{generation_id}:{idempotency_key}"
    with immediate(db):
        rows = list(db.query("SELECT * FROM generations WHERE id = ?", [generation_id]))
        if not rows:
            raise LedgerError(f"there is no generation {generation_id}: check the id")
        generation = rows[0]
        if generation["ledger_entry_id"] is None:
            raise LedgerError(f"generation {generation_id} was free: there is nothing to refund")
        replay = list(db.query("SELECT * FROM ledger_entries WHERE idempotency_key = ?", [key]))
        postings = {p["account_id"]: p["amount_cents"] for p in db.query(
            "SELECT account_id, amount_cents FROM ledger_postings WHERE entry_id = ?",
            [generation["ledger_entry_id"]])}
        price = generation["price_cents"]
        fee = -postings.get(FEES, 0)
        wallet = wallet_account(generation["buyer_id"])
        earnings = next(a for a in postings if a.startswith("earnings:"))
        done = refunded_cents(db, generation_id)
        if replay:
            returned = -json.loads(replay[0]["postings"])[0]["amount"]
            if amount_cents is not None and amount_cents != returned:
                raise IdempotencyConflict(
                    f"refund key {idempotency_key!r} was already used for ${returned / 100:.2f}; "
                    "use a new key for another refund")
            return {**replay[0], "replayed": True}
        amount = price - done if amount_cents is None else amount_cents
        if amount <= 0 or done + amount > price:
            raise LedgerError(f"generation {generation_id} cost ${price / 100:.2f} and "
                              f"${done / 100:.2f} is already refunded: at most "
                              f"${(price - done) / 100:.2f} can still be refunded")
        fee_part = fee * (done + amount) // price - fee * done // price
        share_part = amount - fee_part
        available = -balance(db, earnings)
        if available < share_part:
            raise LedgerError(
                f"the creator's part of this refund is ${share_part / 100:.2f} but only "
                f"${available / 100:.2f} of their earnings is still available (the rest was paid out "
                "or paid for plans): refund a smaller amount or settle it outside the ledger")
        entry_postings = [(wallet, -amount)] + [(account, cents) for account, cents in
                                                  ((earnings, share_part), (FEES, fee_part)) if cents]
        return post(db, "refund", entry_postings, key,
                    memo=f"refund of generation {generation_id}" + (f": {reason}" if reason else ""))


def account_balances(db) -> list[dict]:
    """Every account with its signed balance in cents."""
    return list(db.query(
        """SELECT a.id, a.kind, a.name, COALESCE(SUM(p.amount_cents), 0) AS balance_cents
           FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
           GROUP BY a.id ORDER BY a.kind, a.id"""))


def check_invariants(db) -> dict:
    """Recompute the ledger's invariants from scratch; every value should be True / 0."""
    unbalanced = db.execute(
        "SELECT COUNT(*) FROM (SELECT entry_id FROM ledger_postings GROUP BY entry_id "
        "HAVING SUM(amount_cents) != 0)").fetchone()[0]
    missing_postings = db.execute(
        "SELECT COUNT(*) FROM ledger_entries e WHERE json_array_length(e.postings) != "
        "(SELECT COUNT(*) FROM ledger_postings p WHERE p.entry_id = e.id)").fetchone()[0]
    total = db.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_postings").fetchone()[0]
    negative_wallets = db.execute(
        "SELECT COUNT(*) FROM (SELECT account_id FROM ledger_postings "
        "WHERE account_id LIKE 'wallet:%' GROUP BY account_id HAVING SUM(amount_cents) > 0)"
    ).fetchone()[0]
    charged_without_generation = db.execute(
        "SELECT COUNT(*) FROM ledger_entries e WHERE e.kind = 'generation' AND NOT EXISTS "
        "(SELECT 1 FROM generations g WHERE g.ledger_entry_id = e.id)").fetchone()[0]
    return {"unbalanced_entries": unbalanced, "entries_missing_postings": missing_postings,
            "trial_balance_cents": total, "negative_wallets": negative_wallets,
            "charges_without_generation": charged_without_generation,
            "ok": unbalanced == missing_postings == total == negative_wallets
            == charged_without_generation == 0}
