"""The purge erases only what the cloud holds: capture images only once pushed and acknowledged,
nothing while the outbox still holds the session's records or when the site's journal changed
after the receipt; the check-in desk's stills and card details go too; a violation's journal
row never holds the full ID number."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from examsite.app import site_of
from examsite.exam.violations import RecordOps
from examsite.store import candidates, captures, desk, journal, outbox
from examsite.sync import push as sync_push

from .test_sync_site import staged, write_exam

AT = "2026-11-24T03:00:00Z"
CARD = {"card_type": "resident", "name": "张三", "sex_code": "1", "birth": "19800101",
        "id_number": "110101198001010010", "address": "北京市东城区某街1号",
        "issuer": "北京市公安局东城分局", "valid_from": "20200101", "valid_to": "20400101",
        "read_at": "2026-11-24T01:05:00Z", "reader": "loop://"}  # fmt: skip


def ids(site: Flask) -> dict[str, int]:
    with site_of(site).sitedb.read() as db:
        return {c["ticket"]: c["id"] for c in candidates.in_session(db, "PLAN-1")}


def add_capture(site: Flask, ticket: str, request_id: str) -> None:
    with site_of(site).sitedb.write() as db:
        captures.schedule(db, request_id, ids(site)[ticket], "2026-11-24T02:00:00Z")
        captures.update(db, request_id, taken_at="2026-11-24T02:00:02Z", image=b"\xff\xd8jpeg")


def add_desk_read(site: Flask, ticket: str) -> int:
    with site_of(site).sitedb.write() as db:
        return desk.add(db, "2026-11-24T01:05:00Z", "PLAN-1", ids(site)[ticket], CARD,
                        b"\xff\xd8still", {"verdict": "match"}, [])  # fmt: skip


def purge(site: Flask) -> dict[str, Any]:
    with site_of(site).sitedb.write() as db:
        return outbox.purge_report(db, "PLAN-1", AT)


def test_capture_images_kept_unless_pushed(site: Flask, published: dict[str, Any]) -> None:
    staged(site, published)
    write_exam(site, ["2026110001", "2026110002"])
    add_capture(site, "2026110001", "CAP-A")
    assert sync_push.push_once(site)["ok"] is True  # SYNC_CAPTURE_IMAGES off: metadata only
    site.config["SYNC_CAPTURE_IMAGES"] = True
    add_capture(site, "2026110002", "CAP-B")
    assert sync_push.push_once(site)["ok"] is True  # this one goes with its image
    report = purge(site)
    assert report["purged"] == ["2026110001", "2026110002"] and report["refused"] == []
    assert report["images_kept"] == 1 and report["images_erased"] == 1
    assert "SYNC_CAPTURE_IMAGES" in report["note"]
    with site_of(site).sitedb.read() as db:
        assert captures.image(db, "CAP-A") == b"\xff\xd8jpeg"  # the cloud never had it
        assert captures.image(db, "CAP-B") is None
        assert candidates.photo(db, ids(site)["2026110001"]) is None


def test_desk_reads_purged_for_receipted_candidates(site: Flask, published: dict[str, Any]) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    mine, other = add_desk_read(site, "2026110001"), add_desk_read(site, "2026110002")
    assert sync_push.push_once(site)["ok"] is True
    assert purge(site)["purged"] == ["2026110001"]
    with site_of(site).sitedb.read() as db:
        read = desk.get(db, mine)
        assert read is not None and desk.still(db, mine) is None
        assert read["identity"]["id_number"] == "110101********0010"
        assert "address" not in read["identity"] and "birth" not in read["identity"]
        assert read["identity"]["name"] == "张三" and read["decision"] is None
        untouched = desk.get(db, other)  # not finished, not receipted: kept whole
        assert untouched is not None and untouched["identity"]["address"] == CARD["address"]
        assert desk.still(db, other) == b"\xff\xd8still"


def test_purge_refused_when_journal_changed_after_receipt(
    site: Flask, published: dict[str, Any]
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    assert sync_push.push_once(site)["ok"] is True
    with site_of(site).sitedb.write() as db:  # an answer the cloud has not seen (not even enqueued)
        journal.append(db, "answer", "candidate:2026110001", {"qid": "q9", "value": ["B"]},
                       session_id="PLAN-1", ticket="2026110001", terminal_id="T1")  # fmt: skip
    report = purge(site)
    assert report["purged"] == []
    assert [(r["ticket"], r["code"]) for r in report["refused"]] == [
        ("2026110001", "receipt_mismatch")
    ]
    assert "推送" in report["refused"][0]["message"] and "push" in report["refused"][0]["message"]
    with site_of(site).sitedb.read() as db:
        assert candidates.photo(db, ids(site)["2026110001"])
    assert sync_push.push_once(site)["ok"] is True  # pushed again: the new receipt matches
    assert purge(site)["purged"] == ["2026110001"]


def test_purge_refused_while_the_session_has_pending_records(
    site: Flask, published: dict[str, Any]
) -> None:
    staged(site, published)
    write_exam(site, ["2026110001"])
    assert sync_push.push_once(site)["ok"] is True
    with site_of(site).sitedb.write() as db:  # another candidate's record, enqueued, not pushed
        journal.append(db, "checkin", "proctor:li", {"method": "idcard"},
                       session_id="PLAN-1", ticket="2026110002")  # fmt: skip
    sync_push.fill(site_of(site).sitedb)
    report = purge(site)
    assert report["purged"] == [] and report["refused"][0]["code"] == "outbox_pending"
    assert sync_push.push_once(site)["ok"] is True
    assert purge(site)["purged"] == ["2026110001"]


def test_violation_journal_holds_a_masked_id_number(site: Flask, published: dict[str, Any]) -> None:
    staged(site, published)
    cid = ids(site)["2026110001"]
    with site_of(site).sitedb.read() as db:
        full = candidates.get(db, cid)["id_number"]
    RecordOps(site_of(site).exam).violation(cid, 3, "交头接耳", "warning", "proctor:li")
    with site_of(site).sitedb.read() as db:
        payload = json.loads(
            db.execute("SELECT payload FROM journal WHERE kind = 'violation'").fetchone()[0]
        )
    assert payload["id_number"] == full[:6] + "*" * (len(full) - 10) + full[-4:]
    assert full not in json.dumps(payload)


def test_purge_command_prints_the_report(
    site: Flask, published: dict[str, Any], capsys: Any
) -> None:
    from examsite.cli import main

    staged(site, published)
    write_exam(site, ["2026110001"])
    add_capture(site, "2026110001", "CAP-C")
    assert sync_push.push_once(site)["ok"] is True
    instance = site.instance_path
    site_of(site).sitedb.close()  # the command opens the instance itself
    assert main(["--instance", instance, "purge", "--session", "PLAN-1", "--yes"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["purged"] == ["2026110001"] and report["images_kept"] == 1
    assert "保留了 1 张" in report["note"]
