"""Opening the SQLite database: WAL mode, foreign keys, migrations, explicit transactions."""

import contextlib
import datetime
import sqlite3
from pathlib import Path

import sqlite_utils

from storage.migrations import MIGRATIONS

BUSY_TIMEOUT_S = 30


def utcnow() -> str:
    """The current UTC time as an ISO-8601 string (seconds), the format every table uses."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class _ImmediateConnection(sqlite3.Connection):
    """A connection whose transactions take the write lock when they begin.

    sqlite-utils opens its transactions with a plain BEGIN. A deferred transaction that reads
    (sqlite-utils inspects the table first) and then writes fails at once with "database is
    locked" when another connection wrote in between, whatever the busy timeout; BEGIN IMMEDIATE
    waits for the lock instead.
    """

    def execute(self, sql, *args):
        if sql.strip().rstrip(";").upper() == "BEGIN":
            sql = "BEGIN IMMEDIATE"
        return super().execute(sql, *args)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open a connection in WAL mode with foreign keys on, without migrating.

    The connection runs in autocommit mode: writes that must go together use `immediate()`
    or sqlite-utils' `db.atomic()` (both take the write lock up front).
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False, factory=_ImmediateConnection)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    return sqlite_utils.Database(conn, execute_plugins=False)


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of the last migration applied to this database."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction.

    Returns the versions applied (empty when the schema was current).
    """
    applied = []
    for version, script in MIGRATIONS:
        with immediate(db):
            if schema_version(db) >= version:
                continue
            for statement in _split_sql(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={version}")
            applied.append(version)
    return applied


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, migrated to the newest schema."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database):
    """A write transaction that takes the write lock at once (`BEGIN IMMEDIATE`).

    Commits on success, rolls back on any error. Other writers wait up to BUSY_TIMEOUT_S.
    """
    if db.conn.in_transaction:
        raise RuntimeError("immediate() cannot nest inside an open transaction")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:80]!r}")
    return statements
