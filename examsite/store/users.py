"""Console accounts: technicians, proctors, patrols and site administrators."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from examsite.engine.timing import iso, utcnow

from .db import dicts, one

ROLES = ("admin", "technician", "proctor", "patrol")


def create(db: Database, username: str, display_name: str, role: str, password_hash: str) -> int:
    """Insert an account; returns its id (sqlite3.IntegrityError when the name is taken)."""
    cur = db.execute(
        "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?,?,?,?,?)",
        [username, display_name, role, password_hash, iso(utcnow())],
    )
    return int(cur.lastrowid or 0)


def by_name(db: Database, username: str) -> dict[str, Any] | None:
    """One account by user name (case-insensitive)."""
    return one(db.execute("SELECT * FROM users WHERE username = ?", [username]))


def get(db: Database, user_id: int) -> dict[str, Any] | None:
    """One account by id."""
    return one(db.execute("SELECT * FROM users WHERE id = ?", [user_id]))


def all_users(db: Database) -> list[dict[str, Any]]:
    """Every account, by role and name (without password hashes)."""
    return dicts(
        db.execute(
            "SELECT id, username, display_name, role, failures, locked_until, disabled, created_at,"
            " last_login_at, must_change_password FROM users ORDER BY role, username"
        )
    )


def count(db: Database, role: str | None = None) -> int:
    """How many accounts (of a role)."""
    if role is None:
        return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    return int(db.execute("SELECT COUNT(*) FROM users WHERE role = ?", [role]).fetchone()[0])


def update(db: Database, user_id: int, **fields: Any) -> None:
    """Change columns of an account."""
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE users SET {sets} WHERE id = ?", [*fields.values(), user_id])
