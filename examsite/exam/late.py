"""Late answers: made on a terminal while it was offline, received only after the paper closed.

The server owns the end, so such answers are never scored by themselves. They are kept as they
came (with the page's estimate of the server time when each was made), journaled, and shown to
the proctor, who may accept those made before the end: then they become the candidate's answers
and the paper is scored again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from examsite.engine import timing as tm
from examsite.engine.errors import ExamError
from examsite.engine.scoring import score_paper, valid_choice
from examsite.engine.states import CandidateState, SessionState
from examsite.store import answers, candidates, late_answers

from .base import Outcome, dumps_value
from .terminal import TerminalOps

C = CandidateState


class LateAnswerOps(TerminalOps):
    """Receiving a terminal's late batch, and the proctor's acceptance of it."""

    def closed_at(
        self, db: Database, cand: dict[str, Any], session: dict[str, Any], now: datetime
    ) -> datetime | None:
        """When the candidate's paper closed (hand-in, collection or the session's end); None while open."""
        times = [
            tm.parse_iso(t)
            for t in (
                cand["finished_at"] if C(cand["state"]) in (C.SUBMITTED, C.COLLECTED) else None,
                session["ended_at"] if session["state"] == SessionState.ENDED.value else None,
            )
            if t
        ]
        end = self.end_of(db, session, cand["id"], now)
        if end is not None and end <= now:
            times.append(end)
        return min(times) if times else None

    def late_answers(self, terminal_id: str, token: object, items: list[dict[str, Any]]) -> Outcome:
        """Keep a terminal's answers refused as `collected`; they wait for the proctor's decision."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.authenticate(db, token, terminal_id)
            if cand["state"] == C.DISQUALIFIED.value:
                raise ExamError("disqualified")
            session = self.session_of(db, cand["session_id"])
            closed = self.closed_at(db, cand, session, now)
            if closed is None:
                # Still open (e.g. time was extended): the terminal sends them as answers again.
                raise ExamError("paper_open")
            qs = self.questions(db, session["id"]) or {}
            closed_ms = tm.epoch_ms(closed)
            fresh, invalid = [], 0
            for item in items:
                q = qs.get(item["qid"])
                if q is None or not valid_choice(q, item["value"]):
                    invalid += 1
                    continue
                if late_answers.known(db, cand["id"], terminal_id, item["seq"]) or answers.seen(
                    db, cand["id"], terminal_id, item["seq"]
                ):
                    continue  # a re-sent batch (its acknowledgement was lost), or stored in time
                at = item["at_ms"]
                fresh.append({**item, "before_end": at is not None and at < closed_ms})
            before = sum(1 for i in fresh if i["before_end"])
            pushes = []
            if fresh or invalid:
                row = self.journal(
                    db,
                    "late_answers",
                    self.actor_of(cand),
                    {
                        "count": len(fresh),
                        "before_end": before,
                        "invalid": invalid,
                        "closed_at_ms": closed_ms,
                        "answers": [
                            {
                                "seq": i["seq"],
                                "qid": i["qid"],
                                "value": sorted(i["value"]),
                                "at_ms": i["at_ms"],
                                "before_end": i["before_end"],
                            }
                            for i in fresh
                        ],
                    },
                    cand=cand,
                    terminal_id=terminal_id,
                )
                for i in fresh:
                    late_answers.add(
                        db,
                        cand["id"],
                        session["id"],
                        terminal_id,
                        i["seq"],
                        i["qid"],
                        dumps_value(i["value"]),
                        i["at_ms"],
                        i["before_end"],
                        row["at"],
                        row["seq"],
                    )
                pushes.append(
                    self.console_push(
                        "late_answers",
                        candidate_id=cand["id"],
                        count=len(fresh),
                        before_end=before,
                    )
                )
        ack = {
            "ok": True,
            "received": len(items),
            "kept": len(fresh),
            "before_end": before,
            "invalid": invalid,
        }
        return Outcome(ack, pushes)

    def accept_late_answers(self, candidate_id: int, actor: str, reason: str) -> Outcome:
        """The proctor writes the late answers made before the end as the candidate's answers and re-scores."""
        now = self.now()
        with self.sitedb.write() as db:
            cand = self.candidate(db, candidate_id)
            if cand["state"] == C.DISQUALIFIED.value:
                raise ExamError("disqualified")
            session = self.session_of(db, cand["session_id"])
            if self.closed_at(db, cand, session, now) is None:
                raise ExamError("paper_open")
            rows = [
                r
                for r in late_answers.of_candidate(db, candidate_id)
                if r["status"] == "pending" and r["before_end"]
            ]
            if not rows:
                raise ExamError("no_late_answers")
            paper = self.opened_paper(db, session["id"])
            for r in rows:
                j = self.journal(
                    db,
                    "answer",
                    actor,
                    {
                        "qid": r["qid"],
                        "value": json.loads(r["value"]),
                        "seq": r["seq"],
                        "late": True,
                    },
                    cand=cand,
                    terminal_id=r["terminal_id"],
                )
                answers.record(
                    db,
                    cand["id"],
                    r["terminal_id"],
                    r["seq"],
                    r["qid"],
                    r["value"],
                    j["at"],
                    j["seq"],
                )
            late_answers.accept(db, [r["id"] for r in rows], actor, tm.iso(now))
            got = answers.current(db, cand["id"])
            result = score_paper(paper, got) if paper else None
            candidates.update(
                db,
                cand["id"],
                score=result.score if result else None,
                passed=int(result.passed) if result else None,
            )
            self.journal(
                db,
                "late_answers_accepted",
                actor,
                {
                    "count": len(rows),
                    "reason": reason[:500],
                    "answered": len(got),
                    "score_before": cand["score"],
                    "score": result.score if result else None,
                    "passed": result.passed if result else None,
                },
                cand=cand,
            )
        push = self.console_push(
            "late_answers_accepted", candidate_id=cand["id"], count=len(rows), answered=len(got)
        )
        return Outcome(
            {
                "ok": True,
                "accepted": len(rows),
                "answered": len(got),
                "score": result.score if result else None,
            },
            [push],
        )
