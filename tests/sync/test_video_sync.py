"""Video segment metadata travels whole from the site's index to the cloud (evidence kept)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import sync
from devices import video
from examsite.app import site_of
from examsite.store import video_segments
from examsite.sync import push as sync_push

from .conftest import cloud_client

CAM = "34020000001320000001"
NVR = "34020000001180000001"


def test_video_segment_evidence_reaches_the_cloud(
    site: Flask, published: dict[str, Any], app: Flask
) -> None:
    start = dt.datetime(2026, 11, 24, 9, 30, tzinfo=video.CHINA_STANDARD_TIME)
    record = video.segment_record(
        camera_id=CAM, start=start, end=start + dt.timedelta(minutes=30), sha256="ab" * 32,
        size_bytes=734_003_200, path="rec/room1/0930.mp4", recorder_id=NVR,
        exam_session_id="PLAN-1", room_id="第1考场", record_type="alarm",
    )  # fmt: skip
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        assert video_segments.add(db, [record]) == 1
        local = video_segments.for_session(db, "PLAN-1")[0]
    sync_push.fill(sitedb)
    out = sync_push.push(sitedb, cloud_client(site))
    assert out["quarantined"] == 0 and out["stored"] >= 1
    with app.app_context():
        (seg,) = sync.video_segments(get_db(), "SITE-A", "PLAN-1")
    assert seg["sha256"] == "ab" * 32 and seg["retention_until"] == record["retention_until"]
    assert seg["size_bytes"] == 734_003_200 and seg["recorder_id"] == NVR
    assert seg["record_type"] == "alarm" and seg["camera_id"] == CAM
    assert seg["start_utc"] == "2026-11-24T01:30:00Z" and seg["end_utc"] == "2026-11-24T02:00:00Z"
    assert seg["prev_hash"] == local["prev_hash"] and seg["entry_hash"] == local["entry_hash"]
    # the whole record is kept: the cloud can recompute the site's segment hash
    every = {c: seg["meta"][c] for c in video_segments.COLUMNS}
    assert every == {c: local[c] for c in video_segments.COLUMNS}
    assert video_segments.entry_hash(seg["prev_hash"], seg["meta"]) == seg["entry_hash"]
    with sitedb.read() as db:
        assert video_segments.for_session(db, "PLAN-1")[0]["synced_at"]
