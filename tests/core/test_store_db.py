"""The site database's WAL handling: checkpoints off the writer, and the WAL rewound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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


def test_write_takes_the_write_lock_up_front(tmp_path: Path) -> None:
    """Another process cannot slip a commit between our first read and our first write."""
    import sqlite3

    import pytest

    sitedb = SiteDB(tmp_path / "site.sqlite3")
    other = sqlite3.connect(tmp_path / "site.sqlite3", timeout=0, isolation_level=None)
    try:
        with sitedb.write() as db:
            journal.last_seq(db)  # a read first, as every operation does
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            journal.append(db, "message", "test", {})
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
    finally:
        other.close()
        sitedb.close()


def test_the_journal_refuses_updates_and_deletes(tmp_path: Path) -> None:
    sitedb = SiteDB(tmp_path / "site.sqlite3")
    try:
        with sitedb.write() as db:
            journal.append(db, "message", "test", {"text": "kept"})
        for sql in ("UPDATE journal SET payload = '{}'", "DELETE FROM journal"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"), sitedb.write() as db:
                db.execute(sql)
        with sitedb.read() as db:
            assert journal.last_seq(db) == 1
            assert [r["payload"]["text"] for r in journal.rows(db)] == ["kept"]
    finally:
        sitedb.close()
