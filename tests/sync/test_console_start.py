"""开考 from the console with a sealed paper, against a real reference cloud on 127.0.0.1: a typed
code, a wrong one, a blank field with the cloud reachable, and a blank field with the cloud down."""

from __future__ import annotations

from typing import Any

from flask import Flask

from cloudsync import sealing
from examsite.app import site_of
from examsite.console.accounts import create_user
from examsite.engine.timing import iso, utcnow
from examsite.store import journal, outbox, sessions
from examsite.sync.staging import stage_day
from tests.console.conftest import Console, login
from tests.live import free_port

from .conftest import cloud_client

PW = "Pr0ctor#pass"


def proctor_at(site: Flask, published: dict[str, Any]) -> Console:
    """PLAN-1 staged (sealed) with check-in open, and a proctor signed in to the console."""
    assert (
        stage_day(site_of(site).exam, cloud_client(site), published["day"])[0]["status"] == "ready"
    )
    site_of(site).exam.tick()  # check-in opens 30 minutes before the start
    create_user(site_of(site).sitedb, "proctor1", "王监考", "proctor", PW)
    web = site.test_client()
    assert login(web, "proctor1", PW).status_code == 302
    return Console(web)


def opened_by(site: Flask) -> list[str]:
    with site_of(site).sitedb.read() as db:
        return [r["actor"] for r in journal.rows(db, session_id="PLAN-1", kinds=("paper_opened",))]


def state(site: Flask) -> str:
    with site_of(site).sitedb.read() as db:
        return str(sessions.get(db, "PLAN-1")["state"])  # type: ignore[index]


def test_typed_code_wrong_then_right(site: Flask, published: dict[str, Any]) -> None:
    proctor = proctor_at(site, published)
    wrong = proctor.api("start", session_id="PLAN-1", release_code=sealing.new_release_code())
    assert wrong["code"] == "paper_sealed" and wrong["reason"] == "wrong_release_code"
    assert state(site) == "checkin_open" and opened_by(site) == []
    right = proctor.api("start", session_id="PLAN-1", release_code=published["release_code"])
    assert right["ok"] and state(site) == "running"
    assert opened_by(site) == ["proctor:proctor1"]


def test_blank_code_fetched_from_the_cloud(
    site: Flask, published: dict[str, Any], app: Flask
) -> None:
    proctor = proctor_at(site, published)
    early = proctor.api("start", session_id="PLAN-1")  # the cloud does not publish it yet
    assert early["code"] == "release_code_required" and early["reason"] == "not_yet_released"
    assert "省考试中心公布的开考解封码" in early["message"] and "announced" in early["message_en"]
    assert state(site) == "checkin_open"
    app.config["RELEASE_LEAD_S"] = 3600  # the start time has come, as far as the cloud is concerned
    started = proctor.api("start", session_id="PLAN-1", release_code="")
    assert started["ok"] and state(site) == "running"
    assert opened_by(site) == ["proctor:proctor1"]


def test_blank_code_with_the_cloud_down(site: Flask, published: dict[str, Any], app: Flask) -> None:
    proctor = proctor_at(site, published)
    app.config["RELEASE_LEAD_S"] = 3600
    with site_of(site).sitedb.write() as db:  # the cloud's address now answers nothing
        link = outbox.link(db)
        assert link is not None
        outbox.set_link(db, f"http://127.0.0.1:{free_port()}", link["site_id"], link["secret"],
                        link["public_key"], iso(utcnow()))  # fmt: skip
    down = proctor.api("start", session_id="PLAN-1")
    assert down["code"] == "release_code_required" and down["reason"] == "cloud_unavailable"
    assert "请输入省考试中心公布的开考解封码" in down["message"] and down["message_en"]
    assert state(site) == "checkin_open" and opened_by(site) == []
    typed = proctor.api("start", session_id="PLAN-1", release_code=published["release_code"])
    assert typed["ok"] and state(site) == "running"  # the offline path still works
