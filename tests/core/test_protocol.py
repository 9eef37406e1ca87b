"""The /candidate protocol in-process: the happy path, every refusal, and bad input."""

from __future__ import annotations

import json

import pytest

from cloudsync.chain import verify
from examsite.engine.errors import ExamError
from examsite.engine.timing import iso
from examsite.store import answers, candidates, captures, journal
from tests.core.conftest import Room


def answered_room(room: Room) -> tuple:
    c = room.client("T-1", seat=1)
    assert room.seat(c, room.roster[0])["stage"] == "waiting"
    room.start()
    paper = room.call(c, "paper", {})
    return c, paper


def test_full_flow_with_journal(room: Room) -> None:
    c = room.client("T-1", seat=1)
    ack = room.login(c, room.roster[0])
    assert ack["ok"] and ack["stage"] == "notice"
    assert room.call(c, "room_password", {"password": "x"})["code"] == "notice_required"
    assert room.call(c, "notice_ack", {})["stage"] == "password"
    assert room.call(c, "room_password", {"password": "000000x"})["code"] == "password_wrong"
    ack = room.call(c, "room_password", {"password": room.session["exam_password"]})
    ident = ack["identity"]
    assert ack["stage"] == "confirm"
    assert ident["name"] == room.roster[0]["name"] and ident["gender_label"] == "男"
    assert "*" in ident["id_number_masked"] and ident["photo"].startswith("data:image/png;base64,")
    assert room.call(c, "confirm_identity", {"correct": True})["stage"] == "waiting"
    assert room.call(c, "paper", {})["code"] == "not_started"
    room.start()
    assert any(
        p["name"] == "session" and p["args"][0]["state"] == "running"
        for p in c.get_received("/candidate")
    )
    paper = room.call(c, "paper", {})
    assert paper["ok"] and len(paper["questions"]) == 9 and paper["answers"] == {}
    for i, q in enumerate(paper["questions"], start=1):
        assert room.call(
            c, "answer", {"seq": i, "qid": q["qid"], "value": [q["options"][0]["id"]]}
        ) == {"ok": True, "seq": i}
    assert room.call(c, "submit", {})["code"] == "submit_too_early"
    room.clock.advance(minutes=30)
    done = room.call(c, "submit", {})
    assert done["stage"] == "done" and done["result"]["answered"] == 9 and "score" in done["result"]
    assert room.call(c, "answer", {"seq": 99, "qid": "j1", "value": ["A"]})["code"] == "collected"
    with room.exam.sitedb.read() as db:
        kinds = [r["kind"] for r in journal.rows(db, limit=10000)]
    assert kinds.count("answer") == 9
    for kind in (
        "session_staged",
        "checkin_opened",
        "checkin",
        "login",
        "identity_confirmed",
        "exam_started",
        "submit",
    ):
        assert kind in kinds
    with room.exam.sitedb.read() as db:
        assert verify(journal.rows(db, limit=10000)) == (True, None)


def test_duplicate_and_conflicting_sequence(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][3]
    first = room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})
    assert first == {"ok": True, "seq": 1}
    assert (
        room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})["dup"]
        is True
    )
    assert (
        room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][1]["id"]]})[
            "code"
        ]
        == "seq_conflict"
    )
    # an older event arriving late does not overwrite a newer one of the same terminal
    assert room.call(c, "answer", {"seq": 5, "qid": q["qid"], "value": [q["options"][2]["id"]]})[
        "ok"
    ]
    assert room.call(c, "answer", {"seq": 3, "qid": q["qid"], "value": [q["options"][3]["id"]]})[
        "ok"
    ]
    with room.exam.sitedb.read() as db:
        cid = room.roster[0]["id"]
        assert answers.current(db, cid) == {q["qid"]: [q["options"][2]["id"]]}
        assert answers.event_count(db) == 3
        conflicts = [r for r in journal.rows(db, limit=10000) if r["kind"] == "seq_conflict"]
    # The re-used number is on record with both contents (a wiped terminal, or tampering).
    assert len(conflicts) == 1 and conflicts[0]["candidate_ticket"] == room.roster[0]["ticket"]
    assert conflicts[0]["payload"] == {
        "seq": 1,
        "qid": q["qid"],
        "value": [q["options"][1]["id"]],
        "stored": {"qid": q["qid"], "value": [q["options"][0]["id"]]},
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, "bad_request"),
        ("a string", "bad_request"),
        ([1, 2], "bad_request"),
        ({"seq": "1", "qid": "j1", "value": ["A"]}, "bad_request"),
        ({"seq": 0, "qid": "j1", "value": ["A"]}, "bad_request"),
        ({"seq": True, "qid": "j1", "value": ["A"]}, "bad_request"),
        ({"seq": 1, "qid": "../../x", "value": ["A"]}, "bad_request"),
        ({"seq": 1, "qid": "j1", "value": "A"}, "bad_value"),
        ({"seq": 1, "qid": "j1", "value": [1]}, "bad_value"),
        ({"seq": 1, "qid": "j1", "value": ["A"] * 17}, "bad_value"),
        (
            {"seq": 1, "qid": "j1", "value": ["A", "B"]},
            "bad_value",
        ),  # two answers to a judge question
        ({"seq": 1, "qid": "j1", "value": ["Q"]}, "bad_value"),
        ({"seq": 1, "qid": "nope", "value": ["A"]}, "qid_unknown"),
    ],
)
def test_bad_answers_change_nothing(room: Room, payload, code) -> None:
    c, _ = answered_room(room)
    if isinstance(payload, dict):
        payload = {**payload, "token": c.token}
    assert room.call(c, "answer", payload)["code"] == code
    with room.exam.sitedb.read() as db:
        assert answers.event_count(db) == 0


