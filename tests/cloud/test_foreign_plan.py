"""A site can only push records for its own plans: a record naming a plan published to another
site is quarantined with a clear error, and nothing lands in that site's results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cloudsync.cloud.database import get_db
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import plans, sync

from .conftest import World
from .journal_rows import JournalWriter

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _plan_b(db: Any) -> None:
    plans.add(
        db,
        {
            "plan_id": "PLAN-B", "site_id": "SITE-B", "room": "第2考场", "subject": "燃气",
            "starts_at": "2026-11-24T01:30:00Z", "duration_min": 90, "paper_id": "P-GAS-1",
            "settings": {}, "release_code": "X", "sealed": "x", "paper_sha256": "0" * 64,
        },
        NOW,
    )  # fmt: skip


def _result(seq: int, plan_id: str) -> dict[str, Any]:
    return {"seq": seq, "kind": "result", "body": {"plan_id": plan_id, "ticket": "2026110001",
            "status": "submitted", "score": 8, "passed": True, "answers": 3}}  # fmt: skip


def test_records_for_another_sites_plan_are_quarantined(world: World) -> None:
    journal = JournalWriter("PLAN-B")
    row = journal.add("checkin", "2026110001", method="idcard")
    records = [
        {"seq": 1, "kind": "journal", "body": row},
        _result(2, "PLAN-B"),
        {"seq": 3, "kind": "capture", "body": {"capture_id": "req-1", "plan_id": "PLAN-B",
         "ticket": "2026110001", "flagged": False, "meta": {}}},
        {"seq": 4, "kind": "video", "body": {"segment_id": "seg-1", "plan_id": "PLAN-B", "meta": {}}},
        _result(5, "PLAN-1"),  # its own plan
        _result(6, "LOCAL-PRACTICE"),  # a session the cloud never published: left alone
    ]  # fmt: skip
    with world.app.app_context():
        db = get_db()
        _plan_b(db)
        out = ingest(db, "SITE-A", {"site_id": "SITE-A", "batch_id": "b", "records": records}, NOW)
        acks = {a["seq"]: a for a in out["acks"]}
        assert {s: a["status"] for s, a in acks.items()} == {
            1: "quarantined", 2: "quarantined", 3: "quarantined", 4: "quarantined",
            5: "stored", 6: "stored",
        }  # fmt: skip
        assert acks[2]["code"] == "foreign_plan"
        assert "不属于考点 SITE-A" in acks[2]["error"] and "does not belong" in acks[2]["error"]
        assert db.scalar("SELECT COUNT(*) FROM results WHERE plan_id = 'PLAN-B'") == 0
        assert db.scalar("SELECT COUNT(*) FROM captures") == 0
        assert db.scalar("SELECT COUNT(*) FROM video_segments") == 0
        assert db.scalar("SELECT COUNT(*) FROM journal") == 0
        held = sync.quarantined(db, "SITE-A")
        assert [q["seq"] for q in held] == [1, 2, 3, 4]
        assert {q["error_code"] for q in held} == {"foreign_plan"}
        # a re-send is answered from the ledger, not stored after all
        again = ingest(db, "SITE-A", {"site_id": "SITE-A", "batch_id": "b2",
                                      "records": [_result(2, "PLAN-B")]}, NOW)  # fmt: skip
        assert [a["status"] for a in again["acks"]] == ["duplicate"]
        assert db.scalar("SELECT COUNT(*) FROM results WHERE plan_id = 'PLAN-B'") == 0
        # the owner itself is not refused
        own = ingest(db, "SITE-B", {"site_id": "SITE-B", "batch_id": "b3",
                                    "records": [_result(1, "PLAN-B")]}, NOW)  # fmt: skip
        assert [a["status"] for a in own["acks"]] == ["stored"]
