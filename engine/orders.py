"""Buying from a creator: license an AI sample, order the human for a gig package, or order a
blend (an AI draft finished by the creator). Plain functions over the engine; the Engine facade
checks roles. Money moves in storage/orders, with every state change; admins settle disputes."""

import json
import os
import shutil
import uuid
from pathlib import Path

from engine.errors import Forbidden, InvalidInput, NotFound, PaymentError
from engine.ids import as_id
from engine.provenance import records
from storage import audit, ledger, orders

MAX_BRIEF_CHARS = 2000
MAX_NOTE_CHARS = 2000
MAX_PRICE_CENTS = 1_000_000
STEPS = {"accepted", "delivered", "completed", "cancelled", "refunded"}



def _own_generation(db, actor: dict, generation_id) -> tuple[dict, dict]:
    """(generation, its model) when the buyer made it."""
    rows = list(db.query("SELECT g.*, v.model_id FROM generations g JOIN model_versions v ON "
                         "v.id = g.model_version_id WHERE g.id = ?", [as_id(generation_id)]))
    if not rows or rows[0]["buyer_id"] != actor["id"]:
        raise NotFound("That sample is not among your try-outs: pick one from the list.")
    return rows[0], db["models"].get(rows[0]["model_id"])


def set_prices(engine, actor: dict, model_id, licence_cents: int, blend_cents: int) -> dict:
    """Seller: the price of licensing one AI sample and of a blend (0: not offered)."""
    db = engine.db
    rows = list(db.query("SELECT * FROM models WHERE id = ?", [as_id(model_id)]))
    model = rows[0] if rows else None
    if model is None or model["seller_id"] != actor["id"]:
        raise NotFound("That model is not one of yours.")
    for name, cents in (("licence", licence_cents), ("blend", blend_cents)):
        if not isinstance(cents, int) or not 0 <= cents <= MAX_PRICE_CENTS:
            raise InvalidInput(f"Set the {name} price between $0 (not offered) and ${MAX_PRICE_CENTS // 100:,}.")
    db["models"].update(model["id"], {"licence_cents": licence_cents, "blend_cents": blend_cents})
    audit.record(db, actor["id"], "model.order_prices", f"model:{model['id']}", licence_cents=licence_cents,
                 blend_cents=blend_cents)
    return db["models"].get(model["id"])


def license_sample(engine, actor: dict, generation_id, key: str) -> dict:
    """Buyer: license one of their samples at the creator's licence price; the clean file then
    downloads for this buyer only."""
    generation, model = _own_generation(engine.db, actor, generation_id)
    if model["status"] != "published":
        raise NotFound("The creator has disabled or deleted this model; its samples cannot be licensed now.")
    if not _marked(engine.db, generation["id"]):
        raise InvalidInput("This sample was made before samples carried a provenance record and "
                           "cannot be licensed: draw a new one.")
    if not model["licence_cents"]:
        raise InvalidInput(f"{_seller_name(engine, model)} does not license AI samples of this model: "
                           "order the human or a blend instead.")
    try:
        order = orders.buy_licence(engine.db, actor["id"], generation, model["seller_id"], model["id"],
                                   model["licence_cents"], engine.settings.fee_bps, key,
                                   f"Licence of sample {generation['id']} ({model['name']})",
                                   lambda o: records.sign_licence(engine.settings, o))
    except orders.OrderError as exc:
        raise InvalidInput(str(exc)) from None
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None
    if not order["replayed"]:
        audit.record(engine.db, actor["id"], "order.licence", f"order:{order['id']}", generation=generation["id"])
    return order


def _marked(db, generation_id: int) -> bool:
    return db.execute("SELECT 1 FROM provenance WHERE generation_id = ?", [generation_id]).fetchone() is not None


