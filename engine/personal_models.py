"""Personal models: training (as a background job), the publish gate, disabling, and serving
a published text model to buyers with its charge. The Engine's methods delegate here."""

import hashlib
import json
import uuid

from engine import guard
from engine.errors import InvalidInput, NotFound, PaymentError
from storage import audit, boundaries, creators, ledger, portfolio
from storage import jobs as job_rows
from storage.db import utcnow

PUBLISH_THRESHOLD = 0.90
MIN_TRAINING = {"text": 12}
MIN_HELD_OUT = {"text": 4}
MAX_BRIEF_CHARS = 2000
TRAINABLE = ("text",)


def model_for(db, seller_id: int, modality: str) -> dict | None:
    """The seller's (one) model of a modality, or None."""
    rows = list(db.query("SELECT * FROM models WHERE seller_id = ? AND modality = ? AND status != 'deleted'",
                         [seller_id, modality]))
    return rows[0] if rows else None


def _owned_model(db, actor: dict, model_id) -> dict:
    model = db["models"].get(int(model_id)) if model_id else None
    if model is None or model["seller_id"] != actor["id"] or model["status"] == "deleted":
        raise NotFound("That model does not exist among your models.")
    return model


def start_training(engine, actor: dict, base_spec) -> dict:
    """Queue a new version of the seller's model for training; returns the job."""
    db = engine.db
    profile = creators.get_profile(db, actor["id"])
    if profile is None:
        raise InvalidInput("Set up your creator profile first.")
    modality = profile["modality"]
    if modality not in TRAINABLE:
        raise InvalidInput(f"Personal {modality} models are not available yet.")
    train = portfolio.items_for(db, actor["id"], modality, held_out=False)
    held = portfolio.items_for(db, actor["id"], modality, held_out=True)
    if len(train) < MIN_TRAINING[modality] or len(held) < MIN_HELD_OUT[modality]:
        raise InvalidInput(
            f"Your portfolio has {len(train)} samples to learn from and {len(held)} held out. A "
            f"personal model needs at least {MIN_TRAINING[modality]} to learn from and "
            f"{MIN_HELD_OUT[modality]} held out to judge it: add "
            f"{max(0, MIN_TRAINING[modality] - len(train))} more and hold out "
            f"{max(0, MIN_HELD_OUT[modality] - len(held))} more (Studio → Add work).")
    model = model_for(db, actor["id"], modality)
    if model:
        job = job_rows.latest_for_target(db, f"model:{model['id']}")
        if job and job["status"] in ("queued", "running"):
            raise InvalidInput("This model is already training: wait for it or cancel it.")
    data_hash = hashlib.sha256("".join(sorted(i["sha256"] for i in train)).encode()).hexdigest()
    with db.atomic():
        now = utcnow()
        if model is None:
            model_id = db["models"].insert({
                "seller_id": actor["id"], "modality": modality, "status": "training",
                "name": f"{actor['display_name']} — {modality}", "price_cents": 100,
                "created_at": now, "updated_at": now}).last_pk
            model = db["models"].get(model_id)
        elif model["status"] in ("draft",):
            db["models"].update(model["id"], {"status": "training", "updated_at": now})
        number = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model_id = ?",
                            [model["id"]]).fetchone()[0]
        version_id = db["model_versions"].insert({
            "model_id": model["id"], "version": number, "status": "training",
            "profile": engine.settings.profile, "base_model_id": base_spec.model_id,
            "base_revision": base_spec.revision, "training_data_sha256": data_hash,
            "created_at": now}).last_pk
        audit.record(db, actor["id"], "model.train", f"model:{model['id']}", version=number,
                     samples=len(train))
    return engine.jobs.submit(f"train_{modality}", actor["id"], f"model:{model['id']}",
                              {"model_id": model["id"], "version_id": version_id})


def studio_view(engine, actor: dict) -> dict:
    """The seller's model, its versions and the latest training job (for the Studio)."""
    db = engine.db
    profile = creators.get_profile(db, actor["id"])
    model = model_for(db, actor["id"], profile["modality"]) if profile else None
    versions, job, current = [], None, None
    if model:
        versions = list(db.query("SELECT * FROM model_versions WHERE model_id = ? ORDER BY version DESC",
                                 [model["id"]]))
        job = job_rows.latest_for_target(db, f"model:{model['id']}")
        current = next((v for v in versions if v["id"] == model["current_version_id"]), None)
    return {"profile": profile, "model": model, "versions": versions, "current": current, "job": job,
            "boundaries": boundaries.get(db, actor["id"])}


def cancel_training(engine, actor: dict) -> dict:
    """Cancel the seller's queued or running training job."""
    view = studio_view(engine, actor)
    job = view["job"]
    if not job or job["status"] not in ("queued", "running"):
        raise InvalidInput("Nothing is training right now.")
    return engine.jobs.cancel(job["id"])


