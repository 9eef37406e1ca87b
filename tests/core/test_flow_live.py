"""End-to-end: real server subprocess, real python-socketio clients."""

from __future__ import annotations

from tests.live import LiveServer, Terminal, wait_for


def test_login_confirm_answer_submit(live: LiveServer) -> None:
    st = live.staged  # type: ignore[attr-defined]
    c = st["roster"][0]
    t = Terminal(live.url, "T-1", seat=1)
    assert t.connect()["ok"]
    ack = t.through_to_confirm(c["name"], c["ticket"], st["password"])
    assert ack["ok"] and ack["stage"] == "waiting"
    assert t.call("paper", {})["code"] == "not_started"
    r = live.cli("start", "--session", st["session"]["id"])
    assert r.returncode == 0, r.stderr
    wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in t.pushes))
    paper = t.call("paper", {})
    assert paper["ok"] and len(paper["questions"]) == 9
    q = paper["questions"][0]
    a1 = t.call("answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})
    assert a1 == {"ok": True, "seq": 1}
    assert (
        t.call("answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})["dup"]
        is True
    )
    bad = t.call("answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][1]["id"]]})
    assert bad["code"] == "seq_conflict"
    assert t.call("submit", {})["code"] == "submit_too_early"
    t.close()
