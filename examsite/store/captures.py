"""Random face captures of candidates during the exam."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import dicts, one

COLUMNS = (
    "id, request_id, candidate_id, due_at, requested_at, taken_at, verdict, distance, review,"
    " review_note, reviewer, deferred_reason"
)


def schedule(db: Database, request_id: str, candidate_id: int, due_at: str) -> None:
    """Plan a capture at `due_at`."""
    db.execute(
        "INSERT INTO captures (request_id, candidate_id, due_at) VALUES (?,?,?)",
        [request_id, candidate_id, due_at],
    )


def due(db: Database, now: str) -> list[dict[str, Any]]:
    """Planned captures whose time has come and that were not requested yet (deferred ones
    included: they stay due until the candidate can be photographed and they are re-scheduled)."""
    return dicts(
        db.execute(
            f"SELECT {COLUMNS} FROM captures WHERE requested_at IS NULL AND due_at <= ?", [now]
        )
    )


def outstanding(db: Database, candidate_id: int) -> list[str]:
    """Request ids of the candidate's captures asked for and not uploaded yet, oldest first."""
    rows = db.execute(
        "SELECT request_id FROM captures WHERE candidate_id = ? AND requested_at IS NOT NULL"
        " AND taken_at IS NULL ORDER BY requested_at",
        [candidate_id],
    ).fetchall()
    return [r[0] for r in rows]


def get(db: Database, request_id: str) -> dict[str, Any] | None:
    """One capture without the image."""
    return one(db.execute(f"SELECT {COLUMNS} FROM captures WHERE request_id = ?", [request_id]))


def update(db: Database, request_id: str, **fields: Any) -> None:
    """Change columns of a capture."""
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE captures SET {sets} WHERE request_id = ?", [*fields.values(), request_id])


def image(db: Database, request_id: str) -> bytes | None:
    """The captured JPEG."""
    r = db.execute("SELECT image FROM captures WHERE request_id = ?", [request_id]).fetchone()
    return r[0] if r else None
