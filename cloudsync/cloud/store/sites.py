"""Registered exam sites, their request-signing secrets and the replay-protection nonces."""

from __future__ import annotations

import secrets
from datetime import datetime

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso


def register(db: Database, site_id: str, name: str, now: datetime) -> Row:
    """Register a site (or return the existing one unchanged) with a fresh HMAC secret."""
    existing = get(db, site_id)
    if existing:
        return existing
    db.insert(
        "sites",
        {"site_id": site_id, "name": name, "secret": secrets.token_hex(32), "created_at": iso(now)},
    )
    row = get(db, site_id)
    assert row is not None
    return row


def get(db: Database, site_id: str) -> Row | None:
    """The site row, or None."""
    return db.one("SELECT * FROM sites WHERE site_id = ?", (site_id,))


def all_sites(db: Database) -> list[Row]:
    """Every registered site, by id."""
    return db.query("SELECT site_id, name, created_at, last_seen_at FROM sites ORDER BY site_id")


def touch(db: Database, site_id: str, now: datetime) -> None:
    """Record that the site made a valid request."""
    db.execute("UPDATE sites SET last_seen_at = ? WHERE site_id = ?", (iso(now), site_id))


def remember_nonce(db: Database, site_id: str, nonce: str, now_s: int, window_s: int) -> bool:
    """Store a request nonce; False when it was already used within the replay window."""
    db.execute("DELETE FROM request_nonces WHERE seen_at < ?", (now_s - 2 * window_s,))
    return db.insert_ignore(
        "request_nonces", {"site_id": site_id, "nonce": nonce, "seen_at": now_s}
    )
