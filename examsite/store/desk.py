"""Card reads at the check-in desk: what the reader, camera and face check said, and the decision."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from .db import dicts, one

LIGHT = "id, at, session_id, candidate_id, identity, face, problems, decision, decided_by, decided_at, reason"


def _decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    for key in ("identity", "face", "problems"):
        row[key] = json.loads(row[key])
    return row


def candidates_by_id_number(db: Database, id_number: str) -> list[dict[str, Any]]:
    """Candidates of sessions not yet ended holding this ID number (soonest session first)."""
    return dicts(
        db.execute(
            "SELECT c.id, c.session_id, c.name, c.ticket, c.gender, c.id_number, c.state, c.seat"
            " FROM candidates c JOIN exam_sessions s ON s.id = c.session_id"
            " WHERE upper(c.id_number) = upper(?) AND s.state != 'ended' ORDER BY s.starts_at",
            [id_number],
        )
    )


def add(
    db: Database,
    at: str,
    session_id: str | None,
    candidate_id: int | None,
    identity: dict[str, Any],
    still: bytes | None,
    face: dict[str, Any],
    problems: list[dict[str, Any]],
) -> int:
    """Record one card read; returns its id."""
    cur = db.execute(
        "INSERT INTO desk_reads (at, session_id, candidate_id, identity, still, face, problems)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            at,
            session_id,
            candidate_id,
            json.dumps(identity, ensure_ascii=False),
            still,
            json.dumps(face, ensure_ascii=False),
            json.dumps(problems, ensure_ascii=False),
        ],
    )
    return int(cur.lastrowid or 0)


def get(db: Database, read_id: int) -> dict[str, Any] | None:
    """One read without the still."""
    return _decode(one(db.execute(f"SELECT {LIGHT} FROM desk_reads WHERE id = ?", [read_id])))


def still(db: Database, read_id: int) -> bytes | None:
    """The camera still taken at the read."""
    r = db.execute("SELECT still FROM desk_reads WHERE id = ?", [read_id]).fetchone()
    return r[0] if r else None


def decide(db: Database, read_id: int, decision: str, by: str, at: str, reason: str) -> None:
    """Record the proctor's admit / refuse / return decision."""
    db.execute(
        "UPDATE desk_reads SET decision = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
        [decision, by, at, reason, read_id],
    )


def recent(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest reads, newest first."""
    rows = dicts(db.execute(f"SELECT {LIGHT} FROM desk_reads ORDER BY id DESC LIMIT ?", [limit]))
    return [r for r in (_decode(r) for r in rows) if r is not None]


def for_session(db: Database, session_id: str) -> list[dict[str, Any]]:
    """Every read attributed to a session, oldest first."""
    rows = dicts(
        db.execute(f"SELECT {LIGHT} FROM desk_reads WHERE session_id = ? ORDER BY id", [session_id])
    )
    return [r for r in (_decode(r) for r in rows) if r is not None]
