"""Ingesting a pushed batch: idempotent by (site, seq), chain-checked, bad rows quarantined.

The fast path validates every record in Python and writes the whole batch in one transaction
(one fsync per batch, not per row). If the database still refuses something, the batch is
redone one record at a time so that only the offending record is quarantined. A record the
database refuses only because it is busy (locked, deadlock, lock wait, connection lost) is not
quarantined: it gets no ack and no ledger entry, so the site sends it again.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cloudsync import chain, wire
from cloudsync.cloud.db import Database
from cloudsync.cloud.store import sync
from cloudsync.cloud.timefmt import iso


def _check_chain(db: Database, site_id: str, rows: list[dict[str, Any]]) -> None:
    """Set ``chain_ok`` on each row: 1 linked and intact, 0 broken, None predecessor unknown."""
    rows.sort(key=lambda r: r["seq"])
    wanted = [r["seq"] - 1 for r in rows if r["seq"] > 1]
    known = sync.journal_hashes(db, site_id, wanted)
    for r in rows:
        known_prev = chain.GENESIS if r["seq"] == 1 else known.get(r["seq"] - 1)
        intact = chain.row_hash(r["prev_hash"], r) == r["hash"]
        if not intact:
            r["chain_ok"] = 0
        elif known_prev is None:
            r["chain_ok"] = None
        else:
            r["chain_ok"] = int(known_prev == r["prev_hash"])
        known[r["seq"]] = r["hash"]


def _apply(
    db: Database,
    site_id: str,
    items: list[tuple[int, str, dict[str, Any]]],
    at: str,
    digests: dict[int, str],
) -> None:
    journal = [b for _, k, b in items if k == "journal"]
    if journal:
        _check_chain(db, site_id, journal)
        sync.add_journal(db, site_id, journal, at)
    for _, kind, body in items:
        if kind == "result":
            sync.put_result(db, site_id, body, at)
        elif kind == "capture":
            image = None
            if body.get("image_b64"):
                image = base64.b64decode(body["image_b64"], validate=True)
            sync.put_capture(db, site_id, body, image, at)
        elif kind == "video":
            sync.put_video(db, site_id, body, at)
    sync.add_records(
        db,
        site_id,
        [(s, k, wire.ACK_STORED) for s, k, _ in items],
        at,
        {s: digests[s] for s, _, _ in items if s in digests},
    )


#: MariaDB/MySQL errors that say the database is busy or gone, not that the record is bad:
#: lock wait timeout, deadlock, too many connections, shutdown, connection killed or lost.
_TRANSIENT_MYSQL = frozenset({1205, 1213, 1040, 1053, 1927, 2002, 2003, 2006, 2013})
#: SQLite's primary result codes for a database another writer holds (BUSY, LOCKED).
_TRANSIENT_SQLITE = frozenset({5, 6})


def _transient(db: Database, exc: Exception) -> bool:
    """True when the database refused for a reason that a later re-send can get past."""
    if db.dialect == "sqlite":
        code = int(getattr(exc, "sqlite_errorcode", 0) or 0)
        return isinstance(exc, sqlite3.OperationalError) and code & 0xFF in _TRANSIENT_SQLITE
    import pymysql

    if isinstance(exc, pymysql.err.InterfaceError):  # the connection is closed
        return True
    return (
        isinstance(exc, pymysql.err.OperationalError)
        and bool(exc.args)
        and exc.args[0] in _TRANSIENT_MYSQL
    )


def _validate(raw: Any) -> tuple[int, str, dict[str, Any]]:
    seq, kind, body = wire.validate_record(raw)
    if kind == "capture" and body.get("image_b64"):
        try:
            base64.b64decode(body["image_b64"], validate=True)
        except (binascii.Error, ValueError):
            raise wire.RecordError(
                "bad_image", "抓拍图片不是有效的 base64（capture image is not valid base64）"
            ) from None
    return seq, kind, body


def _plan_of(kind: str, body: dict[str, Any]) -> Any:
    # Journal rows name the site's session, which is the plan id for a pulled plan.
    return body.get("session_id") if kind == "journal" else body.get("plan_id")


def _own_plans_only(
    db: Database,
    site_id: str,
    good: list[tuple[int, str, dict[str, Any]]],
    bad: list[tuple[int | None, Any, wire.RecordError]],
) -> list[tuple[int, str, dict[str, Any]]]:
    """Move records naming another site's plan from ``good`` to ``bad``; return the rest.

    A plan the cloud does not know (a local practice session) is left alone: only a plan
    published to a different site is refused, so one site can never add to another's results.
    """
    named = [p for _, k, b in good if isinstance(p := _plan_of(k, b), str)]
    owners = sync.plan_owners(db, named)
    kept: list[tuple[int, str, dict[str, Any]]] = []
    for seq, kind, body in good:
        plan_id = _plan_of(kind, body)
        owner = owners.get(plan_id) if isinstance(plan_id, str) else None
        if owner is None or owner == site_id:
            kept.append((seq, kind, body))
            continue
        problem = wire.RecordError(
            "foreign_plan",
            f"计划 {plan_id} 不属于考点 {site_id}，记录已隔离；请核对本考点的计划编号"
            f"（plan {plan_id} does not belong to site {site_id}: the record was quarantined; "
            "check the plan ids at this site）",
        )
        bad.append((seq, {"seq": seq, "kind": kind, "body": body}, problem))
    return kept


CONFLICT_MESSAGE = (
    "该序号的记录此前已收到但内容不同，未存储；考点数据库可能从备份恢复或重建，请联系省平台处理"
    "（a record with this number arrived before with other content; not stored: the site database"
    " may have been restored or rebuilt, contact the cloud administrators）"
)


def ingest(db: Database, site_id: str, batch: Any, now: datetime) -> dict[str, Any]:
    """Ingest one batch; return ``{"acks", "receipts", "chain"}`` (raises wire.BatchError)."""
    records = wire.validate_batch(batch, site_id)
    at = iso(now)
    acks: dict[int, dict[str, Any]] = {}
    unnumbered: list[dict[str, Any]] = []
    seqs = [s for s in (wire.record_seq(r) for r in records) if s is not None]
    known = sync.delivered(db, site_id, seqs)
    # what each record says, taken before validation copies and annotates the bodies
    digests = {
        seq: wire.record_digest(r) for r in records if (seq := wire.record_seq(r)) is not None
    }
    good: list[tuple[int, str, dict[str, Any]]] = []
    bad: list[tuple[int | None, Any, wire.RecordError]] = []
    in_batch: set[int] = set()
    for raw in records:
        seq = wire.record_seq(raw)
        if seq is not None and seq in known:
            digest = known[seq][1]
            if digest is not None and digest != digests[seq]:
                # the same number for other content: the site's database was restored or rebuilt
                # under this site id; storing nothing and saying so is the only safe answer
                acks[seq] = wire.ack(seq, wire.ACK_CONFLICT, "seq_reused", CONFLICT_MESSAGE)
            else:
                acks[seq] = wire.ack(seq, wire.ACK_DUPLICATE)
            continue
        if seq is not None and seq in in_batch:
            acks[seq] = wire.ack(seq, wire.ACK_DUPLICATE)
            continue
        try:
            item = _validate(raw)
        except wire.RecordError as exc:
            bad.append((seq, raw, exc))
            if seq is not None:
                in_batch.add(seq)
            continue
        in_batch.add(item[0])
        good.append(item)
    good = _own_plans_only(db, site_id, good, bad)
    with db.transaction():
        for seq, raw, problem in bad:
            kind = raw.get("kind") if isinstance(raw, dict) else None
            sync.quarantine(
                db,
                site_id,
                seq,
                kind if isinstance(kind, str) else None,
                raw,
                problem.code,
                problem.message,
                at,
            )
            if seq is not None:
                sync.add_records(
                    db,
                    site_id,
                    [(seq, str(kind)[:50], wire.ACK_QUARANTINED)],
                    at,
                    {seq: digests[seq]},
                )
                acks[seq] = wire.ack(seq, wire.ACK_QUARANTINED, problem.code, problem.message)
            else:
                unnumbered.append(
                    wire.ack(None, wire.ACK_QUARANTINED, problem.code, problem.message)
                )
    try:
        with db.transaction():
            _apply(db, site_id, good, at, digests)
        for seq, _, _ in good:
            acks[seq] = wire.ack(seq, wire.ACK_STORED)
    except Exception:  # the database refused the batch: find the record it refused
        for item in good:
            try:
                with db.transaction():
                    _apply(db, site_id, [item], at, digests)
                acks[item[0]] = wire.ack(item[0], wire.ACK_STORED)
            except Exception as exc:  # quarantine exactly this record, keep the rest
                if _transient(db, exc):
                    # Not the record's fault: no ledger entry and no ack, so the site keeps it
                    # pending and sends it again (examsite/store/outbox.py mark_acks).
                    continue
                msg = f"云端数据库拒收：{exc}（the cloud database refused the record: {exc}）"
                with db.transaction():
                    sync.quarantine(
                        db,
                        site_id,
                        item[0],
                        item[1],
                        {"seq": item[0], "kind": item[1], "body": item[2]},
                        "db_refused",
                        msg,
                        at,
                    )
                    sync.add_records(
                        db,
                        site_id,
                        [(item[0], item[1], wire.ACK_QUARANTINED)],
                        at,
                        {item[0]: digests[item[0]]},
                    )
                acks[item[0]] = wire.ack(item[0], wire.ACK_QUARANTINED, "db_refused", msg)
    stored = [i for i in good if i[0] in acks and acks[i[0]]["status"] == wire.ACK_STORED]
    for seq, _, body in stored:
        if body.get("chain_ok") == 0:
            acks[seq]["flag"] = "chain_broken"
    status = update_chain_status(db, site_id, [b for _, k, b in stored if k == "journal"], at)
    touched = _touched(good)
    return {
        "acks": [acks[s] for s in sorted(acks)] + unnumbered,
        "receipts": [receipt(db, site_id, p, t) for p, t in sorted(touched)],
        "chain": status,
    }


def _touched(items: Iterable[tuple[int, str, dict[str, Any]]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for _, kind, body in items:
        if kind == "journal" and body.get("candidate_ticket") and body.get("session_id"):
            out.add((body["session_id"], body["candidate_ticket"]))
        elif kind in ("result", "capture") and body.get("plan_id") and body.get("ticket"):
            out.add((body["plan_id"], body["ticket"]))
    return out


def receipt(db: Database, site_id: str, plan_id: str, ticket: str) -> dict[str, Any]:
    """What the cloud holds for one candidate (the site compares it before purging)."""
    rows = sync.candidate_journal(db, site_id, plan_id, ticket)
    return {
        "plan_id": plan_id,
        "ticket": ticket,
        "answers": sum(1 for r in rows if r["kind"] == "answer"),
        "checksum": wire.candidate_checksum(r["hash"] for r in rows),
        "captures": sum(1 for r in rows if r["kind"] == "capture"),
        "incidents": sum(1 for r in rows if r["kind"] in wire.INCIDENT_KINDS),
        "journal_rows": len(rows),
        "result": sync.has_result(db, site_id, plan_id, ticket),
        "last_seq": int(rows[-1]["seq"]) if rows else None,
    }


#: At most this many gaps are kept one by one; later ones are merged into one range, so a
#: session near any of them is still taken as affected (``chain.gaps_touching``).
MAX_GAPS = 200


def _capped(gaps: list[list[int]]) -> list[list[int]]:
    if len(gaps) <= MAX_GAPS:
        return gaps
    return [*gaps[: MAX_GAPS - 1], [gaps[MAX_GAPS - 1][0], gaps[-1][1]]]


def chain_verdict(ok: bool, gaps: list[list[int]]) -> str:
    """``broken`` (a row altered or unlinked), ``incomplete`` (rows missing) or ``intact``."""
    return "broken" if not ok else ("incomplete" if gaps else "intact")


def _shown(ok: bool, first_bad: int | None, last_seq: int, gaps: list[list[int]]) -> dict[str, Any]:
    return {
        "ok": ok and not gaps,
        "verdict": chain_verdict(ok, gaps),
        "first_bad_seq": first_bad,
        "last_seq": last_seq,
        "gaps": gaps[:20],
    }


def update_chain_status(
    db: Database, site_id: str, new_rows: list[dict[str, Any]], at: str
) -> dict[str, Any]:
    """Fold newly stored rows into the site's chain status; return it as the API shows it.

    A row stored before its predecessor (a missing row, or one still on its way: a record the
    database refused as busy is re-sent later) is linked here once the predecessor is held;
    until then the seqs between it and the row below are a gap, and the verdict is
    ``incomplete``. A gap closes by itself when the missing rows arrive intact.
    """
    with db.transaction():
        st = sync.chain_status(db, site_id)
        ok = bool(st["ok"]) if st else True
        first_bad = st["first_bad_seq"] if st else None
        last_seq = int(st["last_seq"]) if st else 0
        last_hash = st["last_hash"] if st else chain.GENESIS
        linked: list[tuple[int, int]] = []
        gaps: list[list[int]] = []
        for r in sync.unlinked(db, site_id):
            if r["before_seq"] == r["seq"] - 1:
                linked.append((r["seq"], int(r["before_hash"] == r["prev_hash"])))
            else:
                gaps.append([r["before_seq"] + 1, r["seq"] - 1])
        sync.set_chain_ok(db, site_id, linked)
        verdicts = [(int(r["seq"]), r.get("chain_ok")) for r in new_rows] + linked
        for seq, verdict in verdicts:
            if verdict == 0 and (first_bad is None or seq < first_bad):
                ok, first_bad = False, seq
        for r in new_rows:
            if r["seq"] > last_seq:
                last_seq, last_hash = r["seq"], r["hash"]
        gaps = _capped(gaps)
        if new_rows or linked or st is None or gaps != st["gaps"]:
            sync.set_chain_status(db, site_id, last_seq, last_hash, ok, first_bad, at, gaps)
    return _shown(ok, first_bad, last_seq, gaps)


def verify_site_chain(db: Database, site_id: str, at: str) -> dict[str, Any]:
    """Re-verify the site's whole journal from the first row: tampering, breaks and gaps
    (``ok`` is false when any of them is found)."""
    prev_hash, expected = chain.GENESIS, 1
    first_bad: int | None = None
    gaps: list[list[int]] = []
    count = 0
    last_seq = 0
    for row in sync.iter_journal(db, site_id):
        count += 1
        if row["seq"] != expected:
            gaps.append([expected, row["seq"] - 1])
            prev_hash = row["prev_hash"]  # carry on past the gap; the gap is reported
        if first_bad is None and (
            row["prev_hash"] != prev_hash or chain.row_hash(prev_hash, row) != row["hash"]
        ):
            first_bad = row["seq"]
        prev_hash, expected, last_seq = row["hash"], row["seq"] + 1, row["seq"]
    gaps = _capped(gaps)
    if count:
        sync.set_chain_status(
            db, site_id, last_seq, prev_hash, first_bad is None, first_bad, at, gaps
        )
    return {**_shown(first_bad is None, first_bad, last_seq, gaps), "rows": count}
