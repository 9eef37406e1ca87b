"""The scheduled push runs as `examsite push` in a process of its own (the event loop stays free)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from examsite.app import create_app as create_site
from examsite.app import site_of
from examsite.engine.timing import iso, utcnow
from examsite.store import outbox
from examsite.sync import push as sync_push
from tests.live import free_port

from .test_sync_site import staged, write_exam


def test_the_push_job_pushes_from_a_process_of_its_own(
    site: Flask, published: dict[str, Any]
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001", "2026110002"])
    site.config["SYNC_BATCH"] = 5  # the server's settings reach the push process
    out = sync_push.push_in_process(site)
    assert out["ok"] is True and out["batches"] > 1
    with site_of(site).sitedb.read() as db:
        assert outbox.pending(db, 10) == []
        receipts = {r["ticket"]: r for r in outbox.receipts(db, "PLAN-1")}
        assert receipts["2026110001"]["matches"] == 1 and receipts["2026110002"]["matches"] == 1
        assert outbox.state(db, "last_push_ok") == "1"


def test_a_cloud_that_is_down_is_reported_and_the_outbox_kept(
    site: Flask, published: dict[str, Any]
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        outbox.set_link(db, f"http://127.0.0.1:{free_port()}", "SITE-A", published["secret"],
                        published["public_key"], iso(utcnow()))  # fmt: skip
    site.config["SYNC_RETRIES"] = 0
    out = sync_push.push_in_process(site)
    assert out["ok"] is False and out["code"] == "cloud_unavailable" and out["message"]
    with sitedb.read() as db:
        assert outbox.pending(db, 10)  # nothing lost: the next run pushes it
        assert outbox.state(db, "last_push_ok") == "0"


def test_an_unlinked_site_does_not_push(tmp_path: Path) -> None:
    app = create_site({"ASYNC_MODE": "threading"}, instance_path=str(tmp_path / "site"))
    try:
        assert sync_push.push_in_process(app) == {"ok": False, "code": "not_linked"}
    finally:
        site_of(app).sitedb.close()
