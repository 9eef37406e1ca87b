"""The scheduled push job of the real site server (``examsite serve``: serve.start_services
registers examsite.sync.push.register_jobs) against a real reference cloud: results arrive with
nobody pushing by hand, and a cloud that is down only delays them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import sync as cloud_sync
from examsite.app import site_of
from examsite.engine.timing import iso, utcnow
from examsite.store import journal, outbox
from examsite.sync.staging import stage_day
from tests.live import LiveServer, free_port, wait_for

from .conftest import cloud_client

#: the job every second, no retries inside one run (the next run is the retry)
FAST = {"EXAMSITE_SYNC_INTERVAL_S": "1", "EXAMSITE_SYNC_RETRIES": "0"}


def cloud_seq(app: Flask) -> int:
    """The last journal seq the cloud holds for SITE-A (0 before any)."""
    with app.app_context():
        chain = cloud_sync.chain_status(get_db(), "SITE-A")
    return int(chain["last_seq"]) if chain else 0


def site_status(live: LiveServer) -> dict[str, Any]:
    r = live.cli("sync-status", "--session", "PLAN-1")
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


def site_seq(instance: Path) -> int:
    from examsite.app import create_app

    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    try:
        with site_of(app).sitedb.read() as db:
            return journal.last_seq(db)
    finally:
        site_of(app).sitedb.close()


def check_in(live: LiveServer, ticket: str) -> None:
    r = live.cli("checkin", "--ticket", ticket, "--reason", "测试：跳过读卡 test bypass")
    assert r.returncode == 0, r.stderr


@contextmanager
def serving(app: Flask, port: int) -> Iterator[str]:
    """The cloud on 127.0.0.1:``port`` until the block ends."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_scheduled_job_pushes_without_a_manual_push(
    app: Flask, site: Flask, published: dict[str, Any]
) -> None:
    assert [r["status"] for r in stage_day(site_of(site).exam, cloud_client(site),
                                           published["day"])] == ["ready"]  # fmt: skip
    instance = Path(site.instance_path)
    site_of(site).sitedb.close()
    live = LiveServer(instance, env=FAST).start()
    try:
        check_in(live, "2026110001")
        staged_seq = site_seq(instance)
        assert staged_seq > 0
        wait_for(lambda: cloud_seq(app) >= staged_seq, timeout=60, interval=0.5)
        # the job keeps running: a later event follows by itself
        check_in(live, "2026110002")
        later = site_seq(instance)
        wait_for(lambda: cloud_seq(app) >= later, timeout=60, interval=0.5)
        status = wait_for(
            lambda: (s := site_status(live))["outbox"]["pending"] == 0 and s, timeout=60
        )
    finally:
        live.kill()
    assert status["last_push_ok"] is True and status["cloud_chain_ok"] is True
    with app.app_context():
        rows = cloud_sync.journal_for_session(get_db(), "SITE-A", "PLAN-1")
    checked_in = {r["candidate_ticket"] for r in rows if r["kind"] == "checkin"}
    assert checked_in == {"2026110001", "2026110002"}


@pytest.mark.slow
def test_cloud_down_the_job_retries_later_and_nothing_is_lost(
    app: Flask, site: Flask, published: dict[str, Any]
) -> None:
    stage_day(site_of(site).exam, cloud_client(site), published["day"])
    port = free_port()  # where the cloud will be: nothing answers there yet
    with site_of(site).sitedb.write() as db:
        link = outbox.link(db)
        assert link is not None
        outbox.set_link(db, f"http://127.0.0.1:{port}", "SITE-A", link["secret"],
                        link["public_key"], iso(utcnow()))  # fmt: skip
    instance = Path(site.instance_path)
    site_of(site).sitedb.close()
    before = cloud_seq(app)
    live = LiveServer(instance, env=FAST).start()
    try:
        check_in(live, "2026110001")
        failed = wait_for(
            lambda: (s := site_status(live))["last_push_at"] and not s["last_push_ok"] and s,
            timeout=60,
        )
        assert failed["last_error"] and failed["outbox"]["pending"] > 0
        check_in(live, "2026110002")  # more happens while the cloud is away
        assert cloud_seq(app) == before  # nothing arrived
        with serving(app, port):
            total = site_seq(instance)
            wait_for(lambda: cloud_seq(app) >= total, timeout=60, interval=0.5)
            status = wait_for(
                lambda: (
                    (s := site_status(live))["outbox"]["pending"] == 0 and s["last_push_ok"] and s
                ),
                timeout=60,
            )
    finally:
        live.kill()
    assert status["last_error"] is None and status["outbox"]["quarantined"] == 0
    with app.app_context():
        chain = cloud_sync.chain_status(get_db(), "SITE-A")
        rows = cloud_sync.journal_for_session(get_db(), "SITE-A", "PLAN-1")
    assert chain is not None and chain["ok"] and chain["gaps"] == []
    assert chain["last_seq"] == total  # every row, none lost, none twice
    checked_in = [r["candidate_ticket"] for r in rows if r["kind"] == "checkin"]
    assert sorted(checked_in) == ["2026110001", "2026110002"]
