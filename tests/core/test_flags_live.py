"""Flags (标记) are kept on the server and follow the candidate to a new terminal: real server
subprocess, real python-socketio clients, the proctor's transfer through the console."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.kiosk.terminal_page import Proctor
from tests.live import LiveServer, Terminal, wait_for


def journal_kinds(live: LiveServer) -> list[str]:
    path = live.instance / "examsite.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return [r[0] for r in db.execute("SELECT kind FROM journal")]


def test_flags_are_stored_and_follow_a_seat_transfer(live: LiveServer) -> None:
    st = live.staged  # type: ignore[attr-defined]
    c = st["roster"][0]
    old = Terminal(live.url, "T-FLAG-OLD", seat=1)
    assert old.connect()["ok"]
    assert old.through_to_confirm(c["name"], c["ticket"], st["password"])["ok"]
    # Before the start there is no paper to flag in.
    assert old.call("flag", {"qid": "x", "flagged": True})["code"] == "not_started"
    assert live.cli("start", "--session", st["session"]["id"]).returncode == 0
    wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in old.pushes))
    paper = old.call("paper", {})
    assert paper["ok"] and paper["flags"] == []
    q1, q2, q3 = (q["qid"] for q in paper["questions"][:3])

    before = journal_kinds(live)
    for qid in (q1, q2, q3):
        assert old.call("flag", {"qid": qid, "flagged": True}) == {
            "ok": True,
            "qid": qid,
            "flagged": True,
        }
    assert old.call("flag", {"qid": q2, "flagged": False})["ok"]
    assert old.call("flag", {"qid": q2, "flagged": False})["ok"]  # a re-send changes nothing
    assert old.call("flag", {"qid": q1, "flagged": True})["ok"]
    assert old.call("paper", {})["flags"] == [q1, q3]
    # Refusals: a question not on this paper, a malformed event.
    assert old.call("flag", {"qid": "NOPE", "flagged": True})["code"] == "qid_unknown"
    assert old.call("flag", {"qid": q1, "flagged": "yes"})["code"] == "bad_request"
    assert old.call("flag", {"qid": "bad qid!", "flagged": True})["code"] == "bad_request"
    # Not journaled: a flag is the candidate's bookmark, not part of the exam record.
    assert journal_kinds(live) == before

    # A resume (reconnect with the token) brings them back too.
    token = old.token
    old.close()
    old = Terminal(live.url, "T-FLAG-OLD", seat=1)
    old.token = token
    assert old.connect()["resume"]["flags"] == [q1, q3]

    # The proctor moves the candidate; the new terminal gets the flags with the paper.
    new = Terminal(live.url, "T-FLAG-NEW", seat=9)
    assert new.connect()["ok"]
    proctor = Proctor(live)
    path = live.instance / "examsite.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        ((cid,),) = db.execute("SELECT id FROM candidates WHERE ticket = ?", (c["ticket"],))
    assert proctor.act("transfer", candidate_id=cid, terminal_id="T-FLAG-NEW", reason="键盘故障")[
        "ok"
    ]
    ack = new.call("transfer_confirm", {"ticket": c["ticket"], "password": st["password"]})
    assert ack["ok"], ack
    new.token = ack["token"]
    moved = new.call("paper", {})
    assert moved["ok"] and moved["flags"] == [q1, q3]
    # The old terminal can no longer change them.
    assert old.call("flag", {"qid": q2, "flagged": True})["code"] == ("token_revoked")
    assert new.call("flag", {"qid": q3, "flagged": False})["ok"]
    assert new.call("paper", {})["flags"] == [q1]
    old.close()
    new.close()
