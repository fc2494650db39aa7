"""Users, roles and passwords."""

import hashlib
import hmac
import secrets

from storage.db import utcnow

ROLES = ("buyer", "seller", "admin")
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`, as 'scrypt$<salt hex>$<hash hex>'."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches a hash made by hash_password."""
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def create_user(db, username: str, password: str | None, role: str, display_name: str = "") -> dict:
    """Insert a user and return it (without the password hash). No password: cannot log in."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    row = {
        "username": username,
        "display_name": display_name or username,
        "role": role,
        "password_hash": hash_password(password) if password else "!",
        "created_at": utcnow(),
    }
    user_id = db["users"].insert(row).last_pk
    return get_user(db, user_id)


def _public(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: v for k, v in row.items() if k != "password_hash"}


def get_user(db, user_id: int) -> dict | None:
    """The user with this id, or None."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _public(rows[0] if rows else None)


def find_user(db, username: str) -> dict | None:
    """The user with this username (case-insensitive), or None."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return _public(rows[0] if rows else None)


def check_login(db, username: str, password: str) -> dict | None:
    """The user when username and password match, else None."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username or ""]))
    if rows and verify_password(password or "", rows[0]["password_hash"]):
        return _public(rows[0])
    return None


def list_users(db) -> list[dict]:
    """Every user, oldest first, without password hashes."""
    return [_public(r) for r in db.query("SELECT * FROM users ORDER BY id")]


def touch(db, user_id: int) -> None:
    """Record a user's latest activity."""
    db.execute("UPDATE users SET last_active_at = ? WHERE id = ?", [utcnow(), user_id])


def set_presence(db, user_id: int, online: bool) -> None:
    """Mark a user online or offline and record their last activity."""
    db.execute("UPDATE users SET online = ?, last_active_at = ? WHERE id = ?",
               [int(online), utcnow(), user_id])
