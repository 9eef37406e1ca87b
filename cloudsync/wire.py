"""The sync wire format (pure): batch, record, ack and receipt shapes, and their validation.

A site pushes ``{"site_id", "batch_id", "records": [record, …]}``. Each record is
``{"seq": n, "kind": k, "body": {...}}`` where ``seq`` is the site's outbox sequence (the
cloud's idempotency key together with the site id) and ``kind`` one of:

- ``journal``: one journal row (columns as in docs/architecture.md, ``payload`` an object);
- ``result``: ``{"plan_id", "ticket", "status", "score", "passed", "answers", "detail"}``;
- ``capture``: ``{"capture_id", "plan_id", "ticket", "at", "flagged", "meta", "image_b64"?}``;
- ``video``: ``{"segment_id", "plan_id", "meta"}``, ``meta`` the site's whole segment record
  (``examsite/store/video_segments.COLUMNS`` with ``prev_hash``/``entry_hash``).

The cloud answers ``{"acks": [{"seq", "status", "code"?, "error"?}], "receipts": [receipt…],
"chain": {...}}``; ``status`` is ``stored``, ``duplicate`` or ``quarantined``. A receipt per
candidate is ``{"plan_id", "ticket", "answers", "checksum", "captures", "incidents",
"result", "last_seq"}``, where ``checksum`` is :func:`candidate_checksum` of the hashes of the
candidate's journal rows the cloud holds, in sequence order: the site computes the same value
from its own journal before it purges anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from cloudsync.chain import FIELDS

KINDS = ("journal", "result", "capture", "video")
ACK_STORED, ACK_DUPLICATE, ACK_QUARANTINED = "stored", "duplicate", "quarantined"
#: A sequence number the site used before for a record with other content: not stored; the site
#: keeps the record and alerts (its database was restored or rebuilt under the same site id).
ACK_CONFLICT = "conflict"


def record_digest(raw: Any) -> str:
    """sha256 of a record's kind and body in canonical JSON: what "the same record" means."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    body = raw.get("body") if isinstance(raw, dict) else None
    text = json.dumps([kind, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# journal kinds counted as incidents on a candidate's receipt (att.4 incident record)
INCIDENT_KINDS = frozenset(
    {"violation", "transfer", "identity_disputed", "incident_note", "camera_missing"}
)
MAX_RECORDS = 5000
_HEX64 = re.compile(r"[0-9a-f]{64}")
# key columns are VARCHAR(191) on MySQL (utf8mb4 index limit)
MAX_KEY_LEN = 191


class RecordError(ValueError):
    """A record does not fit the wire format; ``code`` is stable, the message bilingual."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BatchError(ValueError):
    """A whole batch is unusable (not JSON, wrong site, too big)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def candidate_checksum(journal_hashes: Iterable[str]) -> str:
    """SHA-256 over a candidate's journal row hashes in sequence order, one per line."""
    return hashlib.sha256("\n".join(journal_hashes).encode("ascii")).hexdigest()


def _need(body: Mapping[str, Any], field: str, types: type | tuple[type, ...], kind: str) -> Any:
    if field not in body:
        raise RecordError(
            "missing_field", f"{kind} 记录缺少字段 {field}（{kind} record lacks {field}）"
        )
    value = body[field]
    if isinstance(value, str) and len(value) > MAX_KEY_LEN:
        raise RecordError(
            "too_long",
            f"{kind} 字段 {field} 超过 {MAX_KEY_LEN} 字（{kind} field {field} is too long）",
        )
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
        raise RecordError(
            "bad_field",
            f"{kind} 记录字段 {field} 类型错误：{type(value).__name__}（{kind} field {field} has the wrong type）",
        )
    return value


def _tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _opt_str(body: Mapping[str, Any], field: str, kind: str) -> None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise RecordError(
            "bad_field", f"{kind} 字段 {field} 应为文本（{kind} field {field} must be text）"
        )
    if isinstance(value, str) and len(value) > MAX_KEY_LEN and field != "image_b64":
        raise RecordError(
            "too_long",
            f"{kind} 字段 {field} 超过 {MAX_KEY_LEN} 字（{kind} field {field} is too long）",
        )


def validate_batch(batch: Any, site_id: str) -> list[Any]:
    """Check the batch envelope; return its raw records (each still to be validated)."""
    if not isinstance(batch, Mapping) or not isinstance(batch.get("records"), list):
        raise BatchError(
            "bad_batch",
            "批次格式错误：需要 JSON 对象，含 records 列表（batch must be an object with a records list）",
        )
    if batch.get("site_id") != site_id:
        raise BatchError(
            "wrong_site",
            f"批次的站点 {batch.get('site_id')!r} 与签名站点 {site_id} 不一致（batch site differs from the signing site）",
        )
    if len(batch["records"]) > MAX_RECORDS:
        raise BatchError(
            "batch_too_large",
            f"每批最多 {MAX_RECORDS} 条记录（at most {MAX_RECORDS} records per batch）",
        )
    return list(batch["records"])


def record_seq(record: Any) -> int | None:
    """The record's outbox sequence if it has a usable one (for acks of bad records)."""
    if isinstance(record, Mapping):
        seq = record.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0:
            return seq
    return None


def validate_record(record: Any) -> tuple[int, str, dict[str, Any]]:
    """Check one record; return (seq, kind, body) or raise :class:`RecordError`."""
    if not isinstance(record, Mapping):
        raise RecordError("bad_record", "记录应为 JSON 对象（record must be an object）")
    seq = record_seq(record)
    if seq is None:
        raise RecordError(
            "bad_seq", "记录缺少正整数序号 seq（record needs a positive integer seq）"
        )
    kind = record.get("kind")
    if kind not in KINDS:
        raise RecordError("bad_kind", f"未知记录类型 {kind!r}（unknown record kind {kind!r}）")
    body = record.get("body")
    if not isinstance(body, Mapping):
        raise RecordError("bad_body", "记录 body 应为对象（record body must be an object）")
    body = dict(body)
    if kind == "journal":
        validate_journal_row(body)
    elif kind == "result":
        _need(body, "plan_id", str, kind)
        _need(body, "ticket", str, kind)
        _need(body, "status", str, kind)
        if body.get("score") is not None:
            _need(body, "score", (int, float), kind)
        _need(body, "answers", int, kind)
    elif kind == "capture":
        _need(body, "capture_id", str, kind)
        for f in ("plan_id", "ticket", "at", "image_b64"):
            _opt_str(body, f, kind)
    else:
        _need(body, "segment_id", str, kind)
        _opt_str(body, "plan_id", kind)
        _video_meta(body.get("meta"))
    return seq, str(kind), body


#: Video segment fields the cloud keeps as columns: text ones, then the size.
VIDEO_TEXT_FIELDS = ("camera_id", "recorder_id", "record_type", "start_utc", "end_utc",
                     "sha256", "retention_until", "prev_hash", "entry_hash")  # fmt: skip


def _video_meta(meta: Any) -> None:
    if meta is None:
        return
    if not isinstance(meta, Mapping):
        raise RecordError(
            "bad_field", "video 字段 meta 应为对象（video field meta must be an object）"
        )
    for f in VIDEO_TEXT_FIELDS:
        _opt_str(meta, f, "video")
    size = meta.get("size_bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise RecordError(
            "bad_field",
            "video 字段 size_bytes 应为非负整数（video size_bytes must be a whole number）",
        )
    for f in ("sha256", "prev_hash", "entry_hash"):
        value = meta.get(f)
        if value is not None and not _HEX64.fullmatch(value):
            raise RecordError(
                "bad_field", f"video 字段 {f} 不是 64 位十六进制（video {f} is not 64 hex digits）"
            )


def validate_journal_row(row: Mapping[str, Any]) -> None:
    """Check a journal row's columns and types (not its hash: that is the chain's job)."""
    for f in FIELDS:
        if f not in row:
            raise RecordError("missing_field", f"日志行缺少字段 {f}（journal row lacks {f}）")
    _need(row, "seq", int, "journal")
    if row["seq"] <= 0:
        raise RecordError("bad_field", "日志序号应为正整数（journal seq must be positive）")
    for f in ("at", "kind"):
        _need(row, f, str, "journal")
    for f in ("session_id", "actor", "candidate_ticket", "terminal_id"):
        _opt_str(row, f, "journal")
    _need(row, "payload", dict, "journal")
    for f in ("prev_hash", "hash"):
        value = _need(row, f, str, "journal")
        if not _HEX64.fullmatch(value):
            raise RecordError(
                "bad_field", f"日志字段 {f} 不是 64 位十六进制（journal {f} is not 64 hex digits）"
            )


def ack(seq: int | None, status: str, code: str = "", error: str = "") -> dict[str, Any]:
    """One acknowledgement entry."""
    out: dict[str, Any] = {"seq": seq, "status": status}
    if code:
        out["code"] = code
        out["error"] = error
    return out
