"""Video segment metadata (records built by ``devices.video``): add, look up, sync, expire.

Call the writing functions inside one transaction (``SiteDB.write()``): adding rows extends a
hash chain, which must not interleave with another writer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

COLUMNS = (
    "segment_id", "camera_id", "camera_kind", "recorder_id", "exam_session_id", "room_id", "path",
    "start_utc", "end_utc", "source_tz", "raw_start", "raw_end", "record_type", "secrecy",
    "container", "size_bytes", "device_size_bytes", "device_clock_offset_ms", "sha256", "method",
    "ingested_at", "retention_until",
)  # fmt: skip
GENESIS = "0" * 64


def entry_hash(prev_hash: str, record: dict[str, Any]) -> str:
    """sha256 of the previous hash and the canonical JSON of the record's columns."""
    body = json.dumps(
        [record.get(c) for c in COLUMNS], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def add(db: Database, records: Iterable[dict[str, Any]]) -> int:
    """Store new segments; a segment already stored (same ``segment_id``) is left alone.

    Returns how many rows were added.
    """
    row = db.execute("SELECT entry_hash FROM video_segments ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    added = 0
    for record in records:
        exists = db.execute(
            "SELECT 1 FROM video_segments WHERE segment_id = ?", [record["segment_id"]]
        ).fetchone()
        if exists:
            continue
        current = entry_hash(prev, record)
        values = [record.get(c) for c in COLUMNS] + [prev, current]
        db.execute(
            f"INSERT INTO video_segments ({', '.join(COLUMNS)}, prev_hash, entry_hash)"
            f" VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
            values,
        )
        prev = current
        added += 1
    return added


def known_paths(db: Database) -> set[str]:
    """Paths already indexed (give them to ``devices.video.scan_directory``)."""
    return {r[0] for r in db.execute("SELECT path FROM video_segments").fetchall()}


def for_session(db: Database, exam_session_id: str) -> list[dict[str, Any]]:
    """Segments of one exam session, by camera and start."""
    return _rows(
        db.execute(
            "SELECT * FROM video_segments WHERE exam_session_id = ? ORDER BY camera_id, start_utc",
            [exam_session_id],
        )
    )


def overlapping(
    db: Database, start_utc: str, end_utc: str, camera_id: str | None = None
) -> list[dict[str, Any]]:
    """Segments that cover any part of [start_utc, end_utc] (optionally one camera's)."""
    sql = "SELECT * FROM video_segments WHERE start_utc <= ? AND end_utc >= ?"
    params: list[Any] = [end_utc, start_utc]
    if camera_id is not None:
        sql += " AND camera_id = ?"
        params.append(camera_id)
    return _rows(db.execute(sql + " ORDER BY start_utc, camera_id", params))


def unsynced(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """Rows the cloud has not acknowledged yet, oldest first (metadata only)."""
    return _rows(
        db.execute(
            "SELECT * FROM video_segments WHERE synced_at IS NULL ORDER BY seq LIMIT ?", [limit]
        )
    )


def mark_synced(db: Database, segment_ids: Iterable[str], at: str) -> int:
    """Record the cloud's acknowledgement; returns rows changed."""
    changed = 0
    for segment_id in segment_ids:
        cursor = db.execute(
            "UPDATE video_segments SET synced_at = ? WHERE segment_id = ? AND synced_at IS NULL",
            [at, segment_id],
        )
        changed += cursor.rowcount
    return changed


def expired(db: Database, today: str) -> list[dict[str, Any]]:
    """Segments whose retention date has passed (``today`` as ``YYYY-MM-DD``)."""
    return _rows(
        db.execute("SELECT * FROM video_segments WHERE retention_until < ? ORDER BY seq", [today])
    )


def verify_chain(db: Database) -> int | None:
    """The ``seq`` of the first row whose hash does not follow, or None when the chain holds."""
    prev = GENESIS
    for row in _rows(db.execute("SELECT * FROM video_segments ORDER BY seq")):
        if row["prev_hash"] != prev or entry_hash(prev, row) != row["entry_hash"]:
            return int(row["seq"])
        prev = row["entry_hash"]
    return None
