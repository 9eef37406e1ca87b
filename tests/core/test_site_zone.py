"""The site's time zone (TIME_ZONE): parsed once, its UTC offset sent with every server time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from examsite.app import create_app, site_of
from examsite.engine.zone import site_zone, utc_offset_min
from tests.core.conftest import Room

WINTER = datetime(2026, 1, 15, 4, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "winter", "summer"),
    [
        (None, 480, 480),  # the default: China Standard Time
        ("Asia/Shanghai", 480, 480),
        ("UTC+8", 480, 480),
        ("+08:00", 480, 480),
        ("UTC-03:30", -210, -210),
        ("UTC", 0, 0),
        ("America/New_York", -300, -240),  # a zone with daylight saving: offset at the instant
    ],
)
def test_site_zone_offsets(name: str | None, winter: int, summer: int) -> None:
    zone = site_zone(name)
    assert (utc_offset_min(zone, WINTER), utc_offset_min(zone, SUMMER)) == (winter, summer)


@pytest.mark.parametrize("name", ["Mars/Olympus", "UTC+25", "+8:99", "beijing"])
def test_a_bad_zone_says_what_to_write(name: str) -> None:
    with pytest.raises(ValueError, match="Asia/Shanghai"):
        site_zone(name)


def test_the_server_refuses_to_start_with_a_bad_zone(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="TIME_ZONE"):
        create_app({"ASYNC_MODE": "threading", "TIME_ZONE": "Mars/Olympus"}, str(tmp_path))


def test_a_configured_zone_reaches_the_exam_day(tmp_path: Path) -> None:
    app = create_app({"ASYNC_MODE": "threading", "TIME_ZONE": "UTC+5:30"}, str(tmp_path))
    exam = site_of(app).exam
    try:
        assert exam.time_payload()["utc_offset_min"] == 330
    finally:
        exam.sitedb.close()


def test_every_server_time_carries_the_site_offset(room: Room) -> None:
    c = room.client("T-1", seat=1, hello=False)
    hello = room.call(c, "hello", {"terminal_id": "T-1", "seat": 1})
    assert hello["utc_offset_min"] == 480 and isinstance(hello["server_time_ms"], int)
    assert room.call(c, "time", {})["utc_offset_min"] == 480
    view = room.seat(c, room.roster[0])
    assert view["clock"]["utc_offset_min"] == 480
    room.start()
    assert room.call(c, "paper", {})["clock"]["utc_offset_min"] == 480
    assert {p.payload["utc_offset_min"] for p in room.exam.time_pushes()} == {480}


def test_the_time_push_reaches_every_terminal_of_the_room_a_slice_at_a_time(room: Room) -> None:
    clients = [room.client(f"T-{i}", seat=i) for i in (1, 2, 3)]
    for c, cand in zip(clients, room.roster, strict=False):
        assert room.seat(c, cand)["ok"]
    room.start()
    for c in clients:
        c.get_received("/candidate")  # what the start pushed
    t0, base = time.monotonic(), room.clock.now
    room.exam.now = lambda: base + timedelta(seconds=time.monotonic() - t0)  # a running clock
    room.site.push_time(slice_size=2, pause_s=0.05)
    at = []
    for c in clients:
        got = [m for m in c.get_received("/candidate") if m["name"] == "time"]
        assert len(got) == 1 and got[0]["args"][0]["utc_offset_min"] == 480
        at.append(got[0]["args"][0]["server_time_ms"])
    # the second slice went a pause later, with the time read afresh
    assert at[0] == at[1] and at[2] - at[0] >= 50
