"""Composed papers (the plain paper JSON of docs/architecture.md, kept whole)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cloudsync.cloud.db import Database
from cloudsync.cloud.timefmt import iso


def add(db: Database, paper: dict[str, Any], now: datetime) -> None:
    """Store a paper; raise the driver's IntegrityError if its id is taken."""
    db.insert(
        "papers",
        {
            "paper_id": paper["paper_id"],
            "title": paper["title"],
            "subject": paper["subject"],
            "duration_min": paper["duration_min"],
            "pass_mark": paper["pass_mark"],
            "total_score": paper["total_score"],
            "multi_scoring": paper["multi_scoring"],
            "body": json.dumps(paper, ensure_ascii=False),
            "created_at": iso(now),
        },
    )


def get(db: Database, paper_id: str) -> dict[str, Any] | None:
    """The plain paper, or None."""
    row = db.one("SELECT body FROM papers WHERE paper_id = ?", (paper_id,))
    return json.loads(row["body"]) if row else None
