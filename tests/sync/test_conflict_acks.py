"""A `conflict` answer from the cloud is kept on the site, shown, and blocks purge."""

from __future__ import annotations

from typing import Any

from flask import Flask

from examsite.app import site_of
from examsite.store import outbox
from examsite.sync.status import status


def test_conflict_is_kept_and_counted(site: Flask, published: dict[str, Any]) -> None:
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        db.execute(
            "INSERT INTO sync_outbox (kind, ref, body, created_at) VALUES ('journal', 'j:1', ?, 'now')",
            ['{"session_id": "PLAN-1"}'],
        )
        seq = db.execute("SELECT MAX(seq) FROM sync_outbox").fetchone()[0]
        outbox.mark_acks(
            db, [{"seq": seq, "status": "conflict", "code": "seq_reused", "error": "x"}], "now"
        )
    st = status(sitedb)
    assert st["outbox"]["conflict"] == 1 and st["outbox"]["pending"] == 0
    with sitedb.read() as db:
        assert outbox.pending(db, 10) == []  # not re-sent in a loop either
