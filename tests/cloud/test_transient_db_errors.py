"""A record the database refuses only because it is busy (SQLite locked by another writer,
MariaDB lock wait timeout) is not quarantined for good: it gets no ack and no ledger entry, so
the site keeps it pending, and its re-send is stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cloudsync.cloud.database import get_db
from cloudsync.cloud.db import Database, DatabaseURL
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import sync

from .conftest import World
from .journal_rows import JournalWriter

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TICKET = "2026110001"


def _push(db: Database, records: list[dict[str, Any]]) -> dict[int, str]:
    out = ingest(db, "SITE-A", {"site_id": "SITE-A", "batch_id": "b", "records": records}, NOW)
    return {a["seq"]: a["status"] for a in out["acks"]}


@contextmanager
def _held(db: Database, url: str) -> Iterator[None]:
    """Another writer holds the database (SQLite) or the candidate's result row (MariaDB); the
    cloud's connection gives up at once instead of waiting its usual time."""
    parsed = DatabaseURL.parse(url)
    if db.dialect == "sqlite":
        db.execute("PRAGMA busy_timeout=0")
        other = sqlite3.connect(parsed.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            db.execute("PRAGMA busy_timeout=10000")
        return
    import pymysql

    db.execute("SET SESSION innodb_lock_wait_timeout = 1")
    other = pymysql.connect(host=parsed.host, port=parsed.port, user=parsed.user,
                            password=parsed.password, database=parsed.database)  # fmt: skip
    try:
        with other.cursor() as cur:
            cur.execute("START TRANSACTION")
            cur.execute(
                "SELECT * FROM results WHERE site_id = 'SITE-A' AND plan_id = 'PLAN-1' "
                "AND ticket = %s FOR UPDATE",
                (TICKET,),
            )
        yield
    finally:
        other.rollback()
        other.close()
        db.execute("SET SESSION innodb_lock_wait_timeout = 50")


def test_busy_database_leaves_the_record_pending_then_stores_it(world: World) -> None:
    journal = JournalWriter("PLAN-1")
    row = journal.add("checkin", TICKET, method="idcard")
    result = {"plan_id": "PLAN-1", "ticket": TICKET, "status": "submitted", "score": 8,
              "passed": True, "answers": 3}  # fmt: skip
    later = [
        {"seq": 3, "kind": "result", "body": {**result, "score": 9}},
        {"seq": 4, "kind": "capture", "body": {"capture_id": "req-1", "plan_id": "PLAN-1",
         "ticket": TICKET, "flagged": False, "meta": {}}},
        {"seq": 5, "kind": "video", "body": {"segment_id": "seg-1", "plan_id": "PLAN-1", "meta": {}}},
    ]  # fmt: skip
    with world.app.app_context():
        db = get_db()
        first = [{"seq": 1, "kind": "journal", "body": row},
                 {"seq": 2, "kind": "result", "body": result}]  # fmt: skip
        assert _push(db, first) == {1: "stored", 2: "stored"}
        with _held(db, world.app.config["DATABASE"]):
            acks = _push(db, later)
        # SQLite is locked as a whole; MariaDB only holds the one result row
        busy = {3, 4, 5} if db.dialect == "sqlite" else {3}
        assert set(acks) == {3, 4, 5} - busy
        assert set(acks.values()) <= {"stored"}
        assert sync.quarantined(db, "SITE-A") == []
        assert set(sync.known_seqs(db, "SITE-A", [3, 4, 5])) == {3, 4, 5} - busy
        # the site sends what it still holds pending: now it is stored
        again = _push(db, later)
        assert again == {s: ("stored" if s in busy else "duplicate") for s in (3, 4, 5)}
        assert db.scalar("SELECT score FROM results WHERE ticket = ?", (TICKET,)) == 9
        assert sync.chain_status(db, "SITE-A")["last_seq"] == 1
