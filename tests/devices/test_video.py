"""GB/T 28181 ids, segment records, the recordings scanner, and the site store for segments."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from devices import video
from devices.video import VideoMetadataError
from examsite.store import video_segments
from migrations.site import m0010_video_segments

CAM = "34020000001320000001"
NVR = "34020000001180000001"
OLD = 1_000_000_000.0  # mtime far in the past: the file is finished


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (CAM, True),
        ("34020000002000000001", True),
        ("3402000000132000000", False),
        ("340200000013200000011", False),
        ("3402000000132000000A", False),
        ("99020000001320000001", False),  # no province 99
        ("", False),
        # province codes of GB/T 2260 only
        ("11000000001320000001", True),  # 北京
        ("15000000001320000001", True),  # 内蒙古
        ("16000000001320000001", False),
        ("20000000001320000001", False),
        ("21000000001320000001", True),  # 辽宁
        ("23000000001320000001", True),  # 黑龙江
        ("24000000001320000001", False),
        ("31000000001320000001", True),  # 上海
        ("37000000001320000001", True),  # 山东
        ("38000000001320000001", False),
        ("41000000001320000001", True),  # 河南
        ("46000000001320000001", True),  # 海南
        ("47000000001320000001", False),
        ("50000000001320000001", True),  # 重庆
        ("54000000001320000001", True),  # 西藏
        ("55000000001320000001", False),
        ("60000000001320000001", False),
        ("61000000001320000001", True),  # 陕西
        ("65000000001320000001", True),  # 新疆
        ("66000000001320000001", False),
        ("70000000001320000001", False),
        ("71000000001320000001", True),  # 台湾
        ("72000000001320000001", False),
        ("80000000001320000001", False),
        ("81000000001320000001", True),  # 香港
        ("82000000001320000001", True),  # 澳门
        ("83000000001320000001", False),
        ("10000000001320000001", False),
        # type codes of Appendix D only (digits 11-13)
        ("34020000001110000001", True),  # DVR
        ("34020000001180000001", True),  # NVR
        ("34020000001190000001", False),  # 119 reserved
        ("34020000001250000001", True),  # 125
        ("34020000001260000001", False),  # 126 reserved
        ("34020000001310000001", True),  # camera
        ("34020000001430000001", True),  # 143
        ("34020000001440000001", False),  # 144 reserved
        ("34020000002100000001", True),  # media storage server
        ("34020000002120000001", False),  # 212 reserved
        ("34020000002160000001", True),  # virtual organisation
        ("34020000003000000001", True),
        ("34020000004000000001", True),
        ("34020000005050000001", True),
        ("34020000005060000001", False),
        ("34020000000000000001", False),  # 000
        ("34020000009990000001", False),  # 999
    ],
)
def test_gb28181_validator(value: str, ok: bool) -> None:
    assert video.is_gb28181_id(value) is ok


@pytest.mark.parametrize(
    ("camera_id", "recorder_id", "code"),
    [
        ("34020000001310000001", NVR, None),  # camera, NVR
        (CAM, "34020000001110000001", None),  # IPC, DVR
        (CAM, "34020000001300000001", None),  # HVR
        (CAM, "34020000002100000001", None),  # media storage server
        (CAM, None, None),
        ("34020000002000000001", None, "camera_id_not_camera"),  # SIP server as camera
        (NVR, None, "camera_id_not_camera"),  # a recorder as camera
        ("34020000001330000001", None, "camera_id_not_camera"),  # monitor
        ("16000000001320000001", None, "gb28181_id_invalid"),  # no province 16
        ("34020000001190000001", None, "gb28181_id_invalid"),  # reserved type
        (CAM, CAM, "recorder_id_not_recorder"),  # an IPC as recorder
        (CAM, "34020000002000000001", "recorder_id_not_recorder"),  # SIP server
        (CAM, "34020000001190000001", "gb28181_id_invalid"),
    ],
)
def test_segment_ids_must_have_their_role(
    camera_id: str, recorder_id: str | None, code: str | None
) -> None:
    start = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
    args: dict[str, Any] = {
        "camera_id": camera_id,
        "recorder_id": recorder_id,
        "start": start,
        "end": start + dt.timedelta(minutes=1),
        "sha256": "d" * 64,
        "size_bytes": 1,
        "path": "p",
    }
    if code is None:
        assert video.segment_record(**args)["camera_kind"] == "gb28181"
        return
    with pytest.raises(VideoMetadataError) as err:
        video.segment_record(**args)
    assert err.value.code == code and "核对" in err.value.message_zh


def test_gb28181_parts() -> None:
    parsed = video.parse_gb28181_id(CAM)
    assert (parsed.centre, parsed.industry, parsed.type_code, parsed.network, parsed.serial) == (
        "34020000", "00", "132", "0", "000001",
    )  # fmt: skip
    assert parsed.is_camera and parsed.type_name == "网络摄像机(IPC)"
    assert video.parse_gb28181_id(NVR).type_name == "NVR"
    with pytest.raises(VideoMetadataError) as err:
        video.parse_gb28181_id("12")
    assert err.value.code == "gb28181_id_invalid" and "20位" in err.value.message_zh


def test_segment_record() -> None:
    start = dt.datetime(2026, 11, 24, 9, 30, tzinfo=video.CHINA_STANDARD_TIME)
    record = video.segment_record(
        camera_id=CAM, start=start, end=start + dt.timedelta(minutes=30), sha256="a" * 64,
        size_bytes=10, path="x.mp4", recorder_id=NVR, exam_session_id="S1",
    )  # fmt: skip
    assert (
        record["start_utc"] == "2026-11-24T01:30:00Z"
        and record["end_utc"] == "2026-11-24T02:00:00Z"
    )
    assert record["retention_until"] == "2029-11-24" and record["camera_kind"] == "gb28181"
    again = video.segment_record(
        camera_id=CAM, start=start, end=start + dt.timedelta(minutes=30), sha256="a" * 64,
        size_bytes=10, path="x.mp4",
    )  # fmt: skip
    assert again["segment_id"] == record["segment_id"]
    onvif = video.segment_record(
        camera_id="onvif:10.0.0.5/rec1",
        start=start,
        end=start,
        sha256="b" * 64,
        size_bytes=0,
        path="y",
    )
    assert onvif["camera_kind"] == "onvif"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"camera_id": "cam-1"}, "camera_id_invalid"),
        ({"end_offset": -1}, "video_times_reversed"),
        ({"sha256": "xyz"}, "video_hash_invalid"),
        ({"retention_years": 2}, "retention_too_short"),
        ({"recorder_id": "1"}, "gb28181_id_invalid"),
    ],
)
def test_segment_record_refuses_bad_metadata(change: dict[str, object], code: str) -> None:
    start = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
    args: dict[str, object] = {
        "camera_id": CAM,
        "start": start,
        "sha256": "c" * 64,
        "size_bytes": 1,
        "path": "p",
    }
    offset = int(change.pop("end_offset", 60))  # type: ignore[call-overload]
    args.update(change)
    args["end"] = start + dt.timedelta(seconds=offset)
    with pytest.raises(VideoMetadataError) as err:
        video.segment_record(**args)  # type: ignore[arg-type]
    assert err.value.code == code


def test_retention_on_leap_day() -> None:
    assert video.retention_until(dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)) == "2031-03-01"


def write(path: Path, data: bytes, mtime: float = OLD) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_scan_directory(tmp_path: Path) -> None:
    write(tmp_path / f"{CAM}_20261124T093000_20261124T100000.mp4", b"flat local")
    write(tmp_path / f"{CAM}_20261124T013000Z_20261124T020000Z.mkv", b"flat utc")
    write(tmp_path / CAM / "20261124" / "233000-000500.ps", b"over midnight")
    write(tmp_path / "onvif~10.0.0.5~rec1_20261124T093000_20261124T093500.mp4", b"onvif")
    write(tmp_path / "random-name.mp4", b"?")
    write(tmp_path / f"{CAM}_20261124T100000_20261124T090000.mp4", b"reversed")
    write(tmp_path / "readme.txt", b"not video")
    write(
        tmp_path / f"{CAM}_20261124T110000_20261124T113000.mp4", b"growing", mtime=2_000_000_000.0
    )
    result = video.scan_directory(tmp_path, now=2_000_000_001.0, exam_session_id="S1")
    by_path = {r["path"]: r for r in result.records}
    assert len(by_path) == 4
    flat = by_path[f"{CAM}_20261124T093000_20261124T100000.mp4"]
    assert flat["start_utc"] == "2026-11-24T01:30:00Z" and flat["raw_start"] == "20261124T093000"
    assert flat["sha256"] == hashlib.sha256(b"flat local").hexdigest() and flat["size_bytes"] == 10
    assert (
        flat["container"] == "mp4"
        and flat["source_tz"] == "+08:00"
        and flat["exam_session_id"] == "S1"
    )
    assert (
        by_path[f"{CAM}_20261124T013000Z_20261124T020000Z.mkv"]["start_utc"]
        == "2026-11-24T01:30:00Z"
    )
    nested = by_path[f"{CAM}/20261124/233000-000500.ps"]
    assert (nested["start_utc"], nested["end_utc"]) == (
        "2026-11-24T15:30:00Z",
        "2026-11-24T16:05:00Z",
    )
    assert (
        by_path["onvif~10.0.0.5~rec1_20261124T093000_20261124T093500.mp4"]["camera_id"]
        == "onvif:10.0.0.5/rec1"
    )
    reasons = {s["path"]: s["reason"] for s in result.skipped}
    assert reasons == {
        "random-name.mp4": "video_name_unknown",
        f"{CAM}_20261124T100000_20261124T090000.mp4": "video_times_reversed",
        "readme.txt": "not_video",
        f"{CAM}_20261124T110000_20261124T113000.mp4": "in_progress",
    }
    rescan = video.scan_directory(tmp_path, known_paths=by_path, now=2_000_000_001.0)
    assert rescan.records == []


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "site.db")
    m0010_video_segments.migrate(database)
    return database


def test_store_round_trip(tmp_path: Path, db: Database) -> None:
    write(tmp_path / "rec" / f"{CAM}_20261124T093000_20261124T100000.mp4", b"one")
    write(tmp_path / "rec" / f"{CAM}_20261124T100000_20261124T103000.mp4", b"two")
    records = video.scan_directory(tmp_path / "rec", exam_session_id="S1").records
    with db.conn:
        assert video_segments.add(db, records) == 2
        assert video_segments.add(db, records) == 0  # idempotent
    assert video_segments.known_paths(db) == {r["path"] for r in records}
    assert [r["start_utc"] for r in video_segments.for_session(db, "S1")] == [
        "2026-11-24T01:30:00Z", "2026-11-24T02:00:00Z",
    ]  # fmt: skip
    assert len(video_segments.overlapping(db, "2026-11-24T01:45:00Z", "2026-11-24T01:50:00Z")) == 1
    assert (
        len(video_segments.overlapping(db, "2026-11-24T01:45:00Z", "2026-11-24T02:10:00Z", CAM))
        == 2
    )
    assert len(video_segments.unsynced(db)) == 2
    with db.conn:
        assert (
            video_segments.mark_synced(db, [records[0]["segment_id"]], "2026-11-25T00:00:00Z") == 1
        )
    assert [r["segment_id"] for r in video_segments.unsynced(db)] == [records[1]["segment_id"]]
    assert video_segments.expired(db, "2029-11-24") == []
    assert len(video_segments.expired(db, "2029-11-25")) == 2
    assert video_segments.verify_chain(db) is None
    db.execute("UPDATE video_segments SET sha256 = ? WHERE seq = 2", ["0" * 64])
    assert video_segments.verify_chain(db) == 2


def test_scanner_skips_segments_of_a_device_that_is_no_camera(tmp_path: Path) -> None:
    write(tmp_path / f"{NVR}_20261124T093000_20261124T100000.mp4", b"recorder id as camera")
    write(tmp_path / "16000000001320000001_20261124T093000_20261124T100000.mp4", b"province 16")
    write(tmp_path / f"{CAM}_20261124T093000_20261124T100000.mp4", b"camera")
    result = video.scan_directory(tmp_path, now=2_000_000_001.0, recorder_id=NVR)
    assert [r["camera_id"] for r in result.records] == [CAM]
    assert sorted(s["reason"] for s in result.skipped) == [
        "camera_id_not_camera",
        "gb28181_id_invalid",
    ]
    with pytest.raises(VideoMetadataError) as err:
        video.scan_directory(tmp_path, now=2_000_000_001.0, recorder_id=CAM)
    assert err.value.code == "recorder_id_not_recorder"
