"""Decisions of the exam rules (000 att.3 §1): who may check in, log in, answer, submit, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import ExamError
from .states import FINAL_STATES, CandidateState, SessionState
from .timing import Timing

C, S = CandidateState, SessionState


@dataclass(frozen=True)
class SessionView:
    """What the rules need to know of a session."""

    state: SessionState
    starts_at: datetime
    timing: Timing
    started_at: datetime | None = None


def _late(session: SessionView) -> ExamError:
    return ExamError("ticket_absent", {"late_cut_min": session.timing.late_cut_min})


def check_checkin(session: SessionView, state: CandidateState, now: datetime) -> None:
    """Check-in opens `checkin_open_min` before the scheduled start and closes at the late cut."""
    if state in (C.ABSENT,):
        raise _late(session)
    if state == C.DISQUALIFIED:
        raise ExamError("disqualified")
    if state not in (C.EXPECTED, C.CHECKED_IN):
        raise ExamError("already_checked_in", {"state": state.value})
    if session.state == S.ENDED:
        raise ExamError("exam_over")
    if session.state == S.STAGED and now < session.timing.checkin_opens_at(session.starts_at):
        raise ExamError(
            "checkin_not_open",
            {
                "opens_at": session.timing.checkin_opens_at(session.starts_at).isoformat(),
                "checkin_open_min": session.timing.checkin_open_min,
            },
        )
    if session.started_at is not None and now > session.timing.late_cut_at(session.started_at):
        raise _late(session)


def check_login(session: SessionView, state: CandidateState, now: datetime) -> None:
    """A terminal login: only checked-in candidates, only until the late cut, never after the end."""
    if session.state == S.ENDED:
        raise ExamError("exam_over")
    if state == C.ABSENT:
        raise _late(session)
    if state == C.DISQUALIFIED:
        raise ExamError("disqualified")
    if state in (C.SUBMITTED, C.COLLECTED):
        raise ExamError("collected")
    if state == C.EXPECTED:
        if session.started_at is not None and now > session.timing.late_cut_at(session.started_at):
            raise _late(session)
        raise ExamError("not_checked_in")
    if session.state == S.STAGED:
        raise ExamError("not_open")
    if (
        state == C.CHECKED_IN
        and session.started_at is not None
        and now > session.timing.late_cut_at(session.started_at)
    ):
        raise _late(session)


def check_answering(session: SessionView, state: CandidateState) -> None:
    """Answers are taken only while the session runs and the candidate's paper is open."""
    if state in FINAL_STATES:
        raise ExamError("collected" if state != C.DISQUALIFIED else "disqualified")
    if session.state == S.ENDED:
        raise ExamError("collected")
    if session.state != S.RUNNING:
        raise ExamError("not_started")
    if state == C.AWAY:
        raise ExamError("locked", {"reason": "away"})
    if state in (C.LOGGED_IN, C.CHECKED_IN, C.EXPECTED):
        raise ExamError("identity_required")


def check_submit(session: SessionView, state: CandidateState, now: datetime) -> None:
    """Submit only from `submit_after_min` after the start (att.3 §1.8)."""
    check_answering(session, state)
    assert session.started_at is not None
    allowed = session.timing.submit_allowed_at(session.started_at)
    if now < allowed:
        raise ExamError(
            "submit_too_early",
            {
                "allowed_at": allowed.isoformat(),
                "submit_after_min": session.timing.submit_after_min,
            },
        )


def late_cut_passed(session: SessionView, now: datetime) -> bool:
    """True once not-logged-in candidates of a running session are to be marked absent."""
    return (
        session.state == S.RUNNING
        and session.started_at is not None
        and now > session.timing.late_cut_at(session.started_at)
    )


def checkin_due(session: SessionView, now: datetime) -> bool:
    """True when a staged session's check-in window has come (the server opens it by itself)."""
    return session.state == S.STAGED and now >= session.timing.checkin_opens_at(session.starts_at)
