"""Fixtures of the certificate tests: the cloud app on real SQLite and real MariaDB (same
pattern as tests/cloud), an administrator, and a synced demo plan with every kind of result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cloudsync.certificates.calendar import id_with_check_digit
from cloudsync.certificates.store import companies
from cloudsync.chain import GENESIS, row_hash
from cloudsync.cloud import create_app
from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.db import Database
from cloudsync.cloud.store import admins, plans
from tests.clock import Clock
from tests.cloud import conftest as cloud_fixtures
from tests.cloud.pages import log_in

FACE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces" / "obama_small.jpg"
PLAN = "PLAN-GAS-001"
SITE = "SITE-JN-01"
PASSWORD = "s3cret-pass"


# the same database backends and clock as the cloud's own tests
cloud_db_url = cloud_fixtures.cloud_db_url
clock = cloud_fixtures.clock


@pytest.fixture
def app(cloud_db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The cloud app on a migrated database with the demo plan synced."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE": cloud_db_url,
            "SECRET_KEY": "test",
            "CLOCK": clock,
            "CERT_PUBLIC_URL": "http://cloud.test/",
        }
    )
    with app.app_context():
        init_db()
        db = get_db()
        admins.create(db, "approver", PASSWORD, "operator")
        admins.create(db, "viewer", PASSWORD, "viewer")
        seed_plan(db)
    yield app


@pytest.fixture
def client(app: Flask) -> Any:
    """A test client logged in as the operator."""
    c = app.test_client()
    log_in(c, "approver", PASSWORD)
    return c


def ident(birth: str, male: bool, n: int = 1) -> str:
    """A valid ID number for a birth date (YYYYMMDD) and sex."""
    order = f"{n:02d}{1 if male else 2}"
    return id_with_check_digit("370811" + birth + order)


#: ticket → (name, gender, ID number, company, what happened)
CANDIDATES: dict[str, tuple[str, str, str, str, str]] = {
    "T001": ("李清白", "M", ident("19850301", True, 1), "济宁港华燃气有限公司", "clean"),
    "T002": ("王守规", "F", ident("19900715", False, 2), "济宁港华燃气有限公司", "clean"),
    "T003": ("赵违纪", "M", ident("19880101", True, 3), "济宁港华燃气有限公司", "violation_void"),
    "T004": ("钱篡改", "M", ident("19870505", True, 4), "济宁港华燃气有限公司", "tampered"),
    "T005": ("孙存疑", "F", ident("19920220", False, 5), "济宁港华燃气有限公司", "disputed"),
    "T006": ("周年少", "M", ident("20090101", True, 6), "济宁港华燃气有限公司", "under_age"),
    "T007": ("吴未过", "M", ident("19800101", True, 7), "济宁港华燃气有限公司", "failed"),
    "T008": ("郑作废", "F", ident("19800601", False, 8), "济宁港华燃气有限公司", "site_void"),
    "T009": ("冯未登", "M", ident("19830303", True, 9), "未登记燃气公司", "clean"),
}


def seed_plan(db: Database) -> None:
    """Insert a synced plan: roster, results, journal (hash-chained), captures, chain status."""
    now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    plans.add(
        db,
        {
            "plan_id": PLAN,
            "site_id": SITE,
            "room": "第1考场",
            "subject": "燃气经营企业从业人员（燃气管网工）",
            "starts_at": "2026-11-22T01:30:00Z",
            "duration_min": 90,
            "paper_id": "P-GAS-1",
            "settings": {},
            "release_code": "X",
            "sealed": "x",
            "paper_sha256": "0" * 64,
        },
        now,
    )
    photo = FACE.read_bytes()
    plans.replace_roster(
        db,
        PLAN,
        [
            {
                "ticket": t,
                "name": n,
                "gender": g,
                "id_number": i,
                "company": c,
                "seat": k + 1,
                "photo": photo,
            }
            for k, (t, (n, g, i, c, _)) in enumerate(CANDIDATES.items())
        ],
    )
    companies.upsert(
        db, "济宁港华燃气有限公司", "G", None, "91370800MA000000X1", "2026-11-01T00:00:00Z"
    )

    rows: list[dict[str, Any]] = []

    def event(kind: str, ticket: str | None, payload: dict[str, Any]) -> None:
        rows.append(
            {
                "seq": len(rows) + 1,
                "at": f"2026-11-22T01:{len(rows) % 60:02d}:00Z",
                "session_id": PLAN,
                "kind": kind,
                "actor": f"candidate:{ticket}" if ticket else "system",
                "candidate_ticket": ticket,
                "terminal_id": None,
                "payload": payload,
            }
        )

    for ticket, (*_, what) in CANDIDATES.items():
        event("checkin", ticket, {"face_distance": 0.31})
        event("identity_confirmed", ticket, {})
        if what == "violation_void":
            event(
                "violation",
                ticket,
                {"category": 5, "conduct": "使用手机", "handling": "取消考核资格和成绩"},
            )
        if what == "disputed":
            event("identity_disputed", ticket, {"field": "company"})
        event("submit", ticket, {})
    prev = GENESIS
    for r in rows:
        r["prev_hash"] = prev
        r["hash"] = prev = row_hash(prev, r)
    for r in rows:
        tampered = r["candidate_ticket"] == "T004" and r["kind"] == "submit"
        if tampered:
            r["payload"] = {"score_override": 100}  # altered after hashing: the chain breaks here
        db.insert(
            "journal",
            {
                "site_id": SITE,
                **{
                    k: r[k]
                    for k in (
                        "seq",
                        "at",
                        "session_id",
                        "kind",
                        "actor",
                        "candidate_ticket",
                        "terminal_id",
                    )
                },
                "payload": json.dumps(r["payload"], ensure_ascii=False),
                "prev_hash": r["prev_hash"],
                "hash": r["hash"],
                "chain_ok": 0 if tampered else 1,
                "received_at": "2026-11-22T08:00:00Z",
            },
        )
    bad = next(r["seq"] for r in rows if r["candidate_ticket"] == "T004" and r["kind"] == "submit")
    db.insert(
        "chain_status",
        {
            "site_id": SITE,
            "last_seq": len(rows),
            "last_hash": prev,
            "ok": 0,
            "first_bad_seq": bad,
            "checked_at": "2026-11-22T08:00:00Z",
        },
    )
    for ticket, (*_, what) in CANDIDATES.items():
        status = "disqualified" if what == "site_void" else "submitted"
        score = 62.0 if what == "failed" else 91.0
        db.insert(
            "results",
            {
                "site_id": SITE,
                "plan_id": PLAN,
                "ticket": ticket,
                "status": status,
                "score": score,
                "passed": 0 if what == "failed" else 1,
                "answers": 100,
                "detail": json.dumps(
                    {"void_reason": "替考"} if what == "site_void" else {}, ensure_ascii=False
                ),
                "received_at": "2026-11-22T08:00:00Z",
            },
        )
        db.insert(
            "captures",
            {
                "site_id": SITE,
                "capture_id": f"cap-{ticket}",
                "plan_id": PLAN,
                "ticket": ticket,
                "at": "2026-11-22T02:00:00Z",
                "flagged": 0,
                "meta": "{}",
                "image": None,
                "received_at": "2026-11-22T08:00:00Z",
            },
        )
