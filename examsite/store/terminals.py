"""Candidate terminals seen on the LAN."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from examsite.engine.timing import iso, utcnow

from .db import dicts, one


def seen(
    db: Database,
    terminal_id: str,
    *,
    seat: int | None,
    remote_addr: str | None,
    user_agent: str | None,
    at: str | None = None,
) -> None:
    """Record a terminal's hello (at `at`, the server clock)."""
    db.execute(
        "INSERT INTO terminals (id, seat, connected, last_seen, remote_addr, user_agent) VALUES (?,?,1,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET seat = excluded.seat, connected = 1, last_seen = excluded.last_seen,"
        " remote_addr = excluded.remote_addr, user_agent = excluded.user_agent",
        [terminal_id, seat, at or iso(utcnow()), remote_addr, user_agent],
    )


def set_connected(db: Database, terminal_id: str, connected: bool, at: str | None = None) -> None:
    """Mark a terminal connected or not (at `at`, the server clock): `last_seen` of a
    disconnected terminal is when it was lost."""
    db.execute(
        "UPDATE terminals SET connected = ?, last_seen = ? WHERE id = ?",
        [int(connected), at or iso(utcnow()), terminal_id],
    )


def none_connected(db: Database) -> int:
    """Mark every terminal disconnected (at server start-up); returns how many were marked."""
    return db.execute("UPDATE terminals SET connected = 0 WHERE connected = 1").rowcount


def set_camera(db: Database, terminal_id: str, status: str) -> None:
    """Record the terminal camera's status (ok, missing, denied)."""
    db.execute("UPDATE terminals SET camera = ? WHERE id = ?", [status, terminal_id])


def get(db: Database, terminal_id: str) -> dict[str, Any] | None:
    """One terminal."""
    return one(db.execute("SELECT * FROM terminals WHERE id = ?", [terminal_id]))


def all_terminals(db: Database) -> list[dict[str, Any]]:
    """Every terminal ever seen, by seat."""
    return dicts(db.execute("SELECT * FROM terminals ORDER BY seat, id"))
