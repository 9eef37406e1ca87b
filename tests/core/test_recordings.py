"""Video segment indexing on the site: files on disk → metadata rows tied to the exam session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from examsite.recordings import scan
from examsite.store import video_segments
from tests.core.conftest import Room

CAMERA = "34020000001320000001"


def write_segment(root: Path, start: str, end: str, data: bytes = b"\x00" * 4096) -> Path:
    path = root / f"{CAMERA}_{start}Z_{end}Z.mp4"
    path.write_bytes(data)
    old = time.time() - 60
    os.utime(path, (old, old))
    return path


def test_scan_ties_segments_to_the_running_session(room: Room, tmp_path: Path) -> None:
    room.start()
    started = room.exam.now()
    rec = tmp_path / "rec"
    rec.mkdir()
    begin = started.strftime("%Y%m%dT%H%M%S")
    write_segment(rec, begin, (started + timedelta(minutes=30)).strftime("%Y%m%dT%H%M%S"))
    write_segment(rec, "20200101T000000", "20200101T003000")  # long before: no session
    (rec / "notes.txt").write_text("not a video")
    out = scan(room.exam.sitedb, rec)
    assert out["added"] == 2, out
    assert {s["reason"] for s in out["skipped"]} == {"not_video"}
    with room.exam.sitedb.read() as db:
        mine = video_segments.for_session(db, room.session["id"])
        assert (
            len(mine) == 1
            and mine[0]["camera_id"] == CAMERA
            and mine[0]["room_id"] == room.session["room"]
        )
        assert mine[0]["retention_until"] >= f"{started.year + 3}"
        assert video_segments.verify_chain(db) is None
    assert scan(room.exam.sitedb, rec)["added"] == 0  # indexing again adds nothing


def test_scan_video_command_reports_a_missing_folder(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "examsite.cli",
            "--instance",
            str(tmp_path / "i"),
            "scan-video",
            "--dir",
            str(tmp_path / "nope"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1 and "录像目录不存在" in proc.stdout
