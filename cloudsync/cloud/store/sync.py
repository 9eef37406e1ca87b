"""What sites push: the sync ledger (site, seq), journal rows, results, captures, video segments,
quarantined records and the per-site chain status."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cloudsync.cloud.db import Database, Row


def known_seqs(db: Database, site_id: str, seqs: Sequence[int]) -> dict[int, str]:
    """Which of ``seqs`` the site already delivered, with the status they got."""
    return {seq: status for seq, (status, _) in delivered(db, site_id, seqs).items()}


def delivered(db: Database, site_id: str, seqs: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """seq → (status, body sha256 or None for old entries) of the ones already delivered."""
    if not seqs:
        return {}
    rows = db.query(
        "SELECT seq, status, body_sha256 FROM sync_records WHERE site_id = ? AND seq >= ? AND seq <= ?",
        (site_id, min(seqs), max(seqs)),
    )
    wanted = set(seqs)
    return {int(r["seq"]): (r["status"], r["body_sha256"]) for r in rows if int(r["seq"]) in wanted}


def plan_owners(db: Database, plan_ids: Sequence[str]) -> dict[str, str]:
    """The site each of these plans was published to (plans the cloud does not know are left out)."""
    wanted = sorted(set(plan_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = db.query(f"SELECT plan_id, site_id FROM plans WHERE plan_id IN ({marks})", wanted)
    return {r["plan_id"]: r["site_id"] for r in rows}


def add_records(
    db: Database,
    site_id: str,
    entries: Sequence[tuple[int, str, str]],
    at: str,
    digests: Mapping[int, str] | None = None,
) -> None:
    """Record delivered (seq, kind, status) entries in the ledger (ignoring ones already there)."""
    verb = "INSERT OR IGNORE" if db.dialect == "sqlite" else "INSERT IGNORE"
    digests = digests or {}
    db.executemany(
        f"{verb} INTO sync_records (site_id, seq, kind, status, received_at, body_sha256)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(site_id, s, k, st, at, digests.get(s)) for s, k, st in entries],
    )


_JCOLS = (
    "site_id, seq, at, session_id, kind, actor, candidate_ticket, terminal_id, payload, "
    "prev_hash, hash, chain_ok, received_at"
)


def add_journal(db: Database, site_id: str, rows: Sequence[Mapping[str, Any]], at: str) -> None:
    """Store journal rows (each with ``chain_ok``); a (site, seq) already held is left alone."""
    verb = "INSERT OR IGNORE" if db.dialect == "sqlite" else "INSERT IGNORE"
    db.executemany(
        f"{verb} INTO journal ({_JCOLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                site_id,
                r["seq"],
                r["at"],
                r["session_id"],
                r["kind"],
                r["actor"],
                r["candidate_ticket"],
                r["terminal_id"],
                json.dumps(r["payload"], ensure_ascii=False, sort_keys=True),
                r["prev_hash"],
                r["hash"],
                r["chain_ok"],
                at,
            )
            for r in rows
        ],
    )


def journal_hashes(db: Database, site_id: str, seqs: Sequence[int]) -> dict[int, str]:
    """Hashes of the site's journal rows with these sequence numbers."""
    if not seqs:
        return {}
    rows = db.query(
        "SELECT seq, hash FROM journal WHERE site_id = ? AND seq >= ? AND seq <= ?",
        (site_id, min(seqs), max(seqs)),
    )
    wanted = set(seqs)
    return {int(r["seq"]): r["hash"] for r in rows if int(r["seq"]) in wanted}


def unlinked(db: Database, site_id: str) -> list[Row]:
    """The site's rows stored before their predecessor (``chain_ok`` NULL, seq > 1), by seq,
    each with ``before_seq``/``before_hash``: the closest row held below it now (0/None)."""
    rows = db.query(
        "SELECT j.seq, j.prev_hash, (SELECT MAX(p.seq) FROM journal p WHERE p.site_id = j.site_id"
        " AND p.seq < j.seq) AS before_seq FROM journal j"
        " WHERE j.site_id = ? AND j.chain_ok IS NULL AND j.seq > 1 ORDER BY j.seq",
        (site_id,),
    )
    befores = [int(r["before_seq"]) for r in rows if r["before_seq"] is not None]
    hashes: dict[int, str] = {}
    for i in range(0, len(befores), 500):
        part = befores[i : i + 500]
        marks = ", ".join("?" for _ in part)
        for h in db.query(
            f"SELECT seq, hash FROM journal WHERE site_id = ? AND seq IN ({marks})",
            (site_id, *part),
        ):
            hashes[int(h["seq"])] = h["hash"]
    for r in rows:
        r["seq"] = int(r["seq"])
        r["before_seq"] = int(r["before_seq"] or 0)
        r["before_hash"] = hashes.get(r["before_seq"])
    return rows


