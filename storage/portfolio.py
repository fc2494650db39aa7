"""Portfolio items: the creator's own work that personal models are trained and judged on."""

from storage.db import utcnow


def add_item(db, seller_id: int, modality: str, file_path: str, sha256: str, size_bytes: int,
             media_type: str, title: str = "", caption: str = "", brief: str = "",
             width: int | None = None, height: int | None = None, duration_s: float | None = None,
             sample_rate: int | None = None, held_out: bool = False) -> dict:
    """Insert an item whose file is already stored; ownership is attested by the caller."""
    now = utcnow()
    item_id = db["portfolio_items"].insert({
        "seller_id": seller_id, "modality": modality, "title": title, "caption": caption,
        "brief": brief, "file_path": file_path, "sha256": sha256, "size_bytes": size_bytes,
        "media_type": media_type, "width": width, "height": height, "duration_s": duration_s,
        "sample_rate": sample_rate, "ownership_attested": 1, "attested_at": now,
        "held_out": int(held_out), "created_at": now}).last_pk
    return get_item(db, item_id)


def get_item(db, item_id: int) -> dict | None:
    """One portfolio item, or None."""
    rows = list(db.query("SELECT * FROM portfolio_items WHERE id = ?", [item_id]))
    return rows[0] if rows else None


def find_by_hash(db, seller_id: int, sha256: str) -> dict | None:
    """The seller's item with this content hash, or None."""
    rows = list(db.query("SELECT * FROM portfolio_items WHERE seller_id = ? AND sha256 = ?",
                         [seller_id, sha256]))
    return rows[0] if rows else None


def items_for(db, seller_id: int, modality: str | None = None, held_out: bool | None = None,
              limit: int | None = None) -> list[dict]:
    """A seller's items, oldest first, optionally filtered by modality and held-out flag."""
    sql, params = "SELECT * FROM portfolio_items WHERE seller_id = ?", [seller_id]
    if modality is not None:
        sql, params = sql + " AND modality = ?", params + [modality]
    if held_out is not None:
        sql, params = sql + " AND held_out = ?", params + [int(held_out)]
    sql += " ORDER BY id"
    if limit is not None:
        sql, params = sql + " LIMIT ?", params + [limit]
    return list(db.query(sql, params))


def counts_by_seller(db) -> dict[int, int]:
    """Number of portfolio items per seller id."""
    return {r["seller_id"]: r["n"] for r in db.query(
        "SELECT seller_id, COUNT(*) AS n FROM portfolio_items GROUP BY seller_id")}


def delete_item(db, item_id: int) -> None:
    """Remove an item's row (the caller removes its file)."""
    db.execute("DELETE FROM portfolio_items WHERE id = ?", [item_id])
