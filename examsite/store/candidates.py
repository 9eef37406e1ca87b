"""Candidates on a session's roster and their state."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from .db import dicts, one

LIGHT = (
    "id, session_id, ticket, name, gender, id_number, company, seat, state, checked_in_at, logged_in_at,"
    " confirmed_at, notice_read, password_ok, disputed, terminal_id, terminal_seat, token_epoch, transfer_to,"
    " shuffle_seed, finished_at, score, passed, void_reason, lock_reason"
)


def add(db: Database, candidate: dict[str, Any]) -> int:
    """Insert a roster entry; returns its id."""
    cols = ",".join(candidate)
    cur = db.execute(
        f"INSERT INTO candidates ({cols}) VALUES ({','.join('?' * len(candidate))})",
        list(candidate.values()),
    )
    return int(cur.lastrowid or 0)


def get(db: Database, candidate_id: int) -> dict[str, Any] | None:
    """One candidate without the photo and descriptor blobs."""
    return one(db.execute(f"SELECT {LIGHT} FROM candidates WHERE id = ?", [candidate_id]))


#: What storing an answer needs of its candidate (the answer path reads it for every event).
ANSWERING = "id, session_id, ticket, state, terminal_id, token_epoch, password_ok"


def for_answer(db: Database, candidate_id: int) -> dict[str, Any] | None:
    """The few columns the answer path checks, for one candidate."""
    return one(db.execute(f"SELECT {ANSWERING} FROM candidates WHERE id = ?", [candidate_id]))


def by_ticket(db: Database, ticket: str) -> list[dict[str, Any]]:
    """Candidates with this admission ticket number (one per session, normally one in all)."""
    return dicts(db.execute(f"SELECT {LIGHT} FROM candidates WHERE ticket = ?", [ticket]))


def in_session(db: Database, session_id: str) -> list[dict[str, Any]]:
    """The roster of a session in seat order."""
    return dicts(
        db.execute(
            f"SELECT {LIGHT} FROM candidates WHERE session_id = ? ORDER BY seat, ticket",
            [session_id],
        )
    )


def with_states(db: Database, session_id: str, states: tuple[str, ...]) -> list[dict[str, Any]]:
    """Candidates of a session in any of `states`."""
    marks = ",".join("?" * len(states))
    return dicts(
        db.execute(
            f"SELECT {LIGHT} FROM candidates WHERE session_id = ? AND state IN ({marks})",
            [session_id, *states],
        )
    )


def photo(db: Database, candidate_id: int) -> bytes | None:
    """The registered photo (JPEG/PNG bytes)."""
    r = db.execute("SELECT photo FROM candidates WHERE id = ?", [candidate_id]).fetchone()
    return r[0] if r else None


def descriptor(db: Database, candidate_id: int) -> bytes | None:
    """The registered face descriptor (128 little-endian float32, 512 bytes), if computed."""
    r = db.execute("SELECT descriptor FROM candidates WHERE id = ?", [candidate_id]).fetchone()
    return r[0] if r else None


def update(db: Database, candidate_id: int, **fields: Any) -> None:
    """Change columns of one candidate."""
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE candidates SET {sets} WHERE id = ?", [*fields.values(), candidate_id])


OPEN_STATES = ("logged_in", "confirmed", "answering", "away")


def holding_terminal(
    db: Database, terminal_id: str, exclude: int | None = None
) -> dict[str, Any] | None:
    """The candidate whose open paper uses (or is being moved to) this terminal, if any."""
    marks = ",".join("?" * len(OPEN_STATES))
    return one(
        db.execute(
            f"SELECT {LIGHT} FROM candidates WHERE (terminal_id = ? OR transfer_to = ?)"
            f" AND state IN ({marks}) AND id != ? LIMIT 1",
            [terminal_id, terminal_id, *OPEN_STATES, exclude if exclude is not None else -1],
        )
    )
