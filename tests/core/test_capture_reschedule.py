"""A random capture that falls due while the candidate is away or offline is taken after the return."""

from __future__ import annotations

from datetime import timedelta

from examsite.engine.timing import iso, parse_iso
from examsite.store import captures, journal
from tests.core.conftest import Room


def _plan(room: Room, candidate_id: int, first_in_s: float) -> str:
    """Keep one capture of the candidate, due `first_in_s` from now; the others never."""
    with room.exam.sitedb.write() as db:
        rows = db.execute(
            "SELECT request_id FROM captures WHERE candidate_id = ? ORDER BY id", [candidate_id]
        ).fetchall()
        late = iso(room.clock.now + timedelta(hours=3))
        for (rid,) in rows:
            captures.update(db, rid, due_at=late)
        captures.update(db, rows[0][0], due_at=iso(room.clock.now + timedelta(seconds=first_in_s)))
    return rows[0][0]


def _requests(c) -> list[str]:
    return [
        p["args"][0]["request_id"]
        for p in c.get_received("/candidate")
        if p["name"] == "capture_request"
    ]


def _tick(room: Room) -> None:
    room.site.emit(room.exam.tick())


def _rescheduled(room: Room) -> list[dict]:
    with room.exam.sitedb.read() as db:
        rows = journal.rows(db, session_id=room.session["id"], kinds=("capture_rescheduled",))
    return [{**r["payload"], "ticket": r["candidate_ticket"]} for r in rows]


def test_capture_due_while_away_is_taken_after_the_return(room: Room) -> None:
    c = room.client("T-1", seat=1)
    assert room.seat(c, room.roster[0])["stage"] == "waiting"
    room.start()
    cid = room.roster[0]["id"]
    rid = _plan(room, cid, 60)
    room.site.emit(room.exam.leave(cid, "proctor:test", "如厕").pushes)
    c.get_received("/candidate")
    room.clock.advance(seconds=61)
    _tick(room)
    room.clock.advance(minutes=4)
    _tick(room)
    assert _requests(c) == []  # nobody at the seat: not asked, not lost
    with room.exam.sitedb.read() as db:
        cap = captures.get(db, rid)
    assert cap and cap["requested_at"] is None and cap["deferred_reason"] == "away"

    room.site.emit(room.exam.come_back(cid, "proctor:test", None, "已核验身份证").pushes)
    back = room.clock.now
    _tick(room)
    assert _requests(c) == []  # not at the very moment of the return
    [row] = _rescheduled(room)
    due = parse_iso(row["due_at"])
    assert row["request_id"] == rid and row["why"] == "away"
    assert row["ticket"] == room.roster[0]["ticket"]
    assert back + timedelta(seconds=20) <= due <= back + timedelta(seconds=180)
    room.clock.now = due
    _tick(room)
    assert _requests(c) == [rid]
    with room.exam.sitedb.read() as db:
        kinds = [r["kind"] for r in journal.rows(db, session_id=room.session["id"], limit=1000)]
    assert kinds.count("capture_requested") == 1
    _tick(room)
    assert _requests(c) == []  # asked once


def test_capture_due_while_offline_is_rescheduled_inside_the_remaining_time(room: Room) -> None:
    c = room.client("T-2", seat=2)
    assert room.seat(c, room.roster[1])["stage"] == "waiting"
    room.start()
    cid = room.roster[1]["id"]
    rid = _plan(room, cid, 30)
    c.disconnect(namespace="/candidate")  # the terminal drops off the network
    room.clock.advance(minutes=57)  # 3 minutes of the 60 left
    _tick(room)
    with room.exam.sitedb.read() as db:
        assert captures.get(db, rid)["deferred_reason"] == "offline"  # type: ignore[index]
    again = room.client("T-2", seat=2)  # reconnects
    again.token = c.token
    assert room.call(again, "hello", {"terminal_id": "T-2", "seat": 2})["resume"]["stage"] == (
        "exam"
    )
    now = room.clock.now
    _tick(room)
    [row] = _rescheduled(room)
    assert row["why"] == "offline"
    # 180 s remain: asked for within 80 % of them, never after the end
    assert now < parse_iso(row["due_at"]) <= now + timedelta(seconds=144)
    room.clock.now = parse_iso(row["due_at"])
    _tick(room)
    assert _requests(again) == [rid]


def test_a_capture_asked_for_before_a_reload_is_asked_for_again_on_resume(room: Room) -> None:
    c = room.client("T-3", seat=3)
    assert room.seat(c, room.roster[2])["stage"] == "waiting"
    room.start()
    assert room.call(c, "paper", {})["ok"]
    rid = _plan(room, room.roster[2]["id"], 30)
    room.clock.advance(seconds=31)
    _tick(room)
    assert _requests(c) == [rid]
    c.disconnect(namespace="/candidate")  # the page reloads before it could upload the still

    again = room.client("T-3", seat=3, hello=False)
    hello = room.call(again, "hello", {"terminal_id": "T-3", "seat": 3, "token": c.token})
    assert hello["resume"]["stage"] == "exam" and hello["resume"]["capture_requests"] == [rid]
    again.token = c.token
    jpeg = b"\xff\xd8\xff" + b"0" * 1000
    assert room.call(again, "capture", {"request_id": rid, "image": jpeg})["ok"]
    hello = room.call(again, "hello", {"terminal_id": "T-3", "seat": 3, "token": c.token})
    assert hello["resume"]["capture_requests"] == []  # taken: not asked for again
