"""A candidate disqualified after handing in: the result is void everywhere it is produced."""

from __future__ import annotations

import io
import json
import zipfile

from flask import Flask

from examsite import archive, demo
from examsite.app import site_of
from examsite.store import candidates, journal, outbox
from tests.console.conftest import Console
from tests.console.test_actions import _login_terminal


def _collected_with_full_marks(proctor: Console, app: Flask, session_id: str) -> dict:
    exam = site_of(app).exam
    with exam.sitedb.read() as db:
        cand = candidates.in_session(db, session_id)[0]
        pw = exam.session_of(db, session_id)["exam_password"]
    token = _login_terminal(app, cand, "T-1", 1, pw)
    assert proctor.api("start", session_id=session_id)["ok"]
    with exam.sitedb.write() as db:
        for seq, q in enumerate(demo.PAPER["questions"], start=1):
            item = {"token": token, "terminal_id": "T-1", "seq": seq, "qid": q["qid"]}
            assert exam.apply_answer(db, {**item, "value": q["answer"]})["ok"]
    assert proctor.api("end", session_id=session_id)["ok"]
    with exam.sitedb.read() as db:
        done = candidates.get(db, cand["id"])
    assert done["state"] == "collected" and done["passed"] == 1 and done["score"] > 0
    return done


def _assert_void(app: Flask, proctor: Console, cand: dict, session_id: str) -> None:
    exam = site_of(app).exam
    with exam.sitedb.read() as db:
        row = candidates.get(db, cand["id"])
        (dq,) = journal.rows(db, session_id=session_id, kinds=("disqualified",))
    assert row["state"] == "disqualified" and row["void_reason"]
    assert row["score"] is None and row["passed"] == 0
    assert dq["payload"]["voided_score"] == cand["score"]  # the audit keeps what was voided

    body = proctor.client.get("/console/archive.zip").data
    assert archive.verify(body).ok
    results = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("results.json"))
    mine = next(r for r in results if r["ticket"] == cand["ticket"])
    assert mine["score"] is None and mine["passed"] in (0, False)
    assert mine["void_reason"]

    with exam.sitedb.write() as db:
        outbox.fill_results(db, "2026-01-01T00:00:00Z")
        sent = [
            r["body"]
            for r in outbox.pending(db, 1000)
            if r["kind"] == "result" and r["body"]["ticket"] == cand["ticket"]
        ]
    assert sent, "the result is enqueued for the cloud"
    assert sent[-1]["status"] == "cancelled"
    assert sent[-1]["score"] is None and sent[-1]["passed"] is False
    assert sent[-1]["detail"]["void_reason"]


def test_violation_after_hand_in_voids_the_result(
    proctor: Console, app: Flask, session_id: str
) -> None:
    cand = _collected_with_full_marks(proctor, app, session_id)
    out = proctor.api(
        "violation", candidate_id=cand["id"], category=4, conduct="抄录试题", handling="disqualify"
    )
    assert out["ok"]
    _assert_void(app, proctor, cand, session_id)


def test_disqualify_after_hand_in_voids_the_result(
    proctor: Console, app: Flask, session_id: str
) -> None:
    cand = _collected_with_full_marks(proctor, app, session_id)
    site_of(app).exam.disqualify(cand["id"], "console:proctor1", "替考")
    _assert_void(app, proctor, cand, session_id)


def test_migration_voids_results_stored_before_the_fix(app: Flask, session_id: str) -> None:
    import importlib

    step = importlib.import_module("migrations.site.m0003_void_disqualified_results")
    exam = site_of(app).exam
    with exam.sitedb.write() as db:
        a, b = candidates.in_session(db, session_id)[:2]
        candidates.update(db, a["id"], state="disqualified", score=9.0, passed=1, void_reason="x")
        candidates.update(db, b["id"], state="collected", score=9.0, passed=1)
        step.migrate(db)
    with exam.sitedb.read() as db:
        assert (candidates.get(db, a["id"])["score"], candidates.get(db, a["id"])["passed"]) == (
            None,
            0,
        )
        assert candidates.get(db, b["id"])["passed"] == 1
