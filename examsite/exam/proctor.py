"""Operations of proctors and technicians: staging, check-in, start, end, transfers, leave, time, violations."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from examsite import payloads
from examsite.candidate.schema import TERMINAL_ID
from examsite.engine import rules
from examsite.engine import timing as tm
from examsite.engine.errors import ExamError
from examsite.engine.states import (
    CandidateState,
    SessionState,
    next_candidate_state,
    next_session_state,
)
from examsite.store import answers, candidates, captures, ledger, sessions, terminals, throttle

from .base import OPEN, Base, Outcome, Push, session_room, term_room

C, S = CandidateState, SessionState

#: Shown on the terminal a withdrawn transfer was aimed at (it is waiting for a confirmation).
TRANSFER_CANCELLED_TEXT = (
    "监考员已取消转移到本终端的机位转移，本终端无需操作。"
    " / The proctor cancelled the seat transfer to this terminal; nothing to do here."
)


class ProctorOps(Base):
    """Everything the proctor or the technician does to an exam goes through here (and the journal)."""

    def stage_session(
        self,
        session: dict[str, Any],
        paper: dict[str, Any] | None,
        roster: list[dict[str, Any]],
        *,
        sealed: bytes | None = None,
        sha256: str | None = None,
        actor: str = "system",
    ) -> None:
        """Store a session, its paper (plain, or sealed until the release code) and its roster."""
        with self.sitedb.write() as db:
            sessions.create(db, session)
            title = (paper or {}).get("title", session["title"])
            paper_id = (paper or {}).get("paper_id", session.get("plan_id") or session["id"])
            sessions.put_paper(
                db, session["id"], paper_id, title, content=paper, sealed=sealed, sha256=sha256
            )
            for entry in roster:
                candidates.add(
                    db, {"session_id": session["id"], "shuffle_seed": secrets.randbits(31), **entry}
                )
            self.journal(
                db,
                "session_staged",
                actor,
                {"candidates": len(roster), "sealed": sealed is not None},
                session_id=session["id"],
            )

    def _session_action(
        self,
        session_id: str,
        action: str,
        actor: str,
        extra: Callable[..., list[Push]] | None = None,
        **payload: Any,
    ) -> Outcome:
        now = self.now()
        with self.sitedb.write() as db:
            session = self.session_of(db, session_id)
            new = next_session_state(session["state"], action)
            fields: dict[str, Any] = {"state": new.value}
            if action == "start":
                fields["started_at"] = tm.iso(now)
            if action == "end":
                fields["ended_at"] = tm.iso(now)
            sessions.update(db, session_id, **fields)
            kind = {"open_checkin": "checkin_opened", "start": "exam_started", "end": "exam_ended"}[
                action
            ]
            self.journal(db, kind, actor, payload, session_id=session_id)
            session = self.session_of(db, session_id)
            pushes = extra(db, session, now, actor) if extra else []
        info = payloads.exam_info(session)
        pushes.append(Push("session", info, session_room(session_id)))
        pushes.append(self.console_push("session", session_id=session_id, state=new.value))
        return Outcome({"ok": True, "session": info}, pushes)

    def open_checkin(self, session_id: str, actor: str) -> Outcome:
        """Open check-in (the ticker does it by itself 30 minutes before the start)."""
        return self._session_action(session_id, "open_checkin", actor)

    def start(self, session_id: str, actor: str) -> Outcome:
        """The proctor's start command (att.3 §1.6): answering begins, captures are planned."""
        with self.sitedb.read() as db:
            if sessions.paper(db, session_id) is None:
                raise ExamError("paper_sealed")

        def begin(db: Any, session: dict[str, Any], now: Any, actor: str) -> list[Push]:
            started = tm.parse_iso(session["started_at"])
            end = sessions.timing(session).base_end(started)
            for cand in candidates.with_states(db, session_id, (C.CONFIRMED.value,)):
                candidates.update(
                    db, cand["id"], state=next_candidate_state(C.CONFIRMED, "begin").value
                )
            self.plan_captures(db, session, started, end)
            return []

        return self._session_action(session_id, "start", actor, begin)

    def plan_captures(self, db: Any, session: dict[str, Any], started: Any, end: Any) -> None:
        """Random capture times per candidate between 2 minutes after the start and 5 before the end."""
        n = int(session["captures_per_candidate"])
        span = (end - started).total_seconds()
        lo, hi = min(120.0, span * 0.1), max(span - 300.0, span * 0.9)
        rng = random.SystemRandom()
        for cand in candidates.in_session(db, session["id"]):
            if cand["state"] in (C.ABSENT.value, C.DISQUALIFIED.value):
                continue
            for _ in range(n):
                at = started + timedelta(seconds=rng.uniform(lo, hi))
                captures.schedule(db, secrets.token_hex(8), cand["id"], tm.iso(at))

    def end(self, session_id: str, actor: str) -> Outcome:
        """End the exam for every class of the room (002 考场篇(三): 考生离场后，监考员对所有班级
        点击结束考试): this session, with every open paper collected, and every other running
        session of the same room whose candidates have all finished. A class still sitting there
        is left running (its papers are collected at its own end time) and named in the ack's
        `still_running`, so a shorter class ending never cuts a longer one short."""
        out = self._end_session(session_id, actor)
        ended, sitting = [session_id], []
        with self.sitedb.read() as db:
            room = self.session_of(db, session_id)["room"]
            others = [
                s
                for s in (sessions.in_room(db, room) if room.strip() else [])
                if s["id"] != session_id and s["state"] == S.RUNNING.value
            ]
            open_counts = {s["id"]: len(candidates.with_states(db, s["id"], OPEN)) for s in others}
        for s in others:
            if open_counts[s["id"]]:
                sitting.append(
                    {"session_id": s["id"], "title": s["title"], "open": open_counts[s["id"]]}
                )
                continue
            try:
                more = self._end_session(s["id"], actor, with_session=session_id)
            except ExamError:  # ended meanwhile (the clock, another console)
                continue
            out.pushes.extend(more.pushes)
            ended.append(s["id"])
        out.ack["ended"] = ended
        out.ack["still_running"] = sitting
        return out

    def _end_session(self, session_id: str, actor: str, **payload: Any) -> Outcome:
        """End one session: every open paper is collected, whoever never came is absent."""

        def collect_all(db: Any, session: dict[str, Any], now: Any, actor: str) -> list[Push]:
            pushes: list[Push] = []
            for cand in candidates.with_states(db, session_id, OPEN):
                pushes += self.finish(db, cand, session, "collect", actor, now, reason="exam_ended")
            for cand in candidates.with_states(
                db, session_id, (C.EXPECTED.value, C.CHECKED_IN.value)
            ):
                self._mark_absent(db, cand, actor)
            return pushes

        return self._session_action(session_id, "end", actor, collect_all, **payload)

    def check_in(
        self,
        candidate_id: int,
        actor: str,
        evidence: dict[str, Any] | None = None,
        override_reason: str = "",
    ) -> Outcome:
        """Admit a candidate at the door (ID card + face, 000 att.3 §1.2); an override needs a reason."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            session = self.session_of(db, cand["session_id"])
            rules.check_checkin(sessions.view(session), C(cand["state"]), now)
            candidates.update(
                db,
                candidate_id,
                state=next_candidate_state(C(cand["state"]), "checkin").value,
                checked_in_at=tm.iso(now),
            )
            payload: dict[str, Any] = {"evidence": evidence or {}}
            if override_reason:
                payload["override_reason"] = override_reason
            self.journal(db, "checkin", actor, payload, cand=cand)
        return Outcome(
            {"ok": True, "candidate_id": candidate_id},
            [self.console_push("checkin", candidate_id=candidate_id)],
        )

    def transfer(self, candidate_id: int, new_terminal_id: str, actor: str, reason: str) -> Outcome:
        """Move a candidate to another terminal (转移机位): the old terminal is revoked at once and the
        clock pauses until the candidate confirms on the new one (the downtime is credited)."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            if C(cand["state"]) not in (C.LOGGED_IN, C.CONFIRMED, C.ANSWERING):
                raise ExamError("bad_transition", {"state": cand["state"], "action": "transfer"})
            if new_terminal_id == cand["terminal_id"]:
                raise ExamError("bad_transition", {"action": "transfer", "why": "same terminal"})
            if not TERMINAL_ID.match(new_terminal_id or ""):
                raise ExamError("bad_request", {"field": "terminal_id"})
            busy = candidates.holding_terminal(db, new_terminal_id, exclude=candidate_id)
            if busy:
                raise ExamError("terminal_occupied")
            # One revocation per pending transfer, however often it is re-aimed: while
            # `transfer_to` is set the epoch is exactly one past the old terminal's, which is
            # what lets cancel_transfer give the old terminal its login back.
            epoch = cand["token_epoch"] + (0 if cand["transfer_to"] else 1)
            candidates.update(db, candidate_id, transfer_to=new_terminal_id, token_epoch=epoch)
            payload: dict[str, Any] = {
                "from_terminal": cand["terminal_id"],
                "to_terminal": new_terminal_id,
                "reason": reason,
            }
            entries = ledger.entries(db, candidate_id)
            if cand["state"] == C.ANSWERING.value and not tm.is_paused(entries):
                # the clock stops from the fault, not from the proctor's click (att.3 §1.10)
                lost = self._terminal_lost_at(db, cand["terminal_id"])
                last = answers.last_at(db, candidate_id)
                since = tm.downtime_start(
                    now,
                    self._began_at(db, cand),
                    entries,
                    lost_at=lost,
                    last_activity=tm.parse_iso(last) if last else None,
                )
                ledger.add(
                    db, candidate_id, "pause", 0, actor, f"transfer: {reason}", tm.iso(since)
                )
                payload["terminal_lost_at"] = tm.iso(lost) if lost else None
                payload["downtime_from"] = tm.iso(since)
            self.journal(db, "transfer", actor, payload, cand=cand)
        pushes = [
            self.console_push("transfer", candidate_id=candidate_id, to_terminal=new_terminal_id)
        ]
        if cand["terminal_id"]:
            pushes.append(
                Push("lock", payloads.lock("moved", reason), term_room(cand["terminal_id"]))
            )
        pushes.append(
            Push(
                "transfer_pending", {"ticket_hint": cand["ticket"][-4:]}, term_room(new_terminal_id)
            )
        )
        return Outcome({"ok": True}, pushes)

    def cancel_transfer(self, candidate_id: int, actor: str, reason: str) -> Outcome:
        """Withdraw a seat transfer the candidate has not confirmed yet (a wrong seat or target).

        The old terminal gets the candidate back: its login is valid again, but the room
        password must be typed once more there, as after any re-login (000 att.3 §1.5; whoever
        sat at the locked terminal meanwhile, only the candidate who hears the proctor's
        password can go on). The clock's pause ends now, so the downtime up to the cancellation
        is credited; the new terminal is told and is free again.
        """
        if not reason.strip():
            raise ExamError("reason_required")
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            target = cand["transfer_to"]
            if target is None or C(cand["state"]) not in (C.LOGGED_IN, C.CONFIRMED, C.ANSWERING):
                raise ExamError("no_transfer_pending")
            candidates.update(
                db,
                candidate_id,
                transfer_to=None,
                # back to the old terminal's epoch (see transfer): no token was ever issued for
                # the pending one, since only the confirmation on the new terminal issues it
                token_epoch=cand["token_epoch"] - 1,
                password_ok=0,
            )
            payload: dict[str, Any] = {
                "from_terminal": cand["terminal_id"],
                "to_terminal": target,
                "reason": reason,
            }
            entries = ledger.entries(db, candidate_id)
            if tm.is_paused(entries):
                since = max(e.at for e in entries if e.kind == "pause")
                note = f"transfer cancelled: {reason}"
                ledger.add(db, candidate_id, "resume", 0, actor, note, tm.iso(now))
                payload["downtime_from"] = tm.iso(since)
                payload["downtime_to"] = tm.iso(now)
                payload["credited_s"] = round(
                    (tm.parse_iso(tm.iso(now)) - since).total_seconds(), 3
                )
            self.journal(db, "transfer_cancelled", actor, payload, cand=cand)
        pushes = [
            self.console_push("transfer_cancelled", candidate_id=candidate_id, to_terminal=target),
            Push("message", {"text": TRANSFER_CANCELLED_TEXT, "from": actor}, term_room(target)),
        ]
        if cand["terminal_id"]:
            # the terminal asks the server where it stands and lands on the room password
            pushes.append(Push("unlock", {}, term_room(cand["terminal_id"])))
        return Outcome({"ok": True, "credited_s": payload.get("credited_s")}, pushes)

    def _terminal_lost_at(self, db: Any, terminal_id: str | None) -> Any:
        """When a terminal that is now disconnected was lost (None while it is connected)."""
        row = terminals.get(db, terminal_id) if terminal_id else None
        if row is None or row["connected"] or not row["last_seen"]:
            return None
        return tm.parse_iso(row["last_seen"])

    def _began_at(self, db: Any, cand: dict[str, Any]) -> Any:
        """When the candidate's answering began: the start, or a later confirmation."""
        began = tm.parse_iso(self.session_of(db, cand["session_id"])["started_at"])
        if cand["confirmed_at"]:
            began = max(began, tm.parse_iso(cand["confirmed_at"]))
        return began

    def unlock_login(self, candidate_id: int, actor: str, reason: str) -> Outcome:
        """A proctor lifts the candidate's lock-outs (the candidate is in front of them, and a
        lock running past the late cut would make them absent); journaled with the reason."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            if not self.login_locked_s(db, cand, now):
                raise ExamError("not_locked")
            keys = self.lock_keys(db, cand)
            for key in keys:
                throttle.clear(db, key)
            self.journal(db, "login_unlocked", actor, {"reason": reason, "keys": keys}, cand=cand)
        return Outcome(
            {"ok": True}, [self.console_push("login_unlocked", candidate_id=candidate_id)]
        )

    def leave(self, candidate_id: int, actor: str, reason: str = "") -> Outcome:
        """Temporary leave (att.3 §1.11): at most one candidate of a room away; the clock does not stop.

        同一时间同一考场只允许一名考生暂离考场: the count runs over every session of the room
        that is not ended (several classes may sit in one room at once)."""
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            room = self.session_of(db, cand["session_id"])["room"]
            sids = [s["id"] for s in sessions.in_room(db, room)] if room.strip() else []
            away = [
                c
                for sid in sids or [cand["session_id"]]
                for c in candidates.with_states(db, sid, (C.AWAY.value,))
            ]
            if away:
                raise ExamError("one_away", {"away": away[0]["name"]})
            candidates.update(
                db, candidate_id, state=next_candidate_state(C(cand["state"]), "leave").value
            )
            self.journal(db, "leave", actor, {"reason": reason}, cand=cand)
        return Outcome(
            {"ok": True},
            [
                self.console_push("leave", candidate_id=candidate_id),
                Push("lock", payloads.lock("away", reason), term_room(cand["terminal_id"])),
            ],
        )

    def come_back(
        self,
        candidate_id: int,
        actor: str,
        evidence: dict[str, Any] | None = None,
        override_reason: str = "",
    ) -> Outcome:
        """Return from leave after the ticket and ID card are checked again (or a proctor override with reason)."""
        if not evidence and not override_reason:
            raise ExamError("return_needs_check")
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            candidates.update(
                db, candidate_id, state=next_candidate_state(C(cand["state"]), "return").value
            )
            self.journal(
                db,
                "return",
                actor,
                {"evidence": evidence or {}, "override_reason": override_reason},
                cand=cand,
            )
        return Outcome(
            {"ok": True},
            [
                self.console_push("return", candidate_id=candidate_id),
                Push("unlock", {}, term_room(cand["terminal_id"])),
            ],
        )

    def extend(self, candidate_ids: list[int], seconds: int, actor: str, reason: str) -> Outcome:
        """Extend time for some candidates (with a reason, through the time ledger)."""
        if not reason.strip():
            raise ExamError("reason_required")
        now = self.now()
        pushes: list[Push] = []
        with self.sitedb.write() as db:
            for cid in candidate_ids:
                cand = self.candidate(db, cid)
                ledger.add(db, cid, "extension", seconds, actor, reason, tm.iso(now))
                self.journal(
                    db, "time_extended", actor, {"seconds": seconds, "reason": reason}, cand=cand
                )
                session = self.session_of(db, cand["session_id"])
                if cand["terminal_id"]:
                    pushes.append(
                        Push(
                            "clock",
                            self.clock_payload(db, session, cid, now),
                            term_room(cand["terminal_id"]),
                        )
                    )
        pushes.append(
            self.console_push("time_extended", candidate_ids=candidate_ids, seconds=seconds)
        )
        return Outcome({"ok": True}, pushes)

    def disqualify(self, candidate_id: int, actor: str, reason: str) -> Outcome:
        """Cancel qualification and score (att.3 §2): the terminal locks with the reason, the result is void."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            self.disqualify_in(db, cand, reason, actor, now)
        pushes = [self.console_push("disqualified", candidate_id=candidate_id)]
        if cand["terminal_id"]:
            pushes.append(
                Push("lock", payloads.lock("disqualified", reason), term_room(cand["terminal_id"]))
            )
        return Outcome({"ok": True}, pushes)

    def message(
        self, session_id: str, text: str, actor: str, candidate_id: int | None = None
    ) -> Outcome:
        """A message from the proctor to one terminal or the whole room."""
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id) if candidate_id else None
            self.journal(
                db, "message", actor, {"text": text[:500]}, session_id=session_id, cand=cand
            )
        to = (
            term_room(cand["terminal_id"])
            if cand and cand["terminal_id"]
            else session_room(session_id)
        )
        return Outcome({"ok": True}, [Push("message", {"text": text[:500], "from": actor}, to)])
