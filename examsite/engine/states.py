"""Exam-session and candidate state machines as transition tables."""

from __future__ import annotations

from enum import StrEnum

from .errors import ExamError


class SessionState(StrEnum):
    """Life of one exam session (one room, one sitting)."""

    STAGED = "staged"
    CHECKIN_OPEN = "checkin_open"
    RUNNING = "running"
    ENDED = "ended"


class CandidateState(StrEnum):
    """Life of one candidate within a session."""

    EXPECTED = "expected"
    CHECKED_IN = "checked_in"
    LOGGED_IN = "logged_in"
    CONFIRMED = "confirmed"
    ANSWERING = "answering"
    AWAY = "away"
    SUBMITTED = "submitted"
    COLLECTED = "collected"
    ABSENT = "absent"
    DISQUALIFIED = "disqualified"


S, C = SessionState, CandidateState

SESSION_TRANSITIONS: dict[tuple[SessionState, str], SessionState] = {
    (S.STAGED, "open_checkin"): S.CHECKIN_OPEN,
    (S.CHECKIN_OPEN, "start"): S.RUNNING,
    (S.RUNNING, "end"): S.ENDED,
}

#: Candidates whose paper is still open: collected at the end, counted as present.
OPEN_STATES = frozenset({C.LOGGED_IN, C.CONFIRMED, C.ANSWERING, C.AWAY})
#: States from which nothing further happens to the paper.
FINAL_STATES = frozenset({C.SUBMITTED, C.COLLECTED, C.ABSENT, C.DISQUALIFIED})

CANDIDATE_TRANSITIONS: dict[tuple[CandidateState, str], CandidateState] = {
    (C.EXPECTED, "checkin"): C.CHECKED_IN,
    (C.CHECKED_IN, "checkin"): C.CHECKED_IN,
    (C.EXPECTED, "absent"): C.ABSENT,
    (C.CHECKED_IN, "absent"): C.ABSENT,
    (C.CHECKED_IN, "login"): C.LOGGED_IN,
    (C.LOGGED_IN, "login"): C.LOGGED_IN,
    (C.CONFIRMED, "login"): C.CONFIRMED,
    (C.ANSWERING, "login"): C.ANSWERING,
    (C.AWAY, "login"): C.AWAY,
    (C.LOGGED_IN, "confirm"): C.CONFIRMED,
    (C.CONFIRMED, "begin"): C.ANSWERING,
    (C.ANSWERING, "leave"): C.AWAY,
    (C.AWAY, "return"): C.ANSWERING,
    (C.ANSWERING, "submit"): C.SUBMITTED,
    **{(s, "collect"): C.COLLECTED for s in OPEN_STATES},
    **{(s, "disqualify"): C.DISQUALIFIED for s in C if s not in FINAL_STATES},
    **{(s, "disqualify"): C.DISQUALIFIED for s in (C.SUBMITTED, C.COLLECTED)},
}

#: Why a candidate in a given state cannot act: the error code a refusal carries.
REFUSAL_BY_STATE: dict[CandidateState, str] = {
    C.EXPECTED: "not_checked_in",
    C.ABSENT: "ticket_absent",
    C.DISQUALIFIED: "disqualified",
    C.SUBMITTED: "collected",
    C.COLLECTED: "collected",
    C.AWAY: "locked",
}


def next_session_state(state: SessionState | str, action: str) -> SessionState:
    """The session's state after `action`, or ExamError('bad_transition')."""
    try:
        return SESSION_TRANSITIONS[(SessionState(state), action)]
    except KeyError:
        raise ExamError("bad_transition", {"state": str(state), "action": action}) from None


def next_candidate_state(state: CandidateState | str, action: str) -> CandidateState:
    """The candidate's state after `action`, or an ExamError saying why not."""
    st = CandidateState(state)
    try:
        return CANDIDATE_TRANSITIONS[(st, action)]
    except KeyError:
        code = REFUSAL_BY_STATE.get(st, "bad_transition")
        raise ExamError(code, {"state": st.value, "action": action}) from None
