"""Conversations between buyers and a creator (or the creator's assistant)."""

from storage.db import utcnow


def start(db, seller_id: int, buyer_id: int, subject: str = "", outcome: str | None = None) -> int:
    """Open a conversation and return its id."""
    return db["conversations"].insert({
        "seller_id": seller_id, "buyer_id": buyer_id, "subject": subject,
        "outcome": outcome, "created_at": utcnow()}).last_pk


def add_message(db, conversation_id: int, sender: str, body: str) -> int:
    """Append a message to a conversation and return its id."""
    return db["messages"].insert({"conversation_id": conversation_id, "sender": sender,
                                  "body": body, "created_at": utcnow()}).last_pk


def messages(db, conversation_id: int) -> list[dict]:
    """A conversation's messages in order."""
    return list(db.query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id",
                         [conversation_id]))


def for_seller(db, seller_id: int) -> list[dict]:
    """A seller's conversations, newest first, with buyer name and message count."""
    return list(db.query(
        """SELECT c.*, u.display_name AS buyer_name,
                  (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS n_messages
           FROM conversations c JOIN users u ON u.id = c.buyer_id
           WHERE c.seller_id = ? ORDER BY c.id DESC""", [seller_id]))
