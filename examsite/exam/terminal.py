"""Operations a candidate terminal asks for (namespace /candidate)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from examsite import payloads, tokens
from examsite.engine import rules
from examsite.engine import timing as tm
from examsite.engine.errors import ExamError
from examsite.engine.rules import SessionView
from examsite.engine.scoring import valid_choice
from examsite.engine.shuffle import candidate_paper
from examsite.engine.states import CandidateState, SessionState, next_candidate_state
from examsite.store import (
    answers,
    candidates,
    captures,
    flags,
    ledger,
    sessions,
    terminals,
    throttle,
)

from .base import Base, Outcome, Push, dumps_value, session_room, term_room

C = CandidateState

#: Refusals worth a journal row (the incident record and the cloud see them).
JOURNALED_REFUSALS = frozenset(
    {"ticket_absent", "disqualified", "logged_in_elsewhere", "not_checked_in"}
)
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCK_MIN = 5  # docs/protocol.md: five failures lock for 5 minutes


def login_keys(terminal_id: str, ticket: str) -> list[str]:
    """Throttle keys a login attempt must not be locked on: the terminal's and the ticket's."""
    return [
        f"login:{terminal_id}",
        f"captcha:terminal:{terminal_id}",
        f"captcha:ticket:{ticket}",
    ]


class TerminalOps(Base):
    """Login to hand-in, as the provincial rules describe it (000 att.3 §1.5–1.8)."""

    # -- lock-outs (captcha, name/ticket, room password) ------------------------------------
    @staticmethod
    def refuse_if_locked(db: Database, keys: list[str], now: datetime) -> None:
        """ExamError('too_many_attempts', retry_after_s) while any of `keys` is locked out."""
        until = max((u for k in keys if (u := throttle.locked_until(db, k, now))), default=None)
        if until is not None:
            raise ExamError(
                "too_many_attempts",
                {"retry_after_s": max(1, math.ceil((until - now).total_seconds()))},
            )

    def count_failure(
        self,
        db: Database,
        keys: list[str],
        now: datetime,
        what: str,
        terminal_id: str,
        ticket: str,
    ) -> None:
        """Count one failed guess on every key; the failure that locks one is journaled."""
        locked = [
            k
            for k in keys
            if throttle.fail(db, k, now, LOGIN_FAILURE_LIMIT, LOGIN_LOCK_MIN) >= LOGIN_FAILURE_LIMIT
        ]
        if not locked:
            return
        payload = {
            "what": what,
            "ticket": ticket[:32],
            "keys": locked,
            "minutes": LOGIN_LOCK_MIN,
            "failures": LOGIN_FAILURE_LIMIT,
        }
        roster = candidates.by_ticket(db, ticket) if ticket else []
        for c in roster:
            self.journal(
                db, "login_locked", self.actor_of(c), payload, cand=c, terminal_id=terminal_id
            )
        if not roster:
            self.journal(
                db, "login_locked", f"terminal:{terminal_id}", payload, terminal_id=terminal_id
            )

    def login_gate(self, terminal_id: str, ticket: str) -> None:
        """Refuse a login attempt at once while the terminal or the ticket is locked out."""
        with self.sitedb.read() as db:
            self.refuse_if_locked(db, login_keys(terminal_id, ticket.strip()), self.now())

    def captcha_failed(self, terminal_id: str, ticket: str, name: str = "") -> None:
        """A wrong captcha counts against the terminal, and against the ticket tried when name and
        ticket are a candidate's (5 → 5-minute lock). A made-up or misspelt pair counts only
        against the terminal: nobody can lock a candidate out with a ticket alone, and invented
        tickets leave no lock-out rows behind."""
        ticket, name = ticket.strip(), name.strip()
        with self.sitedb.write() as db:
            keys = [f"captcha:terminal:{terminal_id}"]
            if any(c["name"] == name for c in candidates.by_ticket(db, ticket)):
                keys.append(f"captcha:ticket:{ticket}")
            self.count_failure(db, keys, self.now(), "captcha", terminal_id, ticket)

    # -- identity of the caller ------------------------------------------------------------
    def authenticate(
        self,
        db: Database,
        token: object,
        terminal_id: str,
        fetch: Callable[[Database, int], dict[str, Any] | None] = candidates.get,
    ) -> dict[str, Any]:
        """The candidate a token stands for, if it is genuine, current and used on its terminal
        (the row as `fetch` reads it: all but the blobs, or fewer columns on the answer path)."""
        cid, tid, epoch = tokens.parse(self.secret, token)
        if tid != terminal_id:
            raise ExamError("token_invalid")
        cand = fetch(db, cid)
        if cand is None:
            raise ExamError("token_invalid")
        if cand["terminal_id"] != tid or cand["token_epoch"] != epoch:
            raise ExamError("token_revoked")
        return cand

    def stage(self, cand: dict[str, Any], session: dict[str, Any]) -> str:
        """Which screen the candidate's terminal should show, decided by the server."""
        st = C(cand["state"])
        if st in (C.SUBMITTED, C.COLLECTED):
            return "done"
        if st in (C.DISQUALIFIED, C.AWAY, C.ABSENT):
            return "locked"
        if session["state"] == SessionState.ENDED.value:
            return "done"
        if st == C.LOGGED_IN:
            if cand["disputed"]:
                return "disputed"
            if not cand["notice_read"]:
                return "notice"
            if not cand["password_ok"]:
                return "password"
            return "confirm"
        if st in (C.CONFIRMED, C.ANSWERING) and not cand["password_ok"]:
            return "password"  # logged in again: the room password once more
        if st == C.CONFIRMED:
            return "waiting"
        if st == C.ANSWERING:
            return "exam"
        return "login"

    def view(self, db: Database, cand: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        """Everything a terminal needs to draw the candidate's current screen."""
        now = self.now()
        out: dict[str, Any] = {
            "stage": self.stage(cand, session),
            "exam": payloads.exam_info(session),
            "clock": self.clock_payload(db, session, cand["id"], now),
            "candidate": {"name": cand["name"], "ticket": cand["ticket"], "seat": cand["seat"]},
        }
        if out["stage"] in ("confirm", "disputed"):
            # Disputed too: the page shows the record the proctor is correcting.
            out["identity"] = payloads.identity(cand, session, candidates.photo(db, cand["id"]))
        if out["stage"] == "locked":
            reason = {C.AWAY.value: "away", C.DISQUALIFIED.value: "disqualified"}.get(
                cand["state"], "other"
            )
            out["lock"] = payloads.lock(reason, cand["lock_reason"] or "")
        if out["stage"] == "done":
            got = answers.current(db, cand["id"])
            qs = self.questions(db, session["id"]) or {}
            out["result"] = self.result_payload(cand, session, len(got), len(qs))
            out["lock"] = payloads.lock(
                "submitted" if cand["state"] == C.SUBMITTED.value else "collected"
            )
        return out

    # -- events ----------------------------------------------------------------------------
    def hello(
        self,
        terminal_id: str,
        seat: int | None,
        remote_addr: str | None,
        user_agent: str | None,
        token: object = None,
    ) -> Outcome:
        """A terminal announces itself; with a token it resumes where the candidate was."""
        with self.sitedb.write() as db:
            terminals.seen(
                db,
                terminal_id,
                seat=seat,
                remote_addr=remote_addr,
                user_agent=user_agent,
                at=tm.iso(self.now()),
            )
        ack: dict[str, Any] = {
            "ok": True,
            **self.time_payload(),
            "terminal_id": terminal_id,
            "seat": seat,
            "sessions": [],
        }
        with self.sitedb.read() as db:
            ack["sessions"] = [payloads.exam_info(s) for s in sessions.active(db)]
            if token is not None:
                try:
                    cand = self.authenticate(db, token, terminal_id)
                except ExamError as e:
                    ack["resume_error"] = e.as_ack()
                else:
                    session = self.session_of(db, cand["session_id"])
                    ack["resume"] = self.view(db, cand, session)
                    ack["resume"]["session_id"] = session["id"]
                    ack["resume"]["answers"] = answers.current(db, cand["id"])
                    ack["resume"]["flags"] = flags.flagged(db, cand["id"])
                    ack["resume"]["last_seq"] = answers.last_seqs(db, cand["id"]).get(
                        terminal_id, 0
                    )
                    # A capture asked for while the page was reloading or the terminal
                    # restarting would otherwise never come: the page takes it now.
                    ack["resume"]["capture_requests"] = (
                        captures.outstanding(db, cand["id"])
                        if cand["state"] == C.ANSWERING.value
                        else []
                    )
        return Outcome(ack)

    def login(self, terminal_id: str, seat: int | None, name: str, ticket: str) -> Outcome:
        """Name + ticket (the captcha was checked by the caller). Refusals that matter are journaled."""
        now = self.now()
        key = f"login:{terminal_id}"
        with self.sitedb.read() as db:
            self.refuse_if_locked(db, login_keys(terminal_id, ticket.strip()), now)
        try:
            with self.sitedb.write() as db:
                cand, session = self._login(
                    db, terminal_id, seat, name.strip(), ticket.strip(), now
                )
                # the captcha was right: earlier typos of this terminal and ticket are forgiven
                for k in login_keys(terminal_id, ticket.strip()):
                    throttle.clear(db, k)
                token = tokens.issue(self.secret, cand["id"], terminal_id, cand["token_epoch"])
                view = self.view(db, cand, session)
        except ExamError as e:
            with self.sitedb.write() as db:
                if e.code == "not_on_roster":
                    self.count_failure(db, [key], now, "name_ticket", terminal_id, ticket.strip())
                if e.code in JOURNALED_REFUSALS:
                    for c in candidates.by_ticket(db, ticket.strip()):
                        self.journal(
                            db,
                            "login_refused",
                            self.actor_of(c),
                            {"code": e.code, "seat": seat},
                            cand=c,
                            terminal_id=terminal_id,
                        )
            raise
        ack = {"ok": True, "token": token, "session_id": session["id"], **view}
        push = self.console_push(
            "login", candidate_id=cand["id"], terminal_id=terminal_id, seat=seat
        )
        return Outcome(ack, [push])

    def _login(
        self, db: Database, terminal_id: str, seat: int | None, name: str, ticket: str, now: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        found = [c for c in candidates.by_ticket(db, ticket) if c["name"] == name]
        live = [
            c for c in found if (sessions.get(db, c["session_id"]) or {}).get("state") != "ended"
        ]
        if not found:
            raise ExamError("not_on_roster")
        cand = (live or found)[0]
        session = self.session_of(db, cand["session_id"])
        state = C(cand["state"])
        rules.check_login(sessions.view(session), state, now)
        if cand["transfer_to"] is not None or (
            cand["terminal_id"] and cand["terminal_id"] != terminal_id
        ):
            # a pending transfer is confirmed on the new terminal only (transfer_confirm)
            raise ExamError(
                "logged_in_elsewhere", {"transfer_pending": cand["transfer_to"] == terminal_id}
            )
        if candidates.holding_terminal(db, terminal_id, exclude=cand["id"]):
            raise ExamError("terminal_occupied")
        new = next_candidate_state(state, "login")
        candidates.update(
            db,
            cand["id"],
            state=new.value,
            terminal_id=terminal_id,
            terminal_seat=seat,
            logged_in_at=cand["logged_in_at"] or tm.iso(now),
            # logging in again (a restarted browser) needs the room password again: name, ticket
            # and terminal id alone are all visible on the candidate's screen
            password_ok=cand["password_ok"] if state == C.CHECKED_IN else 0,
        )
        self.journal(
            db,
            "login",
            self.actor_of(cand),
            {"seat": seat, "roster_seat": cand["seat"]},
            cand=cand,
            terminal_id=terminal_id,
        )
        return self.candidate(db, cand["id"]), session

    def notice_ack(self, terminal_id: str, token: object) -> Outcome:
        """The candidate read the 考生须知 to the end and acknowledged it."""
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            if not cand["notice_read"]:
                candidates.update(db, cand["id"], notice_read=1)
            session = self.session_of(db, cand["session_id"])
            return Outcome({"ok": True, **self.view(db, self.candidate(db, cand["id"]), session)})

    def room_password(self, terminal_id: str, token: object, password: str) -> Outcome:
        """The room's exam password (当场考试口令) announced by the proctor."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            if not cand["notice_read"]:
                raise ExamError("notice_required")
            session = self.session_of(db, cand["session_id"])
            right = self.password_matches(db, terminal_id, session, password, now, cand["ticket"])
            if right:
                candidates.update(db, cand["id"], password_ok=1)
        if not right:
            raise ExamError("password_wrong")
        with self.sitedb.read() as db:
            return Outcome({"ok": True, **self.view(db, self.candidate(db, cand["id"]), session)})

    def password_matches(
        self,
        db: Database,
        terminal_id: str,
        session: dict[str, Any],
        password: str,
        now: Any,
        ticket: str,
    ) -> bool:
        """Compare a typed room password; wrong guesses lock the terminal and the ticket out."""
        keys = [f"password:{terminal_id}", f"password:ticket:{ticket}"]
        self.refuse_if_locked(db, keys, now)
        if password.strip().upper() != str(session["exam_password"]).upper():
            self.count_failure(db, keys, now, "room_password", terminal_id, ticket)
            return False
        for key in keys:
            throttle.clear(db, key)
        return True

    @staticmethod
    def require_password(cand: dict[str, Any]) -> None:
        """The paper only for a terminal whose candidate typed the room password since logging in."""
        if not cand["password_ok"]:
            raise ExamError("password_required")

    def confirm_identity(
        self, terminal_id: str, token: object, correct: bool, note: str
    ) -> Outcome:
        """The candidate confirms the record, or reports it wrong to the proctor (att.3 §1.5)."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            if not cand["password_ok"]:
                raise ExamError("password_required")
            session = self.session_of(db, cand["session_id"])
            pushes: list[Push] = []
            if not correct:
                candidates.update(db, cand["id"], disputed=1)
                self.journal(
                    db, "identity_disputed", self.actor_of(cand), {"note": note[:500]}, cand=cand
                )
                pushes.append(
                    self.console_push("identity_disputed", candidate_id=cand["id"], note=note[:500])
                )
            elif C(cand["state"]) == C.LOGGED_IN:
                new = next_candidate_state(C.LOGGED_IN, "confirm")
                if session["state"] == SessionState.RUNNING.value:
                    new = next_candidate_state(new, "begin")
                candidates.update(
                    db, cand["id"], state=new.value, confirmed_at=tm.iso(now), disputed=0
                )
                self.journal(db, "identity_confirmed", self.actor_of(cand), {}, cand=cand)
                pushes.append(self.console_push("identity_confirmed", candidate_id=cand["id"]))
            return Outcome(
                {"ok": True, **self.view(db, self.candidate(db, cand["id"]), session)}, pushes
            )

    def paper(self, terminal_id: str, token: object) -> Outcome:
        """The candidate's paper in their own order, with stored answers and the clock; only after the start."""
        with self.sitedb.read() as db:
            cand = self.authenticate(db, token, terminal_id)
            session = self.session_of(db, cand["session_id"])
            rules.check_answering(sessions.view(session), C(cand["state"]))
            self.require_password(cand)
            paper = self.opened_paper(db, session["id"])
            if paper is None:
                raise ExamError("paper_sealed")
            return Outcome(
                {
                    "ok": True,
                    "questions": candidate_paper(paper, cand["shuffle_seed"]),
                    "answers": answers.current(db, cand["id"]),
                    "flags": flags.flagged(db, cand["id"]),
                    "last_seq": answers.last_seqs(db, cand["id"]).get(terminal_id, 0),
                    "clock": self.clock_payload(db, session, cand["id"], self.now()),
                }
            )

    def flag(self, terminal_id: str, token: object, qid: str, flagged: bool) -> Outcome:
        """The candidate flags (标记) a question for review, or takes the flag off.

        Kept on the server so that the flags follow the candidate to a new terminal after a seat
        transfer. Not journaled: a flag is the candidate's own bookmark and changes no answer, no
        result and no time, so it has no place in the audit trail, the archive or the cloud push
        (a journal row per toggle would only grow the hash chain).
        """
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            session = self.session_of(db, cand["session_id"])
            rules.check_answering(sessions.view(session), C(cand["state"]))
            self.require_password(cand)
            qs = self.questions(db, session["id"])
            if qs is None:
                raise ExamError("paper_sealed")
            if qid not in qs:
                raise ExamError("qid_unknown", {"qid": qid})
            flags.put(db, cand["id"], qid, flagged, terminal_id, tm.iso(self.now()))
        return Outcome({"ok": True, "qid": qid, "flagged": flagged})

    def apply_answer(
        self, db: Database, item: dict[str, Any], batch: dict[Any, Any] | None = None
    ) -> dict[str, Any]:
        """Store one answer event inside the writer's transaction; returns the acknowledgement.

        A re-sent event (same terminal, same sequence, same content) is acknowledged again without
        a second write; the same number with other content is refused and changes nothing.
        `batch` is the writer's scratch for one transaction: the session's row, rules view and
        paper are read once per batch (answers never change them, and nothing else writes while
        the batch holds the database).
        """
        cand = self.authenticate(db, item["token"], item["terminal_id"], candidates.for_answer)
        seq, qid = item["seq"], item["qid"]
        chosen = sorted(item["value"])
        value = dumps_value(chosen)
        try:
            if answers.check_duplicate(db, cand["id"], item["terminal_id"], seq, qid, value):
                return {"ok": True, "seq": seq, "dup": True}
        except ExamError:
            # The same number with other content: a wiped terminal, or tampering. On record.
            stored = answers.seen(db, cand["id"], item["terminal_id"], seq)
            self.journal(
                db,
                "seq_conflict",
                self.actor_of(cand),
                {
                    "seq": seq,
                    "qid": qid,
                    "value": chosen,
                    "stored": {"qid": stored[0], "value": json.loads(stored[1])}
                    if stored
                    else None,
                },
                cand=cand,
                terminal_id=item["terminal_id"],
            )
            raise
        view, qs = self._answer_context(db, cand["session_id"], {} if batch is None else batch)
        rules.check_answering(view, C(cand["state"]))
        self.require_password(cand)
        now = self.now()
        end = self.end_in(db, view, cand["id"], now)
        if end is not None and now >= end:
            raise ExamError("collected")
        if qs is None:
            raise ExamError("paper_sealed")
        q = qs.get(qid)
        if q is None:
            raise ExamError("qid_unknown", {"seq": seq})
        if not valid_choice(q, chosen):
            raise ExamError("bad_value", {"seq": seq})
        row = self.journal(
            db,
            "answer",
            self.actor_of(cand),
            {"qid": qid, "value": chosen, "seq": seq},
            cand=cand,
            terminal_id=item["terminal_id"],
        )
        answers.record(db, cand["id"], item["terminal_id"], seq, qid, value, row["at"], row["seq"])
        return {"ok": True, "seq": seq}

    def _answer_context(
        self, db: Database, session_id: str, batch: dict[Any, Any]
    ) -> tuple[SessionView, dict[str, dict[str, Any]] | None]:
        """The session's rules view and qid → question, once per writer batch."""
        key = ("answer_context", session_id)
        ctx = batch.get(key)
        if ctx is None:
            ctx = batch[key] = (
                sessions.view(self.session_of(db, session_id)),
                self.questions(db, session_id),
            )
        return ctx

    def submit(self, terminal_id: str, token: object) -> Outcome:
        """Hand in, only from 30 minutes after the start (att.3 §1.8), in a transaction of its own."""
        with self.sitedb.write() as db:
            return self.submit_in(db, terminal_id, token)

    def submit_in(self, db: Database, terminal_id: str, token: object) -> Outcome:
        """Hand in inside the caller's transaction (the group writer's, see `apply_event`)."""
        now = self.now()
        cand = self.authenticate(db, token, terminal_id)
        if C(cand["state"]) in (C.SUBMITTED, C.COLLECTED):
            session = self.session_of(db, cand["session_id"])
            return Outcome({"ok": True, "already": True, **self.view(db, cand, session)})
        session = self.session_of(db, cand["session_id"])
        rules.check_submit(sessions.view(session), C(cand["state"]), now)
        self.require_password(cand)
        pushes = self.finish(db, cand, session, "submit", self.actor_of(cand), now)
        return Outcome(
            {"ok": True, **self.view(db, self.candidate(db, cand["id"]), session)}, pushes
        )

    def apply_event(
        self, db: Database, item: dict[str, Any], batch: dict[Any, Any] | None = None
    ) -> dict[str, Any]:
        """Store one event of a group-writer batch: an answer, or a hand-in (`kind` 'submit').

        Hand-ins go the answers' way because at the end of an exam a whole room hands in at
        once: one commit (in the answer-writer process) serves them all instead of one fsync
        each on the event loop (scripts/bench_room.py: 2,000 hand-ins waited 1.8 s for their
        ack, every other terminal's ack waiting behind them). A hand-in comes back as
        `Outcome.to_ack()`; the events of a batch are applied in the order they came, so an
        answer queued before the hand-in is stored before it.
        """
        if item.get("kind") == "submit":
            return self.submit_in(db, item["terminal_id"], item.get("token")).to_ack()
        return self.apply_answer(db, item, batch)

    def capture_upload(
        self, terminal_id: str, token: object, request_id: str, image: bytes
    ) -> Outcome:
        """A still the terminal took on the server's request."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            cap = captures.get(db, request_id)
            if cap is None or cap["candidate_id"] != cand["id"] or cap["taken_at"]:
                raise ExamError("capture_unknown")
            if image[:3] != b"\xff\xd8\xff":
                raise ExamError("not_an_image")
            captures.update(db, request_id, image=image, taken_at=tm.iso(now))
            self.journal(
                db,
                "capture",
                self.actor_of(cand),
                {"request_id": request_id, "bytes": len(image)},
                cand=cand,
            )
        return Outcome(
            {"ok": True, "request_id": request_id},
            [self.console_push("capture", candidate_id=cand["id"], request_id=request_id)],
        )

    def terminal_report(self, terminal_id: str, token: object, kind: str, detail: str) -> Outcome:
        """Camera status, leaving the page and refused local storage, journaled for the proctor (kiosk hardening)."""
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id) if token is not None else None
            if kind.startswith("camera_"):
                terminals.set_camera(db, terminal_id, kind.removeprefix("camera_"))
            journal_kind = {
                "camera_missing": "camera_missing",
                "camera_denied": "camera_missing",
                "blur": "page_blur",
                "hidden": "page_blur",
                # the browser refused to keep answers locally: a reload would lose unsent ones
                "storage_unavailable": "storage_unavailable",
            }.get(kind)
            if journal_kind and cand:
                self.journal(
                    db,
                    journal_kind,
                    self.actor_of(cand),
                    {"kind": kind, "detail": detail[:200]},
                    cand=cand,
                    terminal_id=terminal_id,
                )
        push = self.console_push(
            "terminal_report",
            terminal_id=terminal_id,
            candidate_id=cand["id"] if cand else None,
            report=kind,
        )
        return Outcome({"ok": True}, [push])

    def transfer_confirm(
        self, terminal_id: str, seat: int | None, ticket: str, password: str
    ) -> Outcome:
        """On the new terminal the candidate confirms a seat transfer with ticket and room password (att.3 §1.10)."""
        now = self.now()
        with self.sitedb.write() as db:
            found = [
                c
                for c in candidates.by_ticket(db, ticket.strip())
                if c["transfer_to"] == terminal_id
            ]
            if not found:
                raise ExamError("transfer_not_pending")
            cand = found[0]
            session = self.session_of(db, cand["session_id"])
            right = self.password_matches(db, terminal_id, session, password, now, cand["ticket"])
        if not right:
            raise ExamError("password_wrong")
        with self.sitedb.write() as db:
            cand = self.candidate(db, cand["id"])
            if cand["transfer_to"] != terminal_id:
                raise ExamError("transfer_not_pending")
            old = cand["terminal_id"]
            candidates.update(
                db,
                cand["id"],
                terminal_id=terminal_id,
                terminal_seat=seat,
                transfer_to=None,
                password_ok=1,
            )
            payload: dict[str, Any] = {
                "from_terminal": old,
                "to_terminal": terminal_id,
                "seat": seat,
            }
            since = self.credit_downtime(db, cand, now)
            if since is not None:
                payload["downtime_from"] = tm.iso(since)
                payload["downtime_to"] = tm.iso(now)
                # as the ledger counts it: between the stored (millisecond) times
                resumed = tm.parse_iso(tm.iso(now))
                payload["credited_s"] = round((resumed - since).total_seconds(), 3)
            self.journal(
                db,
                "transfer_confirmed",
                self.actor_of(cand),
                payload,
                cand=cand,
                terminal_id=terminal_id,
            )
            cand = self.candidate(db, cand["id"])
            token = tokens.issue(self.secret, cand["id"], terminal_id, cand["token_epoch"])
            view = self.view(db, cand, session)
        return Outcome(
            {"ok": True, "token": token, "session_id": session["id"], **view},
            [
                self.console_push(
                    "transfer_confirmed", candidate_id=cand["id"], terminal_id=terminal_id
                )
            ],
        )

    def credit_downtime(self, db: Database, cand: dict[str, Any], now: Any) -> Any:
        """Close an open pause of the candidate's ledger (the fault's downtime is credited);
        returns when that pause began, or None when none was open."""
        entries = ledger.entries(db, cand["id"])
        if not tm.is_paused(entries):
            return None
        since = max(e.at for e in entries if e.kind == "pause")
        ledger.add(db, cand["id"], "resume", 0, "system", "transfer confirmed", tm.iso(now))
        return since

    def joined_rooms(self, cand: dict[str, Any]) -> list[str]:
        """Rooms a terminal joins once its candidate is known."""
        return [term_room(cand["terminal_id"]), session_room(cand["session_id"])]
