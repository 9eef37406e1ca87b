"""The group-commit writer on a real SQLite file: one bad event fails alone, not its whole batch."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from cloudsync.chain import verify
from examsite.engine.errors import ExamError
from examsite.store import journal
from examsite.store.db import SiteDB
from examsite.store.writer import GroupWriter
from tests.live import wait_for


def apply(db: Database, item: dict[str, Any], batch: dict[Any, Any]) -> dict[str, Any]:
    """Journal the event; 'poison' fails after writing, 'refuse' is an ordinary refusal."""
    journal.append(db, "test_event", "test", {"seq": item["seq"]})
    if item["kind"] == "poison":
        raise RuntimeError("a bug met an unexpected event")
    if item["kind"] == "refuse":
        raise ExamError("seq_conflict", {"seq": item["seq"]})
    return {"ok": True, "seq": item["seq"]}


def test_an_unexpected_failure_fails_only_its_own_event(tmp_path: Path) -> None:
    sitedb = SiteDB(tmp_path / "site.sqlite3")
    writer = GroupWriter(sitedb, apply)
    items = [
        {"seq": 1, "kind": "good"},
        {"seq": 2, "kind": "poison"},
        {"seq": 3, "kind": "refuse"},
        {"seq": 4, "kind": "good"},
    ]
    results: dict[int, dict[str, Any]] = {}

    def send(item: dict[str, Any]) -> None:
        results[item["seq"]] = writer.submit(item)

    senders = [threading.Thread(target=send, args=(i,)) for i in items]
    for t in senders:
        t.start()
    wait_for(lambda: writer.queue.qsize() == len(items))  # all in one batch
    writer.start(lambda f: threading.Thread(target=f, daemon=True).start())
    for t in senders:
        t.join(20)
    writer.stop()
    try:
        assert writer.batches == 1
        assert results[1] == {"ok": True, "seq": 1} and results[4] == {"ok": True, "seq": 4}
        assert results[2]["code"] == "internal" and results[2]["seq"] == 2
        assert results[3]["code"] == "seq_conflict"
        with sitedb.read() as db:
            rows = journal.rows(db, limit=100)
        # The poisoned event's own write is undone; the refusal's journal row stays.
        assert [r["payload"]["seq"] for r in rows if r["kind"] == "test_event"] == [1, 3, 4]
        assert verify(rows) == (True, None)
    finally:
        sitedb.close()
