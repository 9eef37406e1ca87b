"""Indexing the site's video recordings (metadata only; the files stay on the recorder's disk)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.video import scan_directory
from examsite.store import sessions, video_segments
from examsite.store.db import SiteDB


def attach_sessions(records: list[dict[str, Any]], spans: list[tuple[str, str, str, str]]) -> None:
    """Give each segment the exam session whose [start, end] it overlaps (if exactly one, by room)."""
    for rec in records:
        hits = [
            sid
            for sid, room, start, end in spans
            if start < rec["end_utc"] and rec["start_utc"] < end
        ]
        if len(hits) == 1:
            rec["exam_session_id"] = hits[0]
            rec["room_id"] = rec.get("room_id") or next(
                room for sid, room, _, _ in spans if sid == hits[0]
            )


def session_spans(sitedb: SiteDB) -> list[tuple[str, str, str, str]]:
    """(id, room, start, end) of sessions that have started, open ones up to far in the future."""
    with sitedb.read() as db:
        return [
            (s["id"], s["room"], s["started_at"], s["ended_at"] or "9999-12-31T00:00:00Z")
            for s in sessions.all_sessions(db)
            if s["started_at"]
        ]


def scan(
    sitedb: SiteDB,
    root: str | Path,
    recorder_id: str | None = None,
    run_blocking: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Index new finished files under `root` into `video_segments`; returns counts and what was skipped.

    Hashing gigabytes of video must not stall the exam: `run_blocking` runs the scan on a native
    thread under gevent (hashlib releases the GIL while it hashes).
    """
    if not Path(root).is_dir():
        return {
            "added": 0,
            "skipped": [],
            "error": f"录像目录不存在：{root}（video folder not found）",
        }
    with sitedb.read() as db:
        known = video_segments.known_paths(db)

    def work() -> Any:
        return scan_directory(root, known_paths=known, recorder_id=recorder_id)

    result = run_blocking(work) if run_blocking else work()
    attach_sessions(result.records, session_spans(sitedb))
    with sitedb.write() as db:
        added = video_segments.add(db, result.records)
    return {"added": added, "skipped": result.skipped}
