"""Violation records (000 att.3 §2): name, ticket, ID number, conduct, handling, proctor."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import dicts


def add(
    db: Database,
    *,
    session_id: str,
    candidate_id: int,
    category: int,
    conduct: str,
    handling: str,
    proctor: str,
    at: str,
    journal_seq: int,
) -> int:
    """Store one record (inside the transaction that journals it); returns its id."""
    cur = db.execute(
        "INSERT INTO violations (session_id, candidate_id, category, conduct, handling, proctor, at,"
        " journal_seq) VALUES (?,?,?,?,?,?,?,?)",
        [session_id, candidate_id, category, conduct, handling, proctor, at, journal_seq],
    )
    return int(cur.lastrowid or 0)


def for_session(db: Database, session_id: str) -> list[dict[str, Any]]:
    """A session's records with the candidate's name, ticket and ID number, oldest first."""
    return dicts(
        db.execute(
            "SELECT v.*, c.name, c.ticket, c.id_number, c.seat FROM violations v"
            " JOIN candidates c ON c.id = v.candidate_id WHERE v.session_id = ? ORDER BY v.id",
            [session_id],
        )
    )
