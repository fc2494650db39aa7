"""The append-only audit log."""

import json

from storage.db import utcnow


def record(db, actor_id: int | None, action: str, target: str = "", **detail) -> int:
    """Append one audit event and return its id."""
    row = {"at": utcnow(), "actor_id": actor_id, "action": action, "target": target,
           "detail": json.dumps(detail, sort_keys=True, default=str)}
    return db["audit_log"].insert(row).last_pk


def recent(db, limit: int = 200) -> list[dict]:
    """The newest audit events first, with the actor's username."""
    return list(db.query(
        """SELECT a.id, a.at, u.username AS actor, a.action, a.target, a.detail
           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
           ORDER BY a.id DESC LIMIT ?""", [limit]))
