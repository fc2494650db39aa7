"""Orders and the money they move: licences of AI samples, the human for a gig package, and blends
(an AI draft finished by the creator).

A licence is paid and completed at once (a `sale` from the buyer's wallet). The human and a
blend are paid into escrow when requested (`order_hold`) and move on through the creator's and
the buyer's steps:

    requested -> accepted -> delivered -> completed      (the sale leaves escrow)
    requested | accepted -> cancelled                    (escrow returns to the wallet)
    delivered -> refunded                                (escrow returns to the wallet)
    completed -> refunded                                (the sale is reversed: a `refund`)

The creator accepts, delivers and refunds, the buyer accepts the delivery, either cancels a
request; an admin settles disputes (ADMIN_STEPS: cancel, refund, or complete a delivery the
buyer leaves unanswered). Every change of state and its ledger entry commit together; each step
is recorded in order_events. Replaying an order's idempotency key returns the first order (the
same buyer and kind only).
"""

import json

from storage import ledger
from storage.db import immediate, utcnow

ESCROW = ledger.ESCROW
OPEN = ("requested", "accepted", "delivered")
# (from, to): who may take the step
STEPS = {("requested", "accepted"): "seller", ("requested", "cancelled"): "either",
         ("accepted", "delivered"): "seller", ("accepted", "cancelled"): "seller",
         ("delivered", "completed"): "buyer", ("delivered", "refunded"): "seller",
         ("completed", "refunded"): "seller"}
ADMIN_STEPS = {("requested", "cancelled"), ("accepted", "cancelled"), ("delivered", "completed"),
               ("delivered", "refunded"), ("completed", "refunded")}


class OrderError(ledger.LedgerError):
    """An order step that cannot be taken; the message says why."""


