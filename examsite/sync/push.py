"""The outbox push job: fill the outbox, push it in signed batches, store acks and receipts."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cloudsync import wire
from cloudsync.client import CloudClient, CloudError
from examsite.engine.timing import iso, utcnow
from examsite.store import outbox
from examsite.store.db import SiteDB

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 30


def fill(sitedb: SiteDB, with_images: bool = False) -> int:
    """Move everything new (journal, results, captures, video segments) into the outbox."""
    total = 0
    at = iso(utcnow())
    while True:
        with sitedb.write() as db:
            n = outbox.fill_journal(db, at)
        total += n
        if n == 0:
            break
    with sitedb.write() as db:
        total += outbox.fill_results(db, at)
        total += outbox.fill_captures(db, at, with_images)
        total += outbox.fill_videos(db, at)
    return total


def push(
    sitedb: SiteDB, client: CloudClient, batch_size: int = 2000, max_batches: int | None = None
) -> dict[str, Any]:
    """Push pending records until none is left (or the cloud goes away: then it raises and the
    next run resumes from the first unacknowledged record)."""

    def fetch(n: int) -> list[dict[str, Any]]:
        with sitedb.read() as db:
            return outbox.pending(db, n)

    def on_response(sent: Sequence[Mapping[str, Any]], out: dict[str, Any]) -> None:
        at = iso(utcnow())
        with sitedb.write() as db:
            outbox.mark_acks(db, out["acks"], at)
            for r in out["receipts"]:
                local = outbox.local_candidate(db, r["plan_id"], r["ticket"])
                matches = (
                    local["answers"] == r["answers"]
                    and wire.candidate_checksum(local["hashes"]) == r["checksum"]
                )
                outbox.put_receipt(db, r, matches, at)
            outbox.set_state(db, "chain", str(out.get("chain", {}).get("ok")))

    return client.push_pending(fetch, on_response, batch_size=batch_size, max_batches=max_batches)


def push_once(app: Any) -> dict[str, Any]:
    """One run of the job for an app: fill, push, record the outcome in sync state."""
    from examsite.app import site_of
    from examsite.sync.link import NotLinked, client_for

    sitedb = site_of(app).sitedb
    try:
        client = client_for(sitedb, retries=int(app.config.get("SYNC_RETRIES", 3)))
    except NotLinked:
        return {"ok": False, "code": "not_linked"}
    fill(sitedb, with_images=bool(app.config.get("SYNC_CAPTURE_IMAGES", False)))
    try:
        totals = push(sitedb, client, batch_size=int(app.config.get("SYNC_BATCH", 2000)))
        outcome: dict[str, Any] = {"ok": True, **totals}
    except CloudError as exc:
        outcome = {"ok": False, "code": exc.code, "message": exc.message}
    with sitedb.write() as db:
        outbox.set_state(db, "last_push_at", iso(utcnow()))
        outbox.set_state(db, "last_push_ok", "1" if outcome["ok"] else "0")
        outbox.set_state(db, "last_error", outcome.get("message", ""))
    return outcome


def register_jobs(scheduler: Any, app: Any) -> None:
    """Add the push job (every ``SYNC_INTERVAL_S`` seconds, default 30; never two at once)."""

    def job() -> None:
        try:
            push_once(app)
        except Exception:  # a job must never die: log and try at the next interval
            log.exception("cloud push failed")

    scheduler.add_job(
        job,
        "interval",
        seconds=int(app.config.get("SYNC_INTERVAL_S", DEFAULT_INTERVAL_S)),
        id="cloud_push",
        max_instances=1,
        coalesce=True,
    )
