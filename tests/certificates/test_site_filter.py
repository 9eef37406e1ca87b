"""A result stored under a plan by a site the plan was not published to never reaches the
approval screens (a guard behind the ingest's own check, for rows stored before it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.certificates.approvals import CertificateError
from cloudsync.certificates.store import evidence
from cloudsync.cloud.database import get_db

from .conftest import PLAN, SITE

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
EVIL = "SITE-EVIL-09"


def test_results_from_another_site_are_not_in_the_queue(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        db.insert(
            "results",
            {
                "site_id": EVIL, "plan_id": PLAN, "ticket": "T007", "status": "submitted",
                "score": 99.0, "passed": 1, "answers": 100, "detail": "{}",
                "received_at": "2026-11-22T08:00:00Z",
            },
        )  # fmt: skip
        [row] = [p for p in evidence.plans_with_passes(db) if p["plan_id"] == PLAN]
        assert row["passed"] == 8  # the seeded plan's own passes only
        rows = evidence.passed_results(db, PLAN)
        assert {r["site_id"] for r in rows} == {SITE}
        assert evidence.result(db, EVIL, PLAN, "T007") is None
        queue = approvals.queue(db, PLAN, date(2026, 11, 23))
        assert all(it.result["site_id"] == SITE for it in queue)
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, EVIL, PLAN, "T007", "admin:x", NOW, "发证机关")
        assert err.value.code == "no_passing_result"
