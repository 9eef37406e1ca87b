"""Count an administrator's wrong passwords and lock the account after too many in a row."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Add ``failures`` (wrong passwords in a row) and ``locked_until`` (UTC ISO) to admins."""
    db.ddl("ALTER TABLE admins ADD COLUMN failures INTEGER NOT NULL DEFAULT 0")
    db.ddl("ALTER TABLE admins ADD COLUMN locked_until {key}")