def get(db, order_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM orders WHERE id = ?", [order_id]))
    return rows[0] if rows else None


def _replay(db, key: str, buyer_id: int, kind: str) -> dict | None:
    """The order this key already made, if any; OrderError when it was made by someone else or
    for another kind of order."""
    rows = list(db.query("SELECT * FROM orders WHERE idempotency_key = ?", [key]))
    if not rows:
        return None
    if (rows[0]["buyer_id"], rows[0]["kind"]) != (buyer_id, kind):
        raise OrderError("this request id was already used for another order; send the order again without it")
    return {**rows[0], "replayed": True}


def _event(db, order_id: int, status: str, actor_id: int | None, entry_id: int | None, note: str = "") -> None:
    db["order_events"].insert({"order_id": order_id, "status": status, "actor_id": actor_id,
                               "ledger_entry_id": entry_id, "note": note, "created_at": utcnow()})


def _sale_postings(source: str, seller_id: int, price_cents: int, fee_bps: int) -> list[tuple[str, int]]:
    fee, share = ledger.split_fee(price_cents, fee_bps)
    postings = [(source, price_cents), (ledger.earnings_account(seller_id), -share)]
    return postings + ([(ledger.FEES, -fee)] if fee else [])


def _insert(db, order: dict, actor_id: int, entry_id: int) -> dict:
    now = utcnow()
    order_id = db["orders"].insert({**order, "created_at": now, "updated_at": now}).last_pk
    _event(db, order_id, order["status"], actor_id, entry_id)
    return {**get(db, order_id), "replayed": False}


def _check_wallet(db, buyer_id: int, price_cents: int, what: str) -> None:
    held = ledger.wallet_balance(db, buyer_id)
    if held < price_cents:
        raise ledger.InsufficientFunds(f"{what} costs ${price_cents / 100:.2f} and your wallet holds "
                                       f"${held / 100:.2f}: top up your wallet first")


def buy_licence(db, buyer_id: int, generation: dict, seller_id: int, model_id: int, price_cents: int,
                fee_bps: int, key: str, title: str, sign) -> dict:
    """License a generation to its buyer: the sale and the completed order (with the signed
    licence record `sign(order) -> (record, signature)`) in one transaction. A generation
    already licensed to this buyer returns that order."""
    with immediate(db):
        replay = _replay(db, key, buyer_id, "licence")
        if replay:
            return replay
        held = licence_for(db, generation["id"], buyer_id)
        if held:
            return {**held, "replayed": True}
        _check_wallet(db, buyer_id, price_cents, "This licence")
        entry = ledger.post(db, "sale", _sale_postings(ledger.wallet_account(buyer_id), seller_id,
                                                       price_cents, fee_bps),
                            f"order:{key}", memo=f"licence of generation {generation['id']}")
        order = {"kind": "licence", "buyer_id": buyer_id, "seller_id": seller_id, "model_id": model_id,
                 "generation_id": generation["id"], "title": title, "price_cents": price_cents,
                 "status": "completed", "idempotency_key": key}
        record, signature = sign({**order, "ledger_entry_id": entry["id"]})
        return _insert(db, {**order, "licence_record": json.dumps(record, sort_keys=True),
                            "licence_signature": signature}, buyer_id, entry["id"])


def request(db, kind: str, buyer_id: int, seller_id: int, price_cents: int, key: str, title: str,
            brief: str, model_id: int | None = None, generation_id: int | None = None,
            package_id: int | None = None) -> dict:
    """A human or blend order, its price held in escrow until the buyer accepts the delivery."""
    if kind not in ("human", "blend"):
        raise OrderError(f"orders are for the human or a blend, not {kind!r}")
    with immediate(db):
        replay = _replay(db, key, buyer_id, kind)
        if replay:
            return replay
        _check_wallet(db, buyer_id, price_cents, "This order")
        entry = ledger.post(db, "order_hold", [(ledger.wallet_account(buyer_id), price_cents),
                                               (ESCROW, -price_cents)],
                            f"order:{key}", memo=f"{kind} order held in escrow")
        return _insert(db, {"kind": kind, "buyer_id": buyer_id, "seller_id": seller_id, "model_id": model_id,
                            "generation_id": generation_id, "package_id": package_id, "title": title,
                            "brief": brief, "price_cents": price_cents, "status": "requested",
                            "idempotency_key": key}, buyer_id, entry["id"])


def step(db, order_id: int, actor_id: int, to_status: str, fee_bps: int, note: str = "",
         delivery: dict | None = None, as_admin: bool = False) -> dict:
    """Move an order on (see STEPS; an admin: ADMIN_STEPS), with the money that goes with the
    step. `delivery` ({"delivery_note", "delivery_path"}) comes with "delivered". Asking again
    for the state the order is in returns it unchanged (marked replayed)."""
    with immediate(db):
        order = get(db, order_id)
        if order is None:
            raise OrderError(f"there is no order {order_id}: check the number")
        party = ("seller" if actor_id == order["seller_id"] else "buyer" if actor_id == order["buyer_id"]
                 else "admin" if as_admin else None)
        if party is None:
            raise OrderError(f"order {order_id} is not one of yours")
        if order["status"] == to_status:
            return {**order, "replayed": True}
        who = STEPS.get((order["status"], to_status))
        if who is None:
            raise OrderError(f"order {order_id} is {order['status']}: it cannot become {to_status}")
        allowed = ((order["status"], to_status) in ADMIN_STEPS if party == "admin"
                   else who in ("either", party))
        if not allowed:
            raise OrderError(f"only the {'buyer or creator' if who == 'either' else who} of order "
                             f"{order_id} can mark it {to_status}")
        entry = _money_for(db, order, to_status, fee_bps, note)
        fields = {"status": to_status, "updated_at": utcnow(), **(delivery or {})}
        db["orders"].update(order_id, fields)
        _event(db, order_id, to_status, actor_id, entry["id"] if entry else None, note)
        return {**get(db, order_id), "replayed": False}


def _money_for(db, order: dict, to_status: str, fee_bps: int, note: str) -> dict | None:
    key, price, wallet = (f"order-step:{order['id']}:{to_status}", order["price_cents"],
                          ledger.wallet_account(order["buyer_id"]))
    if to_status == "completed":
        return ledger.post(db, "sale", _sale_postings(ESCROW, order["seller_id"], price, fee_bps), key,
                           memo=f"{order['kind']} order {order['id']} completed")
    if to_status == "cancelled" or (to_status == "refunded" and order["status"] == "delivered"):
        return ledger.post(db, "order_release", [(ESCROW, price), (wallet, -price)], key,
                           memo=f"{order['kind']} order {order['id']} {to_status}" + (f": {note}" if note else ""))
    if to_status == "refunded":  # completed: reverse the sale exactly
        sale = list(db.query("SELECT e.postings FROM order_events o JOIN ledger_entries e ON e.id = o.ledger_entry_id "
                             "WHERE o.order_id = ? AND e.kind = 'sale'", [order["id"]]))[0]
        postings = [(p["account"], -p["amount"]) for p in json.loads(sale["postings"])]
        postings = [(wallet if account == ESCROW else account, cents) for account, cents in postings]
        earnings = ledger.earnings_account(order["seller_id"])
        share = next(cents for account, cents in postings if account == earnings)
        if ledger.earnings_balance(db, order["seller_id"]) < share:
            raise OrderError(f"the creator's part of this refund is ${share / 100:.2f} but only "
                             f"${ledger.earnings_balance(db, order['seller_id']) / 100:.2f} of their earnings "
                             "is still available: settle it outside the ledger")
        return ledger.post(db, "refund", postings, key, memo=f"refund of {order['kind']} order {order['id']}"
                           + (f": {note}" if note else ""))
    return None


def every(db, limit: int = 500) -> list[dict]:
    """Every order (newest first) with both parties' names, for admins."""
    return list(db.query("SELECT o.*, s.display_name AS seller_name, b.display_name AS buyer_name FROM orders o "
                         "JOIN users s ON s.id = o.seller_id JOIN users b ON b.id = o.buyer_id "
                         "ORDER BY o.id DESC LIMIT ?", [limit]))


def for_buyer(db, buyer_id: int) -> list[dict]:
    return list(db.query("SELECT o.*, u.display_name AS seller_name FROM orders o JOIN users u "
                         "ON u.id = o.seller_id WHERE o.buyer_id = ? ORDER BY o.id DESC", [buyer_id]))


def for_seller(db, seller_id: int) -> list[dict]:
    return list(db.query("SELECT o.*, u.display_name AS buyer_name FROM orders o JOIN users u "
                         "ON u.id = o.buyer_id WHERE o.seller_id = ? ORDER BY o.id DESC", [seller_id]))


def licence_for(db, generation_id: int, buyer_id: int) -> dict | None:
    """The completed licence of a generation held by this buyer, if any."""
    rows = list(db.query("SELECT * FROM orders WHERE kind = 'licence' AND status = 'completed' "
                         "AND generation_id = ? AND buyer_id = ?", [generation_id, buyer_id]))
    return rows[0] if rows else None


def licences_of(db, generation_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM orders WHERE kind = 'licence' AND generation_id = ? ORDER BY id",
                         [generation_id]))


def held_in_escrow(db) -> int:
    """What open orders hold in escrow, from the orders themselves (cents)."""
    return db.execute("SELECT COALESCE(SUM(price_cents), 0) FROM orders WHERE kind != 'licence' "
                      "AND status IN ('requested', 'accepted', 'delivered')").fetchone()[0]
