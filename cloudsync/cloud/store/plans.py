"""Exam plans and their rosters."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso


def add(db: Database, plan: Mapping[str, Any], now: datetime) -> None:
    """Store a plan row (``settings`` as a dict); raise IntegrityError if its id is taken."""
    row = dict(plan)
    row["settings"] = json.dumps(row["settings"], ensure_ascii=False)
    row["created_at"] = iso(now)
    db.insert("plans", row)


def get(db: Database, plan_id: str) -> Row | None:
    """The plan row with its settings decoded, or None."""
    row = db.one("SELECT * FROM plans WHERE plan_id = ?", (plan_id,))
    if row:
        row["settings"] = json.loads(row["settings"])
    return row


_SUMMARY = "plan_id, site_id, room, subject, starts_at, duration_min, paper_id, paper_sha256"


def for_site(db: Database, site_id: str, start: str, end: str) -> list[Row]:
    """A site's plans starting in [start, end) (UTC ISO bounds), by start time."""
    return db.query(
        f"SELECT {_SUMMARY} FROM plans WHERE site_id = ? AND starts_at >= ? AND starts_at < ? "
        "ORDER BY starts_at, plan_id",
        (site_id, start, end),
    )


def all_plans(db: Database) -> list[Row]:
    """Every plan's summary, newest start first."""
    return db.query(f"SELECT {_SUMMARY} FROM plans ORDER BY starts_at DESC, plan_id")


def replace_roster(db: Database, plan_id: str, entries: Iterable[Mapping[str, Any]]) -> int:
    """Replace a plan's roster with ``entries``; return how many were stored."""
    with db.transaction():
        db.execute("DELETE FROM roster WHERE plan_id = ?", (plan_id,))
        n = 0
        for e in entries:
            descriptor = e.get("descriptor")
            db.insert(
                "roster",
                {
                    "plan_id": plan_id,
                    "ticket": e["ticket"],
                    "name": e["name"],
                    "gender": e["gender"],
                    "id_number": e["id_number"],
                    "company": e.get("company") or "",
                    "seat": e.get("seat"),
                    "photo": e.get("photo"),
                    "descriptor": json.dumps(descriptor) if descriptor is not None else None,
                },
            )
            n += 1
    return n


def roster(db: Database, plan_id: str, with_photos: bool = True) -> list[Row]:
    """A plan's roster by seat and ticket (``descriptor`` decoded)."""
    cols = "*" if with_photos else "plan_id, ticket, name, gender, id_number, company, seat"
    rows = db.query(
        f"SELECT {cols} FROM roster WHERE plan_id = ? ORDER BY seat, ticket", (plan_id,)
    )
    for r in rows:
        if r.get("descriptor"):
            r["descriptor"] = json.loads(r["descriptor"])
    return rows
