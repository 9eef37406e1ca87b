"""Pre-staging the day before: pull a date's plans, verify them, store them as sessions, and
compute the face descriptor of every roster photo.

Pulling again is safe: a plan already staged with the same package is reported as ready and left
alone (descriptors still missing are computed again); one whose package changed is reported, not
silently replaced (a session may have begun). Every candidate whose photo cannot serve the face
check at the door (no photo, no face, several faces, poor quality) is listed in the plan's report
under ``photo_problems``, so the technician can have it replaced the day before.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from typing import Any

from cloudsync.client import CloudClient, CloudError, CloudUnavailable
from cloudsync.sealing import SealError
from devices.errors import DeviceError
from devices.face.matcher import DESCRIPTOR_SIZE, FaceResult, descriptor_to_bytes
from devices.face.pool import Busy
from examsite.engine.timing import iso, utcnow
from examsite.store import candidates, outbox, sessions

Progress = Callable[[str, int, int | None], None]

#: The descriptor form the check-in desk reads (examsite/exam/desk.py): 128 float32, 512 bytes.
DESCRIPTOR_BYTES = DESCRIPTOR_SIZE * 4
#: Longest wait for one photo in a face worker (a cold worker first loads dlib's models).
DESCRIBE_TIMEOUT_S = 60.0


def descriptor_bytes(descriptor: list[float] | None) -> bytes | None:
    """The cloud's descriptor (128 numbers) in the site's form (128 little-endian float32, the
    512-byte blob the check-in desk reads); None when absent or not 128 finite numbers."""
    if not descriptor:
        return None
    try:
        return descriptor_to_bytes(descriptor)
    except (TypeError, ValueError):
        return None


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


def _problem(c: dict[str, Any], verdict: str, zh: str, en: str, reason: str = "") -> dict[str, Any]:
    return {
        "ticket": c["ticket"],
        "name": c["name"],
        "seat": c["seat"],
        "verdict": verdict,
        "reason": reason,
        "message": f"{zh}（{en}）",
    }


def _face_problem(c: dict[str, Any], result: FaceResult) -> dict[str, Any]:
    return _problem(
        c,
        result.verdict,
        f"登记照片不能用于人脸比对：{result.message_zh}，请在考试前更换照片",
        f"the registered photo cannot serve the face check: {result.message_en}; replace it "
        "before the exam",
        result.reason,
    )


def describe_roster(sitedb: Any, session_id: str, pool: Any) -> dict[str, Any]:
    """Compute and store the descriptor of every roster photo of a session that has none.

    The work runs in the face pool's worker processes (``pool.submit_describe``, as at the
    check-in desk), never on the caller's thread; at most the pool's capacity is in flight.
    Returns ``descriptors`` (candidates with a usable one now), ``photo_problems`` (every
    candidate whose photo has none, with the reason) and, when the face check could not run at
    all, ``face_check`` with the error (the desk then tries again at the door)."""
    with sitedb.read() as db:
        roster = candidates.in_session(db, session_id)
        todo: list[tuple[dict[str, Any], bytes | None]] = []
        ready = 0
        for c in roster:
            known = candidates.descriptor(db, c["id"])
            if known and len(known) == DESCRIPTOR_BYTES:
                ready += 1
            else:
                todo.append((c, candidates.photo(db, c["id"])))
    problems: list[dict[str, Any]] = []
    out: dict[str, Any] = {"descriptors": ready, "photo_problems": problems}
    flying: deque[tuple[dict[str, Any], Future[FaceResult]]] = deque()

    def settle(c: dict[str, Any], fut: Future[FaceResult]) -> None:
        try:
            result = fut.result(DESCRIBE_TIMEOUT_S)
        except FutureTimeout:
            problems.append(_problem(c, "timeout", "人脸特征计算超时，签到时将重试",
                                     "computing the face descriptor timed out; the desk retries"))  # fmt: skip
            return
        if not result.ok or result.descriptor is None:
            problems.append(_face_problem(c, result))
            return
        with sitedb.write() as db:
            candidates.update(db, c["id"], descriptor=descriptor_to_bytes(result.descriptor))
        out["descriptors"] += 1

    try:
        for c, photo in todo:
            if not photo:
                problems.append(_problem(c, "no_photo", "没有登记照片，无法人脸比对，请补充照片",
                                         "no registered photo: the face check cannot run; add one"))  # fmt: skip
                continue
            waited = 0.0
            while True:
                try:
                    flying.append((c, pool.submit_describe(photo)))
                    break
                except Busy:  # the pool is full (the desk may be using it too): wait for ours
                    if flying:
                        settle(*flying.popleft())
                    elif waited >= DESCRIBE_TIMEOUT_S:
                        raise
                    else:
                        time.sleep(0.5)  # cooperative under gevent (the server monkey-patches)
                        waited += 0.5
        while flying:
            settle(*flying.popleft())
    except DeviceError as exc:
        out["face_check"] = {"code": exc.code, "message": f"{exc.message_zh}（{exc.message_en}）"}
    problems.sort(key=lambda p: (p["seat"] is None, p["seat"] or 0, p["ticket"]))
    return out


def _with_faces(report: dict[str, Any], faces: dict[str, Any]) -> dict[str, Any]:
    report = {**report, **faces}
    if faces["photo_problems"]:
        n = len(faces["photo_problems"])
        report["message"] = (
            f"{n} 名考生的登记照片不能用于人脸比对，请在考试前更换（见 photo_problems）"
            f"（{n} candidates' photos cannot serve the face check: replace them before the exam）"
        )
    if "face_check" in faces:
        report["message"] = (
            "人脸特征未能预先计算，签到时再计算："
            f"{faces['face_check']['message']}（descriptors were not computed; the desk will）"
        )
    return report


class PlanListError(Exception):
    """A date's plans could not be listed; ``message`` says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def list_day(sitedb: Any, client_for: Callable[..., CloudClient], day: str) -> list[dict[str, Any]]:
    """The cloud's plans for this site on ``day`` without pulling them, each with ``staged``
    (already staged here) and the local staging ``status`` when there is a report.

    ``client_for(sitedb, retries=...)`` makes the client (``examsite.sync.link.client_for``);
    one quick retry only, since a person is waiting. Raises :class:`PlanListError` with what to
    do when the cloud cannot be reached or refuses the date."""
    try:
        date.fromisoformat(day)
    except ValueError:
        raise PlanListError(
            "bad_date", "日期应为 YYYY-MM-DD（the date must be YYYY-MM-DD）"
        ) from None
    try:
        plans = client_for(sitedb, retries=1).list_plans(day)
    except CloudUnavailable as exc:
        raise PlanListError(
            "cloud_unavailable",
            f"连不上省平台，无法列出 {day} 的考试计划：请检查网络和省平台地址（examsite "
            f"cloud-link），稍后再试；已预置的计划不受影响（cannot reach the provincial cloud to "
            f"list the plans of {day}: check the network and the cloud's address, then try "
            f"again; plans already staged are not affected）。{exc.message}",
        ) from None
    except CloudError as exc:
        raise PlanListError(exc.code, exc.message) from None
    out = []
    with sitedb.read() as db:
        for plan in plans:
            report = last_report(db, plan["plan_id"])
            out.append(
                {
                    **plan,
                    "staged": outbox.staged(db, plan["plan_id"]) is not None,
                    "status": report.get("status") if report else None,
                }
            )
    return out


