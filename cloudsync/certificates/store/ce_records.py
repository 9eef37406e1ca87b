"""Continuing-education records (继续教育合格记录), as imported by the authority."""

from __future__ import annotations

from datetime import date

from cloudsync.cloud.db import Database


def add(
    db: Database,
    id_number: str,
    kind: str,
    completed_on: date,
    note: str,
    recorded_by: str,
    now: str,
) -> int:
    """Store one record; return its id."""
    return db.insert(
        "cert_ce_records",
        {
            "id_number": id_number,
            "kind": kind,
            "completed_on": completed_on.isoformat(),
            "note": note,
            "recorded_by": recorded_by,
            "created_at": now,
        },
    )


def dates(db: Database, id_number: str, kind: str) -> list[date]:
    """Completion dates of a person's records for one certificate kind."""
    rows = db.query(
        "SELECT completed_on FROM cert_ce_records WHERE id_number = ? AND kind = ? ORDER BY completed_on",
        (id_number, kind),
    )
    return [date.fromisoformat(r["completed_on"]) for r in rows]
