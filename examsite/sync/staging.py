"""Pre-staging the day before: pull a date's plans, verify them, store them as sessions.

Pulling again is safe: a plan already staged with the same package is reported as ready and left
alone; one whose package changed is reported, not silently replaced (a session may have begun).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import struct
from collections.abc import Callable
from typing import Any

from cloudsync.client import CloudClient
from cloudsync.sealing import SealError
from examsite.engine.timing import iso, utcnow
from examsite.store import outbox, sessions

Progress = Callable[[str, int, int | None], None]


def descriptor_bytes(descriptor: list[float] | None) -> bytes | None:
    """The cloud's descriptor (128 floats) in the site's form (float64 little-endian)."""
    if not descriptor:
        return None
    return struct.pack(f"<{len(descriptor)}d", *descriptor)


def session_from_package(pkg: dict[str, Any]) -> dict[str, Any]:
    """The site session row for a plan package (the session id is the plan id)."""
    s = pkg["settings"]
    return {
        "id": pkg["plan_id"],
        "plan_id": pkg["plan_id"],
        "site_id": pkg["site_id"],
        "room": pkg["room"],
        "subject": pkg["subject"],
        "title": pkg["subject"],
        "starts_at": pkg["starts_at"],
        "duration_min": pkg["duration_min"],
        "checkin_open_min": s.get("checkin_open_min", 30),
        "late_cut_min": s.get("late_cut_min", 5),
        "submit_after_min": s.get("submit_after_min", 30),
        "captures_per_candidate": s.get("captures_per_candidate", 3),
        "show_score": int(bool(s.get("show_score", False))),
        "exam_password": f"{secrets.randbelow(10**6):06d}",
    }


def roster_from_package(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The site roster entries of a plan package (photos decoded)."""
    return [
        {
            "ticket": c["ticket"],
            "name": c["name"],
            "gender": c["gender"],
            "id_number": c["id_number"],
            "company": c.get("company") or "",
            "seat": c.get("seat"),
            "photo": base64.b64decode(c["photo_b64"]) if c.get("photo_b64") else None,
            "descriptor": descriptor_bytes(c.get("descriptor")),
        }
        for c in pkg["roster"]
    ]


def stage_day(
    exam: Any, client: CloudClient, day: str, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Pull and stage every plan of ``day``; return one report per plan (``status`` says what)."""
    sitedb = exam.sitedb
    reports = []
    for plan in client.list_plans(day):
        plan_id = plan["plan_id"]
        report: dict[str, Any] = {
            "plan_id": plan_id,
            "room": plan["room"],
            "starts_at": plan["starts_at"],
        }
        try:
            pkg = client.fetch_package(
                plan_id, progress=functools.partial(progress, plan_id) if progress else None
            )
        except SealError as exc:
            reports.append(
                {**report, "status": "refused", "code": exc.code, "message": exc.message}
            )
            continue
        digest = hashlib.sha256(
            json.dumps(pkg, sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        with sitedb.read() as db:
            before = outbox.staged(db, plan_id)
            session_exists = sessions.get(db, plan_id) is not None
        roster = roster_from_package(pkg)
        report.update(candidates=len(roster), photos=sum(1 for r in roster if r["photo"]))
        if before and before["package_sha256"] == digest:
            reports.append({**report, "status": "ready", "note": "已拉取过（already staged）"})
            continue
        if before or session_exists:
            reports.append(
                {
                    **report,
                    "status": "changed",
                    "message": "省平台的计划包已变化，本地场次保持不变；请联系省平台（the cloud's package changed after staging; the local session was kept）",
                }
            )
            continue
        exam.stage_session(
            session_from_package(pkg),
            None,
            roster,
            sealed=pkg["paper"]["sealed"].encode("utf-8"),
            sha256=pkg["paper"]["sha256"],
            actor="technician",
        )
        with sitedb.write() as db:
            outbox.put_staged(
                db,
                {
                    "plan_id": plan_id,
                    "session_id": plan_id,
                    "package_sha256": digest,
                    "paper_sha256": pkg["paper"]["sha256"],
                    "candidates": len(roster),
                    "photos": report["photos"],
                    "staged_at": iso(utcnow()),
                },
            )
        reports.append({**report, "status": "ready"})
    return reports
