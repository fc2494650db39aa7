"""Red-team runs: how a creator's boundaries held against jailbreak-wrapped requests, per modality."""

import json

from storage.db import utcnow


def record(db, seller_id: int, model_id: int | None, job_id: int | None, boundaries: dict,
           modalities: list[str], result: dict) -> dict:
    """Store a finished run (`result` as engine.guard.redteam.run returns it) and return it."""
    run_id = db["redteam_runs"].insert({
        "seller_id": seller_id, "model_id": model_id, "job_id": job_id,
        "boundaries": json.dumps(boundaries, sort_keys=True), "modalities": json.dumps(modalities),
        "attempts": int(result["attempts"]), "breaks": int(result["breaks"]),
        "results": json.dumps(result, sort_keys=True), "created_at": utcnow()}).last_pk
    return get(db, run_id)


def _decode(row: dict) -> dict:
    return {**row, **{k: json.loads(row[k]) for k in ("boundaries", "modalities", "results")}}


def get(db, run_id: int) -> dict | None:
    """One run, decoded, or None."""
    rows = list(db.query("SELECT * FROM redteam_runs WHERE id = ?", [run_id]))
    return _decode(rows[0]) if rows else None


def latest_for(db, seller_id: int) -> dict | None:
    """The seller's newest run, or None."""
    rows = list(db.query("SELECT * FROM redteam_runs WHERE seller_id = ? ORDER BY id DESC LIMIT 1",
                         [seller_id]))
    return _decode(rows[0]) if rows else None


def latest_per_seller(db) -> list[dict]:
    """Every seller with their model (if any) and their newest run (None when never run), by name."""
    sellers = list(db.query(
        """SELECT u.id AS seller_id, u.username, u.display_name, p.modality, m.id AS model_id,
                  m.status AS model_status
           FROM users u LEFT JOIN creator_profiles p ON p.user_id = u.id
           LEFT JOIN models m ON m.seller_id = u.id AND m.status != 'deleted'
           WHERE u.role = 'seller' ORDER BY u.display_name"""))
    return [{**s, "run": latest_for(db, s["seller_id"])} for s in sellers]
