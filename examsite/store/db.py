"""The site database: one SQLite file (WAL, synchronous=FULL, foreign keys) behind one lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from migrations.site import apply as apply_migrations


def call_directly(fn: Callable[..., Any], *args: Any) -> Any:
    """The runner of threading mode and tests: a plain call (`blocking_runner` under gevent)."""
    return fn(*args)


def connect(path: str | Path) -> Database:
    """Open (and migrate) the site database at `path`."""
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
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
            conn.execute("BEGIN IMMEDIATE")
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

    def commit_off_the_loop(self, runner: Callable[..., Any]) -> None:
        """Run every COMMIT through `runner` (a native thread, waited for cooperatively).

        With synchronous=FULL a commit is an fsync of the WAL; on the event loop's own thread it
        stopped every terminal's acknowledgements for as long as the disk took (gevent's monitor
        showed COMMIT blocking the loop for 80–500 ms at 2,000 terminals, whenever the disk was
        also flushing a checkpoint). On a native thread the loop goes on reading and queueing
        answers meanwhile, and they join the next group commit. The connection is still used by
        one party at a time: the caller holds `lock` until the commit is back.
        """
        self.commit_runner = runner

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

        with self.lock:  # the connection is ours; the work itself runs as a commit does
            conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                busy = self.commit_runner(restart)
            except sqlite3.OperationalError:
                busy = 1
            finally:
                conn.execute("PRAGMA busy_timeout=10000")
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
