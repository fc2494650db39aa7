"""What a creator's assistant keeps: approved answers, the brief of each conversation, handoffs."""

from storage.db import utcnow

BRIEF_FIELDS = ("what", "deadline", "deadline_days", "budget_cents", "refs", "package_id", "lead_score")


def save_answer(db, seller_id: int, question: str, answer: str, asked: int = 0) -> dict:
    """Approve (or re-approve with new wording) the answer to one question; returns the row."""
    now = utcnow()
    existing = db.execute("SELECT id FROM approved_answers WHERE seller_id = ? AND question = ?",
                          [seller_id, question]).fetchone()
    if existing:
        db["approved_answers"].update(existing[0], {"answer": answer, "updated_at": now})
        answer_id = existing[0]
    else:
        answer_id = db["approved_answers"].insert({
            "seller_id": seller_id, "question": question, "answer": answer, "asked": asked,
            "created_at": now, "updated_at": now}).last_pk
    return db["approved_answers"].get(answer_id)


def delete_answer(db, seller_id: int, answer_id: int) -> None:
    """Withdraw one of a seller's approved answers."""
    db.execute("DELETE FROM approved_answers WHERE id = ? AND seller_id = ?", [answer_id, seller_id])


def answers_for(db, seller_id: int) -> list[dict]:
    """A seller's approved answers, most asked first."""
    return list(db.query("SELECT * FROM approved_answers WHERE seller_id = ? ORDER BY asked DESC, id",
                         [seller_id]))


def get_brief(db, conversation_id: int) -> dict | None:
    """The brief collected in a conversation, or None."""
    rows = list(db.query("SELECT * FROM briefs WHERE conversation_id = ?", [conversation_id]))
    return rows[0] if rows else None


def save_brief(db, conversation_id: int, seller_id: int, buyer_id: int, status: str, **fields) -> dict:
    """Create or update a conversation's brief with the given fields."""
    unknown = set(fields) - set(BRIEF_FIELDS)
    if unknown:
        raise ValueError(f"unknown brief fields: {sorted(unknown)}")
    db["briefs"].upsert({"conversation_id": conversation_id, "seller_id": seller_id,
                         "buyer_id": buyer_id, "status": status, "updated_at": utcnow(), **fields},
                        pk="conversation_id")
    return get_brief(db, conversation_id)


def briefs_for(db, seller_id: int) -> list[dict]:
    """A seller's briefs with the buyer's name, newest first."""
    return list(db.query(
        """SELECT b.*, u.display_name AS buyer_name FROM briefs b JOIN users u ON u.id = b.buyer_id
           WHERE b.seller_id = ? ORDER BY b.updated_at DESC, b.conversation_id DESC""", [seller_id]))


def add_handoff(db, conversation_id: int, seller_id: int, buyer_id: int, topic: str, summary: str) -> int:
    """Record a handoff to the creator and mark the conversation handed off."""
    handoff_id = db["handoffs"].insert({
        "conversation_id": conversation_id, "seller_id": seller_id, "buyer_id": buyer_id,
        "topic": topic, "summary": summary, "created_at": utcnow()}).last_pk
    db.execute("UPDATE conversations SET status = 'handed_off' WHERE id = ?", [conversation_id])
    return handoff_id


def handoffs_for(db, seller_id: int, status: str | None = None) -> list[dict]:
    """A seller's handoffs with the buyer's name, newest first (optionally only one status)."""
    where, args = "h.seller_id = ?", [seller_id]
    if status:
        where, args = where + " AND h.status = ?", args + [status]
    return list(db.query(
        f"""SELECT h.*, u.display_name AS buyer_name FROM handoffs h JOIN users u ON u.id = h.buyer_id
            WHERE {where} ORDER BY h.id DESC""", args))


def close_handoff(db, seller_id: int, handoff_id: int) -> bool:
    """Mark one of a seller's handoffs answered; False if it is not theirs or not open."""
    cursor = db.execute("UPDATE handoffs SET status = 'answered' WHERE id = ? AND seller_id = ? "
                        "AND status = 'open'", [handoff_id, seller_id])
    return cursor.rowcount == 1
