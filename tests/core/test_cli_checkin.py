"""`examsite checkin`: the desk bypass names the session when a ticket is on several rosters."""

from __future__ import annotations

from pathlib import Path

import pytest

from examsite import demo
from examsite.app import create_app, site_of
from examsite.cli import main
from examsite.engine.timing import utcnow
from examsite.store import candidates


def test_checkin_asks_for_the_session_when_the_ticket_is_on_two_rosters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "instance"
    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    exam = site_of(app).exam
    for sid, starts_in in (("S-AM", 10), ("S-PM", 240)):
        session = demo.demo_session(utcnow(), starts_in_min=starts_in) | {"id": sid}
        exam.stage_session(session, demo.PAPER, demo.demo_roster(), actor="test")
    exam.tick()
    site_of(app).sitedb.close()
    ticket = demo.demo_roster()[0]["ticket"]
    base = ["--instance", str(instance), "checkin", "--ticket", ticket, "--reason", "读卡器故障"]

    assert main(base) == 1
    err = capsys.readouterr().err
    assert "S-AM" in err and "S-PM" in err and "--session" in err

    assert main([*base, "--session", "S-AM"]) == 0
    assert main(["--instance", str(instance), "checkin", "--ticket", "0000", "--reason", "x"]) == 1
    assert "不在名单中" in capsys.readouterr().err
    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    with site_of(app).sitedb.read() as db:
        states = {c["session_id"]: c["state"] for c in candidates.by_ticket(db, ticket)}
    site_of(app).sitedb.close()
    assert states == {"S-AM": "checked_in", "S-PM": "expected"}
