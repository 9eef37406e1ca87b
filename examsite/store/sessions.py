"""Exam sessions (one room, one sitting) and their papers."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from examsite.engine.rules import SessionView
from examsite.engine.states import SessionState
from examsite.engine.timing import Timing, iso, parse_iso, utcnow

from .db import dicts, one

TIMING_COLUMNS = ("duration_min", "checkin_open_min", "late_cut_min", "submit_after_min")


def create(db: Database, session: dict[str, Any]) -> None:
    """Insert a session (see docs/architecture.md, plan package)."""
    row = {"created_at": iso(utcnow()), "state": SessionState.STAGED.value, **session}
    cols = ",".join(row)
    db.execute(
        f"INSERT INTO exam_sessions ({cols}) VALUES ({','.join('?' * len(row))})",
        list(row.values()),
    )


def get(db: Database, session_id: str) -> dict[str, Any] | None:
    """One session row."""
    return one(db.execute("SELECT * FROM exam_sessions WHERE id = ?", [session_id]))


def all_sessions(db: Database) -> list[dict[str, Any]]:
    """Every session, soonest first."""
    return dicts(db.execute("SELECT * FROM exam_sessions ORDER BY starts_at, id"))


def active(db: Database) -> list[dict[str, Any]]:
    """Sessions that are not ended."""
    return dicts(
        db.execute("SELECT * FROM exam_sessions WHERE state != 'ended' ORDER BY starts_at, id")
    )


def in_room(db: Database, room: str) -> list[dict[str, Any]]:
    """The sessions of one room that are not ended (the classes sitting there now or later)."""
    return dicts(
        db.execute(
            "SELECT * FROM exam_sessions WHERE room = ? AND state != 'ended' ORDER BY starts_at, id",
            [room],
        )
    )


def versions(db: Database) -> dict[str, int]:
    """session id → version counter (bumped on every session-level change)."""
    return {r[0]: r[1] for r in db.execute("SELECT id, version FROM exam_sessions").fetchall()}


def update(db: Database, session_id: str, **fields: Any) -> None:
    """Change columns of a session and bump its version."""
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(
        f"UPDATE exam_sessions SET {sets}, version = version + 1 WHERE id = ?",
        [*fields.values(), session_id],
    )


def timing(row: dict[str, Any]) -> Timing:
    """The session's durations as the engine's Timing."""
    return Timing(**{k: float(row[k]) for k in TIMING_COLUMNS})


def view(row: dict[str, Any]) -> SessionView:
    """The engine's view of a session row."""
    return SessionView(
        state=SessionState(row["state"]),
        starts_at=parse_iso(row["starts_at"]),
        timing=timing(row),
        started_at=parse_iso(row["started_at"]) if row["started_at"] else None,
    )


def put_paper(
    db: Database,
    session_id: str,
    paper_id: str,
    title: str,
    *,
    content: dict | None = None,
    sealed: bytes | None = None,
    sha256: str | None = None,
) -> None:
    """Store a session's paper, plain (`content`) or sealed until the release code comes."""
    db.execute(
        "INSERT OR REPLACE INTO papers (session_id, paper_id, title, sealed, sha256, content, opened_at)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            session_id,
            paper_id,
            title,
            sealed,
            sha256,
            json.dumps(content, ensure_ascii=False) if content is not None else None,
            iso(utcnow()) if content is not None else None,
        ],
    )


def open_paper(db: Database, session_id: str, content: dict) -> None:
    """Record the unsealed paper."""
    db.execute(
        "UPDATE papers SET content = ?, opened_at = ? WHERE session_id = ?",
        [json.dumps(content, ensure_ascii=False), iso(utcnow()), session_id],
    )


def paper_row(db: Database, session_id: str) -> dict[str, Any] | None:
    """The paper row of a session (content still a JSON string)."""
    return one(db.execute("SELECT * FROM papers WHERE session_id = ?", [session_id]))


def paper(db: Database, session_id: str) -> dict[str, Any] | None:
    """The plain paper of a session, or None while sealed or missing."""
    row = paper_row(db, session_id)
    if row is None or row["content"] is None:
        return None
    return json.loads(row["content"])
