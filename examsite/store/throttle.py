"""Failure counters with lock-out (captcha and login failures per terminal)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from examsite.engine.timing import iso, parse_iso


def locked_until(db: Database, key: str, now: datetime) -> datetime | None:
    """When the lock-out on `key` ends, or None if not locked."""
    r = db.execute("SELECT locked_until FROM throttle WHERE key = ?", [key]).fetchone()
    if r and r[0]:
        until = parse_iso(r[0])
        if until > now:
            return until
    return None


def any_locked(db: Database, now: datetime) -> bool:
    """True when some key is locked out now."""
    r = db.execute(
        "SELECT 1 FROM throttle WHERE locked_until IS NOT NULL AND locked_until > ? LIMIT 1",
        [iso(now)],
    ).fetchone()
    return r is not None


def fail(db: Database, key: str, now: datetime, limit: int, lock_minutes: int) -> int:
    """Count a failure; at `limit` failures lock the key for `lock_minutes`. Returns the count."""
    r = db.execute("SELECT failures FROM throttle WHERE key = ?", [key]).fetchone()
    failures = (r[0] if r else 0) + 1
    until = iso(now + timedelta(minutes=lock_minutes)) if failures >= limit else None
    db.execute(
        "INSERT OR REPLACE INTO throttle (key, failures, locked_until) VALUES (?,?,?)",
        [key, 0 if until else failures, until],
    )
    return failures


def clear(db: Database, key: str) -> None:
    """Forget failures after a success."""
    db.execute("DELETE FROM throttle WHERE key = ?", [key])
