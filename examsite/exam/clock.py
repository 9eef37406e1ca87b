"""The server's heartbeat: opens check-in, marks the absent, collects at the end, asks for captures."""

from __future__ import annotations

from typing import Any

from examsite import payloads
from examsite.engine import rules
from examsite.engine import timing as tm
from examsite.engine.states import CandidateState
from examsite.store import candidates, captures, ledger, sessions

from .base import OPEN, Push, session_room, term_room
from .proctor import ProctorOps

C = CandidateState


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
            if view.state.value == "running":
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
            if now < timing.base_end(started):
                return pushes  # the ledger only ever adds time: nobody's end has come yet
            entries = ledger.by_session(db, session_id)
            for cand in candidates.with_states(db, session_id, OPEN):
                if now >= tm.candidate_end(timing, started, entries.get(cand["id"], []), now):
                    pushes += self.finish(
                        db, cand, session, "collect", "system", now, reason="time_up"
                    )
        return pushes

    def _request_captures(self, now: Any) -> list[Push]:
        pushes: list[Push] = []
        with self.sitedb.write() as db:
            for cap in captures.due(db, tm.iso(now)):
                cand = candidates.get(db, cap["candidate_id"])
                captures.update(db, cap["request_id"], requested_at=tm.iso(now))
                if cand and cand["state"] == C.ANSWERING.value and cand["terminal_id"]:
                    self.journal(
                        db,
                        "capture_requested",
                        "system",
                        {"request_id": cap["request_id"]},
                        cand=cand,
                    )
                    pushes.append(
                        Push(
                            "capture_request",
                            {"request_id": cap["request_id"]},
                            term_room(cand["terminal_id"]),
                        )
                    )
        return pushes

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
