"""Login and transfer rules that a review found open: each case a candidate or a stranger could use."""

from __future__ import annotations

import pytest

from examsite.engine.errors import ExamError
from tests.core.conftest import Room


def seated(room: Room, terminal: str, index: int = 0):
    c = room.client(terminal, seat=index + 1)
    assert room.seat(c, room.roster[index])["ok"]
    return c


def test_old_terminal_cannot_take_back_a_transferred_candidate(room: Room) -> None:
    c = seated(room, "T-1")
    room.start()
    room.site.emit(
        room.exam.transfer(room.roster[0]["id"], "T-9", "proctor:test", "屏幕故障").pushes
    )
    again = room.login(c, room.roster[0])  # the old terminal tries to log in again
    assert again["code"] == "logged_in_elsewhere" and again["transfer_pending"] is False
    new = room.client("T-9", seat=9)
    moved = room.call(
        new,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert moved["ok"] and moved["stage"] == "exam"


def test_one_open_candidate_per_terminal(room: Room) -> None:
    seated(room, "T-SAME", 0)
    other = room.client("T-SAME", seat=1)
    assert room.login(other, room.roster[1])["code"] == "terminal_occupied"


def test_transfer_target_must_be_a_terminal_id(room: Room) -> None:
    seated(room, "T-1")
    for bad in ("", "T 2", "a.b", "x" * 65):
        with pytest.raises(ExamError) as e:
            room.exam.transfer(room.roster[0]["id"], bad, "proctor:test", "故障")
        assert e.value.code == "bad_request"


def test_transfer_confirmation_guesses_are_throttled(room: Room) -> None:
    seated(room, "T-1")
    room.start()
    room.exam.transfer(room.roster[0]["id"], "T-9", "proctor:test", "故障")
    new = room.client("T-9", seat=9)
    for _ in range(5):
        ack = room.call(
            new, "transfer_confirm", {"ticket": room.roster[0]["ticket"], "password": "000000"}
        )
        assert ack["code"] == "password_wrong"
    ack = room.call(
        new,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert ack["code"] == "too_many_attempts"


def test_logging_in_again_needs_the_room_password_again(room: Room) -> None:
    c = seated(room, "T-1")
    room.start()
    paper = room.call(c, "paper", {})
    q = paper["questions"][0]
    again = room.client("T-1", seat=1)  # same terminal id, browser storage lost: a fresh login
    ack = room.login(again, room.roster[0])
    assert ack["ok"] and ack["stage"] == "password"
    assert room.call(again, "paper", {})["code"] == "password_required"
    assert (
        room.call(again, "answer", {"seq": 1, "qid": q["qid"], "value": ["A"]})["code"]
        == "password_required"
    )
    ack = room.call(again, "room_password", {"password": room.session["exam_password"]})
    assert ack["stage"] == "exam"
    assert room.call(again, "paper", {})["ok"]
