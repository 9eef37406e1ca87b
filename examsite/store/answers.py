"""Answers: the latest answer per question and every numbered answer event (for de-duplication)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from examsite.engine.errors import ExamError


def seen(db: Database, candidate_id: int, terminal_id: str, seq: int) -> tuple[str, str] | None:
    """(qid, value JSON) of an already-stored event, or None."""
    r = db.execute(
        "SELECT qid, value FROM answer_events WHERE candidate_id = ? AND terminal_id = ? AND seq = ?",
        [candidate_id, terminal_id, seq],
    ).fetchone()
    return (r[0], r[1]) if r else None


def record(
    db: Database,
    candidate_id: int,
    terminal_id: str,
    seq: int,
    qid: str,
    value: str,
    at: str,
    journal_seq: int,
) -> None:
    """Store one new answer event and make it the current answer unless a later one is stored.

    Within one terminal the higher sequence number wins (events may arrive out of order after a
    reconnect); an event from another terminal (after a seat transfer) is newer by arrival.
    """
    db.execute(
        "INSERT INTO answer_events (candidate_id, terminal_id, seq, qid, value, journal_seq) VALUES (?,?,?,?,?,?)",
        [candidate_id, terminal_id, seq, qid, value, journal_seq],
    )
    db.execute(
        "INSERT INTO answers (candidate_id, qid, value, terminal_id, seq, at) VALUES (?,?,?,?,?,?)"
        " ON CONFLICT (candidate_id, qid) DO UPDATE SET value = excluded.value, terminal_id = excluded.terminal_id,"
        " seq = excluded.seq, at = excluded.at"
        " WHERE answers.terminal_id != excluded.terminal_id OR excluded.seq > answers.seq",
        [candidate_id, qid, value, terminal_id, seq, at],
    )


def check_duplicate(
    db: Database, candidate_id: int, terminal_id: str, seq: int, qid: str, value: str
) -> bool:
    """True for an exact re-send; ExamError('seq_conflict') for a reused number with other content."""
    prior = seen(db, candidate_id, terminal_id, seq)
    if prior is None:
        return False
    if prior != (qid, value):
        raise ExamError("seq_conflict", {"seq": seq})
    return True


def current(db: Database, candidate_id: int) -> dict[str, list[str]]:
    """qid → chosen option ids (empty answers left out)."""
    out: dict[str, list[str]] = {}
    for qid, value in db.execute(
        "SELECT qid, value FROM answers WHERE candidate_id = ?", [candidate_id]
    ):
        chosen = json.loads(value)
        if chosen:
            out[qid] = chosen
    return out


def last_seqs(db: Database, candidate_id: int) -> dict[str, int]:
    """terminal id → highest sequence number stored (tells a terminal where it stands)."""
    return {
        r[0]: int(r[1])
        for r in db.execute(
            "SELECT terminal_id, MAX(seq) FROM answer_events WHERE candidate_id = ? GROUP BY terminal_id",
            [candidate_id],
        )
    }


def counts(db: Database, session_id: str) -> dict[int, dict[str, Any]]:
    """candidate id → {answered, last_at} for a session's live view."""
    return {
        r[0]: {"answered": r[1], "last_at": r[2]}
        for r in db.execute(
            "SELECT a.candidate_id, SUM(a.value != '[]'), MAX(a.at) FROM answers a"
            " JOIN candidates c ON c.id = a.candidate_id WHERE c.session_id = ? GROUP BY a.candidate_id",
            [session_id],
        )
    }


def last_at(db: Database, candidate_id: int) -> str | None:
    """When the candidate's latest current answer was stored (None before the first)."""
    row = db.execute(
        "SELECT MAX(at) FROM answers WHERE candidate_id = ?", [candidate_id]
    ).fetchone()
    return row[0] if row else None


def event_count(db: Database) -> int:
    """Number of answer events stored (used by benchmarks and the crash test)."""
    return int(db.execute("SELECT COUNT(*) FROM answer_events").fetchone()[0])
