"""The time ledger: extensions, credited downtime, pauses; the server clock decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from examsite.engine.timing import (
    LedgerEntry,
    Timing,
    candidate_end,
    downtime_start,
    is_paused,
    iso,
    parse_iso,
    remaining_seconds,
)

T0 = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
S = timedelta(seconds=1)
TIMING = Timing(duration_min=60)


def e(kind: str, at_s: float, seconds: int = 0) -> LedgerEntry:
    return LedgerEntry(kind=kind, at=T0 + at_s * S, seconds=seconds)


@pytest.mark.parametrize(
    ("entries", "now_s", "remaining"),
    [
        ([], 0, 3600),
        ([], 1800, 1800),
        ([], 4000, 0),  # never negative
        ([e("extension", 100, 300)], 1800, 2100),
        ([e("credit", 100, 90)], 3600, 90),
        ([e("pause", 600), e("resume", 660)], 1800, 1860),  # 60 s downtime credited
        ([e("pause", 600)], 900, 3000),  # the clock stands still while paused
        ([e("pause", 600)], 2000, 3000),
        (
            [e("pause", 600), e("pause", 630), e("resume", 660)],
            1800,
            1860,
        ),  # a second pause is ignored
        ([e("resume", 500)], 1800, 1800),  # a stray resume adds nothing
        ([e("extension", 10, 600), e("pause", 600), e("resume", 720)], 3600, 720),
    ],
)
def test_remaining(entries, now_s, remaining) -> None:
    assert remaining_seconds(TIMING, T0, entries, T0 + now_s * S) == remaining


def test_pause_state() -> None:
    assert is_paused([e("pause", 1)])
    assert not is_paused([e("pause", 1), e("resume", 2)])
    assert not is_paused([])


def test_end_moves_with_ledger() -> None:
    assert candidate_end(TIMING, T0, [], T0) == T0 + 3600 * S
    assert candidate_end(TIMING, T0, [e("extension", 0, 60)], T0) == T0 + 3660 * S


def test_fractional_minutes_for_drills() -> None:
    t = Timing(duration_min=0.5, submit_after_min=0.1, late_cut_min=0.05)
    assert t.base_end(T0) == T0 + 30 * S
    assert t.submit_allowed_at(T0) == T0 + 6 * S


def test_iso_round_trip() -> None:
    dt = datetime(2026, 11, 24, 1, 30, 5, 123000, tzinfo=UTC)
    assert iso(dt) == "2026-11-24T01:30:05.123Z"
    assert parse_iso(iso(dt)) == dt


@pytest.mark.parametrize(
    ("lost_s", "activity_s", "entries", "expected_s"),
    [
        (None, None, [], 600),  # old terminal still connected: the proctor's call
        (300, None, [], 300),  # disconnected at 300 s: the pause starts there
        (300, 420, [], 420),  # an answer stored after the disconnect: from that answer
        (300, 100, [], 300),  # an answer before the disconnect changes nothing
        (-50, None, [], 0),  # lost before the candidate began: from the start
        (300, None, [e("pause", 350), e("resume", 380)], 380),  # never credited twice
        (300, None, [e("extension", 400, 300)], 300),  # an extension is no downtime
        (900, None, [], 600),  # a clock-skewed disconnect: never after the transfer
    ],
)
def test_downtime_start(
    lost_s: float | None, activity_s: float | None, entries: list[LedgerEntry], expected_s: float
) -> None:
    at = downtime_start(
        T0 + 600 * S,
        T0,
        entries,
        lost_at=None if lost_s is None else T0 + lost_s * S,
        last_activity=None if activity_s is None else T0 + activity_s * S,
    )
    assert at == T0 + expected_s * S
