"""The full loop on loopback: the cloud publishes (bank, QTI, paper, plan with roster); the site
pre-stages it, opens the paper with the release code, runs the exam with real Socket.IO
terminals against the real server process, pushes; the cloud shows results and receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cloudsync.cloud import reports
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import questions
from examsite.app import site_of
from examsite.store import sessions
from examsite.sync.staging import stage_day
from tests.live import LiveServer, Terminal, wait_for

from .conftest import cloud_client, publish_day


@pytest.fixture
def published(app: Flask, clock: Any, tmp_path: Path) -> dict[str, Any]:
    """The day of the other sync tests, with a QTI package in the bank and one of its items on
    the paper (conftest.publish_day)."""
    return publish_day(app, clock, tmp_path, with_qti=True)


@pytest.mark.slow
def test_publish_stage_exam_push(
    app: Flask, site: Flask, published: dict[str, Any], clock: Any, tmp_path: Path
) -> None:
    with app.app_context():
        from_qti = {q["qid"] for q in questions.listing(get_db(), bank="qti")}
    assert len(from_qti) == 7
    reports_ = stage_day(site_of(site).exam, cloud_client(site), published["day"])
    assert [r["status"] for r in reports_] == ["ready"]
    with site_of(site).sitedb.read() as db:
        password = sessions.get(db, "PLAN-1")["exam_password"]
    instance = Path(site.instance_path)
    site_of(site).sitedb.close()
    app.config["RELEASE_LEAD_S"] = 3600  # the cloud treats the start time as come
    live = LiveServer(instance).start()
    try:
        r = live.cli("release", "--session", "PLAN-1")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["questions"] == 7
        people = [("考生1", "2026110001"), ("考生2", "2026110002")]
        terminals = []
        for i, (name, ticket) in enumerate(people, start=1):
            r = live.cli("checkin", "--ticket", ticket, "--reason", "测试：跳过读卡 test bypass")
            assert r.returncode == 0, r.stderr
            t = Terminal(live.url, f"T-{i}", seat=i)
            assert t.connect()["ok"]
            assert t.through_to_confirm(name, ticket, password)["ok"]
            terminals.append(t)
        r = live.cli("start", "--session", "PLAN-1")
        assert r.returncode == 0, r.stderr
        for t in terminals:
            wait_for(
                lambda t=t: any(e == "session" and d["state"] == "running" for e, d in t.pushes)
            )
            paper = t.call("paper", {})
            assert paper["ok"] and len(paper["questions"]) == 7
            on_paper = {q["qid"] for q in paper["questions"]} & from_qti
            assert len(on_paper) == 1  # the QTI item reached the candidates' terminals
            for seq, q in enumerate(paper["questions"], start=1):
                assert t.call(
                    "answer", {"seq": seq, "qid": q["qid"], "value": [q["options"][0]["id"]]}
                )["ok"]
        r = live.cli("end", "--session", "PLAN-1")
        assert r.returncode == 0, r.stderr
        for t in terminals:
            t.close()
        r = live.cli("push")
        assert r.returncode == 0, r.stdout + r.stderr
        assert json.loads(r.stdout)["ok"] is True
        status = json.loads(live.cli("sync-status", "--session", "PLAN-1").stdout)
    finally:
        live.kill()
    assert status["outbox"]["pending"] == 0 and status["cloud_chain_ok"] is True
    receipts = {r["ticket"]: r for r in status["receipts"]}
    assert receipts["2026110001"]["answers"] == 7 and receipts["2026110001"]["matches"] == 1
    with app.app_context():
        report = reports.plan_report(get_db(), "PLAN-1")
    assert report is not None and report["chain"]["ok"] is True
    by_ticket = {c["ticket"]: c for c in report["candidates"]}
    for _, ticket in people:
        assert by_ticket[ticket]["attendance"] == "collected"
        assert by_ticket[ticket]["score"] is not None and by_ticket[ticket]["answers"] == 7
