"""Flags (标记): the questions a candidate marked for review; not part of the result."""

from __future__ import annotations

from sqlite_utils import Database


def put(
    db: Database, candidate_id: int, qid: str, flagged: bool, terminal_id: str, at: str
) -> None:
    """Flag or unflag one question (setting the state it already has changes nothing)."""
    if flagged:
        db.execute(
            "INSERT INTO flags (candidate_id, qid, terminal_id, flagged_at) VALUES (?,?,?,?)"
            " ON CONFLICT (candidate_id, qid) DO NOTHING",
            [candidate_id, qid, terminal_id, at],
        )
    else:
        db.execute("DELETE FROM flags WHERE candidate_id = ? AND qid = ?", [candidate_id, qid])


def flagged(db: Database, candidate_id: int) -> list[str]:
    """The qids a candidate has flagged, in the order they were flagged."""
    rows = db.execute(
        "SELECT qid FROM flags WHERE candidate_id = ? ORDER BY flagged_at, qid", [candidate_id]
    ).fetchall()
    return [r[0] for r in rows]
