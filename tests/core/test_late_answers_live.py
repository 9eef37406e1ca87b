"""Late answers end to end: real server subprocess, real python-socketio clients, the console's HTTP API.

A terminal whose network is down when the candidate's time ends re-sends its answers afterwards;
the server refuses them as `collected`, keeps them when the page hands them over as a
`late_answers` batch, and a proctor accepts those made before the end.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.terminal_page import Proctor
from tests.live import LiveServer, Terminal, stage, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def short_exam(tmp_path: Path) -> Iterator[LiveServer]:
    """A staged exam of 15 seconds on the real server."""
    info = stage(tmp_path / "instance", duration_min=0.25, submit_after_min=0.05)
    info["instance"] = tmp_path / "instance"
    server = LiveServer(info["instance"]).start()
    server.staged = info  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.kill()


def rows(server: LiveServer, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    path = server.instance / "examsite.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        return list(db.execute(sql, args))


def test_answers_refused_after_the_end_are_kept_and_a_proctor_accepts_them(
    short_exam: LiveServer,
) -> None:
    server = short_exam
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][0]
    t = Terminal(server.url, "T-LATE", seat=1)
    assert t.connect()["ok"]
    assert t.through_to_confirm(cand["name"], cand["ticket"], st["password"])["ok"]
    assert server.cli("start", "--session", st["session"]["id"]).returncode == 0
    wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in t.pushes))
    paper = t.call("paper", {})
    assert paper["ok"]
    qs = {q["qid"]: q for q in paper["questions"]}
    ends_at = paper["clock"]["ends_at_ms"]
    j1, j2, j3 = "j1", "j2", "j3"
    assert t.call("answer", {"seq": 1, "qid": j1, "value": ["A"]})["ok"]  # wrong (key B)

    # "Offline" from here: the page keeps two answers, made before the end, with its estimate of
    # the server time; a third it stamps after the end (a forged or late stamp).
    before = t.call("time", {})["server_time_ms"]
    assert before < ends_at
    wait_for(lambda: any(e == "collected" for e, _ in t.pushes), timeout=40)
    refused = t.call("answer", {"seq": 2, "qid": j2, "value": ["A"]})
    assert refused["code"] == "collected"
    late = [
        {"seq": 2, "qid": j2, "value": ["A"], "at_ms": before},  # right
        {"seq": 3, "qid": j1, "value": ["B"], "at_ms": before + 1},  # corrects j1: right
        {"seq": 4, "qid": j3, "value": ["B"], "at_ms": ends_at + 5000},  # after the end
    ]
    assert all(q in qs for q in (j1, j2, j3))
    (score_before,) = rows(
        server, "SELECT score FROM candidates WHERE ticket = ?", (cand["ticket"],)
    )

    ack = t.call("late_answers", {"answers": late})
    assert ack == {"ok": True, "received": 3, "kept": 3, "before_end": 2, "invalid": 0}
    # The acknowledgement was lost and the page sends the batch again: nothing new.
    again = t.call("late_answers", {"answers": late})
    assert again["ok"] and again["kept"] == 0
    kept = rows(
        server,
        "SELECT seq, qid, value, est_at_ms, before_end, status FROM late_answers ORDER BY seq",
    )
    assert kept == [
        (2, j2, '["A"]', before, 1, "pending"),
        (3, j1, '["B"]', before + 1, 1, "pending"),
        (4, j3, '["B"]', ends_at + 5000, 0, "pending"),
    ]
    journaled = rows(server, "SELECT payload FROM journal WHERE kind = 'late_answers'")
    assert len(journaled) == 1
    payload = json.loads(journaled[0][0])
    assert payload["count"] == 3 and payload["before_end"] == 2
    assert [a["qid"] for a in payload["answers"]] == [j2, j1, j3]
    # On record only: the score and the answers are unchanged.
    assert rows(server, "SELECT score FROM candidates WHERE ticket = ?", (cand["ticket"],)) == [
        score_before
    ]
    assert rows(server, "SELECT qid, value FROM answers") == [(j1, '["A"]')]

    proctor = Proctor(server)
    snap = proctor.http.get(
        f"{server.url}/console/api/snapshot", params={"session": st["session"]["id"]}, timeout=10
    ).json()
    seat = next(s for s in snap["seats"] if s["ticket"] == cand["ticket"])
    assert seat["late_answers"] == {"pending": 3, "before_end": 2}
    assert "late_answers" in [a["code"] for a in seat["alerts"]]

    cid = seat["candidate_id"]
    assert proctor.act("accept_late_answers", candidate_id=cid)["code"] == "reason_required"
    done = proctor.act("accept_late_answers", candidate_id=cid, reason="交换机故障，考生离线作答")
    assert done["ok"] and done["accepted"] == 2 and done["answered"] == 2
    assert dict(rows(server, "SELECT qid, value FROM answers")) == {j1: '["B"]', j2: '["A"]'}
    ((score_after,),) = rows(
        server, "SELECT score FROM candidates WHERE ticket = ?", (cand["ticket"],)
    )
    assert score_after > (score_before[0] or 0)
    assert rows(server, "SELECT seq, status FROM late_answers ORDER BY seq") == [
        (2, "accepted"),
        (3, "accepted"),
        (4, "pending"),
    ]
    (accepted,) = rows(server, "SELECT payload FROM journal WHERE kind = 'late_answers_accepted'")
    assert json.loads(accepted[0])["count"] == 2
    assert proctor.act("accept_late_answers", candidate_id=cid, reason="again")["code"] == (
        "no_late_answers"
    )
    t.close()


def test_a_late_batch_while_the_paper_is_open_is_refused(short_exam: LiveServer) -> None:
    server = short_exam
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][1]
    t = Terminal(server.url, "T-OPEN", seat=2)
    assert t.connect()["ok"]
    assert t.through_to_confirm(cand["name"], cand["ticket"], st["password"])["ok"]
    assert server.cli("start", "--session", st["session"]["id"]).returncode == 0
    wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in t.pushes))
    ack = t.call("late_answers", {"answers": [{"seq": 1, "qid": "j1", "value": ["A"], "at_ms": 1}]})
    assert ack["code"] == "paper_open"
    assert t.call("late_answers", {"answers": []})["code"] == "bad_request"
    assert (
        t.call(
            "late_answers", {"answers": [{"seq": 1, "qid": "j1", "value": ["A"], "at_ms": "x"}]}
        )["code"]
        == "bad_request"
    )
    t.close()
