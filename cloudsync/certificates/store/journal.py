"""The certificate journal: every decision and change, hash-chained like the site journal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cloudsync.certificates.store import counters
from cloudsync.chain import GENESIS, canonical_json
from cloudsync.cloud.db import Database, Row

_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "certificate_id",
    "site_id",
    "plan_id",
    "ticket",
    "detail",
)


def _hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    body = canonical_json([row[f] for f in _FIELDS])
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def append(
    db: Database,
    at: str,
    actor: str,
    action: str,
    detail: Mapping[str, Any],
    certificate_id: int | None = None,
    site_id: str | None = None,
    plan_id: str | None = None,
    ticket: str | None = None,
) -> Row:
    """Append one entry (call inside the transaction of the change it records)."""
    with db.transaction():
        seq = counters.bump(db, "journal")
        prev = db.scalar("SELECT hash FROM cert_journal WHERE seq = ?", (seq - 1,)) or GENESIS
        row: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "certificate_id": certificate_id,
            "site_id": site_id,
            "plan_id": plan_id,
            "ticket": ticket,
            "detail": dict(detail),
        }
        row["prev_hash"] = prev
        row["hash"] = _hash(prev, row)
        db.insert("cert_journal", {**row, "detail": canonical_json(row["detail"])})
        return row


def entries(db: Database, certificate_id: int | None = None, limit: int = 500) -> list[Row]:
    """Journal entries (of one certificate, or all), oldest first, ``detail`` decoded."""
    if certificate_id is None:
        rows = db.query("SELECT * FROM cert_journal ORDER BY seq LIMIT ?", (limit,))
    else:
        rows = db.query(
            "SELECT * FROM cert_journal WHERE certificate_id = ? ORDER BY seq LIMIT ?",
            (certificate_id, limit),
        )
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows


def verify(db: Database) -> tuple[bool, int | None]:
    """Check the whole chain; (ok, seq of the first bad entry or None)."""
    prev = GENESIS
    expected = 1
    for r in db.query("SELECT * FROM cert_journal ORDER BY seq"):
        r["detail"] = json.loads(r["detail"])
        if r["seq"] != expected or r["prev_hash"] != prev or _hash(prev, r) != r["hash"]:
            return False, int(r["seq"])
        prev, expected = r["hash"], expected + 1
    return True, None
