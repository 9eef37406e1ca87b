"""Pre-staging from the console (拉取试卷): the button pulls and verifies, progress and reports are pushed."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from examsite.app import site_of
from examsite.console.accounts import create_user
from examsite.extensions import socketio
from examsite.store import outbox
from tests.console.conftest import csrf_of, login

PW = "Tech1!pass"


def test_console_pulls_a_day_with_progress(site: Flask, published: dict[str, Any]) -> None:
    create_user(site_of(site).sitedb, "tech", "技术员", "technician", PW)
    web = site.test_client()
    assert login(web, "tech", PW).status_code == 302
    console = socketio.test_client(site, namespace="/console", flask_test_client=web)
    assert console.is_connected("/console")
    token = csrf_of(web.get("/console/sync").get_data(as_text=True))
    assert (
        web.post("/console/sync/stage", data={"date": "24/11", "csrf_token": token}).status_code
        == 400
    )
    page = web.post("/console/sync/stage", data={"date": published["day"], "csrf_token": token})
    assert page.status_code == 200 and "stage-progress" in page.get_data(as_text=True)
    done: list[dict[str, Any]] = []
    progress = 0
    deadline = time.monotonic() + 30
    while not done and time.monotonic() < deadline:
        for msg in console.get_received("/console"):
            if msg["name"] == "stage_progress":
                progress += 1
            if msg["name"] == "stage_done":
                done.append(msg["args"][0])
        time.sleep(0.1)
    assert done and done[0]["ok"], done
    assert [r["status"] for r in done[0]["reports"]] == ["ready"]
    assert progress >= 1
    with site_of(site).sitedb.read() as db:
        assert outbox.staged(db, "PLAN-1") is not None
    console.disconnect(namespace="/console")
