"""Sync status for the console: outbox counts, last push, chain verdict, receipts."""

from __future__ import annotations

from typing import Any

from examsite.store import outbox
from examsite.store.db import SiteDB
from examsite.sync.staging import last_report, readiness


def status(sitedb: SiteDB, session_id: str | None = None) -> dict[str, Any]:
    """What the console shows: pending/acked counts, last push, receipts with their match."""
    with sitedb.read() as db:
        counts = outbox.counts(db)
        link = outbox.link(db)
        receipts = outbox.receipts(db, session_id)
        return {
            "linked": link is not None,
            "site_id": link["site_id"] if link else None,
            "outbox": {
                "pending": counts.get("pending", 0),
                "stored": counts.get("stored", 0),
                "duplicate": counts.get("duplicate", 0),
                "quarantined": counts.get("quarantined", 0),
                "conflict": counts.get("conflict", 0),
            },
            "last_push_at": outbox.state(db, "last_push_at") or None,
            "last_push_ok": outbox.state(db, "last_push_ok") == "1",
            "last_error": outbox.state(db, "last_error") or None,
            "cloud_chain_ok": {"True": True, "False": False}.get(outbox.state(db, "chain")),
            "receipts": receipts,
            "staged": [_with_report(db, p) for p in outbox.all_staged(db)],
        }


def _with_report(db: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """A staged plan with its last staging report and how it reads (staging.readiness)."""
    report = last_report(db, plan["plan_id"])
    return {
        **plan,
        "readiness": readiness(report) if report else None,
        "photo_problems": (report or {}).get("photo_problems", []),
        "face_check": (report or {}).get("face_check"),
    }
