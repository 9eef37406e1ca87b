"""Named counters; bumping one inside a transaction also takes the write lock first."""

from __future__ import annotations

from cloudsync.cloud.db import Database


def ensure(db: Database, name: str) -> None:
    """Create counter ``name`` at 0 unless it exists. Call it *outside* a transaction before a
    transaction bumps it as a lock: two transactions creating the same row at once would
    deadlock on InnoDB instead of waiting for each other."""
    db.insert_ignore("cert_counters", {"name": name, "value": 0})


def bump(db: Database, name: str) -> int:
    """Increment counter ``name`` (created at 0) and return its new value.

    Call inside ``db.transaction()``: the UPDATE comes first so that, on SQLite and on InnoDB
    alike, the transaction holds the row's write lock before it reads anything that depends
    on the counter (serial numbers, the journal's previous hash).
    """
    with db.transaction():
        cur = db.execute("UPDATE cert_counters SET value = value + 1 WHERE name = ?", (name,))
        if not cur.rowcount:
            db.insert_ignore("cert_counters", {"name": name, "value": 0})
            db.execute("UPDATE cert_counters SET value = value + 1 WHERE name = ?", (name,))
        return int(db.scalar("SELECT value FROM cert_counters WHERE name = ?", (name,)))
