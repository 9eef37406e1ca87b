"""Administrator accounts (argon2-hashed passwords, roles)."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso

ROLES = ("admin", "operator", "viewer")
_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account could not be created; the message says why and what to do."""


def create(db: Database, username: str, password: str, role: str = "admin") -> int:
    """Create an administrator; raise :class:`AccountError` on a bad role or taken name."""
    if role not in ROLES:
        raise AccountError(
            f"角色必须是 {'/'.join(ROLES)} 之一（role must be one of {', '.join(ROLES)}）"
        )
    if not username or len(password) < 8:
        raise AccountError(
            "用户名不能为空，密码至少 8 位（username required, password ≥ 8 characters）"
        )
    if get(db, username):
        raise AccountError(f"用户 {username} 已存在（user {username} already exists）")
    return db.insert(
        "admins",
        {
            "username": username,
            "password_hash": _hasher.hash(password),
            "role": role,
            "display_name": username,
            "created_at": iso(datetime.now(UTC)),
        },
    )


def get(db: Database, username: str) -> Row | None:
    """The account row for ``username``, or None."""
    return db.one("SELECT * FROM admins WHERE username = ?", (username,))


def authenticate(db: Database, username: str, password: str) -> Row | None:
    """The account when ``password`` matches, else None (same answer for unknown users)."""
    row = get(db, username)
    if row is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return row
