"""The site database's WAL handling: checkpoints off the writer, and the WAL rewound."""

from __future__ import annotations

from pathlib import Path

from examsite.store import journal
from examsite.store.db import SiteDB


def test_manual_checkpoints_keep_the_wal_bounded(tmp_path: Path) -> None:
    sitedb = SiteDB(tmp_path / "site.sqlite3")
    sitedb.manual_checkpoints()
    try:
        for i in range(300):
            with sitedb.write() as db:
                journal.append(db, "message", "test", {"text": "x" * 500, "i": i})
        busy, wal_pages, copied = sitedb.checkpoint()
        assert busy == 0 and wal_pages > 100 and copied == wal_pages
        assert sitedb.restart_wal()
        with sitedb.write() as db:
            journal.append(db, "message", "test", {"text": "after the rewind"})
        _, wal_after, _ = sitedb.checkpoint()
        assert wal_after < 10  # the WAL started again from its beginning
        with sitedb.read() as db:
            assert journal.last_seq(db) == 301
    finally:
        sitedb.close()
    reopened = SiteDB(tmp_path / "site.sqlite3")
    with reopened.read() as db:
        assert journal.last_seq(db) == 301
    reopened.close()
