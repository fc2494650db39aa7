"""open_db: WAL, foreign keys, versioned migrations, the tables the marketplace needs."""

import sqlite3

import pytest

from storage import migrations, open_db, users
from storage.db import migrate, schema_version

TABLES = {"users", "creator_profiles", "gigs", "gig_packages", "portfolio_items", "models",
          "model_versions", "generations", "conversations", "messages", "trigger_topics",
          "notifications", "audit_log", "ledger_accounts", "ledger_entries", "ledger_postings"}


def test_open_db_creates_every_table_in_wal_mode(tmp_path):
    db = open_db(tmp_path / "x.db")
    assert TABLES <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(db) == migrations.MIGRATIONS[-1][0]


def test_migrations_apply_once(tmp_path):
    db = open_db(tmp_path / "x.db")
    users.create_user(db, "kim", "password1", "buyer")
    assert migrate(db) == []
    assert users.find_user(open_db(tmp_path / "x.db"), "kim")["role"] == "buyer"


def test_a_new_migration_is_applied_to_an_old_database(tmp_path, monkeypatch):
    db = open_db(tmp_path / "x.db")
    newer = migrations.MIGRATIONS + [(99, "CREATE TABLE probe (id INTEGER PRIMARY KEY);")]
    monkeypatch.setattr("storage.db.MIGRATIONS", newer)
    assert migrate(db) == [99]
    assert "probe" in db.table_names() and schema_version(db) == 99


def test_schema_refuses_bad_rows(tmp_path):
    db = open_db(tmp_path / "x.db")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users (username, display_name, role, password_hash, created_at) "
                   "VALUES ('x', 'x', 'superuser', '!', 'now')")
    seller = users.create_user(db, "s", "password1", "seller")
    gig = db["gigs"].insert({"seller_id": seller["id"], "title": "t", "created_at": "now"}).last_pk
    with pytest.raises(sqlite3.IntegrityError):  # prices are integer cents
        db.execute("INSERT INTO gig_packages (gig_id, tier, name, price_cents, delivery_days, revisions)"
                   " VALUES (?, 'basic', 'b', 45.5, 3, 1)", [gig])
    with pytest.raises(sqlite3.IntegrityError):  # ownership must be attested
        db.execute("INSERT INTO portfolio_items (seller_id, modality, file_path, sha256, size_bytes, "
                   "media_type, ownership_attested, attested_at, created_at) "
                   "VALUES (?, 'image', 'p', 'h', 1, 'image/png', 0, 'now', 'now')", [seller["id"]])


def test_passwords_are_hashed_and_checked(tmp_path):
    db = open_db(tmp_path / "x.db")
    users.create_user(db, "kim", "correct horse", "buyer")
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "correct horse" not in stored
    assert users.check_login(db, "kim", "correct horse")["username"] == "kim"
    assert users.check_login(db, "kim", "wrong") is None
    assert users.check_login(db, "nobody", "correct horse") is None


def test_audit_log_is_append_only(tmp_path):
    from storage import audit
    db = open_db(tmp_path / "x.db")
    audit.record(db, None, "test.event", "x", n=1)
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)


def test_a_read_then_write_transaction_waits_instead_of_failing(tmp_path):
    """sqlite-utils' transactions read before they write; another writer in between must not
    turn into "database is locked"."""
    import threading

    from storage.db import connect
    first, second = open_db(tmp_path / "x.db"), connect(tmp_path / "x.db")
    users.create_user(first, "kim", "password1", "buyer")
    errors = []
    with first.atomic():
        first.execute("SELECT COUNT(*) FROM users").fetchone()

        def other_writer():
            try:
                users.create_user(second, "lee", "password1", "buyer")
            except Exception as exc:  # pragma: no cover - the assertion reports it
                errors.append(exc)

        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join(0.3)
        users.create_user(first, "max", "password1", "buyer")
    writer.join()
    assert errors == []
    assert {u["username"] for u in users.list_users(first)} == {"kim", "lee", "max"}
