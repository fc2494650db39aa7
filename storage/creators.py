"""Creator profiles, gigs and their packages."""

from storage.db import utcnow

TIERS = ("basic", "standard", "premium")
MODALITIES = ("image", "voice", "text")


def save_profile(db, user_id: int, modality: str, headline: str = "", bio: str = "",
                 tone: str = "friendly", languages: str = "English") -> dict:
    """Create or replace a creator's profile and return it."""
    if modality not in MODALITIES:
        raise ValueError(f"modality must be one of {MODALITIES}, not {modality!r}")
    db["creator_profiles"].upsert(
        {"user_id": user_id, "modality": modality, "headline": headline, "bio": bio,
         "tone": tone, "languages": languages, "updated_at": utcnow()}, pk="user_id")
    return get_profile(db, user_id)


def get_profile(db, user_id: int) -> dict | None:
    """A creator's profile joined with their display name, or None."""
    rows = list(db.query(
        """SELECT p.*, u.display_name, u.username, u.online, u.last_active_at
           FROM creator_profiles p JOIN users u ON u.id = p.user_id WHERE p.user_id = ?""",
        [user_id]))
    return rows[0] if rows else None


def list_creators(db) -> list[dict]:
    """Every creator profile with display name, ordered by name."""
    return list(db.query(
        """SELECT p.*, u.display_name, u.username, u.online
           FROM creator_profiles p JOIN users u ON u.id = p.user_id
           ORDER BY u.display_name"""))


def create_gig(db, seller_id: int, title: str, description: str, packages: list[dict]) -> dict:
    """Insert a gig with its packages in one transaction and return it."""
    with db.atomic():
        gig_id = db["gigs"].insert({"seller_id": seller_id, "title": title,
                                    "description": description, "created_at": utcnow()}).last_pk
        _write_packages(db, gig_id, packages)
    return get_gig(db, gig_id)


def update_gig(db, gig_id: int, title: str, description: str, packages: list[dict]) -> dict:
    """Replace a gig's title, description and packages in one transaction."""
    with db.atomic():
        db["gigs"].update(gig_id, {"title": title, "description": description})
        db.execute("DELETE FROM gig_packages WHERE gig_id = ?", [gig_id])
        _write_packages(db, gig_id, packages)
    return get_gig(db, gig_id)


def deactivate_gig(db, gig_id: int) -> None:
    """Hide a gig from buyers; it stays in the database for past conversations and orders."""
    db["gigs"].update(gig_id, {"active": 0})


def _write_packages(db, gig_id: int, packages: list[dict]) -> None:
    for package in packages:
        row = {k: package[k] for k in ("tier", "name", "price_cents", "delivery_days", "revisions")}
        row.update(gig_id=gig_id, description=package.get("description", ""))
        db["gig_packages"].insert(row)


def get_gig(db, gig_id: int) -> dict | None:
    """A gig with its packages (cheapest tier first), or None."""
    rows = list(db.query("SELECT * FROM gigs WHERE id = ?", [gig_id]))
    if not rows:
        return None
    gig = rows[0]
    gig["packages"] = list(db.query(
        "SELECT * FROM gig_packages WHERE gig_id = ? ORDER BY price_cents", [gig_id]))
    return gig


def gigs_for(db, seller_id: int, active_only: bool = True) -> list[dict]:
    """A seller's gigs with packages, oldest first."""
    sql = "SELECT id FROM gigs WHERE seller_id = ?" + (" AND active = 1" if active_only else "")
    return [get_gig(db, r["id"]) for r in db.query(sql + " ORDER BY id", [seller_id])]
