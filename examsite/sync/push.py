"""The outbox push job: fill the outbox, push it in signed batches, store acks and receipts."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
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


#: The settings a push run in its own process needs from the server's configuration.
PUSH_SETTINGS = ("DATABASE", "SYNC_BATCH", "SYNC_RETRIES", "SYNC_CAPTURE_IMAGES")
#: A push run in its own process is stopped after this long (the next run resumes it).
PUSH_TIMEOUT_S = 600.0


def push_in_process(app: Any, timeout_s: float = PUSH_TIMEOUT_S) -> dict[str, Any]:
    """One run of the job as `examsite push`, a process of its own at low priority.

    Filling the outbox, signing batches and storing receipts is CPU work on the journal: at
    1,000 answers/s, 30,000 rows a run. In the server's process it would stop the event loop,
    and every terminal's acknowledgement with it; in a process of its own it uses the other
    core and waits for the database like any other writer. An unlinked site starts nothing.
    """
    from examsite.app import site_of

    with site_of(app).sitedb.read() as db:
        if outbox.link(db) is None:
            return {"ok": False, "code": "not_linked"}
    env = dict(os.environ)
    for name in PUSH_SETTINGS:
        value = app.config.get(name)
        if value is not None:
            env[f"EXAMSITE_{name}"] = str(int(value) if isinstance(value, bool) else value)
    cmd = [sys.executable, "-m", "examsite.cli", "--instance", app.instance_path, "push"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with contextlib.suppress(OSError):  # already gone: its output says why
        os.setpriority(os.PRIO_PROCESS, proc.pid, 10)  # the terminals' acks come first
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"ok": False, "code": "timeout", "message": f"push took over {timeout_s:g} s"}
    try:
        outcome: dict[str, Any] = json.loads(out)
    except ValueError:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return {"ok": False, "code": "push_failed", "message": tail[0][:500]}
    return outcome


def register_jobs(scheduler: Any, app: Any) -> None:
    """Add the push job (every ``SYNC_INTERVAL_S`` seconds, default 30; never two at once)."""

    def job() -> None:
        try:
            outcome = push_in_process(app)
        except Exception:  # a job must never die: log and try at the next interval
            log.exception("cloud push failed")
            return
        if not outcome["ok"] and outcome.get("code") != "not_linked":
            log.warning("cloud push: %s %s", outcome.get("code"), outcome.get("message", ""))

    scheduler.add_job(
        job,
        "interval",
        seconds=int(app.config.get("SYNC_INTERVAL_S", DEFAULT_INTERVAL_S)),
        id="cloud_push",
        max_instances=1,
        coalesce=True,
    )
