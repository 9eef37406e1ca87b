"""The answer-writer process: a real child on the real site database, and what happens when it dies."""

from __future__ import annotations

import signal
import socket
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest

from examsite.exam.base import PUSHES_KEY, Outcome
from examsite.store import answers, candidates, journal, sessions
from examsite.store.db import SiteDB
from examsite.store.writer import store_batch
from examsite.writer_process import ChildStore, receive, send
from tests.core.conftest import Room
from tests.live import LiveServer


def seated(room: Room) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    """A candidate answering on T01 after the start, and the paper's questions."""
    c = room.client("T01", seat=1)
    cand = room.roster[0]
    assert room.seat(c, cand)["ok"]
    room.start()
    paper = room.call(c, "paper", {})
    assert paper["ok"]
    return c, cand, paper["questions"]


def event(c: Any, seq: int, q: dict[str, Any], k: int = 0) -> dict[str, Any]:
    value = [q["options"][k]["id"]]
    return {
        "token": c.token,
        "terminal_id": c.terminal_id,
        "seq": seq,
        "qid": q["qid"],
        "value": value,
    }


def test_the_child_stores_acknowledges_and_refuses_as_the_server_would(room: Room) -> None:
    c, cand, qs = seated(room)

    def no_local(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise AssertionError("stored outside the writer process")

    store = ChildStore(room.site.sitedb.path, "Asia/Shanghai", no_local)
    store.start()
    try:
        first = event(c, 1, qs[0])
        assert store([first, event(c, 2, qs[1])]) == [
            {"ok": True, "seq": 1},
            {"ok": True, "seq": 2},
        ]
        assert store([first]) == [{"ok": True, "seq": 1, "dup": True}]  # re-sent: no 2nd write
        refused = store([event(c, 1, qs[0], k=1), {**event(c, 3, qs[0]), "token": "forged"}])
        assert [r["code"] for r in refused] == ["seq_conflict", "token_invalid"]
    finally:
        store.close()
    with room.site.sitedb.read() as db:
        got = answers.current(db, cand["id"])
        kinds = [r["kind"] for r in journal.rows(db, limit=1000)]
    assert got == {qs[0]["qid"]: first["value"], qs[1]["qid"]: event(c, 2, qs[1])["value"]}
    assert kinds.count("answer") == 2 and kinds.count("seq_conflict") == 1


def test_hand_ins_go_through_the_child_in_the_order_they_came(room: Room) -> None:
    c, cand, qs = seated(room)
    with room.site.sitedb.write() as db:  # the child runs on the real clock: no 30-minute wait
        sessions.update(db, room.session["id"], submit_after_min=0)
    handin = {"kind": "submit", "terminal_id": c.terminal_id, "token": c.token}
    store = ChildStore(room.site.sitedb.path, "Asia/Shanghai", lambda items: [])
    store.start()
    try:
        first, handed, late = store([event(c, 1, qs[0]), handin, event(c, 2, qs[1])])
        again = store([handin])[0]
        forged = store([{**handin, "token": "forged"}])[0]
    finally:
        store.close()
    assert first == {"ok": True, "seq": 1}
    out = Outcome.from_ack(handed)
    assert out.ack["ok"] and out.ack["stage"] == "done" and PUSHES_KEY not in out.ack
    assert [(p.event, p.payload["kind"], p.namespace) for p in out.pushes] == [
        ("room_update", "submit", "/console")
    ]
    assert late["code"] == "collected"  # queued after the hand-in: refused, not stored
    assert Outcome.from_ack(again).ack["already"] and forged["code"] == "token_invalid"
    with room.site.sitedb.read() as db:
        row = candidates.get(db, cand["id"])
        assert row is not None and row["state"] == "submitted"
        assert answers.current(db, cand["id"]) == {qs[0]["qid"]: [qs[0]["options"][0]["id"]]}
        kinds = [r["kind"] for r in journal.rows(db, limit=1000)]
    assert kinds.index("answer") < kinds.index("submit") and kinds.count("submit") == 1


def test_a_dead_child_is_replaced_and_its_batch_stored_here_meanwhile(room: Room) -> None:
    c, cand, qs = seated(room)
    here: list[int] = []

    def local(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        here.append(len(items))
        return store_batch(room.site.sitedb, room.exam.apply_event, items)

    store = ChildStore(room.site.sitedb.path, "Asia/Shanghai", local, retry_s=0.0)
    store.start()
    try:
        assert store([event(c, 1, qs[0])]) == [{"ok": True, "seq": 1}]
        assert store.proc is not None
        store.proc.kill()  # as the OOM killer would
        store.proc.wait()
        assert store([event(c, 2, qs[1])]) == [{"ok": True, "seq": 2}]
        assert here == [1] and store.failures == 1 and store.proc is None
        # the next batch starts a new child (retry_s=0) and is stored there
        assert store([event(c, 3, qs[2])]) == [{"ok": True, "seq": 3}]
        assert here == [1] and store.proc is not None
    finally:
        store.close()
    with room.site.sitedb.read() as db:
        assert len(answers.current(db, cand["id"])) == 3


def test_a_child_that_cannot_open_the_database_leaves_the_answers_to_the_server(
    tmp_path: Path,
) -> None:
    items = [{"seq": 1}, {"seq": 2}]
    store = ChildStore(
        tmp_path / "no-such-folder" / "site.sqlite3",
        "Asia/Shanghai",
        lambda batch: [{"ok": True, "seq": i["seq"], "here": True} for i in batch],
    )
    try:
        assert store(items) == [
            {"ok": True, "seq": 1, "here": True},
            {"ok": True, "seq": 2, "here": True},
        ]
        assert store.failures == 1
        assert store(items)[0]["here"]  # within retry_s no new child is tried
        assert store.failures == 1 and store.local_batches == 2
    finally:
        store.close()


def test_frames_carry_json_values_and_refuse_what_is_too_big() -> None:
    a, b = socket.socketpair()
    with a, b:
        batch = [{"token": "t", "seq": 7, "value": ["A", "C"], "nested": {"x": None, "y": 1.5}}]
        send(a, batch)
        assert receive(b) == batch
        a.sendall((2**31).to_bytes(4, "big"))
        with pytest.raises(ValueError):
            receive(b)
        a.close()
        assert receive(b) is None  # the other end closed: no frame, no error


def test_a_write_waits_for_another_process_off_the_calling_thread(tmp_path: Path) -> None:
    sitedb = SiteDB(tmp_path / "site.sqlite3")
    waited_on: list[str] = []
    pool = ThreadPoolExecutor(1)

    def runner(fn: Any, *args: Any) -> Any:
        def run() -> Any:
            waited_on.append(threading.current_thread().name)
            return fn(*args)

        return pool.submit(run).result()

    sitedb.blocking_runner = runner
    other = sqlite3.connect(str(sitedb.path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the writer process, mid-batch
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()
    try:
        with sitedb.write() as db:
            journal.append(db, "test_event", "test", {})
        assert waited_on and waited_on[0] != threading.current_thread().name
        waited_on.clear()
        with sitedb.write() as db:  # nobody holds the lock: no detour
            journal.append(db, "test_event", "test", {})
        assert waited_on == []
    finally:
        other.close()
        pool.shutdown()
        sitedb.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_writer_process_ends_with_the_server(tmp_path: Path, sig: int) -> None:
    server = LiveServer(tmp_path / "instance").start()
    try:
        assert server.proc is not None
        writers = psutil.Process(server.proc.pid).children()
        assert [" ".join(w.cmdline()[1:3]) for w in writers] == ["-m examsite.writer_process"]
    finally:
        server.kill(sig)
    _, alive = psutil.wait_procs(writers, timeout=10)
    assert not alive  # no writer left behind holding the database
