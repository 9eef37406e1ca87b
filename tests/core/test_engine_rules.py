"""The exam rules as tables: every decision of the rules engine, edge by edge (000 att.3 §1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from examsite.engine import rules
from examsite.engine.errors import ExamError
from examsite.engine.states import (
    CANDIDATE_TRANSITIONS,
    FINAL_STATES,
    CandidateState,
    SessionState,
    next_candidate_state,
    next_session_state,
)
from examsite.engine.timing import Timing

C, S = CandidateState, SessionState
T0 = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # scheduled start
M = timedelta(minutes=1)


def view(
    state: S, started: datetime | None = None, timing: Timing | None = None
) -> rules.SessionView:
    return rules.SessionView(
        state=state, starts_at=T0, timing=timing or Timing(), started_at=started
    )


def outcome(fn, *args) -> str:
    try:
        fn(*args)
    except ExamError as e:
        return e.code
    return "ok"


@pytest.mark.parametrize(
    ("session", "cand", "now", "expected"),
    [
        (view(S.STAGED), C.EXPECTED, T0 - 31 * M, "checkin_not_open"),
        (view(S.STAGED), C.EXPECTED, T0 - 30 * M, "ok"),  # opens exactly 30 min before
        (view(S.CHECKIN_OPEN), C.EXPECTED, T0 - 10 * M, "ok"),
        (view(S.CHECKIN_OPEN), C.CHECKED_IN, T0 - 10 * M, "ok"),  # re-check is harmless
        (view(S.RUNNING, T0), C.EXPECTED, T0 + 5 * M, "ok"),  # exactly at the late cut
        (view(S.RUNNING, T0), C.EXPECTED, T0 + 5 * M + timedelta(seconds=1), "ticket_absent"),
        (
            view(S.RUNNING, T0 + 10 * M),
            C.EXPECTED,
            T0 + 14 * M,
            "ok",
        ),  # cut counts from the actual start
        (view(S.CHECKIN_OPEN), C.ABSENT, T0, "ticket_absent"),
        (view(S.CHECKIN_OPEN), C.DISQUALIFIED, T0, "disqualified"),
        (view(S.CHECKIN_OPEN), C.ANSWERING, T0, "already_checked_in"),
        (view(S.ENDED, T0), C.EXPECTED, T0 + 99 * M, "exam_over"),
    ],
)
def test_checkin(session, cand, now, expected) -> None:
    assert outcome(rules.check_checkin, session, cand, now) == expected


@pytest.mark.parametrize(
    ("session", "cand", "now", "expected"),
    [
        (view(S.CHECKIN_OPEN), C.EXPECTED, T0 - 10 * M, "not_checked_in"),
        (view(S.CHECKIN_OPEN), C.CHECKED_IN, T0 - 10 * M, "ok"),
        (view(S.STAGED), C.CHECKED_IN, T0 - 40 * M, "not_open"),
        (view(S.RUNNING, T0), C.CHECKED_IN, T0 + 5 * M, "ok"),
        (view(S.RUNNING, T0), C.CHECKED_IN, T0 + 6 * M, "ticket_absent"),  # late by more than 5 min
        (view(S.RUNNING, T0), C.EXPECTED, T0 + 6 * M, "ticket_absent"),
        (view(S.RUNNING, T0), C.ANSWERING, T0 + 50 * M, "ok"),  # re-login after a browser restart
        (view(S.RUNNING, T0), C.AWAY, T0 + 50 * M, "ok"),
        (view(S.RUNNING, T0), C.ABSENT, T0 + 1 * M, "ticket_absent"),
        (view(S.RUNNING, T0), C.DISQUALIFIED, T0 + 1 * M, "disqualified"),
        (view(S.RUNNING, T0), C.SUBMITTED, T0 + 40 * M, "collected"),
        (view(S.RUNNING, T0), C.COLLECTED, T0 + 40 * M, "collected"),
        (view(S.ENDED, T0), C.CHECKED_IN, T0 + 99 * M, "exam_over"),
    ],
)
def test_login(session, cand, now, expected) -> None:
    assert outcome(rules.check_login, session, cand, now) == expected


@pytest.mark.parametrize(
    ("session", "cand", "expected"),
    [
        (view(S.CHECKIN_OPEN), C.CONFIRMED, "not_started"),
        (view(S.RUNNING, T0), C.ANSWERING, "ok"),
        (view(S.RUNNING, T0), C.LOGGED_IN, "identity_required"),
        (view(S.RUNNING, T0), C.AWAY, "locked"),
        (view(S.RUNNING, T0), C.SUBMITTED, "collected"),
        (view(S.RUNNING, T0), C.COLLECTED, "collected"),
        (view(S.RUNNING, T0), C.DISQUALIFIED, "disqualified"),
        (view(S.ENDED, T0), C.ANSWERING, "collected"),
    ],
)
def test_answering(session, cand, expected) -> None:
    assert outcome(rules.check_answering, session, cand) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 + 29 * M, "submit_too_early"),
        (T0 + 30 * M - timedelta(milliseconds=1), "submit_too_early"),
        (T0 + 30 * M, "ok"),
        (T0 + 80 * M, "ok"),
    ],
)
def test_submit_after_30_minutes(now, expected) -> None:
    assert outcome(rules.check_submit, view(S.RUNNING, T0), C.ANSWERING, now) == expected


def test_durations_are_settings() -> None:
    timing = Timing(duration_min=120, checkin_open_min=45, late_cut_min=10, submit_after_min=60)
    assert (
        outcome(rules.check_checkin, view(S.STAGED, timing=timing), C.EXPECTED, T0 - 45 * M) == "ok"
    )
    assert outcome(rules.check_login, view(S.RUNNING, T0, timing), C.CHECKED_IN, T0 + 9 * M) == "ok"
    assert (
        outcome(rules.check_submit, view(S.RUNNING, T0, timing), C.ANSWERING, T0 + 59 * M)
        == "submit_too_early"
    )


def refusal(check, session, state, now) -> dict:
    with pytest.raises(ExamError) as e:
        check(session, state, now)
    return e.value.as_ack()


def test_refusal_messages_say_the_sessions_minutes() -> None:
    timing = Timing(duration_min=120, checkin_open_min=45, late_cut_min=10, submit_after_min=60)
    late = refusal(rules.check_login, view(S.RUNNING, T0, timing), C.CHECKED_IN, T0 + 11 * M)
    assert late["code"] == "ticket_absent"
    assert "开考已超过10分钟" in late["message"] and "More than 10 minutes" in late["message_en"]
    early = refusal(rules.check_submit, view(S.RUNNING, T0, timing), C.ANSWERING, T0 + 59 * M)
    assert "开考60分钟后方可交卷" in early["message"] and "60 minutes" in early["message_en"]
    closed = refusal(rules.check_checkin, view(S.STAGED, timing=timing), C.EXPECTED, T0 - 46 * M)
    assert "开考前45分钟开放" in closed["message"] and "45 minutes" in closed["message_en"]
    # Fractions, as drills and tests use them.
    short = Timing(submit_after_min=0.5)
    assert (
        "开考0.5分钟后"
        in refusal(rules.check_submit, view(S.RUNNING, T0, short), C.ANSWERING, T0)["message"]
    )
    # Without the session's minutes (a state refusal) the message names no number at all.
    bare = ExamError("ticket_absent").as_ack()
    assert not any(ch.isdigit() for ch in bare["message"] + bare["message_en"])
    assert "{" not in bare["message"] + bare["message_en"]


@pytest.mark.parametrize(
    ("session", "now", "expected"),
    [
        (view(S.RUNNING, T0), T0 + 5 * M, False),
        (view(S.RUNNING, T0), T0 + 5 * M + timedelta(seconds=1), True),
        (view(S.CHECKIN_OPEN), T0 + 60 * M, False),
    ],
)
def test_late_cut(session, now, expected) -> None:
    assert rules.late_cut_passed(session, now) is expected


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (S.STAGED, "open_checkin", S.CHECKIN_OPEN),
        (S.CHECKIN_OPEN, "start", S.RUNNING),
        (S.RUNNING, "end", S.ENDED),
        (S.STAGED, "start", None),
        (S.RUNNING, "start", None),  # start twice
        (S.ENDED, "end", None),
    ],
)
def test_session_transitions(state, action, expected) -> None:
    if expected is None:
        with pytest.raises(ExamError) as e:
            next_session_state(state, action)
        assert e.value.code == "bad_transition"
    else:
        assert next_session_state(state, action) == expected


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (C.EXPECTED, "checkin", C.CHECKED_IN),
        (C.CHECKED_IN, "login", C.LOGGED_IN),
        (C.LOGGED_IN, "confirm", C.CONFIRMED),
        (C.CONFIRMED, "begin", C.ANSWERING),
        (C.ANSWERING, "leave", C.AWAY),
        (C.AWAY, "return", C.ANSWERING),
        (C.ANSWERING, "submit", C.SUBMITTED),
        (C.AWAY, "collect", C.COLLECTED),  # collected even while away
        (C.ANSWERING, "disqualify", C.DISQUALIFIED),
        (
            C.SUBMITTED,
            "disqualify",
            C.DISQUALIFIED,
        ),  # cheating found after hand-in voids the result
        (C.CHECKED_IN, "absent", C.ABSENT),
        (C.EXPECTED, "login", "not_checked_in"),
        (C.ABSENT, "login", "ticket_absent"),
        (C.AWAY, "submit", "locked"),
        (C.SUBMITTED, "submit", "collected"),
        (C.ABSENT, "checkin", "ticket_absent"),
    ],
)
def test_candidate_transitions(state, action, expected) -> None:
    if not isinstance(expected, CandidateState):
        with pytest.raises(ExamError) as e:
            next_candidate_state(state, action)
        assert e.value.code == expected
    else:
        assert next_candidate_state(state, action) == expected


def test_final_states_are_final() -> None:
    for (state, action), _ in CANDIDATE_TRANSITIONS.items():
        if state in FINAL_STATES:
            assert action == "disqualify", (state, action)
