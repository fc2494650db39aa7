"""Personal models, the seller's side: training (as a background job), the publish gate,
disabling, boundaries, and the outcome of a training job on its model version. The Engine's
methods delegate here; buyers' try-outs are in engine/tryouts.py."""

import hashlib
import importlib
import json

from engine.errors import InvalidInput, NotFound
from engine.jobs import JobCancelled, RunnerStopping
from storage import audit, boundaries, creators, portfolio
from storage import jobs as job_rows
from storage.db import utcnow

PUBLISH_THRESHOLD = 0.90
TRAINABLE = ("text", "voice", "image")
# Portfolio minima per modality: items to learn from, items held out to judge against, and (voice)
# seconds of recordings to learn from. The demo voice creators have 12 and 10 clips of about 7 s
# to learn from and 2 held out; the demo designers 30 and 27 images to learn from and 6 and 5 held out.
MIN_TRAINING = {"text": 12, "voice": 8, "image": 16}
MIN_HELD_OUT = {"text": 4, "voice": 2, "image": 3}
MIN_TRAINING_SECONDS = {"voice": 30.0}
ITEM_NOUN = {"text": "samples", "voice": "recordings", "image": "images"}
BASE_SPECS = {"text": "engine.text.base", "voice": "engine.voice.base", "image": "engine.image.base"}  # modules with spec_for(settings)
WHAT_TO_ADD = {
    "text": "Add more samples in your own voice (ideally 30 or more, with their briefs) and train again.",
    "voice": "Add more recordings of your own voice (ideally 30 or more clips of 5-15 s, recorded "
             "in a quiet room with the same microphone, each captioned with the words you say) and "
             "train again.",
    "image": "Add more finished pieces in one consistent style (ideally 40 or more, each with a "
             "caption naming its subject, colours and layout) and train again.",
}


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


def base_spec(settings, modality: str):
    """The shared base model of a modality under the settings' profile (model_id, revision)."""
    return importlib.import_module(BASE_SPECS[modality]).spec_for(settings)


def check_portfolio(train: list[dict], held: list[dict], modality: str) -> None:
    """Refuse, saying what to add, a portfolio too small to learn from and to judge against."""
    noun = ITEM_NOUN[modality]
    if len(train) < MIN_TRAINING[modality] or len(held) < MIN_HELD_OUT[modality]:
        raise InvalidInput(
            f"Your portfolio has {len(train)} {noun} to learn from and {len(held)} held out. A "
            f"personal model needs at least {MIN_TRAINING[modality]} to learn from and "
            f"{MIN_HELD_OUT[modality]} held out to judge it: add "
            f"{max(0, MIN_TRAINING[modality] - len(train))} more and hold out "
            f"{max(0, MIN_HELD_OUT[modality] - len(held))} more (Studio → Add work).")
    seconds = sum(i["duration_s"] or 0.0 for i in train)
    if seconds < MIN_TRAINING_SECONDS.get(modality, 0.0):
        raise InvalidInput(
            f"Your {noun} to learn from last {seconds:.0f} s in all; a personal voice needs at "
            f"least {MIN_TRAINING_SECONDS[modality]:.0f} s. Add longer or more recordings "
            "(Studio → Add work).")


def start_training(engine, actor: dict) -> dict:
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
    check_portfolio(train, held, modality)
    spec = base_spec(engine.settings, modality)
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
            "profile": engine.settings.profile, "base_model_id": spec.model_id,
            "base_revision": spec.revision, "training_data_sha256": data_hash,
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


def mark_failed(db, version_id: int, reason: str) -> None:
    """Record a version that will not finish, and put its model back to where it was."""
    with db.atomic():
        db["model_versions"].update(version_id, {"status": "failed",
                                                 "fidelity_report": json.dumps({"error": reason})})
        model = db["models"].get(db["model_versions"].get(version_id)["model_id"])
        if model["status"] == "training":
            db["models"].update(model["id"], {"status": "ready" if model["current_version_id"]
                                              else "draft", "updated_at": utcnow()})


def run_training(ctx, work, threads: int | None = None):
    """Run a training job's `work()` on a thread of its own with `threads` torch threads
    (unchanged when None). A failure or cancel marks the version failed; a shutdown leaves it to
    resume after restart.

    A fresh thread per job: in the job worker's own thread, a second training after a first one
    ran at one core's speed although torch reported two threads."""
    import threading

    import torch

    outcome = {}

    def run():
        if threads:
            torch.set_num_threads(max(1, threads))
        try:
            outcome["result"] = work()
        except BaseException as exc:  # re-raised in the job worker's thread below
            outcome["error"] = exc

    runner = threading.Thread(target=run, name=f"{threading.current_thread().name}-training")
    runner.start()
    runner.join()
    try:
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]
    except RunnerStopping:
        raise
    except BaseException as exc:
        mark_failed(ctx.db, ctx.payload["version_id"],
                    "cancelled" if isinstance(exc, JobCancelled) else f"{type(exc).__name__}: {exc}")
        raise


def on_training_end(db, job: dict) -> None:
    """A training job that ended without running to its end (cancelled while queued, or lost in
    a restart with nothing to resume from): its version failed."""
    mark_failed(db, job["payload"]["version_id"], job["error"] or job["message"] or job["status"])


def training_subject(db, data_dir, version_id: int, modality: str) -> dict:
    """What a training job works on: {"version", "model", "seller_id", "folder", "train",
    "held"}: the version and model rows, the version's folder under `data_dir` (created), and the
    seller's training and held-out portfolio items."""
    version = db["model_versions"].get(version_id)
    model_row = db["models"].get(version["model_id"])
    seller_id = model_row["seller_id"]
    folder = data_dir / "models" / str(model_row["id"]) / f"v{version['version']}"
    folder.mkdir(parents=True, exist_ok=True)
    return {"version": version, "model": model_row, "seller_id": seller_id, "folder": folder,
            "train": portfolio.items_for(db, seller_id, modality, held_out=False),
            "held": portfolio.items_for(db, seller_id, modality, held_out=True)}


def record_judged(db, version_id: int, artefact_path: str, verdict: dict, report: dict) -> None:
    """A trained and judged version: its artefact (relative to the data dir), fidelity with its
    interval, copies and the full report; it becomes the model's current version (not published:
    the creator publishes, and only through the gate)."""
    with db.atomic():
        db["model_versions"].update(version_id, {
            "status": "ready", "artefact_path": artefact_path,
            "fidelity": verdict["fidelity"], "fidelity_ci_low": verdict["ci_low"],
            "fidelity_ci_high": verdict["ci_high"], "copies": verdict["copies"],
            "fidelity_report": json.dumps(report)})
        model_id = db["model_versions"].get(version_id)["model_id"]
        # a model deleted while its last version trained stays deleted
        db.execute("UPDATE models SET status = 'ready', current_version_id = ?, updated_at = ? "
                   "WHERE id = ? AND status != 'deleted'", [version_id, utcnow(), model_id])


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
            "cannot be published yet. "
            + WHAT_TO_ADD.get(model["modality"], "Add more of your own work and train again."))
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


def published(db, modality: str | None = None) -> list[dict]:
    """Published models buyers can try, with creator names and prices."""
    sql = """SELECT m.*, u.display_name, v.fidelity FROM models m JOIN users u ON u.id = m.seller_id
             JOIN model_versions v ON v.id = m.current_version_id WHERE m.status = 'published'"""
    params = []
    if modality:
        sql, params = sql + " AND m.modality = ?", [modality]
    return list(db.query(sql + " ORDER BY u.display_name", params))
