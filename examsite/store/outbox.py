"""Cloud sync on the site: the cloud link, the outbox (filled from the journal, results,
captures and video segments), the cloud's receipts, staged plans, and the purge."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from cloudsync.wire import candidate_checksum
from examsite.payloads import mask_id_number

from .db import dicts, one
from .video_segments import COLUMNS as VIDEO_COLUMNS

PURGEABLE_STATES = ("submitted", "collected", "absent", "disqualified")


# -- link -----------------------------------------------------------------------------------
def set_link(db: Database, url: str, site_id: str, secret: str, public_key: str, at: str) -> None:
    """Store (or replace) the site's registration with the cloud."""
    db.execute("DELETE FROM cloud_link")
    db.execute(
        "INSERT INTO cloud_link (id, url, site_id, secret, public_key, linked_at) VALUES (1,?,?,?,?,?)",
        [url, site_id, secret, public_key, at],
    )


def link(db: Database) -> dict[str, Any] | None:
    """The site's registration with the cloud, or None when not linked yet."""
    return one(db.execute("SELECT * FROM cloud_link WHERE id = 1"))


# -- state ----------------------------------------------------------------------------------
def state(db: Database, key: str, default: str = "") -> str:
    """A sync state value."""
    r = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return str(r[0]) if r else default


def set_state(db: Database, key: str, value: str) -> None:
    """Set a sync state value."""
    db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", [key, value])


# -- filling the outbox ---------------------------------------------------------------------
def _enqueue(db: Database, kind: str, ref: str, body: Mapping[str, Any], at: str) -> bool:
    cur = db.execute(
        "INSERT OR IGNORE INTO sync_outbox (kind, ref, body, created_at) VALUES (?,?,?,?)",
        [kind, ref, json.dumps(body, ensure_ascii=False, sort_keys=True), at],
    )
    return bool(cur.rowcount)


def fill_journal(db: Database, at: str, limit: int = 20000) -> int:
    """Enqueue journal rows written since the last fill; return how many."""
    after = int(state(db, "journal_enqueued", "0"))
    rows = db.execute(
        "SELECT seq, at, session_id, kind, actor, candidate_ticket, terminal_id, payload, prev_hash, hash"
        " FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
        [after, limit],
    ).fetchall()
    keys = ("seq", "at", "session_id", "kind", "actor", "candidate_ticket", "terminal_id",
            "payload", "prev_hash", "hash")  # fmt: skip
    db.conn.executemany(
        "INSERT OR IGNORE INTO sync_outbox (kind, ref, body, created_at) VALUES ('journal', ?, ?, ?)",
        [
            (
                f"journal:{r[0]}",
                json.dumps(
                    {**dict(zip(keys, r, strict=True)), "payload": json.loads(r[7])},
                    ensure_ascii=False,
                    sort_keys=True,
                ),
                at,
            )
            for r in rows
        ],
    )
    if rows:
        set_state(db, "journal_enqueued", str(rows[-1][0]))
    return len(rows)


def fill_results(db: Database, at: str) -> int:
    """Enqueue results of candidates who finished (a changed result is enqueued again)."""
    rows = dicts(
        db.execute(
            "SELECT c.ticket, c.state, c.score, c.passed, c.void_reason, c.finished_at,"
            " s.id AS session_id, COALESCE(s.plan_id, s.id) AS plan_id,"
            " (SELECT COUNT(*) FROM answers a WHERE a.candidate_id = c.id) AS answers"
            " FROM candidates c JOIN exam_sessions s ON s.id = c.session_id"
            f" WHERE c.state IN ({','.join('?' * len(PURGEABLE_STATES))})",
            list(PURGEABLE_STATES),
        )
    )
    n = 0
    for r in rows:
        body = {
            "plan_id": r["plan_id"],
            "ticket": r["ticket"],
            "status": "cancelled" if r["state"] == "disqualified" else r["state"],
            "score": r["score"],
            "passed": None if r["passed"] is None else bool(r["passed"]),
            "answers": int(r["answers"]),
            "detail": {"finished_at": r["finished_at"], "void_reason": r["void_reason"]},
        }
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
        n += _enqueue(db, "result", f"result:{r['session_id']}:{r['ticket']}:{digest}", body, at)
    return n


