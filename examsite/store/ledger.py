"""Each candidate's time ledger: extensions, credited downtime, pauses."""

from __future__ import annotations

from sqlite_utils import Database

from examsite.engine.timing import LedgerEntry, iso, parse_iso, utcnow


def add(
    db: Database,
    candidate_id: int,
    kind: str,
    seconds: int,
    actor: str,
    reason: str = "",
    at: str | None = None,
) -> None:
    """Append an entry (call inside a write transaction together with its journal row)."""
    db.execute(
        "INSERT INTO time_ledger (candidate_id, kind, seconds, actor, reason, at) VALUES (?,?,?,?,?,?)",
        [candidate_id, kind, seconds, actor, reason, at or iso(utcnow())],
    )


def entries(db: Database, candidate_id: int) -> list[LedgerEntry]:
    """All entries of one candidate, oldest first."""
    return [
        LedgerEntry(kind=r[0], at=parse_iso(r[1]), seconds=int(r[2]), actor=r[3], reason=r[4])
        for r in db.execute(
            "SELECT kind, at, seconds, actor, reason FROM time_ledger WHERE candidate_id = ? ORDER BY at, id",
            [candidate_id],
        )
    ]


def by_session(db: Database, session_id: str) -> dict[int, list[LedgerEntry]]:
    """candidate id → entries, for every candidate of a session that has any."""
    out: dict[int, list[LedgerEntry]] = {}
    for r in db.execute(
        "SELECT l.candidate_id, l.kind, l.at, l.seconds, l.actor, l.reason FROM time_ledger l"
        " JOIN candidates c ON c.id = l.candidate_id WHERE c.session_id = ? ORDER BY l.at, l.id",
        [session_id],
    ):
        out.setdefault(r[0], []).append(
            LedgerEntry(kind=r[1], at=parse_iso(r[2]), seconds=int(r[3]), actor=r[4], reason=r[5])
        )
    return out
