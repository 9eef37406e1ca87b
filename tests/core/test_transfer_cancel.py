"""A mistaken seat transfer withdrawn before the candidate confirms it on the new terminal."""

from __future__ import annotations

import pytest

from examsite.engine.errors import ExamError
from examsite.store import journal
from tests.core.conftest import Room
from tests.core.test_protocol import answered_room


def _pushes(c, name: str) -> list[dict]:
    # the test client hands an event named "message" over as its bare payload
    got = c.get_received("/candidate")
    return [p["args"] if name == "message" else p["args"][0] for p in got if p["name"] == name]


def test_cancelled_transfer_gives_the_old_terminal_back_and_credits_the_downtime(
    room: Room,
) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    cid = room.roster[0]["id"]
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": ["A"]})["ok"]
    room.clock.advance(minutes=2)
    room.site.emit(room.exam.transfer(cid, "T-9", "proctor:test", "终端死机").pushes)
    room.clock.advance(seconds=30)
    # re-aimed at another free terminal while still pending: still one revocation
    room.site.emit(room.exam.transfer(cid, "T-8", "proctor:test", "选错终端").pushes)
    new = room.client("T-8", seat=8)
    c.get_received("/candidate")
    room.clock.advance(seconds=60)

    with pytest.raises(ExamError) as e:
        room.exam.cancel_transfer(cid, "proctor:test", "  ")
    assert e.value.code == "reason_required"
    out = room.exam.cancel_transfer(cid, "proctor:test", "选错考生")
    room.site.emit(out.pushes)
    assert out.ack == {"ok": True, "credited_s": 90}
    assert _pushes(c, "unlock") == [{}]
    assert "取消" in _pushes(new, "message")[0]["text"]

    # the new terminal can no longer take the candidate
    ack = room.call(
        new,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert ack["code"] == "transfer_not_pending"
    # the old terminal's login is valid again, but the room password is asked once more
    hello = room.call(c, "hello", {"terminal_id": "T-1", "seat": 1, "token": c.token})
    assert hello["resume"]["stage"] == "password"
    assert room.call(c, "answer", {"seq": 2, "qid": q["qid"], "value": ["B"]})["code"] == (
        "password_required"
    )
    ack = room.call(c, "room_password", {"password": room.session["exam_password"]})
    assert ack["stage"] == "exam"
    assert room.call(c, "answer", {"seq": 2, "qid": q["qid"], "value": ["B"]})["ok"]
    again = room.call(c, "paper", {})
    # the 90 s from the transfer to the cancellation were credited, nothing more
    assert again["clock"]["ends_at_ms"] - paper["clock"]["ends_at_ms"] == pytest.approx(
        90_000, abs=50
    )
    with room.exam.sitedb.read() as db:
        rows = journal.rows(db, session_id=room.session["id"], kinds=("transfer_cancelled",))
    assert len(rows) == 1
    p = rows[0]["payload"]
    assert (p["from_terminal"], p["to_terminal"], p["reason"]) == ("T-1", "T-8", "选错考生")
    assert p["credited_s"] == 90 and rows[0]["actor"] == "proctor:test"

    # nothing pending any more; a later real transfer works as before
    with pytest.raises(ExamError) as e:
        room.exam.cancel_transfer(cid, "proctor:test", "again")
    assert e.value.code == "no_transfer_pending"
    room.site.emit(room.exam.transfer(cid, "T-9", "proctor:test", "键盘故障").pushes)
    assert room.call(c, "answer", {"seq": 3, "qid": q["qid"], "value": ["A"]})["code"] == (
        "token_revoked"
    )
    other = room.client("T-9", seat=9)
    moved = room.call(
        other,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert moved["ok"] and moved["stage"] == "exam"
    with pytest.raises(ExamError) as e:  # confirmed: too late to cancel
        room.exam.cancel_transfer(cid, "proctor:test", "太迟")
    assert e.value.code == "no_transfer_pending"


def test_cancel_before_the_start_needs_no_credit(room: Room) -> None:
    c = room.client("T-1", seat=1)
    assert room.seat(c, room.roster[0])["stage"] == "waiting"
    cid = room.roster[0]["id"]
    room.exam.transfer(cid, "T-9", "proctor:test", "故障")
    out = room.exam.cancel_transfer(cid, "proctor:test", "选错考生")
    assert out.ack == {"ok": True, "credited_s": None}
    hello = room.call(c, "hello", {"terminal_id": "T-1", "seat": 1, "token": c.token})
    assert hello["resume"]["stage"] == "password"