#: Where the last staging report of a plan is kept (sync_state), for the console's page.
REPORT_KEY = "stage_report:{}"


def readiness(report: dict[str, Any]) -> str:
    """How a plan's staging report reads: ``good`` (ready for the exam), ``warn`` (ready, but
    some photos cannot serve the face check, or descriptors could not be computed: the
    technician has something to do) or ``bad`` (not staged as published)."""
    if report.get("status") != "ready":
        return "bad"
    if report.get("photo_problems") or report.get("face_check"):
        return "warn"
    return "good"


def _remember(sitedb: Any, report: dict[str, Any]) -> None:
    with sitedb.write() as db:
        outbox.set_state(
            db, REPORT_KEY.format(report["plan_id"]), json.dumps(report, ensure_ascii=False)
        )


def last_report(db: Any, plan_id: str) -> dict[str, Any] | None:
    """The plan's last staging report (from the console or ``examsite stage``), or None."""
    raw = outbox.state(db, REPORT_KEY.format(plan_id))
    return dict(json.loads(raw)) if raw else None


def stage_day(
    exam: Any,
    client: CloudClient,
    day: str,
    progress: Progress | None = None,
    pool: Any = None,
) -> list[dict[str, Any]]:
    """Pull and stage every plan of ``day``; return one report per plan (``status`` says what).

    With a face ``pool`` (``devices.face.pool.FacePool`` or the console's lazy one), each ready
    plan's roster photos are described too (:func:`describe_roster`) and the report says how many
    are ready and which photos need replacing. Each report is also kept (:func:`last_report`)
    so the console's page shows it after the pull."""
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
            report.update(status="ready", note="已拉取过（already staged）")
            if pool is not None:
                report = _with_faces(report, describe_roster(sitedb, plan_id, pool))
            reports.append(report)
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
        report["status"] = "ready"
        if pool is not None:
            report = _with_faces(report, describe_roster(sitedb, plan_id, pool))
        reports.append(report)
    for report in reports:
        _remember(sitedb, report)
    return reports
