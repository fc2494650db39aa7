"""Notifications shown to a user (handoffs, leads, payouts)."""

from storage.db import utcnow


def notify(db, user_id: int, kind: str, body: str) -> int:
    """Queue a notification for a user and return its id."""
    return db["notifications"].insert(
        {"user_id": user_id, "kind": kind, "body": body, "created_at": utcnow()}).last_pk


def unread(db, user_id: int) -> list[dict]:
    """A user's unread notifications, newest first."""
    return list(db.query(
        "SELECT * FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY id DESC",
        [user_id]))


def mark_read(db, user_id: int) -> None:
    """Mark all of a user's notifications read."""
    db.execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
               [utcnow(), user_id])
