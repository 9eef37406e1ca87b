"""End-to-end through hand-in: real server subprocess, real python-socketio clients, short rules."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from examsite import demo
from tests.live import LiveServer, Terminal, stage, wait_for

KEY = {q["qid"]: q["answer"] for q in demo.PAPER["questions"]}


@pytest.fixture
def quick(tmp_path: Path):
    """The demo exam with hand-in allowed 3 s after the start."""
    instance = tmp_path / "instance"
    info = stage(instance, submit_after_min=0.05)
    server = LiveServer(instance).start()
    try:
        yield server, info
    finally:
        server.kill()


def test_answer_everything_submit_and_see_the_result(quick: tuple[LiveServer, dict]) -> None:
    live, st = quick
    good, poor = st["roster"][0], st["roster"][1]
    t1, t2 = Terminal(live.url, "T-1", seat=1), Terminal(live.url, "T-2", seat=2)
    try:
        for t, c in ((t1, good), (t2, poor)):
            assert t.connect()["ok"]
            assert t.through_to_confirm(c["name"], c["ticket"], st["password"])["ok"]
        assert live.cli("start", "--session", st["session"]["id"]).returncode == 0
        wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in t1.pushes))

        paper = t1.call("paper", {})
        assert paper["ok"]
        for seq, q in enumerate(paper["questions"], start=1):
            assert t1.call("answer", {"seq": seq, "qid": q["qid"], "value": KEY[q["qid"]]})["ok"]
        wrong = t2.call("paper", {})["questions"][0]
        other = next(o["id"] for o in wrong["options"] if [o["id"]] != KEY[wrong["qid"]])
        assert t2.call("answer", {"seq": 1, "qid": wrong["qid"], "value": [other]})["ok"]

        # hand-in opens 3 s after the start (submit_after_min of the session)
        deadline = time.monotonic() + 20
        while (out := t1.call("submit", {}))["ok"] is False:
            assert out["code"] == "submit_too_early", out
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert out["stage"] == "done"
        total = len(demo.PAPER["questions"])
        assert out["result"]["answered"] == total
        assert out["result"]["score"] == demo.PAPER["total_score"]
        assert out["result"]["passed"] is True
        low = t2.call("submit", {})
        assert low["ok"] and low["result"]["answered"] == 1 and low["result"]["passed"] is False

        # handed in: answering is over, a second hand-in only repeats the result
        q = paper["questions"][0]
        assert t1.call("answer", {"seq": total + 1, "qid": q["qid"], "value": ["A"]})["ok"] is False
        assert t1.call("submit", {})["already"] is True
        # every commit of the run went through the server's commit thread: the chain is whole
        checked = live.cli("verify-journal")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        t1.close()
        t2.close()

    db = sqlite3.connect(live.instance / "examsite.sqlite3")
    try:
        states = dict(
            db.execute(
                "select ticket, state from candidates where ticket in (?, ?)",
                (good["ticket"], poor["ticket"]),
            )
        )
        kinds = [k for (k,) in db.execute("select kind from journal where kind = 'submit'")]
    finally:
        db.close()
    assert states == {good["ticket"]: "submitted", poor["ticket"]: "submitted"}
    assert len(kinds) == 2