def publish(engine, actor: dict, model_id, price_cents: int) -> dict:
    """Publish the model at a price per generation, only when its fidelity estimate is >= 0.90."""
    db = engine.db
    model = _owned_model(db, actor, model_id)
    if not isinstance(price_cents, int) or not 1 <= price_cents <= 100_000:
        raise InvalidInput("Set a price per generation between $0.01 and $1,000.")
    version = db["model_versions"].get(model["current_version_id"]) if model["current_version_id"] else None
    if version is None or version["fidelity"] is None:
        raise InvalidInput("Train your model first: it can be published once its fidelity is judged.")
    if version["fidelity"] < PUBLISH_THRESHOLD:
        raise InvalidInput(
            f"Fidelity {version['fidelity']:.2f} (95 % interval {version['fidelity_ci_low']:.2f}–"
            f"{version['fidelity_ci_high']:.2f}) is under {PUBLISH_THRESHOLD:.2f}, so the model "
            "cannot be published yet. Add more samples in your own voice (ideally 30 or more, with "
            "their briefs) and train again.")
    db["models"].update(model["id"], {"status": "published", "price_cents": price_cents,
                                      "updated_at": utcnow()})
    audit.record(db, actor["id"], "model.publish", f"model:{model['id']}", price_cents=price_cents,
                 fidelity=version["fidelity"])
    return db["models"].get(model["id"])


def disable(engine, actor: dict, model_id) -> dict:
    """Take a published model offline at once."""
    db = engine.db
    model = _owned_model(db, actor, model_id)
    db["models"].update(model["id"], {"status": "disabled" if model["current_version_id"] else "draft",
                                      "updated_at": utcnow()})
    audit.record(db, actor["id"], "model.disable", f"model:{model['id']}")
    return db["models"].get(model["id"])


def save_boundaries(engine, actor: dict, topics: str, words: str) -> dict:
    """Seller: banned topics (one per line) and words (comma-separated)."""
    topic_list = [t.strip() for t in (topics or "").splitlines() if t.strip()][:100]
    word_list = [w.strip() for w in (words or "").split(",") if w.strip()][:500]
    saved = boundaries.save(engine.db, actor["id"], [], topic_list, word_list)
    audit.record(engine.db, actor["id"], "boundaries.save", f"user:{actor['id']}",
                 topics=len(topic_list), words=len(word_list))
    return saved


def published(db, modality: str | None = None) -> list[dict]:
    """Published models buyers can try, with creator names and prices."""
    sql = """SELECT m.*, u.display_name, v.fidelity FROM models m JOIN users u ON u.id = m.seller_id
             JOIN model_versions v ON v.id = m.current_version_id WHERE m.status = 'published'"""
    params = []
    if modality:
        sql, params = sql + " AND m.modality = ?", [modality]
    return list(db.query(sql + " ORDER BY u.display_name", params))


def stream_copy(engine, actor: dict, model_id, brief: str, idempotency_key: str | None = None):
    """Buyer: stream copy from a published text model; charge its price when the copy is complete
    and allowed. Yields the text so far; a blocked brief or draft is never charged."""
    db = engine.db
    brief = (brief or "").strip()
    if not brief:
        raise InvalidInput("Write a brief first: what the copy is for, the audience and the tone.")
    if len(brief) > MAX_BRIEF_CHARS:
        raise InvalidInput(f"Your brief is {len(brief):,} characters; keep it under "
                           f"{MAX_BRIEF_CHARS:,} (a few sentences work best).")
    rows = list(db.query("SELECT * FROM models WHERE id = ?", [int(model_id or 0)]))
    model = rows[0] if rows else None
    if model is None or model["status"] != "published" or model["modality"] != "text":
        raise NotFound("This model is not available: its creator has not published it or has disabled it.")
    seller = db["users"].get(model["seller_id"])
    limits = boundaries.get(db, seller["id"])
    found = guard.find_violation(brief, limits)
    if found:
        boundaries.record_block(db, seller["id"], actor["id"], model["id"], "request", found, brief)
        raise InvalidInput(guard.refusal(seller["display_name"], found, "request"))
    if ledger.wallet_balance(db, actor["id"]) < model["price_cents"]:
        raise PaymentError(f"A generation costs ${model['price_cents'] / 100:.2f}; top up your wallet first.")
    version = db["model_versions"].get(model["current_version_id"])
    adapter = str(engine.settings.data_dir / version["artefact_path"])
    text = ""
    with engine.backends.using("text") as backend:
        for chunk in backend.stream(adapter, seller["display_name"], brief):
            text += chunk
            yield text
    found = guard.find_violation(text, limits)
    if found:
        boundaries.record_block(db, seller["id"], actor["id"], model["id"], "output", found, text)
        raise InvalidInput(guard.refusal(seller["display_name"], found, "output"))
    if not engine.db["models"].get(model["id"])["status"] == "published":
        raise NotFound("The creator disabled this model while it was writing; you were not charged.")
    try:
        ledger.charge_generation(db, actor["id"], seller["id"], version["id"], model["price_cents"],
                                 engine.settings.fee_bps, idempotency_key or f"gen:{uuid.uuid4().hex}",
                                 json.dumps({"brief": brief}), None, output_text=text)
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None
    yield text