def fill_captures(db: Database, at: str, with_images: bool) -> int:
    """Enqueue taken captures' metadata (and images when the policy says so)."""
    rows = dicts(
        db.execute(
            "SELECT p.request_id, p.taken_at, p.verdict, p.distance, p.review, p.review_note,"
            " p.image, c.ticket, COALESCE(s.plan_id, s.id) AS plan_id FROM captures p"
            " JOIN candidates c ON c.id = p.candidate_id JOIN exam_sessions s ON s.id = c.session_id"
            " WHERE p.taken_at IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.ref = 'capture:' || p.request_id"
            " || ':' || COALESCE(p.verdict, '') || ':' || COALESCE(p.review, ''))"
        )
    )
    n = 0
    # The reference names the face verdict and the review, so a capture enqueued before its face
    # check or review finished is enqueued again once either changes (same capture_id in the
    # body: the cloud keeps the latest). It must match the SQL above.
    for r in rows:
        body: dict[str, Any] = {
            "capture_id": r["request_id"],
            "plan_id": r["plan_id"],
            "ticket": r["ticket"],
            "at": r["taken_at"],
            "flagged": r["verdict"] not in (None, "match") or r["review"] == "suspect",
            "meta": {
                "verdict": r["verdict"],
                "distance": r["distance"],
                "review": r["review"],
                "review_note": r["review_note"],
            },
        }
        if with_images and r["image"]:
            body["image_b64"] = base64.b64encode(r["image"]).decode("ascii")
        ref = f"capture:{r['request_id']}:{r['verdict'] or ''}:{r['review'] or ''}"
        n += _enqueue(db, "capture", ref, body, at)
    return n


def fill_videos(db: Database, at: str) -> int:
    """Enqueue video segments' metadata not enqueued yet: the whole record (sha256, size,
    retention, recorder, record type, times, the segment chain's prev/entry hash), so the cloud
    can check integrity and retention."""
    cols = ", ".join((*VIDEO_COLUMNS, "prev_hash", "entry_hash"))
    rows = dicts(
        db.execute(
            f"SELECT {cols} FROM video_segments v WHERE NOT EXISTS"
            " (SELECT 1 FROM sync_outbox o WHERE o.ref = 'video:' || v.segment_id)"
            " ORDER BY seq LIMIT 5000"
        )
    )
    n = 0
    for r in rows:
        body = {"segment_id": r["segment_id"], "plan_id": r["exam_session_id"], "meta": r}
        n += _enqueue(db, "video", f"video:{r['segment_id']}", body, at)
    return n


