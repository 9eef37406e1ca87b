"""Site-wide key/value settings kept in the database (site id, secrets, cursors)."""

from __future__ import annotations

import secrets

from sqlite_utils import Database


def get(db: Database, key: str, default: str | None = None) -> str | None:
    """A setting's value."""
    r = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return r[0] if r else default


def put(db: Database, key: str, value: str) -> None:
    """Set a setting."""
    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, value])


def secret(db: Database, key: str) -> str:
    """A random secret created on first use and kept (e.g. the token signing key)."""
    value = get(db, key)
    if value is None:
        value = secrets.token_hex(32)
        put(db, key, value)
    return value
