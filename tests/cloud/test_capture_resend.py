"""A capture re-sent under the same id (a late face verdict, a proctor's review) replaces the
stored one instead of being silently dropped while acked ``stored``."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cloudsync.cloud.database import get_db
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import sync

from .conftest import World

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
IMAGE = b"\xff\xd8\xff\xe0 a jpeg"


def _capture(seq: int, image: bool, **fields: Any) -> dict[str, Any]:
    meta = {"verdict": fields.pop("verdict"), "distance": 0.7,
            "review": fields.pop("review"), "review_note": fields.pop("note", None)}  # fmt: skip
    body: dict[str, Any] = {"capture_id": "req-7", "plan_id": "PLAN-1", "ticket": "2026110001",
                            "at": "2026-11-24T01:40:00Z", "meta": meta, **fields}  # fmt: skip
    if image:
        body["image_b64"] = base64.b64encode(IMAGE).decode("ascii")
    return {"seq": seq, "kind": "capture", "body": body}


def _push(db: Any, *records: dict[str, Any]) -> list[str]:
    out = ingest(
        db, "SITE-A", {"site_id": "SITE-A", "batch_id": "b", "records": list(records)}, NOW
    )
    return [a["status"] for a in out["acks"]]


def test_resent_capture_latest_body_wins(world: World) -> None:
    with world.app.app_context():
        db = get_db()
        assert _push(db, _capture(1, True, verdict=None, review=None, flagged=False)) == ["stored"]
        # the face check came back: no match
        assert _push(db, _capture(2, True, verdict="no_match", review=None, flagged=True)) == [
            "stored"
        ]
        [cap] = sync.captures_for_plan(db, "SITE-A", "PLAN-1", flagged_only=True)
        assert cap["meta"]["verdict"] == "no_match"
        # the proctor marked it suspect; this re-send carries no image
        resend = _capture(3, False, verdict="no_match", review="suspect", note="不像", flagged=True)
        assert _push(db, resend) == ["stored"]
        [cap] = sync.captures_for_plan(db, "SITE-A", "PLAN-1", flagged_only=False)
        assert cap["meta"]["review"] == "suspect" and cap["meta"]["review_note"] == "不像"
        assert cap["flagged"] == 1 and cap["has_image"] == 1
        assert db.scalar("SELECT image FROM captures WHERE capture_id = 'req-7'") == IMAGE
        assert db.scalar("SELECT COUNT(*) FROM captures") == 1


def test_capture_cleared_by_a_later_send_is_no_longer_flagged(world: World) -> None:
    with world.app.app_context():
        db = get_db()
        first = _capture(1, False, verdict="no_match", review=None, flagged=True)
        cleared = _capture(2, False, verdict="no_match", review="ok", flagged=False)
        assert _push(db, first, cleared) == ["stored", "stored"]  # both in one batch
        assert sync.captures_for_plan(db, "SITE-A", "PLAN-1", flagged_only=True) == []
        # an already acked seq with other content is a conflict (see test_seq_reuse), not a write
        assert _push(db, _capture(2, False, verdict="x", review="suspect", flagged=True)) == [
            "conflict"
        ]
        [cap] = sync.captures_for_plan(db, "SITE-A", "PLAN-1", flagged_only=False)
        assert cap["meta"]["review"] == "ok"
