"""Approval on results that came in through the cloud's real ingest (chain checked there)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.certificates.approvals import CertificateError
from cloudsync.chain import GENESIS, row_hash
from cloudsync.cloud.database import get_db
from cloudsync.cloud.ingest import ingest
from cloudsync.cloud.store import plans

from .conftest import ident

SITE2 = "SITE-TA-02"
PLAN2 = "PLAN-GAS-SAFETY-2"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _journal(tickets: list[str], tamper: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for ticket in tickets:
        for kind in ("checkin", "identity_confirmed", "submit"):
            rows.append(
                {
                    "seq": len(rows) + 1,
                    "at": f"2026-11-22T01:{len(rows):02d}:00Z",
                    "session_id": PLAN2,
                    "kind": kind,
                    "actor": f"candidate:{ticket}",
                    "candidate_ticket": ticket,
                    "terminal_id": "T-01",
                    "payload": {},
                }
            )
    prev = GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["hash"] = prev = row_hash(prev, r)
    for r in rows:
        if r["candidate_ticket"] == tamper and r["kind"] == "submit":
            r["payload"] = {"answers_changed": True}  # altered after it was hashed
    return rows


def test_ingested_results_clean_approvable_tampered_void(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        plans.add(
            db,
            {
                "plan_id": PLAN2, "site_id": SITE2, "room": "第2考场", "subject": "燃气经营企业安全生产管理人员",
                "starts_at": "2026-11-22T01:30:00Z", "duration_min": 90, "paper_id": "P2", "settings": {},
                "release_code": "X", "sealed": "x", "paper_sha256": "0" * 64,
            },
            NOW,
        )  # fmt: skip
        plans.replace_roster(
            db,
            PLAN2,
            [
                {"ticket": "S1", "name": "甲", "gender": "M", "id_number": ident("19800101", True, 1), "company": "济宁港华燃气有限公司", "seat": 1},
                {"ticket": "S2", "name": "乙", "gender": "F", "id_number": ident("19810101", False, 2), "company": "济宁港华燃气有限公司", "seat": 2},
            ],
        )  # fmt: skip
        records: list[dict[str, Any]] = [
            {"seq": r["seq"], "kind": "journal", "body": r}
            for r in _journal(["S1", "S2"], tamper="S2")
        ]
        for ticket in ("S1", "S2"):
            records.append(
                {
                    "seq": len(records) + 1,
                    "kind": "result",
                    "body": {"plan_id": PLAN2, "ticket": ticket, "status": "submitted", "score": 88, "passed": True, "answers": 100, "detail": {}},
                }
            )  # fmt: skip
        ingest(db, SITE2, {"site_id": SITE2, "batch_id": "b1", "records": records}, NOW)

        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN2, date(2026, 11, 23))}
        assert items["S1"].assessment.summary["journal"] == "ok"
        assert items["S1"].role == "safety" and items["S1"].bulk_ok
        assert [r.code for r in items["S2"].assessment.void] == ["journal_check_failed"]
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE2, PLAN2, "S2", "admin:x", NOW, "发证机关")
        assert err.value.code == "journal_check_failed"
        issued, left = approvals.bulk_approve(db, PLAN2, "admin:x", NOW, "发证机关")
        assert [c["number"] for c in issued] == ["鲁燃GB2026000001"]
        assert left == [("S2", ["journal_check_failed"])]


def test_missing_row_keeps_plan_out_of_bulk_until_it_arrives(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        plans.add(
            db,
            {
                "plan_id": PLAN2, "site_id": SITE2, "room": "第2考场", "subject": "燃气经营企业安全生产管理人员",
                "starts_at": "2026-11-22T01:30:00Z", "duration_min": 90, "paper_id": "P2", "settings": {},
                "release_code": "X", "sealed": "x", "paper_sha256": "0" * 64,
            },
            NOW,
        )  # fmt: skip
        plans.replace_roster(
            db,
            PLAN2,
            [
                {"ticket": "S1", "name": "甲", "gender": "M", "id_number": ident("19800101", True, 1), "company": "济宁港华燃气有限公司", "seat": 1},
                {"ticket": "S2", "name": "乙", "gender": "F", "id_number": ident("19810101", False, 2), "company": "济宁港华燃气有限公司", "seat": 2},
            ],
        )  # fmt: skip
        rows = _journal(["S1", "S2"], tamper="nobody")
        missing = rows.pop(4)  # S2's identity_confirmed, deleted at the site (or still on its way)
        records: list[dict[str, Any]] = [
            {"seq": r["seq"], "kind": "journal", "body": r} for r in rows
        ]
        for ticket in ("S1", "S2"):
            records.append(
                {
                    "seq": 100 + len(records),
                    "kind": "result",
                    "body": {"plan_id": PLAN2, "ticket": ticket, "status": "submitted", "score": 88, "passed": True, "answers": 100, "detail": {}},
                }
            )  # fmt: skip
        out = ingest(db, SITE2, {"site_id": SITE2, "batch_id": "b1", "records": records}, NOW)
        assert out["chain"]["ok"] is False and out["chain"]["verdict"] == "incomplete"
        assert out["chain"]["gaps"] == [[5, 5]]

        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN2, date(2026, 11, 23))}
        for ticket in ("S1", "S2"):  # the missing row could have been anybody's in the plan
            assert items[ticket].assessment.summary["journal"] == "incomplete"
            assert [r.code for r in items[ticket].assessment.flags] == ["journal_incomplete"]
            assert not items[ticket].assessment.void and not items[ticket].bulk_ok
        issued, left = approvals.bulk_approve(db, PLAN2, "admin:x", NOW, "发证机关")
        assert issued == []
        assert left == [("S1", ["journal_incomplete"]), ("S2", ["journal_incomplete"])]

        # the row arrives later, intact: the gap closes and the results are clean again
        late = {"seq": 50, "kind": "journal", "body": missing}
        out = ingest(db, SITE2, {"site_id": SITE2, "batch_id": "b2", "records": [late]}, NOW)
        assert out["chain"] == {
            "ok": True, "verdict": "intact", "first_bad_seq": None, "last_seq": 6, "gaps": []
        }  # fmt: skip
        assert db.scalar("SELECT COUNT(*) FROM journal WHERE chain_ok IS NULL") == 0
        issued, left = approvals.bulk_approve(db, PLAN2, "admin:x", NOW, "发证机关")
        assert len(issued) == 2 and left == []