def set_chain_ok(db: Database, site_id: str, verdicts: Sequence[tuple[int, int]]) -> None:
    """Record the link verdict (1 linked, 0 broken) of rows whose predecessor arrived later."""
    db.executemany(
        "UPDATE journal SET chain_ok = ? WHERE site_id = ? AND seq = ?",
        [(ok, site_id, seq) for seq, ok in verdicts],
    )


def session_span(db: Database, site_id: str, session_id: str) -> tuple[int, int] | None:
    """The first and last sequence number of a session's rows at the site, or None."""
    row = db.one(
        "SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM journal WHERE site_id = ? AND session_id = ?",
        (site_id, session_id),
    )
    if row is None or row["lo"] is None:
        return None
    return int(row["lo"]), int(row["hi"])


def iter_journal(db: Database, site_id: str, chunk: int = 5000) -> Iterator[Row]:
    """The site's journal rows in sequence order, payload decoded, read in chunks."""
    last = 0
    while True:
        rows = db.query(
            "SELECT seq, at, session_id, kind, actor, candidate_ticket, terminal_id, payload, "
            f"prev_hash, hash FROM journal WHERE site_id = ? AND seq > ? ORDER BY seq LIMIT {int(chunk)}",
            (site_id, last),
        )
        if not rows:
            return
        for r in rows:
            r["seq"] = int(r["seq"])
            r["payload"] = json.loads(r["payload"])
            yield r
        last = rows[-1]["seq"]


def candidate_journal(db: Database, site_id: str, session_id: str, ticket: str) -> list[Row]:
    """One candidate's journal rows (seq, kind, hash) in sequence order."""
    return db.query(
        "SELECT seq, kind, hash FROM journal WHERE site_id = ? AND session_id = ? "
        "AND candidate_ticket = ? ORDER BY seq",
        (site_id, session_id, ticket),
    )


def journal_for_session(db: Database, site_id: str, session_id: str) -> list[Row]:
    """A session's journal rows (payload decoded) in sequence order."""
    rows = db.query(
        "SELECT seq, at, kind, actor, candidate_ticket, terminal_id, payload, chain_ok "
        "FROM journal WHERE site_id = ? AND session_id = ? ORDER BY seq",
        (site_id, session_id),
    )
    for r in rows:
        r["payload"] = json.loads(r["payload"])
    return rows


def put_result(db: Database, site_id: str, body: Mapping[str, Any], at: str) -> None:
    """Store a candidate's result, replacing an earlier one (a later push supersedes it)."""
    db.execute(
        "DELETE FROM results WHERE site_id = ? AND plan_id = ? AND ticket = ?",
        (site_id, body["plan_id"], body["ticket"]),
    )
    passed = body.get("passed")
    db.insert(
        "results",
        {
            "site_id": site_id,
            "plan_id": body["plan_id"],
            "ticket": body["ticket"],
            "status": body["status"],
            "score": body.get("score"),
            "passed": None if passed is None else int(bool(passed)),
            "answers": body["answers"],
            "detail": json.dumps(body.get("detail") or {}, ensure_ascii=False),
            "received_at": at,
        },
    )


def results_for_plan(db: Database, site_id: str, plan_id: str) -> list[Row]:
    """Results of a plan at a site, by ticket."""
    rows = db.query(
        "SELECT ticket, status, score, passed, answers, detail, received_at FROM results "
        "WHERE site_id = ? AND plan_id = ? ORDER BY ticket",
        (site_id, plan_id),
    )
    for r in rows:
        r["detail"] = json.loads(r["detail"])
    return rows


def has_result(db: Database, site_id: str, plan_id: str, ticket: str) -> bool:
    """True when a result for the candidate has arrived."""
    return bool(
        db.scalar(
            "SELECT COUNT(*) FROM results WHERE site_id = ? AND plan_id = ? AND ticket = ?",
            (site_id, plan_id, ticket),
        )
    )


