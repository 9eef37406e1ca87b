"""Builds hash-chained journal rows and outbox records the way a site writes them."""

from __future__ import annotations

from typing import Any

from cloudsync import chain


class JournalWriter:
    """Appends rows with per-site sequence numbers and the hash chain of docs/architecture.md."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.rows: list[dict[str, Any]] = []
        self.prev = chain.GENESIS

    def add(self, kind: str, ticket: str | None = None, **payload: Any) -> dict[str, Any]:
        """Append one row and return it."""
        seq = len(self.rows) + 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": f"2026-11-24T01:{30 + seq // 60:02d}:{seq % 60:02d}Z",
            "session_id": self.session_id,
            "kind": kind,
            "actor": f"candidate:{ticket}" if ticket else "proctor:zhang",
            "candidate_ticket": ticket,
            "terminal_id": "T01" if ticket else None,
            "payload": payload,
            "prev_hash": self.prev,
        }
        row["hash"] = chain.row_hash(self.prev, row)
        self.prev = row["hash"]
        self.rows.append(row)
        return row


def records(rows: list[dict[str, Any]], start: int = 1) -> list[dict[str, Any]]:
    """Outbox records (seq from ``start``) for journal rows."""
    return [{"seq": start + i, "kind": "journal", "body": r} for i, r in enumerate(rows)]


def exam_day(plan_id: str, tickets: list[str], answers: int = 3) -> JournalWriter:
    """A small exam: check-in, login, answers, submit for each ticket, one violation."""
    j = JournalWriter(plan_id)
    j.add("exam_started")
    for t in tickets:
        j.add("checkin", t, method="idcard")
        j.add("login", t)
        for q in range(answers):
            j.add("answer", t, qid=f"q{q}", choice=["A"], term_seq=q + 1)
        j.add("capture", t, capture_id=f"cap-{t}")
        j.add("submit", t)
    j.add("violation", tickets[0], category=3, conduct="偷看他人答卷", handling="警告")
    j.add("exam_ended")
    return j
