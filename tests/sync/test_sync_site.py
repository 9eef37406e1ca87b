"""Site side of the sync: staging, release code, outbox push, faults, receipts, purge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from cloudsync import sealing
from cloudsync.client import CloudClient, CloudUnavailable
from cloudsync.cloud import ingest, reports
from cloudsync.cloud.database import get_db
from examsite.app import site_of
from examsite.engine.timing import iso, utcnow
from examsite.store import candidates, journal, outbox, sessions
from examsite.sync import push as sync_push
from examsite.sync.release import ReleaseError, fetch_and_open, open_with_code
from examsite.sync.staging import stage_day
from examsite.sync.status import status

from .conftest import cloud_client


def staged(site: Flask, published: dict[str, Any]) -> list[dict[str, Any]]:
    progress: list[tuple[str, int, int | None]] = []
    reports = stage_day(site_of(site).exam, cloud_client(site), published["day"],
                        lambda p, d, t: progress.append((p, d, t)))  # fmt: skip
    assert progress and progress[-1][1] == progress[-1][2]
    return reports


def test_stage_twice_is_safe_and_paper_stays_sealed(site: Flask, published: dict[str, Any]) -> None:
    reports = staged(site, published)
    assert [(r["plan_id"], r["status"], r["candidates"], r["photos"]) for r in reports] == [
        ("PLAN-1", "ready", 3, 3)
    ]
    again = staged(site, published)
    assert again[0]["status"] == "ready" and "already" in again[0]["note"]
    sitedb = site_of(site).sitedb
    with sitedb.read() as db:
        assert len(candidates.in_session(db, "PLAN-1")) == 3
        assert sessions.paper(db, "PLAN-1") is None  # sealed until the code comes
        assert candidates.photo(db, candidates.in_session(db, "PLAN-1")[0]["id"])
    with pytest.raises(ReleaseError) as info:
        fetch_and_open(sitedb, cloud_client(site), "PLAN-1")
    assert info.value.code == "not_yet_released"
    with pytest.raises(ReleaseError) as info:
        open_with_code(sitedb, "PLAN-1", sealing.new_release_code())
    assert info.value.code == "wrong_release_code"
    typed = published["release_code"].lower().replace("-", "")
    assert open_with_code(sitedb, "PLAN-1", typed)["questions"] == 7  # the proctor's offline path
    with sitedb.read() as db:
        assert sessions.paper(db, "PLAN-1")["paper_id"] == "P-GAS-1"
        opened = journal.rows(db, session_id="PLAN-1", kinds=("paper_opened",))
        assert [r["payload"]["questions"] for r in opened] == [7]  # the opening is on the record


def test_release_fetched_online_at_start(
    site: Flask, published: dict[str, Any], app: Flask
) -> None:
    staged(site, published)
    app.config["RELEASE_LEAD_S"] = 3600  # the start time has come, as far as the cloud is concerned
    out = fetch_and_open(site_of(site).sitedb, cloud_client(site), "PLAN-1")
    assert out["opened"] and out["questions"] == 7


def test_tampered_package_refused_at_staging(site: Flask, published: dict[str, Any]) -> None:
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        link = outbox.link(db)
        assert link is not None
        other = sealing.public_key_b64(sealing.generate_signing_key())  # wrong pinned key
        outbox.set_link(db, link["url"], "SITE-A", link["secret"], other, link["linked_at"])
    reports = stage_day(site_of(site).exam, cloud_client(site), published["day"])
    assert reports[0]["status"] == "refused" and reports[0]["code"] == "bad_signature"
    with sitedb.read() as db:
        assert sessions.get(db, "PLAN-1") is None  # nothing stored


def write_exam(site: Flask, tickets: list[str], answers: int = 4) -> None:
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        for t in tickets:
            journal.append(
                db, "checkin", "proctor:li", {"method": "idcard"}, session_id="PLAN-1", ticket=t
            )
            for q in range(answers):
                journal.append(db, "answer", f"candidate:{t}", {"qid": f"q{q}", "value": ["A"]},
                               session_id="PLAN-1", ticket=t, terminal_id="T1")  # fmt: skip
            cand = next(c for c in candidates.in_session(db, "PLAN-1") if c["ticket"] == t)
            candidates.update(
                db,
                cand["id"],
                state="submitted",
                score=8,
                passed=1,
                finished_at="2026-11-24T02:30:00Z",
            )


def test_push_down_interrupted_resumed_no_duplicates(
    site: Flask, published: dict[str, Any], app: Flask
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001", "2026110002"])
    sitedb = site_of(site).sitedb
    down = CloudClient("http://127.0.0.1:9", "SITE-A", published["secret"], published["public_key"],
                       retries=2, sleep=lambda s: None, timeout=2)  # fmt: skip
    sync_push.fill(sitedb)
    with pytest.raises(CloudUnavailable):
        sync_push.push(sitedb, down)
    with sitedb.read() as db:
        before = outbox.counts(db)
    assert before == {"pending": before["pending"]} and before["pending"] > 10  # nothing lost
    client = cloud_client(site)
    sync_push.push(sitedb, client, batch_size=4, max_batches=2)  # cut after two batches
    totals = sync_push.push(sitedb, client, batch_size=4)
    assert totals["duplicate"] == 0
    with sitedb.read() as db:
        assert outbox.counts(db) == {"stored": before["pending"]}
        receipts = {r["ticket"]: r for r in outbox.receipts(db, "PLAN-1")}
    assert receipts["2026110001"]["matches"] == 1 and receipts["2026110001"]["answers"] == 4
    assert receipts["2026110001"]["result"] == 1
    # the same batch sent again (e.g. its answer was lost): duplicates only
    with sitedb.write() as db:
        db.execute("UPDATE sync_outbox SET status = 'pending'")
    again = sync_push.push(sitedb, client)
    assert again["stored"] == 0 and again["duplicate"] == before["pending"]
    with app.app_context():
        cdb = get_db()
        assert (
            cdb.scalar("SELECT COUNT(*) FROM journal")
            == sitedb.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
        )
        assert cdb.scalar("SELECT COUNT(*) FROM results") == 2
    st = status(sitedb, "PLAN-1")
    assert st["outbox"]["pending"] == 0 and st["cloud_chain_ok"] is True


def test_altered_site_journal_flagged_by_cloud(
    site: Flask, published: dict[str, Any], client: Any
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:
        row = db.execute(
            "SELECT seq, payload FROM journal WHERE kind = 'answer' LIMIT 1"
        ).fetchone()
        payload = json.loads(row[1])
        payload["value"] = ["D"]
        # a tamperer with the file drops the append-only trigger first
        db.execute("DROP TRIGGER journal_no_update")
        db.execute("UPDATE journal SET payload = ? WHERE seq = ?", [json.dumps(payload), row[0]])
    sync_push.fill(sitedb)
    sync_push.push(sitedb, cloud_client(site))
    st = status(sitedb)
    assert st["cloud_chain_ok"] is False
    receipt = next(r for r in st["receipts"] if r["ticket"] == "2026110001")
    assert receipt["matches"] == 1  # the cloud holds what the site holds, altered row included


def test_deleted_site_journal_row_flagged_by_cloud(
    site: Flask, published: dict[str, Any], app: Flask
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001", "2026110002"])
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:  # someone removes one check-in from the site's journal
        gone = db.execute(
            "SELECT seq FROM journal WHERE kind = 'checkin' AND candidate_ticket = '2026110002'"
        ).fetchone()[0]
        db.execute("DROP TRIGGER journal_no_delete")  # as a tamperer with the file would
        db.execute("DELETE FROM journal WHERE seq = ?", [gone])
    sync_push.fill(sitedb)
    sync_push.push(sitedb, cloud_client(site))
    assert status(sitedb)["cloud_chain_ok"] is False
    with app.app_context():
        report = reports.plan_report(get_db(), "PLAN-1")
        assert report is not None
        assert report["chain"]["verdict"] == "incomplete"
        assert report["chain"]["gaps_in_plan"] == [[gone, gone]]
        full = ingest.verify_site_chain(get_db(), "SITE-A", iso(utcnow()))
        assert full["ok"] is False and full["gaps"] == [[gone, gone]]


def test_purge_only_receipted_and_only_when_asked(site: Flask, published: dict[str, Any]) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    sitedb = site_of(site).sitedb
    with sitedb.write() as db:  # nothing receipted yet: nothing purged
        assert outbox.purge(db, "PLAN-1", "2026-11-24T03:00:00Z") == []
    assert sync_push.push_once(site)["ok"] is True
    with sitedb.read() as db:
        ids = {c["ticket"]: c["id"] for c in candidates.in_session(db, "PLAN-1")}
        assert candidates.photo(db, ids["2026110001"])  # kept until asked
    with sitedb.write() as db:
        assert outbox.purge(db, "PLAN-1", "2026-11-24T03:00:00Z") == ["2026110001"]
    with sitedb.read() as db:
        assert candidates.photo(db, ids["2026110001"]) is None
        assert candidates.photo(db, ids["2026110002"])  # not receipted: untouched
        assert "**********" in candidates.get(db, ids["2026110001"])["id_number"]
