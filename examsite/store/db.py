"""The site database: one SQLite file (WAL, synchronous=FULL, foreign keys) behind one lock."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from migrations.site import apply as apply_migrations

log = logging.getLogger(__name__)

#: How long a statement waits for another connection's write lock before it fails.
BUSY_TIMEOUT_MS = 10_000


def call_directly(fn: Callable[..., Any], *args: Any) -> Any:
    """The runner of threading mode and tests: a plain call (`blocking_runner` under gevent)."""
    return fn(*args)


class CommitPlacement:
    """Runs each COMMIT where it costs the terminals least, judged by how long commits take.

    On the event loop's own thread a commit stops every terminal for as long as the fsync takes;
    on a native thread the loop goes on, but the commit's end is only noticed at the loop's next
    turn, and under load a turn lasts longer than a fast disk's fsync. Measured with
    scripts/bench_room.py at 2,000 terminals on this machine (a page's fsync ≈ 0.3 ms): commits
    took 0.5–0.9 ms (p50) on the loop against 2–18 ms waited for on a thread (the GIL and the
    loop's next turn); ack p50 47 → 27 ms back to back. But a spinning disk (fsync 5–20 ms), or
    a spell like the one measured here on another day (COMMIT on the loop blocking 80–500 ms
    while a checkpoint flushed the database file), would stall every terminal. So the placement
    follows the measured commit time (a moving average) with hysteresis: commits move to
    `offload` once they average over `slow_ms` and come back once they average under `fast_ms`;
    on the thread the commit itself is timed, not the wait for it.
    """

    def __init__(
        self,
        offload: Callable[..., Any],
        *,
        slow_ms: float = 3.0,
        fast_ms: float = 1.5,
        weight: float = 0.05,
    ):
        self.offload = offload
        self.slow_ms, self.fast_ms, self.weight = slow_ms, fast_ms, weight
        self.average_ms = 0.0
        self.offloaded = False
        self.moves = 0

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        took: list[float] = []
        try:
            if self.offloaded:
                return self.offload(self._timed, took, fn, *args)
            return self._timed(took, fn, *args)
        finally:
            if took:  # judged on the caller's thread, where logging belongs
                self.observe(took[0])

    @staticmethod
    def _timed(took: list[float], fn: Callable[..., Any], *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            took.append((time.perf_counter() - t0) * 1000)

    def observe(self, ms: float) -> None:
        """Take one commit's duration into the average and move commits if it says so."""
        self.average_ms += self.weight * (ms - self.average_ms)
        if not self.offloaded and self.average_ms > self.slow_ms:
            self.offloaded, self.moves = True, self.moves + 1
            log.warning("commits average %.1f ms: they now run off the event loop", self.average_ms)
        elif self.offloaded and self.average_ms < self.fast_ms:
            self.offloaded, self.moves = False, self.moves + 1
            log.info("commits average %.1f ms: back on the event loop", self.average_ms)


@contextmanager
def busy_timeout(conn: sqlite3.Connection, ms: int) -> Iterator[None]:
    """Let `conn` wait at most `ms` for another connection's lock inside the block."""
    conn.execute(f"PRAGMA busy_timeout={int(ms)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def connect(path: str | Path) -> Database:
    """Open (and migrate) the site database at `path`."""
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db = Database(conn)
    apply_migrations(db)
    return db


class SiteDB:
    """The server's one connection. Every read and write goes through `read()` / `write()`.

    One connection and one lock make the journal's sequence and hash chain strictly serial, as
    datasette does with its single writer; the answer path batches many events into one
    transaction (see `examsite.store.writer`), so fsync cost is shared.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = connect(self.path)
        self.lock = threading.RLock()
        self._checkpointer: sqlite3.Connection | None = None
        #: How COMMIT runs: a plain call by default; the composition root hands it a native
        #: thread (see `commit_off_the_loop`).
        self.commit_runner: Callable[..., Any] = call_directly
        #: How other blocking work on the connection (the WAL rewind) runs.
        self.blocking_runner: Callable[..., Any] = call_directly

    @contextmanager
    def read(self) -> Iterator[Database]:
        """A consistent view for reading."""
        with self.lock:
            yield self.db

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One transaction: committed on exit, rolled back on any exception.

        BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads first
        would fail outright (SQLITE_BUSY_SNAPSHOT, never retried) when another process, such as
        an `examsite` command, committed between its read and its first write.
        """
        with self.lock:
            conn = self.db.conn
            if conn.in_transaction:  # nested: a savepoint inside the outer transaction
                with self.db.atomic():
                    yield self.db
                return
            self._begin(conn)
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                self.commit_runner(conn.execute, "COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _begin(self, conn: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE; when another process holds the write lock, wait for it off the loop.

        SQLite's busy handler sleeps in C: on the event loop's thread it would stop every
        terminal while the answer-writer process (or an `examsite` command) finishes its
        transaction. So the first try does not wait, and only a busy database is waited for
        on `blocking_runner`'s thread.
        """
        if self.blocking_runner is call_directly:
            conn.execute("BEGIN IMMEDIATE")
            return
        try:
            with busy_timeout(conn, 0):
                conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        self.blocking_runner(conn.execute, "BEGIN IMMEDIATE")

    def commit_off_the_loop(self, runner: Callable[..., Any]) -> None:
        """Let COMMIT and the WAL rewind leave the event loop for a native thread (`runner`).

        With synchronous=FULL a commit is an fsync of the WAL. Where it runs is decided commit by
        commit (`CommitPlacement`): on the loop while the disk is fast, on `runner`'s thread while
        it is slow. The WAL rewind always runs on `runner`. The connection is still used by one
        party at a time: the caller holds `lock` until the work is back.
        """
        self.commit_runner = CommitPlacement(runner)
        self.blocking_runner = runner

    def manual_checkpoints(self) -> None:
        """Stop SQLite from checkpointing inside commits; `checkpoint()` must then run regularly.

        An automatic checkpoint happens inside whichever commit crosses 1,000 WAL pages: it copies
        pages and fsyncs the database file, tens to hundreds of milliseconds in which the event
        loop (and every acknowledgement) waits. The composition root turns it off and runs
        `checkpoint()` on a native thread instead.
        """
        with self.lock:
            self.db.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> tuple[int, int, int]:
        """A PASSIVE WAL checkpoint on a connection of its own (never waits for the writer).

        Safe from a native thread: it shares nothing with the main connection but the file, and
        sqlite3 releases the GIL while it works. Returns (busy, wal pages, pages checkpointed).
        """
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(
                str(self.path), check_same_thread=False, timeout=10
            )
        cur = self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        row = cur.fetchall()[0]
        cur.close()  # a statement left open would pin the WAL and stop it from ever restarting
        return int(row[0]), int(row[1]), int(row[2])

    def restart_wal(self, wait_ms: int = 50) -> bool:
        """Rewind the WAL to its start once a checkpoint has copied everything.

        While answers keep coming, some read transaction of the writer is nearly always open when
        a new transaction starts, so SQLite never rewinds the WAL by itself and the file grows by
        ~18 MB/s at 1,000 answers/s. With nothing left to copy this is cheap; it waits at most
        `wait_ms` for readers of other processes and gives up rather than stall the server.
        """
        conn = self.db.conn

        def restart() -> int:
            cur = conn.execute("PRAGMA wal_checkpoint(RESTART)")
            busy = int(cur.fetchall()[0][0])
            cur.close()
            return busy

        with self.lock, busy_timeout(conn, wait_ms):  # the work runs as a commit does
            try:
                busy = self.blocking_runner(restart)
            except sqlite3.OperationalError:
                busy = 1
        return not busy

    def close(self) -> None:
        """Close the connections (checkpointing the WAL)."""
        with self.lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
            self.db.conn.close()


def dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """All rows of a cursor as dicts keyed by column name."""
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]


def one(cursor: sqlite3.Cursor) -> dict | None:
    """The first row of a cursor as a dict, or None."""
    r = cursor.fetchone()
    if r is None:
        return None
    return dict(zip([d[0] for d in cursor.description], r, strict=True))
