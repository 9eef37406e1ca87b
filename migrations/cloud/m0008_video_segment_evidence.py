"""A synced video segment keeps its evidence in columns: integrity (sha256, size, the site's
hash chain of segments), retention, recorder and record type, camera and times."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    ("camera_id", "{key}"),
    ("recorder_id", "{key}"),
    ("record_type", "{key}"),
    ("start_utc", "{key}"),
    ("end_utc", "{key}"),
    ("size_bytes", "BIGINT"),
    ("sha256", "{key}"),
    ("retention_until", "{key}"),
    ("prev_hash", "{key}"),
    ("entry_hash", "{key}"),
)


def migrate(db: Any) -> None:
    """Add the evidence columns to ``video_segments`` (NULL for segments synced before)."""
    for name, kind in COLUMNS:
        db.ddl(f"ALTER TABLE video_segments ADD COLUMN {name} {kind}")
    db.ddl("CREATE INDEX video_segments_retention ON video_segments (site_id, retention_until)")
