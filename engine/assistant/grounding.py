"""What one creator's assistant may know, read by seller id before any model is called.

Everything here comes from the database rows of that seller only: profile, active gigs and their
packages, approved answers, the creator's own past replies, their order history in aggregate and
the current buyer's own orders with them. Every figure a reply may state is collected in `numbers`.
"""

import dataclasses
import re

from storage import assistant as store
from storage import creators

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclasses.dataclass(frozen=True)
class Passage:
    """One retrievable piece of grounding: its text and where it came from."""
    text: str
    source: str


@dataclasses.dataclass(frozen=True)
class Grounding:
    """One seller's grounding for one buyer."""
    seller_id: int
    name: str
    modality: str
    headline: str
    bio: str
    tone: str
    reply_hours: int
    online: bool  # the presence toggle
    last_active_at: str | None
    packages: tuple  # dicts: gig_id, gig_title, id, tier, name, price_cents, delivery_days, revisions, description
    answers: tuple  # approved answers: dicts with question, answer
    passages: tuple  # Passage
    numbers: frozenset  # every number a reply may state, as normalised strings ("45", "3", "1920")

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else "the creator"

    @property
    def offer_texts(self) -> list[str]:
        """What the creator sells, in their own words: headline, gig titles and descriptions."""
        texts = [self.headline] + sorted({f"{p['gig_title']}: {p['gig_description']}" for p in self.packages})
        return [t for t in texts if t.strip()]

    @property
    def gig_texts(self) -> list[str]:
        """Each gig's title, and its title with its description."""
        gigs = sorted({(p["gig_title"], p["gig_description"]) for p in self.packages})
        return [t for title, description in gigs for t in (title, f"{title}: {description}")]


def numbers_in(text: str) -> set[str]:
    """The numbers written in `text`, normalised ("1,500" -> "1500", "45.00" -> "45")."""
    found = set()
    for raw in NUMBER.findall(text or ""):
        value = raw.replace(",", "")
        if value.count(".") == 1 and value.endswith(".00"):
            value = value[:-3]
        found.add(value.lstrip("0") or "0")
    return found


def money_text(cents: int) -> str:
    return f"${cents // 100}" if cents % 100 == 0 else f"${cents / 100:.2f}"


def load(db, seller_id: int, buyer_id: int | None = None) -> Grounding:
    """The grounding of `seller_id`'s assistant, as seen by `buyer_id` (their own orders only)."""
    profile = creators.get_profile(db, seller_id)
    if profile is None:
        raise LookupError(f"user {seller_id} has no creator profile")
    packages = []
    for gig in creators.gigs_for(db, seller_id):
        for package in gig["packages"]:
            packages.append({**package, "gig_id": gig["id"], "gig_title": gig["title"],
                             "gig_description": gig["description"]})
    answers = [{"question": a["question"], "answer": a["answer"]} for a in store.answers_for(db, seller_id)]
    passages = [Passage(f"{profile['display_name']}: {profile['headline']}. {profile['bio']}", "profile")]
    for p in packages:
        passages.append(Passage(
            f"{p['gig_title']}, {p['tier']} package '{p['name']}': {money_text(p['price_cents'])}, "
            f"delivered in {p['delivery_days']} days with {p['revisions']} revision"
            f"{'' if p['revisions'] == 1 else 's'}. {p['description']}", f"package:{p['id']}"))
    passages += [Passage(f"Q: {a['question']} A: {a['answer']}", "answer") for a in answers]
    passages += [Passage(text, "past reply") for text in _past_replies(db, seller_id)]
    passages += _order_passages(db, seller_id, buyer_id)
    numbers = set()
    for p in packages:
        numbers |= {str(p["price_cents"] // 100), str(p["delivery_days"]), str(p["revisions"])}
        numbers |= numbers_in(p["description"]) | numbers_in(p["name"]) | numbers_in(p["gig_title"])
    for a in answers:
        numbers |= numbers_in(a["answer"])
    numbers |= numbers_in(profile["headline"]) | numbers_in(profile["bio"])
    for passage in passages:
        if passage.source in ("orders", "your order"):
            numbers |= numbers_in(passage.text)
    reply_hours = int(profile.get("reply_hours") or 24)
    numbers.add(str(reply_hours))
    return Grounding(seller_id, profile["display_name"], profile["modality"], profile["headline"],
                     profile["bio"], profile.get("tone") or "friendly", reply_hours,
                     bool(profile.get("online")), profile.get("last_active_at"), tuple(packages), tuple(answers), tuple(passages),
                     frozenset(numbers))


def _past_replies(db, seller_id: int, limit: int = 200) -> list[str]:
    """The creator's own messages in past conversations, with the buyer's name taken out."""
    rows = db.query(
        """SELECT m.body, u.display_name FROM messages m
           JOIN conversations c ON c.id = m.conversation_id JOIN users u ON u.id = c.buyer_id
           WHERE c.seller_id = ? AND m.sender = 'seller' ORDER BY m.id DESC LIMIT ?""", [seller_id, limit])
    replies = []
    for row in rows:
        text = row["body"]
        for part in (row["display_name"] or "").split():
            if len(part) > 1:
                text = re.sub(rf"\b{re.escape(part)}\b", "there", text)
        replies.append(text)
    return replies


def _order_passages(db, seller_id: int, buyer_id: int | None) -> list[Passage]:
    done = db.execute("SELECT COUNT(*) FROM orders WHERE seller_id = ? AND status = 'completed'",
                      [seller_id]).fetchone()[0]
    passages = [Passage(f"Completed orders on Signature: {done}.", "orders")] if done else []
    if buyer_id is not None:
        for row in db.query("SELECT title, status FROM orders WHERE seller_id = ? AND buyer_id = ? "
                            "ORDER BY id DESC LIMIT 5", [seller_id, buyer_id]):
            passages.append(Passage(f"Your order '{row['title']}' is {row['status']}.", "your order"))
    return passages

