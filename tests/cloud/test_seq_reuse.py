"""A sequence number re-used for other content (a site database restored from backup) is answered
`conflict` and stores nothing; an exact re-send stays a plain duplicate."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cloudsync.cloud.database import get_db
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import sync

from .conftest import World

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _capture(seq: int, capture_id: str) -> dict[str, Any]:
    body = {"capture_id": capture_id, "plan_id": "PLAN-1", "ticket": "2026110001",
            "at": "2026-11-24T01:40:00Z", "flagged": False,
            "meta": {"verdict": "match", "distance": 0.3, "review": None},
            "image_b64": base64.b64encode(b"\xff\xd8\xff").decode()}  # fmt: skip
    return {"seq": seq, "kind": "capture", "body": body}


def _push(db: Any, *records: dict[str, Any]) -> list[dict[str, Any]]:
    out = ingest(
        db, "SITE-A", {"site_id": "SITE-A", "batch_id": "b", "records": list(records)}, NOW
    )
    return out["acks"]


def test_reused_seq_with_other_content_is_a_conflict(world: World) -> None:
    with world.app.app_context():
        db = get_db()
        assert [a["status"] for a in _push(db, _capture(1, "req-1"))] == ["stored"]
        assert [a["status"] for a in _push(db, _capture(1, "req-1"))] == ["duplicate"]
        [ack] = _push(db, _capture(1, "req-2"))  # the same number, another capture
        assert (
            ack["status"] == "conflict" and ack["code"] == "seq_reused" and "备份" in ack["error"]
        )
        ids = [
            c["capture_id"]
            for c in sync.captures_for_plan(db, "SITE-A", "PLAN-1", flagged_only=False)
        ]
        assert ids == ["req-1"]
