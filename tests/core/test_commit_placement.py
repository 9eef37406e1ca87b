"""Where COMMIT runs follows how long commits take (store.db.CommitPlacement), on a real file."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from cloudsync.chain import FIELDS, canonical_json, row_hash
from examsite.store import journal
from examsite.store.db import CommitPlacement, SiteDB


class Offload:
    """A real alternative runner: each call on a fresh native thread, waited for."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, fn: Any, *args: Any) -> Any:
        self.calls += 1
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["out"] = fn(*args)
            except BaseException as e:  # handed back to the caller, as gevent's pool does
                box["err"] = e

        t = threading.Thread(target=run)
        t.start()
        t.join()
        if "err" in box:
            raise box["err"]
        return box["out"]


def test_slow_commits_move_off_the_loop_and_fast_ones_come_back() -> None:
    offload = Offload()
    p = CommitPlacement(offload, slow_ms=3.0, fast_ms=1.5, weight=0.5)
    for _ in range(5):
        p.observe(10.0)  # a spinning disk's fsync
    assert p.offloaded and p.moves == 1
    assert p(lambda x: x + 1, 1) == 2 and offload.calls == 1  # ran on the other thread
    for _ in range(10):
        p.observe(0.2)
    assert not p.offloaded and p.moves == 2
    assert p(lambda: "here") == "here" and offload.calls == 1  # back on the caller's thread


def test_a_failing_commit_still_raises_and_counts() -> None:
    p = CommitPlacement(Offload(), weight=1.0)

    def boom() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        p(boom)
    assert p.average_ms >= 0.0  # timed although it failed


def test_commits_through_the_placement_reach_the_file(tmp_path: Path) -> None:
    sitedb = SiteDB(tmp_path / "site.sqlite3")
    offload = Offload()
    sitedb.commit_off_the_loop(offload)
    placement = sitedb.commit_runner
    assert isinstance(placement, CommitPlacement)
    placement.offloaded = True  # as after slow commits
    with sitedb.write() as db:
        journal.append(db, "test_event", "test", {"n": 1})
    placement.offloaded = False
    with sitedb.write() as db:
        journal.append(db, "test_event", "test", {"n": 2})
    assert offload.calls == 1
    sitedb.close()
    again = SiteDB(tmp_path / "site.sqlite3")
    with again.read() as db:
        rows = journal.rows(db, limit=10)
    assert [r["payload"]["n"] for r in rows if r["kind"] == "test_event"] == [1, 2]
    again.close()


def test_the_stored_payload_is_the_hashed_form() -> None:
    row: dict[str, Any] = {f: None for f in FIELDS}
    row.update(seq=7, at="2026-12-01T08:00:00.000Z", kind="answer", actor="candidate:1")
    row["payload"] = {"qid": "q1", "value": ["B", "A"], "备注": "中文"}
    assert row_hash("0" * 64, row) == row_hash("0" * 64, row, canonical_json(row["payload"]))
