"""Capture reviews as the site journals them (request_id, review ok|suspect, face verdict) decide
whether a result is clean: a proctor's suspect mark or an unreviewed non-match keeps it out of
bulk approval; a proctor's ok clears a non-match."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.certificates.assessment import assess
from cloudsync.chain import GENESIS, row_hash
from cloudsync.cloud.database import get_db
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import plans

from .conftest import ident

SITE3 = "SITE-HZ-03"
PLAN3 = "PLAN-GAS-SAFETY-3"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _row(seq: int, kind: str, ticket: str, actor: str, **payload: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": f"2026-11-22T01:{seq:02d}:00Z",
        "session_id": PLAN3,
        "kind": kind,
        "actor": actor,
        "candidate_ticket": ticket,
        "terminal_id": "T-01",
        "payload": payload,
        "chain_ok": 1,
    }


def _auto(seq: int, ticket: str, request_id: str, verdict: str) -> dict[str, Any]:
    """What examsite/exam/capture_checks.py journals after the face check."""
    return _row(seq, "capture_reviewed", ticket, "system", request_id=request_id, review="auto",
                verdict=verdict, distance=0.7, threshold=0.5)  # fmt: skip


def _proctor(seq: int, ticket: str, request_id: str, review: str, verdict: str) -> dict[str, Any]:
    """What examsite/exam/violations.py journals when the proctor looks at a capture."""
    return _row(seq, "capture_reviewed", ticket, "proctor:zhang", request_id=request_id,
                review=review, note="不像本人" if review == "suspect" else "",
                verdict=verdict, distance=0.7)  # fmt: skip


def _base(ticket: str) -> list[dict[str, Any]]:
    return [
        _row(1, "checkin", ticket, f"candidate:{ticket}"),
        _row(2, "identity_confirmed", ticket, f"candidate:{ticket}"),
        _row(3, "submit", ticket, f"candidate:{ticket}"),
    ]


RESULT = {"status": "submitted", "score": 90, "answers": 100, "detail": {}}
CHAIN = {"ok": 1, "last_seq": 100, "first_bad_seq": None}


@pytest.mark.parametrize(
    ("reviews", "capture_meta", "clean", "rejected", "unresolved"),
    [
        # the proctor marked a matching capture suspect: never clean
        ([_auto(4, "S1", "r1", "match"), _proctor(5, "S1", "r1", "suspect", "match")],
         {"verdict": "match"}, False, 1, 0),
        # the face check said no match and nobody looked yet
        ([_auto(4, "S1", "r1", "no_match")], {"verdict": "no_match"}, False, 0, 1),
        ([_auto(4, "S1", "r1", "no_reference")], {"verdict": None}, False, 0, 1),
        ([_auto(4, "S1", "r1", "unavailable")], {}, False, 0, 1),
        # the proctor looked at the non-match and found it the same person
        ([_auto(4, "S1", "r1", "no_match"), _proctor(5, "S1", "r1", "ok", "no_match")],
         {"verdict": "no_match"}, True, 0, 0),
        # the latest review wins: ok, then suspect
        ([_proctor(4, "S1", "r1", "ok", "match"), _proctor(5, "S1", "r1", "suspect", "match")],
         {"verdict": "match"}, False, 1, 0),
        # suspect, then ok after a second look
        ([_proctor(4, "S1", "r1", "suspect", "no_match"), _proctor(5, "S1", "r1", "ok", "no_match")],
         {"verdict": "no_match"}, True, 0, 0),
        # a match and no review: clean
        ([_auto(4, "S1", "r1", "match")], {"verdict": "match"}, True, 0, 0),
        # only the capture record knows: the proctor's suspect in its metadata
        ([], {"verdict": "match", "review": "suspect"}, False, 1, 0),
    ],
)  # fmt: skip
def test_site_shaped_reviews_decide_the_flag(
    reviews: list[dict[str, Any]],
    capture_meta: dict[str, Any],
    clean: bool,
    rejected: int,
    unresolved: int,
) -> None:
    capture = {"capture_id": "r1", "at": "2026-11-22T01:40:00Z", "flagged": 0, "meta": capture_meta}
    out = assess(RESULT, [*_base("S1"), *reviews], [capture], CHAIN)
    assert out.clean is clean
    assert out.summary["captures_rejected"] == rejected
    assert out.summary["captures_unresolved"] == unresolved
    assert ("captures_flagged" in [f.code for f in out.flags]) is (not clean)


def test_reviews_of_two_captures_stay_apart() -> None:
    caps = [
        {"capture_id": "r1", "flagged": 0, "meta": {"verdict": "match"}},
        {"capture_id": "r2", "flagged": 0, "meta": {"verdict": "match"}},
    ]
    rows = [
        *_base("S1"),
        _proctor(4, "S1", "r1", "suspect", "match"),
        _proctor(5, "S1", "r2", "ok", "match"),  # must not clear r1
    ]
    out = assess(RESULT, rows, caps, CHAIN)
    assert not out.clean
    assert out.summary["captures_rejected"] == 1


def _site_journal(script: dict[str, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    """Hash-chained journal rows for each ticket: check-in, confirm, submit, then its reviews
    (``(review, verdict)``; review "auto" is the face check's row)."""
    rows: list[dict[str, Any]] = []

    def add(kind: str, ticket: str, actor: str, **payload: Any) -> None:
        rows.append(
            {
                "seq": len(rows) + 1,
                "at": f"2026-11-22T01:{len(rows):02d}:00Z",
                "session_id": PLAN3,
                "kind": kind,
                "actor": actor,
                "candidate_ticket": ticket,
                "terminal_id": "T-01",
                "payload": payload,
            }
        )

    for ticket, steps in script.items():
        for kind in ("checkin", "identity_confirmed", "submit"):
            add(kind, ticket, f"candidate:{ticket}")
        for review, verdict in steps:
            actor = "system" if review == "auto" else "proctor:zhang"
            add("capture_reviewed", ticket, actor, request_id=f"req-{ticket}", review=review,
                verdict=verdict, distance=0.7)  # fmt: skip
    prev = GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["hash"] = prev = row_hash(prev, r)
    return rows


def test_ingested_suspect_capture_is_not_approved_in_bulk(app: Flask) -> None:
    script = {
        "S1": [("auto", "match"), ("suspect", "match")],  # the proctor's suspect mark
        "S2": [("auto", "no_match"), ("ok", "no_match")],  # cleared by the proctor
        "S3": [("auto", "match")],
        "S4": [("auto", "no_match")],  # nobody looked
    }
    with app.app_context():
        db = get_db()
        plans.add(
            db,
            {
                "plan_id": PLAN3, "site_id": SITE3, "room": "第3考场", "subject": "燃气经营企业安全生产管理人员",
                "starts_at": "2026-11-22T01:30:00Z", "duration_min": 90, "paper_id": "P3", "settings": {},
                "release_code": "X", "sealed": "x", "paper_sha256": "0" * 64,
            },
            NOW,
        )  # fmt: skip
        plans.replace_roster(
            db,
            PLAN3,
            [
                {"ticket": t, "name": f"考生{n}", "gender": "M", "id_number": ident("19800101", True, n),
                 "company": "济宁港华燃气有限公司", "seat": n}
                for n, t in enumerate(script, start=1)
            ],
        )  # fmt: skip
        records: list[dict[str, Any]] = [
            {"seq": r["seq"], "kind": "journal", "body": r} for r in _site_journal(script)
        ]
        for ticket, steps in script.items():
            verdict = steps[-1][1]
            review = steps[-1][0] if steps[-1][0] != "auto" else None
            records.append(
                {
                    "seq": len(records) + 1,
                    "kind": "capture",
                    "body": {
                        "capture_id": f"req-{ticket}", "plan_id": PLAN3, "ticket": ticket,
                        "at": "2026-11-22T01:40:00Z", "flagged": verdict != "match",
                        "meta": {"verdict": verdict, "distance": 0.7, "review": review, "review_note": None},
                    },
                }
            )  # fmt: skip
            records.append(
                {
                    "seq": len(records) + 1,
                    "kind": "result",
                    "body": {"plan_id": PLAN3, "ticket": ticket, "status": "submitted", "score": 88, "passed": True, "answers": 100, "detail": {}},
                }
            )  # fmt: skip
        out = ingest(db, SITE3, {"site_id": SITE3, "batch_id": "b1", "records": records}, NOW)
        assert {a["status"] for a in out["acks"]} == {"stored"}

        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN3, date(2026, 11, 23))}
        assert {t: it.bulk_ok for t, it in items.items()} == {
            "S1": False,
            "S2": True,
            "S3": True,
            "S4": False,
        }
        issued, left = approvals.bulk_approve(db, PLAN3, "admin:x", NOW, "发证机关")
        assert len(issued) == 2
        assert sorted(left) == [("S1", ["captures_flagged"]), ("S4", ["captures_flagged"])]
