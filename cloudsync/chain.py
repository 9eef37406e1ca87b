"""The journal's hash chain: one definition shared by the site (writer) and the cloud (verifier)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "session_id", "kind", "actor", "candidate_ticket", "terminal_id", "payload")


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the byte form every hash is taken over."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(prev_hash: str, row: Mapping[str, Any], payload_json: str | None = None) -> str:
    """Hash of one journal row chained to the previous row's hash.

    `payload_json`, when the writer has it already, is `canonical_json(row["payload"])`: a JSON
    list is its items' JSON joined by commas, so the body is the same bytes either way.
    """
    if payload_json is None:
        body = canonical_json([row[f] for f in FIELDS])
    else:
        body = canonical_json([row[f] for f in FIELDS[:-1]])[:-1] + "," + payload_json + "]"
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def verify(rows: Iterable[Mapping[str, Any]], prev_hash: str = GENESIS) -> tuple[bool, int | None]:
    """Check a run of rows in sequence order; return (ok, seq of the first bad row or None)."""
    for row in rows:
        if row["prev_hash"] != prev_hash or row_hash(prev_hash, row) != row["hash"]:
            return False, int(row["seq"])
        prev_hash = str(row["hash"])
    return True, None


def gaps_touching(gaps: Iterable[Sequence[int]], span: tuple[int, int]) -> list[list[int]]:
    """The gaps (missing ``[first, last]`` seq ranges) that a session whose rows run from
    ``span[0]`` to ``span[1]`` may have lost a row to: those within or right next to its rows.
    The journal is one sequence for the whole site, so a missing row's session is unknown; every
    session with a row on either side of the gap is taken to be affected."""
    lo, hi = span
    return [[int(a), int(b)] for a, b in gaps if int(a) - 1 <= hi and int(b) + 1 >= lo]
