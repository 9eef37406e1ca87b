"""The append-only journal: every change of an exam, hash-chained, in the changing transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from cloudsync.chain import GENESIS, canonical_json, row_hash
from examsite.engine.timing import iso, utcnow


def append(
    db: Database,
    kind: str,
    actor: str,
    payload: dict[str, Any] | None = None,
    *,
    session_id: str | None = None,
    ticket: str | None = None,
    terminal_id: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """Append one row; call inside `SiteDB.write()` so it commits with the state it describes."""
    last = db.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row: dict[str, Any] = {
        "seq": seq,
        "at": at or iso(utcnow()),
        "session_id": session_id,
        "kind": kind,
        "actor": actor,
        "candidate_ticket": ticket,
        "terminal_id": terminal_id,
        "payload": payload or {},
    }
    row["prev_hash"] = prev
    payload_json = canonical_json(row["payload"])  # stored as hashed: one encoding, not two
    row["hash"] = row_hash(prev, row, payload_json)
    db.execute(
        "INSERT INTO journal (seq, at, session_id, kind, actor, candidate_ticket, terminal_id, payload,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            seq,
            row["at"],
            session_id,
            kind,
            actor,
            ticket,
            terminal_id,
            payload_json,
            prev,
            row["hash"],
        ],
    )
    return row


def _decode(r: tuple[Any, ...]) -> dict[str, Any]:
    keys = (
        "seq",
        "at",
        "session_id",
        "kind",
        "actor",
        "candidate_ticket",
        "terminal_id",
        "payload",
        "prev_hash",
        "hash",
    )
    row = dict(zip(keys, r, strict=True))
    row["payload"] = json.loads(row["payload"])
    return row


def rows(
    db: Database,
    *,
    after: int = 0,
    limit: int = 1000,
    session_id: str | None = None,
    kinds: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Rows after sequence `after`, oldest first, optionally for one session and some kinds."""
    sql = "SELECT seq, at, session_id, kind, actor, candidate_ticket, terminal_id, payload, prev_hash, hash FROM journal WHERE seq > ?"
    args: list[Any] = [after]
    if session_id is not None:
        sql += " AND session_id = ?"
        args.append(session_id)
    if kinds:
        sql += f" AND kind IN ({','.join('?' * len(kinds))})"
        args.extend(kinds)
    sql += " ORDER BY seq LIMIT ?"
    args.append(limit)
    return [_decode(r) for r in db.execute(sql, args).fetchall()]


def last_seq(db: Database) -> int:
    """The highest sequence number written, 0 when empty."""
    r = db.execute("SELECT MAX(seq) FROM journal").fetchone()
    return int(r[0] or 0)
