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


def test_after_a_crash_no_terminal_looks_connected(live: LiveServer) -> None:
    import sqlite3

    t = Terminal(live.url, "T-CRASH", seat=3)
    assert t.connect()["ok"]
    db_path = live.instance / "examsite.sqlite3"

    def connected() -> int:
        db = sqlite3.connect(db_path)
        try:
            return db.execute("SELECT connected FROM terminals WHERE id = 'T-CRASH'").fetchone()[0]
        finally:
            db.close()

    assert connected() == 1
    live.kill()  # kill -9: the disconnect is never written
    t.close()
    assert connected() == 1
    again = LiveServer(live.instance, port=live.port).start()
    try:
        wait_for(lambda: connected() == 0)
        t2 = Terminal(live.url, "T-CRASH", seat=3)
        assert t2.connect()["ok"]  # and a terminal that comes back is connected again
        assert connected() == 1
        t2.close()
    finally:
        again.kill()
