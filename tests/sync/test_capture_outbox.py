"""Captures in the outbox: a proctor's `suspect` review flags the capture, and a capture enqueued
before its face check or review finished is enqueued again with the verdict and the review."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from examsite.app import site_of
from examsite.exam.violations import RecordOps
from examsite.store import candidates, capture_reviews, captures, outbox
from examsite.sync import push as sync_push

from .conftest import cloud_client
from .test_sync_site import staged


def taken_capture(site: Flask, ticket: str, request_id: str) -> None:
    """A capture of the candidate, taken (image stored) but not face-checked yet."""
    with site_of(site).sitedb.write() as db:
        cand = next(c for c in candidates.in_session(db, "PLAN-1") if c["ticket"] == ticket)
        captures.schedule(db, request_id, cand["id"], "2026-11-24T02:00:00Z")
        captures.update(
            db, request_id, requested_at="2026-11-24T02:00:00Z",
            taken_at="2026-11-24T02:00:02Z", image=b"\xff\xd8\xff jpeg",
        )  # fmt: skip


def capture_bodies(site: Flask, request_id: str) -> list[dict[str, Any]]:
    with site_of(site).sitedb.read() as db:
        rows = db.execute(
            "SELECT body FROM sync_outbox WHERE kind = 'capture' ORDER BY seq"
        ).fetchall()
    bodies = [json.loads(r[0]) for r in rows]
    return [b for b in bodies if b["capture_id"] == request_id]


def test_suspect_review_flags_the_capture(site: Flask, published: dict[str, Any]) -> None:
    staged(site, published)
    taken_capture(site, "2026110001", "CAP-1")
    with site_of(site).sitedb.write() as db:
        capture_reviews.set_verdict(db, "CAP-1", "match", 0.3)
    RecordOps(site_of(site).exam).review_capture("CAP-1", "suspect", "不像本人", "proctor:li")
    sync_push.fill(site_of(site).sitedb)
    bodies = capture_bodies(site, "CAP-1")
    assert bodies[-1]["meta"]["review"] == "suspect"
    assert bodies[-1]["flagged"] is True  # the face matched, but the proctor doubts it


def test_capture_resent_when_verdict_then_review_arrive(
    site: Flask, published: dict[str, Any]
) -> None:
    staged(site, published)
    taken_capture(site, "2026110001", "CAP-2")
    sitedb = site_of(site).sitedb
    sync_push.fill(sitedb)  # enqueued before the face check finished
    assert [b["meta"]["verdict"] for b in capture_bodies(site, "CAP-2")] == [None]
    with sitedb.write() as db:
        capture_reviews.set_verdict(db, "CAP-2", "no_match", 0.9)
    sync_push.fill(sitedb)
    RecordOps(site_of(site).exam).review_capture("CAP-2", "ok", "", "proctor:li")
    sync_push.fill(sitedb)
    sync_push.fill(sitedb)  # nothing changed: nothing enqueued again
    bodies = capture_bodies(site, "CAP-2")
    assert [(b["meta"]["verdict"], b["meta"]["review"]) for b in bodies] == [
        (None, None),
        ("no_match", None),
        ("no_match", "ok"),
    ]
    assert {b["capture_id"] for b in bodies} == {"CAP-2"}  # one capture, the cloud keeps the latest
    assert bodies[1]["flagged"] is True
    sync_push.push(sitedb, cloud_client(site))
    with sitedb.read() as db:
        assert outbox.counts(db).get("pending", 0) == 0
