"""One archive per exam session (一期一档, 001 checklist 8): a zip with a sha256 manifest, and its check.

Contents: the session and roster (with registered photos), the session's journal rows with the
hash links of the whole chain up to them (so the chain is checkable without other sessions'
content), answers, results, the time ledger, check-in desk reads (with stills), captures with
their verdicts and images, violations, the incident record (JSON and PDF) and the video segment
index. `manifest.json` lists every other file with its sha256 and size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudsync.chain import GENESIS, row_hash
from examsite import payloads
from examsite.console import record as incident
from examsite.exam import ExamDay
from examsite.store import (
    candidates,
    capture_reviews,
    captures,
    desk,
    journal,
    room,
    sessions,
    video_segments,
    violations,
)

FORMAT = "examsite-session-archive/1"
MANIFEST = "manifest.json"


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode()


def _image_ext(data: bytes) -> str:
    return ".png" if payloads.image_mime(data) == "image/png" else ".jpg"


def export(exam: ExamDay, session_id: str, site_name: str = "", site_id: str = "") -> bytes:
    """The archive of one session as zip bytes."""
    files: dict[str, bytes] = {}
    with exam.sitedb.read() as db:
        session = exam.session_of(db, session_id)
        roster = candidates.in_session(db, session_id)
        rows = journal.rows(db, session_id=session_id, limit=10_000_000)
        links = room.chain_links(db, rows[-1]["seq"]) if rows else []
        caps = capture_reviews.for_session(db, session_id)
        reads = desk.for_session(db, session_id)
        files["session.json"] = _json({**session, "paper": _paper_meta(db, session_id)})
        files["roster.json"] = _json(roster)
        for c in roster:
            photo = candidates.photo(db, c["id"])
            if photo:
                files[f"photos/{c['ticket']}{_image_ext(photo)}"] = photo
        files["answers.json"] = _json(room.answers_of_session(db, session_id))
        files["time_ledger.json"] = _json(room.ledger_rows(db, session_id))
        files["violations.json"] = _json(violations.for_session(db, session_id))
        files["captures.json"] = _json(caps)
        for cap in caps:
            image = captures.image(db, cap["request_id"])
            if image:
                files[f"captures/{cap['request_id']}.jpg"] = image
        files["checkin/desk_reads.json"] = _json(reads)
        for r in reads:
            still = desk.still(db, r["id"])
            if still:
                files[f"checkin/still-{r['id']}.jpg"] = still
        files["video_index.json"] = _json(video_segments.for_session(db, session_id))
    files["results.json"] = _json(
        [
            {
                k: c[k]
                for k in (
                    "ticket",
                    "name",
                    "state",
                    "score",
                    "passed",
                    "finished_at",
                    "void_reason",
                )
            }
            for c in roster
        ]
    )
    files["journal.jsonl"] = b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True).encode() + b"\n" for r in rows
    )
    files["journal_chain.jsonl"] = b"".join(
        json.dumps([s, p, h]).encode() + b"\n" for s, p, h in links
    )
    rec = incident.build(exam, session_id, site_name)
    files["incident_record.json"] = _json(rec)
    files["incident_record.pdf"] = incident.pdf(rec)
    manifest = {
        "format": FORMAT,
        "site_id": site_id,
        "site_name": site_name,
        "session_id": session_id,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "journal_rows": len(rows),
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(MANIFEST, _json(manifest))
    return out.getvalue()


def _paper_meta(db: Any, session_id: str) -> dict[str, Any] | None:
    row = sessions.paper_row(db, session_id)
    if row is None:
        return None
    return {k: row[k] for k in ("paper_id", "title", "sha256", "opened_at")}


@dataclass
class Verification:
    """What `verify` found: ok, the problems in both languages, and counts."""

    problems: list[str] = field(default_factory=list)
    files: int = 0
    journal_rows: int = 0
    session_id: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def verify(source: str | Path | bytes) -> Verification:
    """Check an archive: every listed file present with its sha256, nothing unlisted, the journal
    rows hash correctly and sit on an unbroken chain."""
    result = Verification()
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (OSError, zipfile.BadZipFile) as e:
        result.problems.append(f"不是有效的zip档案（not a valid zip archive）：{e}")
        return result
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            result.problems.append("缺少 manifest.json（manifest.json missing）")
            return result
        try:
            manifest = json.loads(zf.read(MANIFEST))
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as e:
            result.problems.append(f"manifest.json 无法解析（manifest unreadable）：{e}")
            return result
        if manifest.get("format") != FORMAT:
            result.problems.append(f"未知档案格式（unknown format）：{manifest.get('format')}")
        result.session_id = str(manifest.get("session_id", ""))
        for extra in sorted(names - set(listed) - {MANIFEST}):
            result.problems.append(f"清单外的文件（file not in the manifest）：{extra}")
        for path, entry in sorted(listed.items()):
            if path not in names:
                result.problems.append(f"缺少文件（file missing）：{path}")
                continue
            data = zf.read(path)
            if (
                not isinstance(entry, dict)
                or hashlib.sha256(data).hexdigest() != entry.get("sha256")
                or len(data) != entry.get("bytes")
            ):
                result.problems.append(f"文件被改动（sha256 mismatch）：{path}")
            result.files += 1
        if "journal.jsonl" in names and "journal_chain.jsonl" in names:
            _check_journal(zf.read("journal.jsonl"), zf.read("journal_chain.jsonl"), result)
    return result


def _check_journal(rows_blob: bytes, chain_blob: bytes, result: Verification) -> None:
    try:
        _check_journal_rows(rows_blob, chain_blob, result)
    except (KeyError, TypeError, ValueError) as e:  # a row or link of the wrong shape
        result.problems.append(f"日志文件格式不符（journal rows malformed）：{e!r}")


def _check_journal_rows(rows_blob: bytes, chain_blob: bytes, result: Verification) -> None:
    try:
        rows = [json.loads(line) for line in rows_blob.splitlines() if line.strip()]
        links = [json.loads(line) for line in chain_blob.splitlines() if line.strip()]
    except ValueError as e:
        result.problems.append(f"日志文件无法解析（journal unreadable）：{e}")
        return
    result.journal_rows = len(rows)
    prev = GENESIS
    by_seq: dict[int, tuple[str, str]] = {}
    for seq, prev_hash, hash_ in links:
        if prev_hash != prev:
            result.problems.append(
                f"日志哈希链在第 {seq} 条断开（journal chain broken at seq {seq}）"
            )
            return
        by_seq[int(seq)] = (prev_hash, hash_)
        prev = hash_
    for row in rows:
        link = by_seq.get(int(row["seq"]))
        if (
            link is None
            or row_hash(row["prev_hash"], row) != row["hash"]
            or link
            != (
                row["prev_hash"],
                row["hash"],
            )
        ):
            result.problems.append(
                f"日志第 {row['seq']} 条与哈希链不符（journal row {row['seq']} does not match the chain）"
            )
            return
