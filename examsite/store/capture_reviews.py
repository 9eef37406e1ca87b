"""Face checks and proctor reviews of the random in-exam captures."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import dicts

COLUMNS = (
    "k.id, k.request_id, k.candidate_id, k.due_at, k.requested_at, k.taken_at, k.verdict,"
    " k.distance, k.review, k.review_note, k.reviewer"
)


def unchecked(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """Captures taken but not yet face-checked, oldest first (with the image)."""
    return dicts(
        db.execute(
            "SELECT request_id, candidate_id, image FROM captures"
            " WHERE taken_at IS NOT NULL AND verdict IS NULL AND image IS NOT NULL ORDER BY id LIMIT ?",
            [limit],
        )
    )


def set_verdict(db: Database, request_id: str, verdict: str, distance: float | None) -> None:
    """Store the face check of one capture."""
    db.execute(
        "UPDATE captures SET verdict = ?, distance = ? WHERE request_id = ?",
        [verdict, distance, request_id],
    )


def review(db: Database, request_id: str, decision: str, note: str, reviewer: str) -> None:
    """Store the proctor's review (ok or suspect) with a note."""
    db.execute(
        "UPDATE captures SET review = ?, review_note = ?, reviewer = ? WHERE request_id = ?",
        [decision, note, reviewer, request_id],
    )


def for_session(db: Database, session_id: str) -> list[dict[str, Any]]:
    """Every capture of a session with the candidate's name and seat, oldest first."""
    return dicts(
        db.execute(
            f"SELECT {COLUMNS}, c.name, c.ticket, c.seat FROM captures k"
            " JOIN candidates c ON c.id = k.candidate_id WHERE c.session_id = ? ORDER BY k.id",
            [session_id],
        )
    )


def needing_review(db: Database, session_id: str) -> list[dict[str, Any]]:
    """Taken captures that are suspicious (no match, no face …) or unchecked, not yet reviewed."""
    return [
        r
        for r in for_session(db, session_id)
        if r["taken_at"] and r["review"] is None and r["verdict"] != "match"
    ]
