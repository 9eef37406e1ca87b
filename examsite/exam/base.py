"""What every exam-day operation shares: the database, the clock, the token secret, pushes."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlite_utils import Database

from examsite import payloads
from examsite.engine import timing as tm
from examsite.engine.errors import ExamError
from examsite.engine.rules import SessionView
from examsite.engine.scoring import score_paper
from examsite.engine.states import CandidateState, next_candidate_state
from examsite.engine.zone import CHINA, utc_offset_min
from examsite.store import answers, candidates, journal, ledger, sessions, terminals, throttle
from examsite.store.db import SiteDB


@dataclass
class Push:
    """A message for connected clients, emitted by the Socket.IO layer after the commit."""

    event: str
    payload: dict[str, Any]
    to: str
    namespace: str = "/candidate"


@dataclass
class Outcome:
    """The result of an operation: the acknowledgement and what to push to others."""

    ack: dict[str, Any]
    pushes: list[Push] = field(default_factory=list)

    def to_ack(self) -> dict[str, Any]:
        """The outcome as one plain acknowledgement (JSON values only), the form an event
        stored by the group writer returns, possibly from the writer process; the pushes ride
        along under `PUSHES_KEY` and `from_ack` takes them out again."""
        return {
            **self.ack,
            PUSHES_KEY: [[p.event, p.payload, p.to, p.namespace] for p in self.pushes],
        }

    @classmethod
    def from_ack(cls, ack: dict[str, Any]) -> Outcome:
        """The outcome `to_ack` made (a refusal, which has no pushes, comes back as it is)."""
        ack = dict(ack)
        return cls(ack, [Push(*p) for p in ack.pop(PUSHES_KEY, [])])


#: Where `Outcome.to_ack` keeps the pushes (never sent to a terminal).
PUSHES_KEY = "_pushes"


def term_room(terminal_id: str) -> str:
    """Socket.IO room of one terminal."""
    return f"term:{terminal_id}"


def session_room(session_id: str) -> str:
    """Socket.IO room of every logged-in terminal of a session."""
    return f"session:{session_id}"


CONSOLE_ROOM = "console"


class Base:
    """Shared state of the operations mixins."""

    def __init__(
        self,
        sitedb: SiteDB,
        secret: str,
        clock: Callable[[], datetime] = tm.utcnow,
        zone: tzinfo = CHINA,
    ):
        self.sitedb = sitedb
        self.secret = secret
        self.now = clock
        self.zone = zone  # the site's time zone (TIME_ZONE): terminals format wall times in it
        self._paper_cache: dict[str, dict[str, Any]] = {}

    # -- lookups used by several operations -------------------------------------------------
    @staticmethod
    def session_of(db: Database, session_id: str) -> dict[str, Any]:
        """A session row or ExamError('not_open')."""
        row = sessions.get(db, session_id)
        if row is None:
            raise ExamError("not_open")
        return row

    @staticmethod
    def candidate(db: Database, candidate_id: int) -> dict[str, Any]:
        """A candidate row or ExamError('not_on_roster')."""
        row = candidates.get(db, candidate_id)
        if row is None:
            raise ExamError("not_on_roster")
        return row

    def opened_paper(self, db: Database, session_id: str) -> dict[str, Any] | None:
        """The session's opened paper, parsed once (an opened paper never changes); None while sealed."""
        cached = self._paper_cache.get(session_id)
        if cached is None:
            cached = sessions.paper(db, session_id)
            if cached is None:
                return None
            cached["by_qid"] = {q["qid"]: q for q in cached["questions"]}
            self._paper_cache[session_id] = cached
        return cached

    def questions(self, db: Database, session_id: str) -> dict[str, dict[str, Any]] | None:
        """qid → question of the session's opened paper."""
        paper = self.opened_paper(db, session_id)
        return paper["by_qid"] if paper else None

    def end_of(
        self, db: Database, session: dict[str, Any], candidate_id: int, now: datetime
    ) -> datetime | None:
        """When this candidate's paper is collected (None before the start)."""
        return self.end_in(db, sessions.view(session), candidate_id, now)

    @staticmethod
    def end_in(
        db: Database, view: SessionView, candidate_id: int, now: datetime
    ) -> datetime | None:
        """`end_of` from the session's rules view (the answer writer has it per batch)."""
        if view.started_at is None:
            return None
        return tm.candidate_end(view.timing, view.started_at, ledger.entries(db, candidate_id), now)

    def clock_payload(
        self, db: Database, session: dict[str, Any], candidate_id: int, now: datetime
    ) -> dict[str, Any]:
        """Server time, the candidate's end and the submit time."""
        started = tm.parse_iso(session["started_at"]) if session["started_at"] else None
        allowed = sessions.timing(session).submit_allowed_at(started) if started else None
        return payloads.clock(
            self.end_of(db, session, candidate_id, now), now, allowed, self.utc_offset_min(now)
        )

    def utc_offset_min(self, now: datetime) -> int:
        """The site zone's offset from UTC in minutes, sent with every server time stamp."""
        return utc_offset_min(self.zone, now)

    def time_payload(self) -> dict[str, Any]:
        """The server's time now and the site zone's offset (`hello`, `time`, the `time` push)."""
        now = self.now()
        return {"server_time_ms": tm.epoch_ms(now), "utc_offset_min": self.utc_offset_min(now)}

    def journal(
        self,
        db: Database,
        kind: str,
        actor: str,
        payload: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        cand: dict[str, Any] | None = None,
        terminal_id: str | None = None,
    ) -> dict[str, Any]:
        """Append a journal row for a candidate (or the session) inside the current transaction."""
        return journal.append(
            db,
            kind,
            actor,
            payload,
            session_id=session_id or (cand["session_id"] if cand else None),
            ticket=cand["ticket"] if cand else None,
            terminal_id=terminal_id
            if terminal_id is not None
            else (cand["terminal_id"] if cand else None),
        )

    @staticmethod
    def lock_keys(db: Database, cand: dict[str, Any]) -> list[str]:
        """Every lock-out key that can keep this candidate from logging in or typing the room
        password: the ticket's, and those of the terminals at the candidate's seat."""
        tids = {t["id"] for t in terminals.all_terminals(db) if t["seat"] == cand["seat"]}
        if cand["terminal_id"]:
            tids.add(cand["terminal_id"])
        keys = [f"captcha:ticket:{cand['ticket']}", f"password:ticket:{cand['ticket']}"]
        for tid in sorted(tids):
            keys += [f"login:{tid}", f"captcha:terminal:{tid}", f"password:{tid}"]
        return keys

    def login_locked_s(self, db: Database, cand: dict[str, Any], now: datetime) -> int:
        """Seconds until the candidate's lock-outs lift (0: not locked)."""
        until = [u for k in self.lock_keys(db, cand) if (u := throttle.locked_until(db, k, now))]
        return max(1, math.ceil((max(until) - now).total_seconds())) if until else 0

    def console_push(self, kind: str, **data: Any) -> Push:
        """A change the proctors' live view should show."""
        return Push("room_update", {"kind": kind, **data}, CONSOLE_ROOM, "/console")

    def finish(
        self,
        db: Database,
        cand: dict[str, Any],
        session: dict[str, Any],
        action: str,
        actor: str,
        now: datetime,
        reason: str = "",
    ) -> list[Push]:
        """Close a paper (submit or collect): score it, change state, journal; returns the pushes."""
        new = next_candidate_state(CandidateState(cand["state"]), action)
        paper = self.opened_paper(db, session["id"])
        got = answers.current(db, cand["id"])
        result = score_paper(paper, got) if paper else None
        candidates.update(
            db,
            cand["id"],
            state=new.value,
            finished_at=tm.iso(now),
            score=result.score if result else None,
            passed=int(result.passed) if result else None,
        )
        payload: dict[str, Any] = {
            "answered": len(got),
            "score": result.score if result else None,
            "passed": result.passed if result else None,
        }
        if reason:
            payload["reason"] = reason
        self.journal(db, action, actor, payload, cand=cand)
        done = self.candidate(db, cand["id"])
        pushes = [self.console_push(action, candidate_id=cand["id"], answered=len(got))]
        if action == "collect" and cand["terminal_id"]:
            total = len(paper["questions"]) if paper else 0
            pushes.append(
                Push(
                    "collected",
                    {
                        **payloads.lock("collected"),
                        "result": self.result_payload(done, session, len(got), total),
                    },
                    term_room(cand["terminal_id"]),
                )
            )
        return pushes

    def disqualify_in(
        self, db: Database, cand: dict[str, Any], reason: str, actor: str, now: datetime
    ) -> None:
        """Cancel qualification and score (000 att.3 §2) inside the caller's transaction.

        The one place a result is voided: the state, the void reason, no score and not passed,
        so the archive, the console and the cloud push (which all read the candidate row) agree
        even for a candidate disqualified after handing in. The voided score stays in the journal.
        """
        new = next_candidate_state(CandidateState(cand["state"]), "disqualify")
        candidates.update(
            db,
            cand["id"],
            state=new.value,
            void_reason=reason,
            lock_reason=reason,
            finished_at=cand["finished_at"] or tm.iso(now),
            score=None,
            passed=0,
        )
        payload: dict[str, Any] = {"reason": reason}
        if cand["score"] is not None:
            payload["voided_score"] = cand["score"]
            payload["voided_passed"] = bool(cand["passed"])
        self.journal(db, "disqualified", actor, payload, cand=cand)

    def _mark_absent(self, db: Database, cand: dict[str, Any], actor: str) -> None:
        candidates.update(
            db,
            cand["id"],
            state=next_candidate_state(CandidateState(cand["state"]), "absent").value,
        )
        self.journal(db, "absent", actor, {}, cand=cand)

    @staticmethod
    def actor_of(cand: dict[str, Any]) -> str:
        """Journal actor name of a candidate."""
        return f"candidate:{cand['ticket']}"

    @staticmethod
    def result_payload(
        cand: dict[str, Any], session: dict[str, Any], answered: int, total: int
    ) -> dict[str, Any]:
        """What a candidate sees after hand-in: counts, and the score only if the session shows it."""
        out: dict[str, Any] = {"answered": answered, "total": total}
        if session["show_score"] and cand.get("score") is not None:
            out["score"] = cand["score"]
            out["passed"] = bool(cand["passed"])
        return out


def dumps_value(value: list[str]) -> str:
    """Canonical stored form of a chosen-option list."""
    return json.dumps(sorted(value), separators=(",", ":"))


OPEN = tuple(
    s.value
    for s in (
        CandidateState.LOGGED_IN,
        CandidateState.CONFIRMED,
        CandidateState.ANSWERING,
        CandidateState.AWAY,
    )
)
