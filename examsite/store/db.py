"""The site database: one SQLite file (WAL, synchronous=FULL, foreign keys) behind one lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from migrations.site import apply as apply_migrations


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

    @contextmanager
    def read(self) -> Iterator[Database]:
        """A consistent view for reading."""
        with self.lock:
            yield self.db

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One transaction: committed on exit, rolled back on any exception."""
        with self.lock, self.db.atomic():
            yield self.db

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self.lock:
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