def licensed_file(engine, actor: dict, generation_id) -> Path:
    """Buyer: the clean, full-resolution file of a sample they licensed (a .txt for copy)."""
    generation, model = _own_generation(engine.db, actor, generation_id)
    if orders.licence_for(engine.db, generation["id"], actor["id"]) is None:
        raise Forbidden("License this sample first: the clean file is for its licence holder only.")
    if generation["output_path"]:
        path = engine.settings.data_dir / generation["output_path"]
        if not path.exists():
            raise NotFound("The file of this sample is gone (the creator deleted the model).")
        return path
    folder = engine.settings.data_dir / "licensed" / str(actor["id"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sample-{generation['id']}.txt"
    path.write_text(generation["output_text"] or "", encoding="utf-8")
    return path


def order_human(engine, actor: dict, package_id, brief: str, key: str) -> dict:
    """Buyer: order the creator for a gig package; the price waits in escrow until delivery."""
    rows = list(engine.db.query("SELECT p.*, g.seller_id, g.title AS gig_title, g.active FROM gig_packages p "
                                "JOIN gigs g ON g.id = p.gig_id WHERE p.id = ?", [as_id(package_id)]))
    if not rows or not rows[0]["active"]:
        raise NotFound("That gig package is not on offer: pick one from the list.")
    package = rows[0]
    return _request(engine, actor, "human", package["seller_id"], package["price_cents"], key,
                    f"{package['gig_title']} — {package['name']} ({package['delivery_days']} days, "
                    f"{package['revisions']} revisions)", brief, package_id=package["id"])


def order_blend(engine, actor: dict, generation_id, brief: str, key: str) -> dict:
    """Buyer: order the creator to finish one of their AI samples at the creator's blend price."""
    generation, model = _own_generation(engine.db, actor, generation_id)
    if not model["blend_cents"] or model["status"] != "published":
        raise InvalidInput(f"{_seller_name(engine, model)} does not take blend orders for this model now: "
                           "order the human instead.")
    return _request(engine, actor, "blend", model["seller_id"], model["blend_cents"], key,
                    f"Blend: sample {generation['id']} finished by hand ({model['name']})", brief,
                    model_id=model["id"], generation_id=generation["id"])


def _request(engine, actor, kind, seller_id, price_cents, key, title, brief, **refs) -> dict:
    brief = (brief or "").strip()
    if len(brief) > MAX_BRIEF_CHARS:
        raise InvalidInput(f"Your brief is {len(brief):,} characters; keep it under {MAX_BRIEF_CHARS:,}.")
    try:
        order = orders.request(engine.db, kind, actor["id"], seller_id, price_cents, key, title, brief, **refs)
    except orders.OrderError as exc:
        raise InvalidInput(str(exc)) from None
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None
    if not order["replayed"]:
        audit.record(engine.db, actor["id"], f"order.{kind}", f"order:{order['id']}", cents=price_cents)
    return order


def step(engine, actor: dict, order_id, to_status: str, note: str = "", delivery_file: str | None = None) -> dict:
    """Buyer, creator or admin: move an order on (accept, deliver with a note or file, complete,
    cancel, refund); the money follows in the same transaction."""
    note = (note or "").strip()
    if to_status not in STEPS:
        raise InvalidInput(f"An order can be accepted, delivered, completed, cancelled or refunded, not {to_status!r}.")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"Keep the note under {MAX_NOTE_CHARS:,} characters.")
    order = _visible_order(engine, actor, order_id)
    delivery = None
    if to_status == "delivered":
        if order["status"] != "accepted":
            raise InvalidInput(f"Order {order['id']} is {order['status']}: only an accepted order can be delivered.")
        if not note and not delivery_file:
            raise InvalidInput("Add a note or a file to deliver.")
        delivery = {"delivery_note": note, "delivery_path": _store_delivery(engine, order, delivery_file)}
    try:
        moved = orders.step(engine.db, order["id"], actor["id"], to_status, engine.settings.fee_bps, note, delivery,
                            as_admin=actor["role"] == "admin")
    except BaseException as exc:
        if delivery and delivery["delivery_path"]:
            (engine.settings.data_dir / delivery["delivery_path"]).unlink(missing_ok=True)
        if isinstance(exc, ledger.LedgerError):
            raise InvalidInput(str(exc)) from None
        raise
    if not moved["replayed"]:
        audit.record(engine.db, actor["id"], f"order.{to_status}", f"order:{order['id']}")
    return moved


def _visible_order(engine, actor: dict, order_id) -> dict:
    """The order when the actor is its buyer, its creator or an admin."""
    order = orders.get(engine.db, as_id(order_id))
    if order is None or (actor["role"] != "admin" and actor["id"] not in (order["buyer_id"], order["seller_id"])):
        raise NotFound("That order is not one of yours.")
    return order


def _store_delivery(engine, order: dict, source: str | None) -> str | None:
    """Copy a delivered file into the data dir, checked like any upload; its relative path."""
    if not source:
        return None
    from engine import uploads

    checked = uploads.check_upload(source, Path(source).name, engine.settings)
    relative = f"deliveries/{order['id']}/{uuid.uuid4().hex[:12]}{checked.extension}"
    target = engine.settings.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    shutil.copyfile(source, part)
    os.replace(part, target)
    return relative


def delivery_file(engine, actor: dict, order_id) -> Path:
    """Buyer, creator or admin: the file delivered for an order (the buyer: until the order is
    cancelled or refunded)."""
    order = _visible_order(engine, actor, order_id)
    if not order["delivery_path"]:
        raise NotFound("Nothing was delivered as a file for this order.")
    if actor["id"] == order["buyer_id"] and order["status"] in ("cancelled", "refunded"):
        raise Forbidden(f"Order {order['id']} was {order['status']}: its delivery is no longer yours.")
    path = engine.settings.data_dir / order["delivery_path"]
    if not path.exists():
        raise NotFound("The delivered file is missing: ask the creator to deliver it again.")
    return path


def blend_sample(engine, actor: dict, order_id) -> Path:
    """Creator or admin: the AI sample a blend order asks the creator to finish."""
    order = _visible_order(engine, actor, order_id)
    if order["kind"] != "blend" or actor["id"] == order["buyer_id"]:
        raise NotFound("Only the creator of a blend order gets its sample here.")
    generation = engine.db["generations"].get(order["generation_id"])
    path = engine.settings.data_dir / generation["output_path"] if generation["output_path"] else None
    if path is None or not path.exists():
        raise NotFound("The sample of this order is gone (the model was deleted).")
    return path


def listing(engine, actor: dict) -> list[dict]:
    """The actor's orders (an admin: everyone's), newest first, with the steps they can take now."""
    role = actor["role"]
    rows = {"buyer": orders.for_buyer, "seller": orders.for_seller}[role](engine.db, actor["id"]) \
        if role != "admin" else orders.every(engine.db)
    for row in rows:
        row["next"] = [to for (was, to), who in orders.STEPS.items() if was == row["status"] and (
            (was, to) in orders.ADMIN_STEPS if role == "admin" else who in (role, "either"))]
    return rows


def samples(engine, actor: dict, limit: int = 50) -> list[dict]:
    """Buyer: their recent try-outs with what each model offers (licence, blend) and whether
    they hold a licence."""
    rows = list(engine.db.query(
        "SELECT g.id, g.created_at, g.request, g.output_path, m.id AS model_id, m.name AS model_name, "
        "m.modality, m.licence_cents, m.blend_cents, m.status AS model_status, u.display_name AS seller_name, "
        "EXISTS (SELECT 1 FROM orders o WHERE o.kind = 'licence' AND o.status = 'completed' AND "
        "o.generation_id = g.id AND o.buyer_id = g.buyer_id) AS licensed, "
        "EXISTS (SELECT 1 FROM provenance p WHERE p.generation_id = g.id) AS marked "
        "FROM generations g JOIN model_versions v ON v.id = g.model_version_id JOIN models m ON m.id = v.model_id "
        "JOIN users u ON u.id = m.seller_id WHERE g.buyer_id = ? AND g.status = 'done' ORDER BY g.id DESC LIMIT ?",
        [actor["id"], limit]))
    for row in rows:
        row["request"] = _request_words(row["request"])
    return rows


def _request_words(request: str) -> str:
    """The words of a stored request (its first field when it is JSON)."""
    try:
        fields = json.loads(request)
    except ValueError:
        return request
    return str(next(iter(fields.values()), "")) if isinstance(fields, dict) else str(fields)


def packages(engine) -> list[dict]:
    """Every active gig package with its creator, for ordering the human."""
    return list(engine.db.query(
        "SELECT p.id, p.name, p.tier, p.price_cents, p.delivery_days, p.revisions, g.title AS gig_title, "
        "u.display_name AS seller_name FROM gig_packages p JOIN gigs g ON g.id = p.gig_id JOIN users u "
        "ON u.id = g.seller_id WHERE g.active = 1 ORDER BY u.display_name, g.id, p.price_cents"))


def _seller_name(engine, model: dict) -> str:
    return engine.db["users"].get(model["seller_id"])["display_name"]
