"""SQLite storage through sqlite-utils: one module per aggregate. Never imports torch or gradio."""

from storage.db import connect, immediate, migrate, open_db, utcnow

__all__ = ["connect", "immediate", "migrate", "open_db", "utcnow"]
