"""Group commit: many answer events in one transaction, each acknowledged only after the commit."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from examsite.engine.errors import ExamError, error_ack

from .db import SiteDB

log = logging.getLogger(__name__)

#: `apply(db, event, batch)`: store one event; `batch` is a scratch dict that lives for one
#: transaction (for reads every event of the batch would otherwise repeat).
Apply = Callable[[Database, dict[str, Any], dict[Any, Any]], dict[str, Any]]


#: `store(events)`: store a batch in one transaction and return one acknowledgement per event.
Store = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def store_batch(sitedb: SiteDB, apply: Apply, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store `items` in one transaction; one acknowledgement per item, in order.

    A failed commit (disk full, I/O error) acknowledges nothing: every event gets
    'storage_error' and the terminal keeps and re-sends it.
    """
    try:
        with sitedb.write() as db:
            scratch: dict[Any, Any] = {}
            return [_apply_one(apply, db, item, scratch) for item in items]
    except sqlite3.Error as e:
        log.error("answer batch of %d not stored: %s", len(items), e)
        return [error_ack("storage_error") for _ in items]
    except Exception:
        log.exception("answer batch of %d failed", len(items))
        return [error_ack("internal") for _ in items]


def _apply_one(
    apply: Apply, db: Database, item: dict[str, Any], batch: dict[Any, Any]
) -> dict[str, Any]:
    # Each event runs in a savepoint, so one bad event fails alone (quarantined with its
    # error, as Morango does) instead of failing everyone's batch. A refusal keeps what it
    # wrote: `apply` checks before it writes, and what it writes before refusing (a
    # `seq_conflict` journal row) is meant to stay. A storage failure (disk full, I/O error)
    # still fails the whole batch: nothing of it can be acknowledged.
    conn = db.conn
    conn.execute("SAVEPOINT answer_event")
    try:
        out = apply(db, item, batch)
    except ExamError as e:
        conn.execute("RELEASE answer_event")
        return e.as_ack()
    except sqlite3.OperationalError:
        raise
    except Exception:
        log.exception(
            "answer event failed (seq %s); the rest of the batch goes on", item.get("seq")
        )
        conn.execute("ROLLBACK TO answer_event")
        conn.execute("RELEASE answer_event")
        return error_ack("internal", **({"seq": item["seq"]} if "seq" in item else {}))
    conn.execute("RELEASE answer_event")
    return out


class _Slot:
    __slots__ = ("done", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: dict[str, Any] = error_ack("busy")


class GroupWriter:
    """One writer task drains a queue of events into one transaction at a time.

    A handler calls `submit()` and blocks (cooperatively under gevent) until the batch holding its
    event has committed; so an acknowledgement always means the event is on disk (WAL,
    synchronous=FULL). A failed commit (disk full, I/O error) acknowledges nothing: every event
    of the batch gets 'storage_error' and the terminal keeps and re-sends it. An event whose
    handling fails unexpectedly is rolled back to its savepoint and gets 'internal' alone.
    """

    def __init__(
        self,
        sitedb: SiteDB,
        apply: Apply,
        *,
        max_batch: int = 500,
        max_queue: int = 20000,
        wait_s: float = 15.0,
    ):
        #: Where a batch is stored: here (`store_batch`) unless the composition root hands the
        #: batches to the answer-writer process (`examsite.writer_process`).
        self.store: Store = lambda items: store_batch(sitedb, apply, items)
        self.max_batch = max_batch
        self.wait_s = wait_s
        self.queue: queue.Queue[tuple[dict[str, Any], _Slot] | None] = queue.Queue(max_queue)
        self.running = False
        self.batches = 0

    def start(self, spawn: Callable[..., Any]) -> None:
        """Start the writer loop with the server's `start_background_task`."""
        if not self.running:
            self.running = True
            spawn(self._run)

    def stop(self) -> None:
        """Let the loop finish what is queued and end."""
        self.running = False
        self.queue.put(None)

    def submit(self, item: dict[str, Any]) -> dict[str, Any]:
        """Queue one event and wait for its acknowledgement."""
        slot = _Slot()
        try:
            self.queue.put_nowait((item, slot))
        except queue.Full:
            return error_ack("busy")
        slot.done.wait(self.wait_s)
        return slot.result

    def _run(self) -> None:
        while self.running:
            first = self.queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self.running = False
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[tuple[dict[str, Any], _Slot]]) -> None:
        results = self.store([item for item, _ in batch])
        self.batches += 1
        for (_, slot), result in zip(batch, results, strict=True):
            slot.result = result
            slot.done.set()