# -- pushing --------------------------------------------------------------------------------
def pending(db: Database, limit: int) -> list[dict[str, Any]]:
    """The oldest records not acknowledged yet, as wire records."""
    rows = db.execute(
        "SELECT seq, kind, body FROM sync_outbox WHERE status = 'pending' ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    return [{"seq": r[0], "kind": r[1], "body": json.loads(r[2])} for r in rows]


def mark_acks(db: Database, acks: Iterable[Mapping[str, Any]], at: str) -> int:
    """Record the cloud's per-record acknowledgements; return how many records left pending."""
    params = [
        (a["status"], a.get("error"), at, a["seq"]) for a in acks if isinstance(a.get("seq"), int)
    ]
    db.conn.executemany(
        "UPDATE sync_outbox SET status = ?, error = ?, acked_at = ? WHERE seq = ? AND status = 'pending'",
        params,
    )
    done = [p[3] for p in params if p[0] == "stored" or p[0] == "duplicate"]
    if done:
        seg = [
            r[0][len("video:") :]
            for r in db.execute(
                f"SELECT ref FROM sync_outbox WHERE kind = 'video' AND seq IN ({','.join('?' * len(done))})",
                done,
            ).fetchall()
        ]
        for s in seg:
            db.execute(
                "UPDATE video_segments SET synced_at = ? WHERE segment_id = ? AND synced_at IS NULL",
                [at, s],
            )
    return len(params)


def counts(db: Database) -> dict[str, int]:
    """Outbox records by status."""
    return {
        r[0]: r[1] for r in db.execute("SELECT status, COUNT(*) FROM sync_outbox GROUP BY status")
    }


# -- receipts -------------------------------------------------------------------------------
def local_candidate(db: Database, session_id: str, ticket: str) -> dict[str, Any]:
    """The site's own counts and journal hashes for a candidate (to compare with a receipt)."""
    rows = db.execute(
        "SELECT kind, hash FROM journal WHERE session_id = ? AND candidate_ticket = ? ORDER BY seq",
        [session_id, ticket],
    ).fetchall()
    return {"answers": sum(1 for r in rows if r[0] == "answer"), "hashes": [r[1] for r in rows]}


def put_receipt(db: Database, receipt: Mapping[str, Any], matches: bool, at: str) -> None:
    """Store (or refresh) a candidate's receipt."""
    db.execute(
        "INSERT INTO sync_receipts (session_id, ticket, answers, checksum, captures, incidents, result,"
        " matches, received_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (session_id, ticket) DO UPDATE SET"
        " answers = excluded.answers, checksum = excluded.checksum, captures = excluded.captures,"
        " incidents = excluded.incidents, result = excluded.result, matches = excluded.matches,"
        " received_at = excluded.received_at",
        [receipt["plan_id"], receipt["ticket"], receipt["answers"], receipt["checksum"],
         receipt["captures"], receipt["incidents"], int(bool(receipt["result"])), int(matches), at],
    )  # fmt: skip


def receipts(db: Database, session_id: str | None = None) -> list[dict[str, Any]]:
    """Stored receipts, by session and ticket."""
    if session_id:
        return dicts(
            db.execute(
                "SELECT * FROM sync_receipts WHERE session_id = ? ORDER BY ticket", [session_id]
            )
        )
    return dicts(db.execute("SELECT * FROM sync_receipts ORDER BY session_id, ticket"))


def purge(db: Database, session_id: str, at: str) -> list[str]:
    """Purge the session's receipted candidates (see ``purge_report``); return their tickets."""
    return [str(t) for t in purge_report(db, session_id, at)["purged"]]


def _refusal(ticket: str, code: str) -> dict[str, str]:
    zh, en = PURGE_REFUSALS[code]
    return {"ticket": ticket, "code": code, "message": f"{zh}（{en}）"}


PURGE_REFUSALS: dict[str, tuple[str, str]] = {
    "outbox_pending": (
        "本场次仍有未上传或被省平台判为序号冲突的记录，请先推送（examsite push）或联系省平台，再清除",
        "records of this session are still waiting in the outbox or were refused as sequence"
        " conflicts: push first (or contact the cloud), then purge",
    ),
    "receipt_mismatch": (
        "本地作答数或日志校验和与省平台回执不一致，请推送后再清除",
        "the local answer count or journal checksum differs from the cloud's receipt: push again",
    ),
    "result_missing": (
        "省平台尚未收到成绩，请推送后再清除",
        "the cloud does not hold the result yet: push again",
    ),
}


def purge_report(db: Database, session_id: str, at: str) -> dict[str, Any]:
    """Erase photos, descriptors, check-in desk stills and card details, and most of the ID
    number of the session's finished candidates whose receipt still matches what the site holds
    now; erase a capture image only when the cloud acknowledged a record carrying it.

    A candidate is refused (and listed with the reason) while the outbox holds pending records of
    the session, when the receipt did not match or holds no result, or when the local answer
    count or journal checksum changed since the receipt. The journal is never touched."""
    report: dict[str, Any] = {"session": session_id, "purged": [], "refused": [],
                              "images_erased": 0, "images_kept": 0, "desk_reads": 0}  # fmt: skip
    rows = dicts(
        db.execute(
            "SELECT r.ticket, r.answers, r.checksum, r.matches, r.result, c.id AS candidate_id,"
            " COALESCE(s.plan_id, s.id) AS plan_id FROM sync_receipts r"
            " JOIN candidates c ON c.session_id = r.session_id AND c.ticket = r.ticket"
            " JOIN exam_sessions s ON s.id = c.session_id"
            " WHERE r.session_id = ? AND r.purged_at IS NULL"
            f" AND c.state IN ({','.join('?' * len(PURGEABLE_STATES))}) ORDER BY r.ticket",
            [session_id, *PURGEABLE_STATES],
        )
    )
    if not rows:
        return report
    # journal bodies name the session, results/captures/videos the plan
    waiting = db.execute(
        "SELECT COUNT(*) FROM sync_outbox WHERE status IN ('pending', 'conflict')"
        " AND (json_extract(body, '$.session_id') = ? OR json_extract(body, '$.plan_id') = ?)",
        [session_id, rows[0]["plan_id"]],
    ).fetchone()[0]
    for r in rows:
        ticket = r["ticket"]
        local = local_candidate(db, session_id, ticket)
        if waiting:
            report["refused"].append(_refusal(ticket, "outbox_pending"))
        elif not r["result"]:
            report["refused"].append(_refusal(ticket, "result_missing"))
        elif (
            not r["matches"]
            or local["answers"] != r["answers"]
            or candidate_checksum(local["hashes"]) != r["checksum"]
        ):
            report["refused"].append(_refusal(ticket, "receipt_mismatch"))
        else:
            _erase(db, r["candidate_id"], at, report)
            db.execute(
                "UPDATE sync_receipts SET purged_at = ? WHERE session_id = ? AND ticket = ?",
                [at, session_id, ticket],
            )
            report["purged"].append(ticket)
    if report["images_kept"]:
        report["note"] = (
            f"保留了 {report['images_kept']} 张省平台未确认收到的抓拍照片"
            "（SYNC_CAPTURE_IMAGES 关闭或尚未推送）"
            f"（kept {report['images_kept']} capture images the cloud has not acknowledged:"
            " SYNC_CAPTURE_IMAGES off, or not pushed yet）"
        )
    return report


def _erase(db: Database, candidate_id: int, at: str, report: dict[str, Any]) -> None:
    # A capture's references all start with "capture:<request_id>:", so the range below reads
    # the outbox's unique ref index instead of scanning every record.
    cur = db.execute(
        "UPDATE captures SET image = NULL WHERE candidate_id = ? AND image IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM sync_outbox o"
        " WHERE o.ref >= 'capture:' || captures.request_id || ':'"
        " AND o.ref < 'capture:' || captures.request_id || ';'"
        " AND o.status IN ('stored', 'duplicate') AND json_extract(o.body, '$.image_b64') IS NOT NULL)",
        [candidate_id],
    )
    report["images_erased"] += max(cur.rowcount, 0)
    report["images_kept"] += db.execute(
        "SELECT COUNT(*) FROM captures WHERE candidate_id = ? AND image IS NOT NULL",
        [candidate_id],
    ).fetchone()[0]
    reads = db.execute(
        "SELECT id, identity FROM desk_reads WHERE candidate_id = ?", [candidate_id]
    ).fetchall()
    for read_id, identity in reads:
        card = json.loads(identity)
        # the desk page and the archive show name and masked number; address, birth, issuer and
        # the card photo go
        kept = {k: card[k] for k in ("card_type", "name", "read_at", "reader") if k in card}
        kept["id_number"] = mask_id_number(str(card.get("id_number", "")))
        kept["purged_at"] = at
        db.execute(
            "UPDATE desk_reads SET still = NULL, identity = ? WHERE id = ?",
            [json.dumps(kept, ensure_ascii=False), read_id],
        )
    report["desk_reads"] += len(reads)
    db.execute(
        "UPDATE candidates SET photo = NULL, descriptor = NULL,"
        " id_number = substr(id_number, 1, 4) || '**********' || substr(id_number, 15)"
        " WHERE id = ?",
        [candidate_id],
    )


# -- staged plans ---------------------------------------------------------------------------
def staged(db: Database, plan_id: str) -> dict[str, Any] | None:
    """What was staged for a plan, or None."""
    return one(db.execute("SELECT * FROM staged_plans WHERE plan_id = ?", [plan_id]))


def put_staged(db: Database, row: Mapping[str, Any]) -> None:
    """Record a staged plan."""
    cols = ",".join(row)
    db.execute(
        f"INSERT OR REPLACE INTO staged_plans ({cols}) VALUES ({','.join('?' * len(row))})",
        list(row.values()),
    )


def all_staged(db: Database) -> list[dict[str, Any]]:
    """Every staged plan."""
    return dicts(db.execute("SELECT * FROM staged_plans ORDER BY staged_at"))
