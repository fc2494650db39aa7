"""A creator's boundaries (what their models must never make) and the guard's log of blocks."""

import json

from storage.db import utcnow


def get(db, seller_id: int) -> dict:
    """The seller's boundaries: `categories` (built-in ones switched on), `topics` (each
    {"name", "phrases"}, or a plain string in rows saved before topics had phrases) and `words`,
    as lists (empty when none are set)."""
    rows = list(db.query("SELECT * FROM boundaries WHERE seller_id = ?", [seller_id]))
    if not rows:
        return {"seller_id": seller_id, "categories": [], "topics": [], "words": []}
    row = rows[0]
    return {**row, **{k: json.loads(row[k]) for k in ("categories", "topics", "words")}}


def save(db, seller_id: int, categories: list[str], topics: list, words: list[str]) -> dict:
    """Replace the seller's boundaries (topics as {"name", "phrases"} dicts or strings)."""
    db["boundaries"].upsert({"seller_id": seller_id, "categories": json.dumps(categories),
                             "topics": json.dumps(topics), "words": json.dumps(words),
                             "updated_at": utcnow()}, pk="seller_id")
    return get(db, seller_id)


def record_block(db, seller_id: int, buyer_id: int | None, model_id: int | None, stage: str,
                 reason: str, excerpt: str, modality: str | None = None, category: str | None = None) -> int:
    """Log a blocked request or output for the admin: why (`reason`, `category`), where (`stage`,
    `modality`) and the start of the text."""
    return db["guard_events"].insert({
        "at": utcnow(), "seller_id": seller_id, "buyer_id": buyer_id, "model_id": model_id,
        "stage": stage, "reason": reason, "excerpt": excerpt[:200], "modality": modality,
        "category": category}).last_pk


def recent_blocks(db, limit: int = 200) -> list[dict]:
    """The newest blocks first, with seller and buyer names."""
    return list(db.query(
        """SELECT g.id, g.at, s.username AS seller, b.username AS buyer, g.model_id, g.modality,
                  g.stage, g.category, g.reason, g.excerpt
           FROM guard_events g LEFT JOIN users s ON s.id = g.seller_id
           LEFT JOIN users b ON b.id = g.buyer_id ORDER BY g.id DESC LIMIT ?""", [limit]))
