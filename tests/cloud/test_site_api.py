"""The site-facing API through the real site client against a live cloud on 127.0.0.1."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import requests

from cloudsync import chain, sealing, signing
from cloudsync.client import CloudClient, CloudError, CloudUnavailable, verify_package
from cloudsync.cloud import ingest, reports
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import sync

from .conftest import World
from .journal_rows import JournalWriter, exam_day, records


def make_client(world: World, url: str, **kw: object) -> CloudClient:
    return CloudClient(
        url, world.site_id, world.secret, world.public_key,
        clock=lambda: world.clock().timestamp(), sleep=lambda s: None, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_pull_plans_package_and_release(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    assert client.site_info()["site_id"] == "SITE-A"
    assert [p["plan_id"] for p in client.list_plans("2026-11-24")] == ["PLAN-1"]
    assert client.list_plans("2026-11-25") == []
    seen: list[tuple[int, int | None]] = []
    pkg = client.fetch_package("PLAN-1", progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]  # progress reaches the full size
    assert pkg["room"] == "第1考场" and pkg["starts_at"] == "2026-11-24T01:30:00Z"
    assert [c["ticket"] for c in pkg["roster"]] == ["2026110001", "2026110002", "2026110003"]
    assert pkg["roster"][0]["photo_b64"] and pkg["roster"][0]["gender"] == "M"
    assert pkg["settings"]["late_cut_min"] == 5
    # the day before: sealed, no code yet
    assert client.fetch_release_code("PLAN-1") is None
    with pytest.raises(sealing.SealError) as wrong:
        sealing.open_sealed(pkg["paper"]["sealed"], world.public_key, sealing.new_release_code())
    assert wrong.value.code == "wrong_release_code"
    world.clock.now += timedelta(days=1)  # 2026-11-24T02:00Z, after the 01:30Z start
    code = client.fetch_release_code("PLAN-1")
    assert code == world.release_code
    paper = sealing.open_sealed(pkg["paper"]["sealed"], world.public_key, code)
    assert paper["paper_id"] == "P-GAS-1" and len(paper["questions"]) == 7
    assert paper["total_score"] == 9 and paper["pass_mark"] == 6


def test_tampered_package_refused(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    pkg = client.fetch_package("PLAN-1")
    changed = copy.deepcopy(pkg)
    changed["roster"][0]["name"] = "冒名顶替"
    with pytest.raises(sealing.SealError) as info:
        verify_package(changed, world.public_key, "PLAN-1")
    assert info.value.code == "bad_signature"
    env = json.loads(pkg["paper"]["sealed"])
    env["ciphertext"] = env["ciphertext"][:-8] + "AAAAAAA="
    bad_paper = copy.deepcopy(pkg)
    bad_paper["paper"]["sealed"] = json.dumps(env)
    with pytest.raises(sealing.SealError):
        verify_package(bad_paper, world.public_key, "PLAN-1")
    other_key = sealing.public_key_b64(sealing.generate_signing_key())
    with pytest.raises(sealing.SealError, match="signature"):
        verify_package(pkg, other_key, "PLAN-1")


def test_forged_stale_and_replayed_requests(world: World, live_url: str) -> None:
    forged = CloudClient(live_url, "SITE-A", "0" * 64, world.public_key,
                         clock=lambda: world.clock().timestamp())  # fmt: skip
    with pytest.raises(CloudError) as info:
        forged.site_info()
    assert (info.value.status, info.value.code) == (401, "bad_signature")
    stale = make_client(world, live_url)
    stale.clock = lambda: world.clock().timestamp() - 3600
    with pytest.raises(CloudError) as info:
        stale.site_info()
    assert info.value.code == "stale_request"
    unknown = CloudClient(live_url, "SITE-X", "x", world.public_key)
    with pytest.raises(CloudError, match="not registered"):
        unknown.site_info()
    # a captured request sent again verbatim is refused
    body = json.dumps({"site_id": "SITE-A", "records": []}).encode()
    ts = int(world.clock().timestamp())
    headers = signing.sign_headers("SITE-A", world.secret, "POST", "/api/v1/batches", body, ts)
    first = requests.post(live_url + "/api/v1/batches", data=body, headers=headers, timeout=10)
    assert first.status_code == 200
    again = requests.post(live_url + "/api/v1/batches", data=body, headers=headers, timeout=10)
    assert again.status_code == 401 and again.json()["code"] == "replayed_request"
    # another site's plan is invisible
    client = make_client(world, live_url)
    with pytest.raises(CloudError) as info:
        client.fetch_package("PLAN-NOPE")
    assert info.value.status == 404


def test_push_idempotent_with_receipts(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    tickets = ["2026110001", "2026110002", "2026110003"]
    day = exam_day("PLAN-1", tickets)
    recs = records(day.rows)
    result = {"seq": len(recs) + 1, "kind": "result", "body": {
        "plan_id": "PLAN-1", "ticket": tickets[0], "status": "submitted", "score": 8,
        "passed": True, "answers": 3}}  # fmt: skip
    out = client.push([*recs, result])
    assert {a["status"] for a in out["acks"]} == {"stored"}
    assert out["chain"]["ok"] is True
    receipts = {r["ticket"]: r for r in out["receipts"]}
    mine = [r["hash"] for r in day.rows if r["candidate_ticket"] == tickets[0]]
    from cloudsync import wire

    assert receipts[tickets[0]]["checksum"] == wire.candidate_checksum(mine)
    assert receipts[tickets[0]]["answers"] == 3 and receipts[tickets[0]]["captures"] == 1
    assert receipts[tickets[0]]["incidents"] == 1 and receipts[tickets[0]]["result"] is True
    again = client.push([*recs, result])
    assert {a["status"] for a in again["acks"]} == {"duplicate"}
    with world.app.app_context():
        db = get_db()
        assert db.scalar("SELECT COUNT(*) FROM journal") == len(day.rows)
        assert db.scalar("SELECT COUNT(*) FROM results") == 1
        assert ingest.verify_site_chain(db, "SITE-A", "2026-11-24T03:00:00Z")["ok"] is True
    assert {r["ticket"] for r in client.receipts("PLAN-1")} == set(tickets)


def test_bad_rows_quarantined_not_batch(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    day = exam_day("PLAN-1", ["2026110001"])
    recs = records(day.rows)
    recs.insert(2, {"seq": 500, "kind": "journal", "body": {"seq": 3}})  # missing fields
    recs.append({"seq": 501, "kind": "teleport", "body": {}})
    recs.append({"kind": "journal", "body": {}})  # no seq at all
    recs.append({"seq": 502, "kind": "result", "body": {"plan_id": "PLAN-1", "ticket": "x" * 300,
                                                         "status": "submitted", "answers": 1}})  # fmt: skip
    out = client.push(recs)
    by_seq = {a["seq"]: a for a in out["acks"]}
    assert by_seq[500]["status"] == "quarantined" and by_seq[500]["code"] == "missing_field"
    assert by_seq[501]["code"] == "bad_kind" and by_seq[502]["code"] == "too_long"
    assert by_seq[None]["code"] == "bad_seq"
    assert sum(1 for a in out["acks"] if a["status"] == "stored") == len(day.rows)
    again = client.push(recs)  # quarantined rows are not quarantined twice
    assert by_seq.keys() == {a["seq"] for a in again["acks"]}
    with world.app.app_context():
        assert len(sync.quarantined(get_db(), "SITE-A")) == 5  # 4 + the unnumbered one again


def test_altered_journal_row_flags_chain(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    day = exam_day("PLAN-1", ["2026110001", "2026110002"])
    rows = copy.deepcopy(day.rows)
    victim = next(r for r in rows if r["kind"] == "answer")
    victim["payload"]["choice"] = ["D"]  # altered on the site after it was written
    first = client.push(records(rows[:2]))
    assert first["chain"]["ok"] is True
    out = client.push(records(rows[2:], start=3))
    flagged = [a for a in out["acks"] if a.get("flag") == "chain_broken"]
    assert out["chain"]["ok"] is False
    assert out["chain"]["first_bad_seq"] == victim["seq"]
    assert flagged and flagged[0]["status"] == "stored"  # kept as evidence
    with world.app.app_context():
        full = ingest.verify_site_chain(get_db(), "SITE-A", "2026-11-24T03:00:00Z")
    assert full["ok"] is False and full["first_bad_seq"] == victim["seq"]


def test_rehashed_tampering_breaks_the_link(world: World, live_url: str) -> None:
    j = JournalWriter("PLAN-1")
    for i in range(4):
        j.add("answer", "2026110001", qid=f"q{i}", choice=["A"])
    rows = copy.deepcopy(j.rows)
    rows[1]["payload"]["choice"] = ["C"]
    rows[1]["hash"] = chain.row_hash(rows[1]["prev_hash"], rows[1])  # forger rehashes one row
    out = make_client(world, live_url).push(records(rows))
    assert out["chain"] == {
        "ok": False, "verdict": "broken", "first_bad_seq": 3, "last_seq": 4, "gaps": []
    }  # fmt: skip


def test_missing_journal_row_is_a_gap_until_it_arrives(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    day = exam_day("PLAN-1", ["2026110001", "2026110002"])
    recs = records(day.rows)
    violation = next(r for r in recs if r["body"]["kind"] == "violation")
    held_back = [r for r in recs if r is not violation]
    out = client.push(held_back)
    gap = violation["body"]["seq"]
    assert {a["status"] for a in out["acks"]} == {"stored"}
    assert out["chain"]["ok"] is False and out["chain"]["verdict"] == "incomplete"
    assert out["chain"]["gaps"] == [[gap, gap]] and out["chain"]["first_bad_seq"] is None
    with world.app.app_context():
        full = ingest.verify_site_chain(get_db(), "SITE-A", "2026-11-24T03:00:00Z")
        assert full["ok"] is False and full["gaps"] == [[gap, gap]]
        report = reports.plan_report(get_db(), "PLAN-1")
        assert report is not None and report["chain"]["verdict"] == "incomplete"
        assert report["chain"]["gaps_in_plan"] == [[gap, gap]]
    # the same stored rows again change nothing; the missing row arriving late closes the gap
    assert client.push(held_back)["chain"]["verdict"] == "incomplete"
    out = client.push([violation])
    assert out["chain"]["ok"] is True and out["chain"]["verdict"] == "intact"
    assert out["chain"]["gaps"] == []
    with world.app.app_context():
        assert ingest.verify_site_chain(get_db(), "SITE-A", "2026-11-24T03:00:00Z")["ok"] is True


def test_late_row_that_does_not_link_breaks_the_chain(world: World, live_url: str) -> None:
    client = make_client(world, live_url)
    day = exam_day("PLAN-1", ["2026110001"])
    rows = copy.deepcopy(day.rows)
    client.push(records(rows[:3]) + records(rows[4:], start=5))
    forged = dict(rows[3], prev_hash=chain.GENESIS)  # not the hash of row 3
    forged["hash"] = chain.row_hash(forged["prev_hash"], forged)
    out = client.push(records([forged], start=4))
    assert out["chain"]["verdict"] == "broken" and out["chain"]["gaps"] == []
    assert out["chain"]["first_bad_seq"] == 4


def test_cloud_down_then_resume(world: World, live_url: str) -> None:
    day = exam_day("PLAN-1", ["2026110001"])
    pending = records(day.rows)
    delivered: list[int] = []

    def fetch(n: int) -> list[dict]:
        return [r for r in pending if r["seq"] not in delivered][:n]

    def on_response(sent: object, out: dict) -> None:
        delivered.extend(a["seq"] for a in out["acks"] if a["status"] in ("stored", "duplicate"))

    down = CloudClient("http://127.0.0.1:9", "SITE-A", world.secret, world.public_key,
                       retries=2, sleep=lambda s: None, timeout=2)  # fmt: skip
    with pytest.raises(CloudUnavailable):
        down.push_pending(fetch, on_response, batch_size=3)
    assert delivered == []  # nothing marked, nothing lost
    client = make_client(world, live_url)
    client.push_pending(fetch, on_response, batch_size=3, max_batches=1)
    assert len(delivered) == 3  # interrupted after one batch
    totals = client.push_pending(fetch, on_response, batch_size=3)
    assert sorted(delivered) == [r["seq"] for r in pending]
    assert totals["duplicate"] == 0


def test_connection_cut_mid_batch_stores_nothing_then_resumes(world: World, live_url: str) -> None:
    import socket
    from urllib.parse import urlparse

    day = exam_day("PLAN-1", ["2026110001"])
    recs = records(day.rows)
    body = json.dumps({"site_id": "SITE-A", "records": recs}).encode()
    ts = int(world.clock().timestamp())
    headers = signing.sign_headers("SITE-A", world.secret, "POST", "/api/v1/batches", body, ts)
    u = urlparse(live_url)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(
            (f"POST /api/v1/batches HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body[: len(body) // 2]
        )  # fmt: skip
    # the cut request stored nothing; the site's next push delivers everything once
    out = make_client(world, live_url).push(recs)
    assert {a["status"] for a in out["acks"]} == {"stored"}
    with world.app.app_context():
        assert get_db().scalar("SELECT COUNT(*) FROM journal") == len(recs)


@pytest.mark.parametrize(
    ("gaps", "span", "touching"),
    [
        ([[5, 5]], (1, 4), [[5, 5]]),  # the plan's last row is right before the gap
        ([[5, 5]], (6, 9), [[5, 5]]),  # its first row right after it
        ([[5, 7]], (1, 3), []),  # another session's row lies between
        ([[5, 7]], (9, 12), []),
        ([[2, 3], [20, 20]], (1, 30), [[2, 3], [20, 20]]),  # within the plan's rows
    ],
)
def test_gaps_touching_a_session(
    gaps: list[list[int]], span: tuple[int, int], touching: list[list[int]]
) -> None:
    assert chain.gaps_touching(gaps, span) == touching


def test_video_meta_checked_before_its_columns(world: World, live_url: str) -> None:
    good = {"segment_id": "v1", "plan_id": "PLAN-1",
            "meta": {"sha256": "c" * 64, "size_bytes": 10, "retention_until": "2029-11-24"}}  # fmt: skip
    recs = [
        {"seq": 1, "kind": "video", "body": good},
        {"seq": 2, "kind": "video", "body": {**good, "segment_id": "v2",
                                             "meta": {"sha256": "not-a-hash"}}},
        {"seq": 3, "kind": "video", "body": {**good, "segment_id": "v3",
                                             "meta": {"size_bytes": "10 MB"}}},
        {"seq": 4, "kind": "video", "body": {**good, "segment_id": "v4", "meta": ["x"]}},
    ]  # fmt: skip
    out = make_client(world, live_url).push(recs)
    assert [(a["seq"], a["status"], a.get("code")) for a in out["acks"]] == [
        (1, "stored", None), (2, "quarantined", "bad_field"), (3, "quarantined", "bad_field"),
        (4, "quarantined", "bad_field"),
    ]  # fmt: skip
    with world.app.app_context():
        (seg,) = sync.video_segments(get_db(), "SITE-A", "PLAN-1")
    assert seg["sha256"] == "c" * 64 and seg["retention_until"] == "2029-11-24"
