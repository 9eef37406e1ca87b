"""Late answers: made on a terminal before the end, received after the paper closed (kept, never scored by themselves)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

_COLUMNS = (
    "id",
    "candidate_id",
    "session_id",
    "terminal_id",
    "seq",
    "qid",
    "value",
    "est_at_ms",
    "before_end",
    "received_at",
    "journal_seq",
    "status",
    "decided_by",
    "decided_at",
)


def add(
    db: Database,
    candidate_id: int,
    session_id: str,
    terminal_id: str,
    seq: int,
    qid: str,
    value: str,
    est_at_ms: int | None,
    before_end: bool,
    received_at: str,
    journal_seq: int,
) -> bool:
    """Keep one late answer; False when this (candidate, terminal, seq) was kept before (a re-sent batch)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO late_answers (candidate_id, session_id, terminal_id, seq, qid, value,"
        " est_at_ms, before_end, received_at, journal_seq) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            candidate_id,
            session_id,
            terminal_id,
            seq,
            qid,
            value,
            est_at_ms,
            int(before_end),
            received_at,
            journal_seq,
        ],
    )
    return bool(cur.rowcount)


def known(db: Database, candidate_id: int, terminal_id: str, seq: int) -> bool:
    """True when this answer event was kept before."""
    r = db.execute(
        "SELECT 1 FROM late_answers WHERE candidate_id = ? AND terminal_id = ? AND seq = ?",
        [candidate_id, terminal_id, seq],
    ).fetchone()
    return r is not None


def of_candidate(db: Database, candidate_id: int) -> list[dict[str, Any]]:
    """Every late answer of a candidate, in the terminal's order."""
    rows = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM late_answers WHERE candidate_id = ?"
        " ORDER BY terminal_id, seq",
        [candidate_id],
    )
    return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]


def pending_counts(db: Database, session_id: str) -> dict[int, tuple[int, int]]:
    """candidate id → (pending late answers, of which made before the end) for the live view."""
    return {
        r[0]: (int(r[1]), int(r[2]))
        for r in db.execute(
            "SELECT candidate_id, COUNT(*), SUM(before_end) FROM late_answers"
            " WHERE session_id = ? AND status = 'pending' GROUP BY candidate_id",
            [session_id],
        )
    }


def accept(db: Database, ids: list[int], actor: str, at: str) -> None:
    """Mark late answers as written to the candidate's answers."""
    db.conn.executemany(
        "UPDATE late_answers SET status = 'accepted', decided_by = ?, decided_at = ? WHERE id = ?",
        [(actor, at, i) for i in ids],
    )
