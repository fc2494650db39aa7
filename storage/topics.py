"""Trigger topics: what makes a creator's assistant hand the conversation to the creator."""

import json

from storage.db import utcnow

BUILTIN_TOPICS = (
    ("Custom pricing or discounts", ["can you do it cheaper", "I need a custom quote",
                                     "any discount for a bulk order"], ["discount", "cheaper"]),
    ("Asking for a human", ["can I talk to a real person", "put me through to the creator",
                            "I want to speak to the creator"], ["real person", "talk to a human"]),
    ("Disputes and refunds", ["I want my money back", "the delivery was wrong",
                              "I'm opening a dispute"], ["chargeback", "dispute"]),
    ("Outside the creator's services", ["can you also build my website",
                                        "do you do video editing"], []),
)
OUTSIDE_SERVICES = BUILTIN_TOPICS[3][0]


def add_topic(db, seller_id: int, name: str, phrases: list[str], words: list[str],
              builtin: bool = False) -> dict:
    """Insert a trigger topic and return it."""
    topic_id = db["trigger_topics"].insert({
        "seller_id": seller_id, "name": name, "phrases": json.dumps(phrases),
        "words": json.dumps(words), "builtin": int(builtin), "created_at": utcnow()}).last_pk
    return get_topic(db, topic_id)


def add_builtin_topics(db, seller_id: int) -> None:
    """Give a seller the built-in trigger topics."""
    for name, phrases, words in BUILTIN_TOPICS:
        add_topic(db, seller_id, name, phrases, words, builtin=True)


def update_topic(db, topic_id: int, name: str, phrases: list[str], words: list[str]) -> dict:
    """Replace a topic's name, example phrases and words."""
    db["trigger_topics"].update(topic_id, {"name": name, "phrases": json.dumps(phrases),
                                           "words": json.dumps(words)})
    return get_topic(db, topic_id)


def delete_topic(db, topic_id: int) -> None:
    """Remove a topic."""
    db.execute("DELETE FROM trigger_topics WHERE id = ?", [topic_id])


def _decode(row: dict) -> dict:
    return {**row, "phrases": json.loads(row["phrases"]), "words": json.loads(row["words"])}


def get_topic(db, topic_id: int) -> dict | None:
    """One topic with phrases and words as lists, or None."""
    rows = list(db.query("SELECT * FROM trigger_topics WHERE id = ?", [topic_id]))
    return _decode(rows[0]) if rows else None


def topics_for(db, seller_id: int) -> list[dict]:
    """A seller's topics, built-in ones first."""
    return [_decode(r) for r in db.query(
        "SELECT * FROM trigger_topics WHERE seller_id = ? ORDER BY builtin DESC, id", [seller_id])]
