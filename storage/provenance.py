"""Signed provenance records of generated outputs: who made it (creator, model version), for
whom, under which licence and which ledger entry paid for it. Watermarks carry a record's
serial; a text is found by the hash of its normalised words."""

import json
import secrets

from storage.db import utcnow


def new_serial(db) -> int:
    """A random 32-bit serial no record uses yet."""
    while True:
        serial = secrets.randbits(32)
        if not db.execute("SELECT 1 FROM provenance WHERE serial = ?", [serial]).fetchone():
            return serial


def record(db, serial: int, generation_id: int, modality: str, content_sha256: str, body: dict,
           signature: str) -> dict:
    """Store a signed record (inside the caller's transaction)."""
    row_id = db["provenance"].insert({
        "serial": serial, "generation_id": generation_id, "modality": modality,
        "content_sha256": content_sha256, "record": json.dumps(body, sort_keys=True),
        "signature": signature, "created_at": utcnow()}).last_pk
    return db["provenance"].get(row_id)


def by_serial(db, serial: int) -> dict | None:
    rows = list(db.query("SELECT * FROM provenance WHERE serial = ?", [serial]))
    return rows[0] if rows else None


def by_content(db, content_sha256: str) -> dict | None:
    rows = list(db.query("SELECT * FROM provenance WHERE content_sha256 = ? ORDER BY id LIMIT 1",
                         [content_sha256]))
    return rows[0] if rows else None
