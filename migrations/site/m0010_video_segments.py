"""Video segment index (devices): metadata of each recorded segment, never the video itself.

Columns follow specs/video-metadata.md §5.4; `prev_hash`/`entry_hash` chain the rows in insertion
order for tamper evidence; `synced_at` is set once the cloud acknowledged the row.
"""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE video_segments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        segment_id TEXT NOT NULL UNIQUE,
        camera_id TEXT NOT NULL,
        camera_kind TEXT NOT NULL CHECK (camera_kind IN ('gb28181', 'onvif')),
        recorder_id TEXT,
        exam_session_id TEXT,
        room_id TEXT,
        path TEXT NOT NULL,
        start_utc TEXT NOT NULL,
        end_utc TEXT NOT NULL,
        source_tz TEXT NOT NULL,
        raw_start TEXT NOT NULL DEFAULT '',
        raw_end TEXT NOT NULL DEFAULT '',
        record_type TEXT NOT NULL DEFAULT 'time',
        secrecy INTEGER NOT NULL DEFAULT 0,
        container TEXT,
        size_bytes INTEGER NOT NULL,
        device_size_bytes INTEGER,
        device_clock_offset_ms INTEGER,
        sha256 TEXT NOT NULL,
        method TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        retention_until TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        entry_hash TEXT NOT NULL,
        synced_at TEXT,
        CHECK (end_utc >= start_utc)
    )""",
    "CREATE INDEX video_segments_camera_time ON video_segments(camera_id, start_utc)",
    "CREATE INDEX video_segments_session ON video_segments(exam_session_id)",
    "CREATE INDEX video_segments_path ON video_segments(path)",
    "CREATE INDEX video_segments_unsynced ON video_segments(synced_at) WHERE synced_at IS NULL",
]


def migrate(db: Database) -> None:
    """Create the video segment index."""
    for sql in STATEMENTS:
        db.execute(sql)