def test_unknown_event_and_missing_hello(room: Room) -> None:
    c = room.client("T-1", hello=False)
    assert room.call(c, "captcha", {})["code"] == "no_hello"
    assert room.call(c, "drop_tables", {})["code"] == "unknown_event"
    assert room.call(c, "hello", {"terminal_id": "bad id with spaces"})["code"] == "bad_request"
    assert room.call(c, "hello", {"terminal_id": "T" * 65})["code"] == "bad_request"
    ack = room.call(c, "hello", {"terminal_id": "T-1", "seat": 1})
    assert ack["ok"] and ack["sessions"][0]["session_id"] == room.session["id"]


def test_forged_and_foreign_tokens(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    good = c.token
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    for token in (forged, "1.T-1.0." + "0" * 40, "garbage", 12345, None):
        ack = room.call(c, "answer", {"token": token, "seq": 1, "qid": q["qid"], "value": ["A"]})
        assert ack["code"] == "token_invalid", token
    other = room.client("T-2", seat=2)
    ack = room.call(other, "answer", {"token": good, "seq": 1, "qid": q["qid"], "value": ["A"]})
    assert ack["code"] == "token_invalid"  # a token only works on its own terminal


def test_second_terminal_refused_until_transfer(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})[
        "ok"
    ]
    other = room.client("T-9", seat=9)
    ack = room.login(other, room.roster[0])
    assert ack["code"] == "logged_in_elsewhere" and ack["transfer_pending"] is False
    out = room.exam.transfer(room.roster[0]["id"], "T-9", "proctor:test", "键盘故障")
    room.site.emit(out.pushes)
    assert any(
        p["name"] == "lock" and p["args"][0]["reason"] == "moved"
        for p in c.get_received("/candidate")
    )
    assert (
        room.call(c, "answer", {"seq": 2, "qid": q["qid"], "value": ["B"]})["code"]
        == "token_revoked"
    )
    assert room.login(other, room.roster[0])["transfer_pending"] is True
    room.clock.advance(seconds=90)
    assert (
        room.call(
            other, "transfer_confirm", {"ticket": room.roster[0]["ticket"], "password": "wrong"}
        )["code"]
        == "password_wrong"
    )
    moved = room.call(
        other,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert moved["ok"] and moved["stage"] == "exam"
    other.token = moved["token"]
    again = room.call(other, "paper", {})
    assert again["answers"] == {q["qid"]: [q["options"][0]["id"]]}  # every answer came along
    # the 90 s between the fault and the resume were credited
    assert again["clock"]["ends_at_ms"] - paper["clock"]["ends_at_ms"] == pytest.approx(
        90_000, abs=50
    )


def test_transfer_credits_the_downtime_from_the_fault(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    room.clock.advance(minutes=3)
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": ["A"]})["ok"]
    room.clock.advance(seconds=20)
    c.disconnect(namespace="/candidate")  # the terminal dies
    lost = room.clock.now
    room.clock.advance(minutes=5)  # before the proctor notices and moves the candidate
    room.site.emit(room.exam.transfer(room.roster[0]["id"], "T-9", "proctor:test", "死机").pushes)
    room.clock.advance(seconds=90)
    other = room.client("T-9", seat=9)
    moved = room.call(
        other,
        "transfer_confirm",
        {"ticket": room.roster[0]["ticket"], "password": room.session["exam_password"]},
    )
    assert moved["ok"]
    other.token = moved["token"]
    again = room.call(other, "paper", {})
    # 5 min while nobody had noticed + 90 s until the resume
    assert again["clock"]["ends_at_ms"] - paper["clock"]["ends_at_ms"] == pytest.approx(
        390_000, abs=50
    )
    with room.exam.sitedb.read() as db:
        rows = {r["kind"]: r for r in journal.rows(db, session_id=room.session["id"], limit=1000)}
    transfer = rows["transfer"]["payload"]
    confirmed = rows["transfer_confirmed"]["payload"]
    assert transfer["terminal_lost_at"] == transfer["downtime_from"] == iso(lost)
    assert confirmed["downtime_from"] == iso(lost)
    assert confirmed["downtime_to"] == iso(room.clock.now)
    assert confirmed["credited_s"] == 390


def test_not_checked_in_absent_and_late_cut(room: Room) -> None:
    last = room.roster[-1]  # never checked in
    c = room.client("T-6", seat=6)
    assert room.login(c, last)["code"] == "not_checked_in"
    assert room.login(c, {**last, "name": "冒名"})["code"] == "not_on_roster"
    room.start()
    room.clock.advance(minutes=5, seconds=1)
    room.site.emit(room.exam.tick())
    assert room.login(c, last)["code"] == "ticket_absent"
    c2 = room.client("T-5", seat=5)
    assert (
        room.login(c2, room.roster[4])["code"] == "ticket_absent"
    )  # checked in but never logged in
    with room.exam.sitedb.read() as db:
        rows = journal.rows(db, limit=10000, kinds=("absent", "login_refused"))
    assert {r["candidate_ticket"] for r in rows if r["kind"] == "absent"} >= {
        last["ticket"],
        room.roster[4]["ticket"],
    }
    assert any(
        r["payload"]["code"] == "ticket_absent" for r in rows if r["kind"] == "login_refused"
    )


def test_auto_collect_at_end_even_offline(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})[
        "ok"
    ]
    c.disconnect(namespace="/candidate")
    room.clock.advance(minutes=60)
    room.site.emit(room.exam.tick())
    with room.exam.sitedb.read() as db:
        cand = candidates.get(db, room.roster[0]["id"])
        assert cand["state"] == "collected" and cand["score"] is not None
        assert (
            journal.rows(db, limit=10000, kinds=("collect",))[0]["payload"]["reason"] == "time_up"
        )


def test_captcha_failures_lock_the_terminal_and_the_ticket_for_five_minutes(room: Room) -> None:
    c = room.client("T-1", seat=1)
    cand = room.roster[0]
    for _ in range(5):
        assert room.login(c, cand, captcha="WXYZ")["code"] == "captcha_wrong"
    # A right captcha does not help while the lock lasts, nor does a new terminal id.
    locked = room.login(c, cand)
    assert locked["code"] == "too_many_attempts" and 295 <= locked["retry_after_s"] <= 300
    other = room.client("T-NEW", seat=1)
    assert room.login(other, cand)["code"] == "too_many_attempts"
    assert room.login(c, room.roster[1])["code"] == "too_many_attempts"  # the terminal, too
    room.clock.advance(minutes=4, seconds=50)
    assert room.login(c, cand)["retry_after_s"] <= 10
    room.clock.advance(seconds=11)
    assert room.login(c, cand)["ok"]
    with room.exam.sitedb.read() as db:
        locks = [r for r in journal.rows(db, limit=10000) if r["kind"] == "login_locked"]
    assert len(locks) == 1 and locks[0]["candidate_ticket"] == cand["ticket"]
    assert locks[0]["payload"]["what"] == "captcha" and locks[0]["payload"]["minutes"] == 5


def test_a_ticket_without_its_name_cannot_lock_a_candidate_out(room: Room) -> None:
    victim = room.roster[0]
    prankster = room.client("T-9", seat=9)
    wrong_name = {**victim, "name": "某某"}
    for _ in range(5):
        assert room.login(prankster, wrong_name, captcha="WXYZ")["code"] == "captcha_wrong"
    assert room.login(prankster, wrong_name)["code"] == "too_many_attempts"  # the terminal is
    own = room.client("T-1", seat=1)
    assert room.login(own, victim)["ok"]  # ... but not the candidate at their own terminal
    with room.exam.sitedb.read() as db:
        keys = [k for (k,) in db.execute("SELECT key FROM throttle")]
    assert not any(k.startswith("captcha:ticket:") for k in keys)


def test_an_expired_captcha_is_refused(room: Room) -> None:
    c = room.client("T-1", seat=1)
    cap = room.call(c, "captcha", {})
    assert (
        room.call(
            c,
            "login",
            {"name": "x", "ticket": "1", "captcha_id": cap["captcha_id"] + "x", "captcha": "TEST"},
        )["code"]
        == "captcha_expired"
    )


def test_a_right_captcha_forgives_earlier_typos(room: Room) -> None:
    c = room.client("T-1", seat=1)
    for _ in range(4):
        assert room.login(c, room.roster[0], captcha="WXYZ")["code"] == "captcha_wrong"
    assert room.login(c, room.roster[0])["ok"]
    other = room.client("T-2", seat=2)
    for _ in range(4):
        assert room.login(other, room.roster[1], captcha="WXYZ")["code"] == "captcha_wrong"
    assert room.login(other, room.roster[1])["ok"]


def test_room_password_guesses_lock_out_and_the_lock_lifts(room: Room) -> None:
    c = room.client("T-1", seat=1)
    assert room.login(c, room.roster[0])["ok"]
    assert room.call(c, "notice_ack", {})["ok"]
    for _ in range(5):
        assert room.call(c, "room_password", {"password": "000000x"})["code"] == "password_wrong"
    right = {"password": room.session["exam_password"]}
    locked = room.call(c, "room_password", right)
    assert locked["code"] == "too_many_attempts" and locked["retry_after_s"] > 290
    room.clock.advance(minutes=5, seconds=1)
    assert room.call(c, "room_password", right)["stage"] == "confirm"
    with room.exam.sitedb.read() as db:
        locks = [r for r in journal.rows(db, limit=10000) if r["kind"] == "login_locked"]
    assert [r["payload"]["what"] for r in locks] == ["room_password"]


def test_wrong_names_lock_out_after_five(room: Room) -> None:
    c = room.client("T-1", seat=1)
    for _ in range(5):
        assert room.login(c, {**room.roster[0], "name": "无此人"})["code"] == "not_on_roster"
    assert room.login(c, room.roster[0])["code"] == "too_many_attempts"


def test_capture_upload_and_refusals(room: Room) -> None:
    c, _ = answered_room(room)
    with room.exam.sitedb.write() as db:
        captures.schedule(db, "req1", room.roster[0]["id"], "2000-01-01T00:00:00.000Z")
    pushes = room.exam.tick()
    room.site.emit(pushes)
    reqs = [p for p in c.get_received("/candidate") if p["name"] == "capture_request"]
    assert reqs and reqs[0]["args"][0]["request_id"] == "req1"
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 1000
    assert (
        room.call(c, "capture", {"request_id": "req1", "image": b"not a jpeg"})["code"]
        == "not_an_image"
    )
    assert (
        room.call(c, "capture", {"request_id": "req1", "image": b"\xff\xd8\xff" + b"0" * 600_000})[
            "code"
        ]
        == "payload_too_large"
    )
    assert (
        room.call(c, "capture", {"request_id": "nope", "image": jpeg})["code"] == "capture_unknown"
    )
    assert room.call(c, "capture", {"request_id": "req1", "image": jpeg})["ok"]
    assert (
        room.call(c, "capture", {"request_id": "req1", "image": jpeg})["code"] == "capture_unknown"
    )


def test_disqualified_and_away_are_locked(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    room.site.emit(room.exam.leave(room.roster[0]["id"], "proctor:test", "如厕").pushes)
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": ["A"]})["code"] == "locked"
    other = room.client("T-2", seat=2)
    room.seat(other, room.roster[1])
    with pytest.raises(ExamError) as e:
        room.exam.leave(room.roster[1]["id"], "proctor:test")
    assert e.value.code == "one_away"
    with pytest.raises(ExamError):
        room.exam.come_back(room.roster[0]["id"], "proctor:test")  # needs the ID check or a reason
    room.site.emit(room.exam.come_back(room.roster[0]["id"], "proctor:test", {"card": "ok"}).pushes)
    assert room.call(c, "answer", {"seq": 1, "qid": q["qid"], "value": [q["options"][0]["id"]]})[
        "ok"
    ]
    room.site.emit(room.exam.disqualify(room.roster[0]["id"], "proctor:test", "夹带资料").pushes)
    assert (
        room.call(c, "answer", {"seq": 2, "qid": q["qid"], "value": [q["options"][0]["id"]]})[
            "code"
        ]
        == "disqualified"
    )
    hello = room.call(c, "hello", {"terminal_id": "T-1", "token": c.token})
    assert (
        hello["resume"]["stage"] == "locked" and hello["resume"]["lock"]["reason"] == "disqualified"
    )
    c2 = room.client("T-3", seat=3)
    assert room.login(c2, room.roster[0])["code"] == "disqualified"


def test_resume_gives_answers_and_stage(room: Room) -> None:
    c, paper = answered_room(room)
    q = paper["questions"][0]
    room.call(c, "answer", {"seq": 7, "qid": q["qid"], "value": [q["options"][0]["id"]]})
    c2 = room.client("T-1", hello=False)
    ack = room.call(c2, "hello", {"terminal_id": "T-1", "seat": 1, "token": c.token})
    assert ack["resume"]["stage"] == "exam"
    assert ack["resume"]["answers"] == {q["qid"]: [q["options"][0]["id"]]}
    assert ack["resume"]["last_seq"] == 7
    assert json.dumps(ack, ensure_ascii=False)
