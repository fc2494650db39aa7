"""Deleting a personal model: buyers lose it at once, its files go, and the creator gets a receipt.

What goes: every version's artefacts (data/models/<id>/: adapters or voice profiles and judged
sample clips), the training jobs' checkpoints (data/jobs/<job id>/), the copies loaded backends
keep in memory, and, if the creator asks, their portfolio for the model's kind of work (files and
rows). What stays: the ledger's entries and the generations buyers paid for (bought outputs are
covered by the buyer's licence), the audit log, and the model and version rows marked deleted,
so that past charges still name what they were for.
"""

import os
import shutil
from pathlib import Path

from engine.errors import InvalidInput, NotFound
from engine.portfolio import remove_item
from storage import audit, portfolio
from storage import jobs as job_rows
from storage.db import utcnow


def delete_model(engine, actor: dict, model_id, purge_portfolio: bool = False) -> dict:
    """Delete the seller's model and return the receipt: what was removed (paths, files, bytes),
    how many cached copies were dropped and what was kept. Refused while the model trains."""
    db, settings = engine.db, engine.settings
    model = db["models"].get(int(model_id)) if model_id else None
    if model is None or model["seller_id"] != actor["id"] or model["status"] == "deleted":
        raise NotFound("That model does not exist among your models.")
    target = f"model:{model['id']}"
    now = utcnow()
    with db.atomic():  # buyers lose access, and the deletion is on record, before any file goes
        latest = job_rows.latest_for_target(db, target)
        if latest and latest["status"] in ("queued", "running"):
            raise InvalidInput("This model is training: cancel the training first, then delete it.")
        db["models"].update(model["id"], {"status": "deleted", "updated_at": now})
        db.execute("UPDATE model_versions SET status = 'deleted' WHERE model_id = ?", [model["id"]])
        audit.record(db, actor["id"], "model.delete", target, purge_portfolio=bool(purge_portfolio))
    model_dir = settings.data_dir / "models" / str(model["id"])
    folders = [(model_dir, "the model's versions (artefacts and judged samples)")] + [
        (engine.jobs.checkpoint_dir(job["id"]), f"training checkpoints of job {job['id']}")
        for job in db.query("SELECT id FROM jobs WHERE target = ? ORDER BY id", [target])]
    removed, failed = [], []
    for folder, what in folders:
        _remove(folder, settings.data_dir, what, removed, failed)
    dropped = engine.backends.forget(str(model_dir.resolve()) + os.sep)
    items = portfolio.items_for(db, actor["id"], model["modality"]) if purge_portfolio else []
    for item in items:
        path = settings.data_dir / item["file_path"]
        try:
            size = path.stat().st_size if path.is_file() else 0
            remove_item(db, settings, item)
        except OSError as exc:
            failed.append({"path": item["file_path"], "error": str(exc)})
            continue
        removed.append({"what": f"portfolio: {item['title']}", "path": item["file_path"],
                        "files": int(size > 0), "bytes": size})
    kept = db.execute(
        """SELECT COUNT(*) FROM generations g JOIN model_versions v ON v.id = g.model_version_id
           WHERE v.model_id = ? AND g.status = 'done' AND g.ledger_entry_id IS NOT NULL""",
        [model["id"]]).fetchone()[0]
    receipt = {"model_id": model["id"], "model": model["name"], "modality": model["modality"],
               "deleted_at": now, "removed": removed, "failed": failed,
               "files": sum(r["files"] for r in removed), "bytes": sum(r["bytes"] for r in removed),
               "cached_copies_dropped": dropped, "portfolio_items_removed": len(items),
               "kept": {"paid_generations": kept}}
    audit.record(db, actor["id"], "model.delete.receipt", target, files=receipt["files"],
                 bytes=receipt["bytes"], portfolio_items=len(items), failed=len(failed))
    return receipt


def _remove(path: Path, data_dir: Path, what: str, removed: list, failed: list) -> None:
    """Delete a folder under the data dir, counting its files and bytes first; what could not be
    removed goes to `failed` (the model is already deleted, so nothing is retried silently)."""
    if not path.exists():
        return
    try:
        files = [p for p in path.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        shutil.rmtree(path)
    except OSError as exc:
        failed.append({"path": str(path.relative_to(data_dir)), "error": str(exc)})
        return
    removed.append({"what": what, "path": str(path.relative_to(data_dir)), "files": len(files), "bytes": size})
