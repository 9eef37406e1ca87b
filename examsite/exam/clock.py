"""The server's heartbeat: opens check-in, marks the absent, collects at the end, asks for captures."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from examsite import payloads
from examsite.engine import rules
from examsite.engine import timing as tm
from examsite.engine.states import CandidateState
from examsite.store import candidates, captures, ledger, sessions, terminals

from .base import OPEN, Push, session_room, term_room
from .proctor import ProctorOps

C = CandidateState

#: A capture re-scheduled after a return or reconnect falls due at a random moment between
#: about 20 s and 3 min later (so the candidate cannot expect it), and never after 80 % of the
#: candidate's remaining time has gone (it is asked for well before the end).
RESCHEDULE_MIN_S = 20.0
RESCHEDULE_MAX_S = 180.0


class ClockOps(ProctorOps):
    """Time-driven rules; `tick()` runs every second from the scheduler."""

    def tick(self) -> list[Push]:
        """Apply every rule whose time has come; return what to push."""
        now = self.now()
        pushes: list[Push] = []
        with self.sitedb.read() as db:
            live = sessions.active(db)
        for session in live:
            view = sessions.view(session)
            if rules.checkin_due(view, now):
                pushes += self.open_checkin(session["id"], "system").pushes
            if rules.late_cut_passed(view, now) and not session["late_cut_done"]:
                pushes += self._late_cut(session["id"])
            # the ledger only ever adds time: before the base end nobody's end has come (and
            # an idle tick takes no write lock the answer writer would wait for)
            started = view.started_at
            if view.state.value == "running" and started and now >= view.timing.base_end(started):
                pushes += self._collect_due(session["id"], now)
        pushes += self._request_captures(now)
        return pushes

    def _late_cut(self, session_id: str) -> list[Push]:
        """Late by more than 5 minutes: the not-logged-in are absent and their tickets refused (att.3 §1.7)."""
        with self.sitedb.write() as db:
            for cand in candidates.with_states(
                db, session_id, (C.EXPECTED.value, C.CHECKED_IN.value)
            ):
                self._mark_absent(db, cand, "system")
            sessions.update(db, session_id, late_cut_done=1)
        return [self.console_push("late_cut", session_id=session_id)]

    def _collect_due(self, session_id: str, now: Any) -> list[Push]:
        """At each candidate's end time the paper is collected, connected or not (att.3 §1.8)."""
        pushes: list[Push] = []
        with self.sitedb.write() as db:
            session = self.session_of(db, session_id)
            started = tm.parse_iso(session["started_at"])
            timing = sessions.timing(session)
            entries = ledger.by_session(db, session_id)
            for cand in candidates.with_states(db, session_id, OPEN):
                if now >= tm.candidate_end(timing, started, entries.get(cand["id"], []), now):
                    pushes += self.finish(
                        db, cand, session, "collect", "system", now, reason="time_up"
                    )
        return pushes

    def _request_captures(self, now: Any) -> list[Push]:
        """Ask terminals for the captures whose time has come.

        A capture that falls due while the candidate cannot be photographed (away, the terminal
        offline, a transfer pending, not answering yet) is not lost: it waits, and once the
        candidate is back it is re-scheduled at a random moment a little later, inside the
        candidate's remaining time (journaled `capture_rescheduled`).
        """
        pushes: list[Push] = []
        with self.sitedb.read() as db:  # the answer writer need not wait for an idle tick
            if not any(self._capture_changes(db, c) for c in captures.due(db, tm.iso(now))):
                return pushes
        with self.sitedb.write() as db:
            for cap in captures.due(db, tm.iso(now)):
                rid = cap["request_id"]
                cand = candidates.get(db, cap["candidate_id"])
                if cand is None or cand["state"] not in OPEN:
                    # handed in, collected, disqualified: nobody left to photograph
                    captures.update(db, rid, requested_at=tm.iso(now))
                    continue
                why = self._capture_blocked(db, cand)
                if why:
                    if not cap["deferred_reason"]:
                        captures.update(db, rid, deferred_reason=why)
                    continue
                if cap["deferred_reason"]:
                    self._reschedule_capture(db, cap, cand, now)
                    continue
                captures.update(db, rid, requested_at=tm.iso(now))
                self.journal(db, "capture_requested", "system", {"request_id": rid}, cand=cand)
                pushes.append(
                    Push("capture_request", {"request_id": rid}, term_room(cand["terminal_id"]))
                )
        return pushes

    def _capture_changes(self, db: Any, cap: dict[str, Any]) -> bool:
        """Whether a due capture calls for a write now (one still deferred for its reason: no)."""
        cand = candidates.get(db, cap["candidate_id"])
        if cand is None or cand["state"] not in OPEN:
            return True
        return not (self._capture_blocked(db, cand) and cap["deferred_reason"])

    @staticmethod
    def _capture_blocked(db: Any, cand: dict[str, Any]) -> str | None:
        """Why the candidate cannot be photographed now (None: they can)."""
        if cand["state"] == C.AWAY.value:
            return "away"
        if cand["state"] != C.ANSWERING.value:
            return "not_answering"
        if cand["transfer_to"] or not cand["terminal_id"]:
            return "transfer"
        term = terminals.get(db, cand["terminal_id"])
        if term is None or not term["connected"]:
            return "offline"
        return None

    def _reschedule_capture(
        self, db: Any, cap: dict[str, Any], cand: dict[str, Any], now: Any
    ) -> None:
        """A deferred capture gets a new random time soon after the return, before the end."""
        session = self.session_of(db, cand["session_id"])
        end = self.end_of(db, session, cand["id"], now)
        left = (end - now).total_seconds() if end else 0.0
        hi = min(RESCHEDULE_MAX_S, left * 0.8)
        lo = min(RESCHEDULE_MIN_S, hi / 2)
        at = now + timedelta(seconds=random.SystemRandom().uniform(lo, hi)) if hi > 0 else now
        captures.update(db, cap["request_id"], due_at=tm.iso(at), deferred_reason=None)
        self.journal(
            db,
            "capture_rescheduled",
            "system",
            {
                "request_id": cap["request_id"],
                "was_due": cap["due_at"],
                "due_at": tm.iso(at),
                "why": cap["deferred_reason"],
            },
            cand=cand,
        )

    def time_pushes(self) -> list[Push]:
        """The server's time for every running session (terminals correct their countdown by it)."""
        time = self.time_payload()
        with self.sitedb.read() as db:
            return [
                Push("time", time, session_room(s["id"]))
                for s in sessions.active(db)
                if s["state"] == "running"
            ]

    def session_info(self, session_id: str) -> dict[str, Any]:
        """The public info of a session (pushed when another process changed it)."""
        with self.sitedb.read() as db:
            return payloads.exam_info(self.session_of(db, session_id))
