"""Background jobs (training runs): their queue, progress, cancellation and outcome.

A job moves queued -> running -> done | failed | cancelled. A queued job may also go straight to
cancelled; a running job left behind by a dead process is either requeued (it can resume from its
checkpoint) or failed by the runner's recovery. Payload and result are JSON objects in the table
and plain dicts here. Every write sets updated_at.
"""

import json

from storage.db import immediate, utcnow

STATUSES = ("queued", "running", "done", "failed", "cancelled")
TERMINAL = ("done", "failed", "cancelled")


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    job = dict(row)
    job["payload"] = json.loads(job["payload"] or "{}")
    job["result"] = json.loads(job["result"]) if job["result"] is not None else None
    job["cancel_requested"] = bool(job["cancel_requested"])
    return job


def _one(db, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return _decode(rows[0]) if rows else None


def create(db, kind: str, owner_id: int | None, target: str = "", payload: dict | None = None) -> dict:
    """Queue a new job and return it (payload decoded)."""
    if not kind:
        raise ValueError("a job needs a kind, e.g. 'train_text'")
    now = utcnow()
    with immediate(db):  # return the job as queued, before a worker can claim it
        job_id = db["jobs"].insert({
            "kind": kind, "owner_id": owner_id, "target": target or "",
            "payload": json.dumps(payload or {}), "status": "queued",
            "created_at": now, "updated_at": now,
        }).last_pk
        return get(db, job_id)


def get(db, job_id: int) -> dict | None:
    """The job with this id, or None."""
    return _one(db, "SELECT * FROM jobs WHERE id = ?", [job_id])


def for_owner(db, owner_id: int, limit: int = 20) -> list[dict]:
    """A user's jobs, newest first."""
    return [_decode(r) for r in db.query(
        "SELECT * FROM jobs WHERE owner_id = ? ORDER BY id DESC LIMIT ?", [owner_id, limit])]


def latest_for_target(db, target: str) -> dict | None:
    """The newest job about `target` (e.g. "model:3"), or None."""
    return _one(db, "SELECT * FROM jobs WHERE target = ? ORDER BY id DESC LIMIT 1", [target])


def claim_next(db, kinds: list[str]) -> dict | None:
    """Atomically take the oldest queued job of one of `kinds`: it becomes running, its attempts
    go up by one and started_at is set. Returns the claimed job, or None when none is queued."""
    kinds = list(kinds)
    if not kinds:
        return None
    marks = ", ".join("?" for _ in kinds)
    with immediate(db):
        row = db.execute(
            f"SELECT id FROM jobs WHERE status = 'queued' AND kind IN ({marks}) "
            "ORDER BY id LIMIT 1", kinds).fetchone()
        if row is None:
            return None
        now = utcnow()
        db.execute("UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, "
                   "updated_at = ?, eta_s = NULL WHERE id = ?", [now, now, row[0]])
        return get(db, row[0])


def report(db, job_id: int, step: int, total: int, loss: float | None = None,
           eta_s: float | None = None, message: str = "", preview_path: str | None = None,
           checkpoint_path: str | None = None) -> None:
    """Record a running job's progress. A preview or checkpoint path left as None keeps the
    previous one."""
    db.execute(
        "UPDATE jobs SET step = ?, total = ?, loss = ?, eta_s = ?, message = ?, "
        "preview_path = COALESCE(?, preview_path), checkpoint_path = COALESCE(?, checkpoint_path), "
        "updated_at = ? WHERE id = ?",
        [int(step), int(total), loss, eta_s, message or "",
         None if preview_path is None else str(preview_path),
         None if checkpoint_path is None else str(checkpoint_path), utcnow(), job_id])


def finish(db, job_id: int, status: str, result: dict | None = None, error: str | None = None,
           message: str | None = None) -> dict:
    """End a queued or running job as done, failed or cancelled and return it. A message left as
    None keeps the last progress message. A job that has already ended keeps its first outcome."""
    if status not in TERMINAL:
        raise ValueError(f"a job finishes as one of {TERMINAL}, not {status!r}")
    now = utcnow()
    db.execute(
        "UPDATE jobs SET status = ?, result = ?, error = ?, message = COALESCE(?, message), "
        "eta_s = NULL, finished_at = ?, updated_at = ? "
        "WHERE id = ? AND status IN ('queued', 'running')",
        [status, None if result is None else json.dumps(result), error, message, now, now, job_id])
    return get(db, job_id)


def request_cancel(db, job_id: int) -> dict | None:
    """Cancel a job: a queued one becomes cancelled at once; a running one is flagged
    (cancel_requested) for its worker to stop at its next check. Ended jobs are left as they are.
    Returns the job, or None when there is no such job."""
    now = utcnow()
    with immediate(db):
        db.execute("UPDATE jobs SET status = 'cancelled', cancel_requested = 1, "
                   "message = 'cancelled before it started', finished_at = ?, updated_at = ? "
                   "WHERE id = ? AND status = 'queued'", [now, now, job_id])
        db.execute("UPDATE jobs SET cancel_requested = 1, updated_at = ? "
                   "WHERE id = ? AND status = 'running'", [now, job_id])
        return get(db, job_id)


def is_cancel_requested(db, job_id: int) -> bool:
    """True when someone asked to cancel this job."""
    row = db.execute("SELECT cancel_requested FROM jobs WHERE id = ?", [job_id]).fetchone()
    return bool(row and row[0])


def interrupted(db) -> list[dict]:
    """Jobs marked running, oldest first. Called at start-up, before any worker runs, these are
    the jobs a dead process left behind."""
    return [_decode(r) for r in db.query("SELECT * FROM jobs WHERE status = 'running' ORDER BY id")]


def requeue(db, job_id: int, message: str) -> dict:
    """Put a running job back in the queue (keeping its step and checkpoint) and return it."""
    db.execute("UPDATE jobs SET status = 'queued', message = ?, eta_s = NULL, updated_at = ? "
               "WHERE id = ? AND status = 'running'", [message, utcnow(), job_id])
    return get(db, job_id)