def put_capture(
    db: Database, site_id: str, body: Mapping[str, Any], image: bytes | None, at: str
) -> None:
    """Store a capture's metadata (and image when the policy sends it). The site re-sends a
    capture under the same id when its face verdict or proctor review changes: the latest body
    replaces the stored one, keeping the stored image when the re-send carries none."""
    row = {
        "site_id": site_id,
        "capture_id": body["capture_id"],
        "plan_id": body.get("plan_id"),
        "ticket": body.get("ticket"),
        "at": body.get("at"),
        "flagged": int(bool(body.get("flagged"))),
        "meta": json.dumps(body.get("meta") or {}, ensure_ascii=False),
        "image": image,
        "received_at": at,
    }
    if db.insert_ignore("captures", row):
        return
    db.execute(
        "UPDATE captures SET plan_id = ?, ticket = ?, at = ?, flagged = ?, meta = ?, "
        "image = COALESCE(?, image), received_at = ? WHERE site_id = ? AND capture_id = ?",
        (
            row["plan_id"],
            row["ticket"],
            row["at"],
            row["flagged"],
            row["meta"],
            image,
            at,
            site_id,
            row["capture_id"],
        ),
    )


def captures_for_plan(db: Database, site_id: str, plan_id: str, flagged_only: bool) -> list[Row]:
    """Captures of a plan (metadata only), optionally only the flagged ones."""
    extra = " AND flagged = 1" if flagged_only else ""
    rows = db.query(
        "SELECT capture_id, ticket, at, flagged, meta, image IS NOT NULL AS has_image "
        f"FROM captures WHERE site_id = ? AND plan_id = ?{extra} ORDER BY at, capture_id",
        (site_id, plan_id),
    )
    for r in rows:
        r["meta"] = json.loads(r["meta"])
    return rows


#: Fields of a segment's ``meta`` that are also kept as columns (wire.VIDEO_FIELDS checks them).
VIDEO_COLUMNS = (
    "camera_id", "recorder_id", "record_type", "start_utc", "end_utc", "size_bytes", "sha256",
    "retention_until", "prev_hash", "entry_hash",
)  # fmt: skip


def put_video(db: Database, site_id: str, body: Mapping[str, Any], at: str) -> None:
    """Store a video segment's metadata: all of it in ``meta``, the evidence also in columns."""
    meta = body.get("meta") or {}
    db.insert_ignore(
        "video_segments",
        {
            "site_id": site_id,
            "segment_id": body["segment_id"],
            "plan_id": body.get("plan_id"),
            "meta": json.dumps(meta, ensure_ascii=False),
            "received_at": at,
            **{c: meta.get(c) for c in VIDEO_COLUMNS},
        },
    )


def video_segments(db: Database, site_id: str, plan_id: str) -> list[Row]:
    """A plan's video segments at a site (``meta`` decoded), by camera and start."""
    rows = db.query(
        "SELECT * FROM video_segments WHERE site_id = ? AND plan_id = ? "
        "ORDER BY camera_id, start_utc, segment_id",
        (site_id, plan_id),
    )
    for r in rows:
        r["meta"] = json.loads(r["meta"])
    return rows


def quarantine(
    db: Database,
    site_id: str,
    seq: int | None,
    kind: str | None,
    record: Any,
    code: str,
    error: str,
    at: str,
) -> None:
    """Keep a bad record with its error for an administrator to look at."""
    db.insert(
        "quarantine",
        {
            "site_id": site_id,
            "seq": seq,
            "kind": kind,
            "record": json.dumps(record, ensure_ascii=False, default=str),
            "error_code": code,
            "error": error,
            "received_at": at,
        },
    )


def quarantined(db: Database, site_id: str) -> list[Row]:
    """A site's quarantined records, oldest first."""
    return db.query(
        "SELECT seq, kind, record, error_code, error, received_at FROM quarantine "
        "WHERE site_id = ? ORDER BY id",
        (site_id,),
    )


def chain_status(db: Database, site_id: str) -> Row | None:
    """The site's chain status row (``gaps`` decoded to [[first, last], …]), or None before its
    first journal row."""
    row = db.one("SELECT * FROM chain_status WHERE site_id = ?", (site_id,))
    if row is not None:
        row["gaps"] = json.loads(row["gaps"]) if row.get("gaps") else []
    return row


def set_chain_status(
    db: Database,
    site_id: str,
    last_seq: int,
    last_hash: str,
    ok: bool,
    first_bad: int | None,
    at: str,
    gaps: Sequence[Sequence[int]] = (),
) -> None:
    """Replace the site's chain status (``gaps``: the missing seq ranges, [first, last])."""
    db.execute("DELETE FROM chain_status WHERE site_id = ?", (site_id,))
    db.insert(
        "chain_status",
        {
            "site_id": site_id,
            "last_seq": last_seq,
            "last_hash": last_hash,
            "ok": int(ok),
            "first_bad_seq": first_bad,
            "checked_at": at,
            "gaps": json.dumps([[int(a), int(b)] for a, b in gaps]),
        },
    )
