"""Per-seat figures for the live room view: answers, captures, page-leave reports, terminals."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import dicts


def answer_stats(db: Database, session_id: str) -> dict[int, tuple[int, str | None]]:
    """candidate id → (answered questions, time of the last answer)."""
    return {
        r[0]: (int(r[1]), r[2])
        for r in db.execute(
            "SELECT a.candidate_id, COUNT(*), MAX(a.at) FROM answers a"
            " JOIN candidates c ON c.id = a.candidate_id WHERE c.session_id = ? GROUP BY a.candidate_id",
            [session_id],
        )
    }


def suspect_captures(db: Database, session_id: str) -> dict[int, int]:
    """candidate id → captures whose face check failed and that no proctor cleared."""
    return {
        r[0]: int(r[1])
        for r in db.execute(
            "SELECT k.candidate_id, COUNT(*) FROM captures k JOIN candidates c ON c.id = k.candidate_id"
            " WHERE c.session_id = ? AND k.verdict IS NOT NULL AND k.verdict != 'match'"
            " AND (k.review IS NULL OR k.review = 'suspect') GROUP BY k.candidate_id",
            [session_id],
        )
    }


def journal_counts(db: Database, session_id: str, kind: str) -> dict[str, int]:
    """ticket → how many journal rows of `kind` the session has for it."""
    return {
        r[0]: int(r[1])
        for r in db.execute(
            "SELECT candidate_ticket, COUNT(*) FROM journal WHERE session_id = ? AND kind = ?"
            " AND candidate_ticket IS NOT NULL GROUP BY candidate_ticket",
            [session_id, kind],
        )
    }


def occupied_terminals(db: Database) -> set[str]:
    """Terminals holding (or about to receive) a candidate whose paper is open."""
    out: set[str] = set()
    for tid, target in db.execute(
        "SELECT terminal_id, transfer_to FROM candidates WHERE state IN"
        " ('logged_in', 'confirmed', 'answering', 'away')"
    ):
        out.update(t for t in (tid, target) if t)
    return out


def ledger_rows(db: Database, session_id: str) -> list[dict[str, Any]]:
    """Every time-ledger line of a session with the candidate's ticket."""
    return dicts(
        db.execute(
            "SELECT l.*, c.ticket FROM time_ledger l JOIN candidates c ON c.id = l.candidate_id"
            " WHERE c.session_id = ? ORDER BY l.at, l.id",
            [session_id],
        )
    )


def answers_of_session(db: Database, session_id: str) -> list[dict[str, Any]]:
    """Every current answer of a session with the candidate's ticket."""
    return dicts(
        db.execute(
            "SELECT c.ticket, a.qid, a.value, a.terminal_id, a.seq, a.at FROM answers a"
            " JOIN candidates c ON c.id = a.candidate_id WHERE c.session_id = ? ORDER BY c.ticket, a.qid",
            [session_id],
        )
    )


def chain_links(db: Database, upto: int) -> list[tuple[int, str, str]]:
    """(seq, prev_hash, hash) of every journal row up to `upto`: the chain without the content."""
    return [
        (int(r[0]), r[1], r[2])
        for r in db.execute(
            "SELECT seq, prev_hash, hash FROM journal WHERE seq <= ? ORDER BY seq", [upto]
        )
    ]
