"""Administrator accounts (argon2-hashed passwords, roles, lock-out after wrong passwords)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso, parse_iso

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


@dataclass(frozen=True)
class SignIn:
    """The outcome of :func:`sign_in`: the account on success, else why not.

    ``code`` is ``ok``, ``wrong_password`` (also for unknown users) or ``account_locked``
    (then ``locked_until`` says until when; the password was not even checked).
    """

    code: str
    row: Row | None = None
    locked_until: datetime | None = None


def sign_in(
    db: Database,
    username: str,
    password: str,
    now: datetime,
    limit: int = 5,
    lock_min: int = 15,
) -> SignIn:
    """Check a password; ``limit`` wrong ones in a row lock the account for ``lock_min`` minutes.

    A locked account is refused even with the right password until the lock ends (or
    :func:`unlock`); a right password resets the count.
    """
    row = get(db, username)
    if row is not None and row["locked_until"]:
        until = parse_iso(row["locked_until"])
        if until > now:
            return SignIn("account_locked", locked_until=until)
    found = authenticate(db, username, password)
    if found is not None:
        if found["failures"] or found["locked_until"]:
            db.execute(
                "UPDATE admins SET failures = 0, locked_until = NULL WHERE id = ?", (found["id"],)
            )
        return SignIn("ok", found)
    if row is None:
        return SignIn("wrong_password")
    # counted in the database so concurrent guesses add up (failures + 1 is one statement)
    db.execute("UPDATE admins SET failures = failures + 1 WHERE id = ?", (row["id"],))
    failures = int(db.scalar("SELECT failures FROM admins WHERE id = ?", (row["id"],)) or 0)
    if failures >= limit:
        until = now + timedelta(minutes=lock_min)
        db.execute(
            "UPDATE admins SET failures = 0, locked_until = ? WHERE id = ?", (iso(until), row["id"])
        )
        return SignIn("account_locked", locked_until=until)
    return SignIn("wrong_password")


def unlock(db: Database, username: str) -> bool:
    """Lift a lock-out and reset the count of wrong passwords; False when there is no such user."""
    if get(db, username) is None:
        return False
    db.execute(
        "UPDATE admins SET failures = 0, locked_until = NULL WHERE username = ?", (username,)
    )
    return True
