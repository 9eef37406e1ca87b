"""Console logins: when each began and was last active (a page request or a socket event)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import one


def start(db: Database, login_id: str, user_id: int, at: str) -> None:
    """Record a new login of an account."""
    db.execute(
        "INSERT INTO console_logins (id, user_id, started_at, seen_at) VALUES (?,?,?,?)",
        [login_id, user_id, at, at],
    )


def get(db: Database, login_id: str) -> dict[str, Any] | None:
    """One login by id."""
    return one(db.execute("SELECT * FROM console_logins WHERE id = ?", [login_id]))


def touch(db: Database, login_id: str, at: str) -> None:
    """The login was active at `at`."""
    db.execute("UPDATE console_logins SET seen_at = ? WHERE id = ?", [at, login_id])


def end(db: Database, login_id: str, at: str) -> None:
    """The login ended (logout or expiry)."""
    db.execute(
        "UPDATE console_logins SET ended_at = ? WHERE id = ? AND ended_at IS NULL", [at, login_id]
    )
