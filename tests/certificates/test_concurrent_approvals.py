"""Two operators approving one person from two plans at once: the type rules still hold."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.certificates.approvals import CertificateError
from cloudsync.certificates.store import certificates, counters
from cloudsync.cloud.database import get_db
from cloudsync.cloud.db import Database
from cloudsync.cloud.store import plans, sync

from .conftest import CANDIDATES, PLAN, SITE

ISSUER = "山东省住房和城乡建设厅"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PLAN_B = "PLAN-GAS-SAFETY-B"


def _second_plan_for_t001(db: Database) -> str:
    """PLAN_B at the same site, where T001's holder sat another exam (ticket B001)."""
    name, gender, id_number, company, _ = CANDIDATES["T001"]
    plans.add(
        db,
        {
            "plan_id": PLAN_B, "site_id": SITE, "room": "第2考场", "subject": "燃气经营企业安全生产管理人员",
            "starts_at": "2026-11-22T05:30:00Z", "duration_min": 90, "paper_id": "P2", "settings": {},
            "release_code": "X", "sealed": "x", "paper_sha256": "0" * 64,
        },
        NOW,
    )  # fmt: skip
    plans.replace_roster(
        db,
        PLAN_B,
        [{"ticket": "B001", "name": name, "gender": gender, "id_number": id_number,
          "company": company, "seat": 1}],
    )  # fmt: skip
    sync.put_result(
        db,
        SITE,
        {"plan_id": PLAN_B, "ticket": "B001", "status": "submitted", "score": 90, "passed": True,
         "answers": 100, "detail": {}},
        "2026-11-22T08:00:00Z",
    )  # fmt: skip
    return id_number


def test_second_approval_waits_and_sees_the_first_certificate(app: Flask) -> None:
    with app.app_context():
        id_number = _second_plan_for_t001(get_db())
    first, second = Database(app.config["DATABASE"]), Database(app.config["DATABASE"])
    outcome: dict[str, Any] = {}

    def other_operator() -> None:
        try:
            outcome["issued"] = approvals.approve(
                second, SITE, PLAN, "T001", "admin:b", NOW, ISSUER, role="safety"
            )
        except CertificateError as exc:
            outcome["refused"] = [r.code for r in exc.refusals]
        except Exception as exc:  # e.g. SQLite refusing a stale reader's write
            outcome["error"] = exc

    lock = approvals.holder_lock_name(id_number)
    counters.ensure(first, lock)
    try:
        with first.transaction():  # operator A is in the middle of approving the same person
            counters.bump(first, lock)
            approvals.approve(first, SITE, PLAN_B, "B001", "admin:a", NOW, ISSUER, role="safety")
            thread = threading.Thread(target=other_operator)
            thread.start()
            thread.join(1.0)  # B starts meanwhile; it must wait for A instead of reading first
        thread.join(60)
        assert not thread.is_alive()
        assert outcome == {"refused": ["one_safety_certificate"]}, outcome
        with app.app_context():
            held = certificates.held_by(get_db(), id_number, "gas", "2026-11-23")
        assert [(c["plan_id"], c["role"]) for c in held] == [(PLAN_B, "safety")]
    finally:
        first.close()
        second.close()
