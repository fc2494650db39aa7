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
    latest = job_rows.latest_for_target(db, target)
    if latest and latest["status"] in ("queued", "running"):
        raise InvalidInput("This model is training: cancel the training first, then delete it.")

    now = utcnow()
    with db.atomic():  # buyers lose access before any file goes
        db["models"].update(model["id"], {"status": "deleted", "updated_at": now})
        db.execute("UPDATE model_versions SET status = 'deleted' WHERE model_id = ?", [model["id"]])
    model_dir = settings.data_dir / "models" / str(model["id"])
    removed = [_remove(model_dir, settings.data_dir, "the model's versions (artefacts and judged samples)")]
    for job in db.query("SELECT id FROM jobs WHERE target = ? ORDER BY id", [target]):
        removed.append(_remove(engine.jobs.checkpoint_dir(job["id"]), settings.data_dir,
                               f"training checkpoints of job {job['id']}"))
    dropped = engine.backends.forget(str(model_dir.resolve()) + os.sep)
    items = portfolio.items_for(db, actor["id"], model["modality"]) if purge_portfolio else []
    for item in items:
        path = settings.data_dir / item["file_path"]
        size = path.stat().st_size if path.is_file() else 0
        remove_item(db, settings, item)
        removed.append({"what": f"portfolio: {item['title']}", "path": item["file_path"],
                        "files": int(size > 0), "bytes": size})
    removed = [r for r in removed if r["files"]]
    kept = db.execute(
        """SELECT COUNT(*), COUNT(g.ledger_entry_id) FROM generations g
           JOIN model_versions v ON v.id = g.model_version_id WHERE v.model_id = ?""",
        [model["id"]]).fetchone()
    receipt = {"model_id": model["id"], "model": model["name"], "modality": model["modality"],
               "deleted_at": now, "removed": removed,
               "files": sum(r["files"] for r in removed), "bytes": sum(r["bytes"] for r in removed),
               "cached_copies_dropped": dropped, "portfolio_items_removed": len(items),
               "kept": {"generations": kept[0], "ledger_entries": kept[1]}}
    audit.record(db, actor["id"], "model.delete", target, files=receipt["files"],
                 bytes=receipt["bytes"], portfolio_items=len(items))
    return receipt


def _remove(path: Path, data_dir: Path, what: str) -> dict:
    """Delete a folder (or file) under the data dir; its files and bytes, counted before."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else ([path] if path.is_file() else [])
    size = sum(p.stat().st_size for p in files)
    if path.is_dir():
        shutil.rmtree(path)
    elif path.is_file():
        path.unlink()
    return {"what": what, "path": str(path.relative_to(data_dir)), "files": len(files), "bytes": size}
