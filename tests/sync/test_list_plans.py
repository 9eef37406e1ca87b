"""Listing a date's plans at the cloud without pulling them: ``examsite list-plans`` and the
console's 只查看计划 button, against a real cloud, and with the cloud down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from examsite.app import site_of
from examsite.console.accounts import create_user
from examsite.engine.timing import iso, utcnow
from examsite.store import outbox, sessions
from examsite.sync.staging import stage_day
from tests.console.conftest import login
from tests.live import LiveServer, free_port

from .conftest import cloud_client

PW = "Tech1!pass"


def unplug(site: Flask) -> None:
    """Point the site's link at a port where no cloud answers."""
    with site_of(site).sitedb.write() as db:
        link = outbox.link(db)
        assert link is not None
        outbox.set_link(db, f"http://127.0.0.1:{free_port()}", "SITE-A", link["secret"],
                        link["public_key"], iso(utcnow()))  # fmt: skip


def test_cli_lists_without_pulling_then_shows_staged(
    site: Flask, published: dict[str, Any]
) -> None:
    instance = Path(site.instance_path)
    cli = LiveServer(instance).cli
    r = cli("list-plans", "--date", published["day"])
    assert r.returncode == 0, r.stderr
    (plan,) = json.loads(r.stdout)
    assert (plan["plan_id"], plan["room"], plan["staged"], plan["status"]) == (
        "PLAN-1", "第1考场", False, None,
    )  # fmt: skip
    assert plan["subject"] == "燃气经营企业从业人员" and plan["duration_min"] == 60
    with site_of(site).sitedb.read() as db:
        assert sessions.get(db, "PLAN-1") is None and outbox.staged(db, "PLAN-1") is None
    stage_day(site_of(site).exam, cloud_client(site), published["day"])
    (plan,) = json.loads(cli("list-plans", "--date", published["day"]).stdout)
    assert (plan["staged"], plan["status"]) == (True, "ready")
    r = cli("list-plans", "--date", "2001-01-01")
    assert r.returncode == 0 and json.loads(r.stdout) == [] and "没有本考点的考试计划" in r.stderr
    r = cli("list-plans", "--date", "24/11")
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr


def test_cli_says_clearly_when_the_cloud_is_down(site: Flask, published: dict[str, Any]) -> None:
    unplug(site)
    r = LiveServer(Path(site.instance_path)).cli("list-plans", "--date", published["day"])
    assert r.returncode == 1 and r.stdout == ""
    assert "连不上省平台，无法列出" in r.stderr and "cannot reach the provincial cloud" in r.stderr


def test_console_lists_plans_before_pulling(site: Flask, published: dict[str, Any]) -> None:
    create_user(site_of(site).sitedb, "tech", "技术员", "technician", PW)
    web = site.test_client()
    assert login(web, "tech", PW).status_code == 302
    page = web.get("/console/sync")
    assert 'id="list-plans"' in page.get_data(as_text=True)
    page = web.get(f"/console/sync/plans?date={published['day']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="listed-plans"' in html
    assert "PLAN-1" in html and "第1考场" in html and "未拉取" in html
    with site_of(site).sitedb.read() as db:
        assert outbox.staged(db, "PLAN-1") is None  # listing pulls nothing
    unplug(site)
    page = web.get(f"/console/sync/plans?date={published['day']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and 'id="list-error"' in html and "连不上省平台" in html
