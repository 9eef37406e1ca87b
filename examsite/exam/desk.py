"""The check-in desk (000 att.3 §1.2): a card on the reader, a camera still, the face check, the
ID checks, and the proctor's decision. Also the return from temporary leave (att.3 §1.11).

Device objects come from the composition root (`examsite.console.services`); this module only
uses them. The face work runs in the `FacePool`'s processes: waiting on its future yields to the
event loop under gevent, so the server keeps answering terminals meanwhile; the camera still is
taken through `run_blocking` (the hub's thread pool) for the same reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from devices.camera import FrameSource
from devices.errors import DeviceError
from devices.face.matcher import descriptor_to_bytes
from devices.face.pool import FacePool
from devices.idcard.codec import Identity
from devices.idcard.idnumber import cross_check
from examsite import payloads
from examsite.engine import rules
from examsite.engine import timing as tm
from examsite.engine.errors import ExamError
from examsite.engine.states import CandidateState
from examsite.store import candidates, desk, sessions
from examsite.store.db import call_directly

from .base import Outcome, Push
from .day import ExamDay

log = logging.getLogger(__name__)
C = CandidateState
FACE_TIMEOUT_S = 20.0

#: Problems a proctor may override with a reason; the rest (not on the roster, absent, …) refuse.
OVERRIDABLE = frozenset(
    {
        "face_no_match",
        "face_unavailable",
        "face_no_reference",
        "camera_unavailable",
        "name_mismatch",
        "sex_mismatch",
        "birth_mismatch",
        "card_expired",
        "card_not_yet_valid",
        "validity_invalid",
        "birth_invalid",
        "id_number_checksum",
    }
)
BLOCKING = {
    "not_on_roster": (
        "此证件不在今日考生名单中，不得入场。请核对考生的考试日期和考场。",
        "This card is not on today's roster: no entry. Check the candidate's exam date and room.",
    ),
}


def _problem(code: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "message": zh, "message_en": en}


class CheckinDesk:
    """One desk: the reader service calls `on_card`; the console calls `admit` / `refuse`."""

    def __init__(
        self,
        exam: ExamDay,
        emit: Callable[[list[Push]], None],
        *,
        camera: FrameSource | None = None,
        pool: FacePool | Any = None,
        threshold: float = 0.5,
        run_blocking: Callable[..., Any] | None = None,
    ):
        self.exam = exam
        # cv2 reads block the OS thread: under gevent the composition root passes the hub's
        # thread pool (`serve.blocking_runner`), so a slow camera never freezes the server
        self.run_blocking = run_blocking or call_directly
        self.emit = emit
        self.camera = camera
        self.pool = pool
        self.threshold = threshold
        self.reader_state: dict[str, Any] = {"state": "absent", "message": "未配置读卡器"}

    # -- the camera -------------------------------------------------------------------------
    def camera_state(self) -> dict[str, Any]:
        """The desk camera as the desk page shows it: absent, ok, or unavailable (retrying)."""
        if self.camera is None:
            return {
                "state": "absent",
                "message": "未配置签到台摄像头",
                "message_en": "No desk camera configured",
            }
        state = getattr(self.camera, "state", None)
        return (
            dict(state)
            if state
            else {"state": "ok", "message": "摄像头已连接", "message_en": "camera connected"}
        )

    def check_camera(self) -> dict[str, Any]:
        """Try to open a missing camera (off the event loop; the source bounds its retries) and
        tell the consoles when its state changed; returns the state. A scheduler job."""
        before = self.camera_state()
        reopen = getattr(self.camera, "reopen", None)
        if reopen is not None:
            self.run_blocking(reopen)
        after = self.camera_state()
        if after["state"] != before["state"]:
            log.info("desk camera: %s", after["message_en"])
            self.emit([self.exam.console_push("desk_camera", **after)])
        return after

    # -- device callbacks -------------------------------------------------------------------
    def on_status(self, status: Any) -> None:
        """ReaderService status changes (connected, disconnected, read_failed …) go to the console."""
        self.reader_state = status.to_dict()
        self.emit([self.exam.console_push("desk_reader", **self.reader_state)])

    def on_card(self, event: Any) -> None:
        """ReaderService callback: one card placement."""
        try:
            self.read_card(event.identity, event.read_at, event.reader)
        except Exception:
            log.exception("check-in desk could not handle a card read")

    # -- the read ---------------------------------------------------------------------------
    def read_card(self, identity: Identity, read_at: str = "", reader: str = "") -> dict[str, Any]:
        """Match a card against the roster, take a still, check the face; store and push the read."""
        now = self.exam.now()
        card = identity.to_dict()
        problems: list[dict[str, str]] = []
        with self.exam.sitedb.read() as db:
            found = desk.candidates_by_id_number(db, identity.id_number)
            cand = found[0] if found else None
            session = sessions.get(db, cand["session_id"]) if cand else None
            if session is None:
                live = sessions.active(db)
                session = live[0] if live else None
        exam_date = (
            tm.parse_iso(session["starts_at"]).astimezone(self.exam.zone).date()
            if session
            else now.astimezone(self.exam.zone).date()
        )
        for p in cross_check(identity, exam_date):
            problems.append(_problem(p.code, p.message_zh, p.message_en))
        mode = "checkin"
        if cand is None:
            problems.insert(0, _problem("not_on_roster", *BLOCKING["not_on_roster"]))
        else:
            if cand["name"] != identity.name:
                problems.append(
                    _problem(
                        "name_mismatch",
                        f"证件姓名“{identity.name}”与名单“{cand['name']}”不一致",
                        "The name on the card differs from the roster",
                    )
                )
            if identity.sex and identity.sex != cand["gender"]:
                problems.append(
                    _problem("sex_mismatch", "证件性别与名单不一致", "Sex differs from the roster")
                )
            if cand["state"] == C.AWAY.value:
                mode = "return"
            else:
                try:
                    assert session is not None
                    rules.check_checkin(sessions.view(session), C(cand["state"]), now)
                except ExamError as e:
                    zh, en = e.as_ack()["message"], e.as_ack()["message_en"]
                    problems.insert(0, _problem(e.code, zh, en))
        still = self._still(problems)
        face = self._face(cand, still, problems) if cand else {"verdict": "skipped"}
        masked = payloads.mask_id_number(identity.id_number)
        with self.exam.sitedb.write() as db:
            read_id = desk.add(
                db,
                tm.iso(now),
                session["id"] if session else None,
                cand["id"] if cand else None,
                {**card, "read_at": read_at, "reader": reader},
                still,
                face,
                problems,
            )
            if cand is None:
                # a stranger's card is part of the record (002 考场篇(二)5: only the roster enters)
                self.exam.journal(
                    db,
                    "checkin_refused",
                    "system",
                    {
                        "code": "not_on_roster",
                        "name": identity.name,
                        "id_number": masked,
                        "read_id": read_id,
                    },
                    session_id=session["id"] if session else None,
                )
        read = self.read(read_id)
        read["mode"] = mode
        self.emit([self.exam.console_push("desk_read", read_id=read_id)])
        return read

    def _still(self, problems: list[dict[str, str]]) -> bytes | None:
        if self.camera is None:
            problems.append(
                _problem("camera_unavailable", "签到台未连接摄像头", "No camera at the desk")
            )
            return None
        try:
            return bytes(self.run_blocking(self.camera.still))
        except DeviceError as e:
            problems.append(_problem("camera_unavailable", e.message_zh, e.message_en))
            return None

    def _face(
        self, cand: dict[str, Any], still: bytes | None, problems: list[dict[str, str]]
    ) -> dict[str, Any]:
        if still is None:
            return {"verdict": "no_still"}
        if self.pool is None:
            problems.append(
                _problem("face_unavailable", "人脸比对服务未启动", "Face matching is not running")
            )
            return {"verdict": "unavailable"}
        try:
            reference = self.reference(cand["id"])
            if reference is None:
                problems.append(
                    _problem(
                        "face_no_reference",
                        "登记照片中无法提取人脸特征，请人工比对照片",
                        "No face in the registered photo; compare by eye",
                    )
                )
                return {"verdict": "no_reference"}
            verdict = self.pool.submit_compare(reference, still, self.threshold).result(
                FACE_TIMEOUT_S
            )
        except (DeviceError, TimeoutError) as e:
            zh = getattr(e, "message_zh", "人脸比对超时")
            en = getattr(e, "message_en", "face check timed out")
            problems.append(_problem("face_unavailable", zh, en))
            return {"verdict": "unavailable"}
        out = {
            "verdict": verdict.verdict,
            "distance": verdict.distance,
            "threshold": verdict.threshold,
            "message": verdict.message_zh,
            "message_en": verdict.message_en,
        }
        if not verdict.matched:
            problems.append(_problem("face_no_match", verdict.message_zh, verdict.message_en))
        return out

    def reference(self, candidate_id: int) -> bytes | None:
        """The registered descriptor, computed from the registered photo the first time."""
        with self.exam.sitedb.read() as db:
            known = candidates.descriptor(db, candidate_id)
            photo = candidates.photo(db, candidate_id)
        if known and len(known) == 512:
            return known
        if not photo or self.pool is None:
            return None
        result = self.pool.submit_describe(photo).result(FACE_TIMEOUT_S)
        if not result.ok or result.descriptor is None:
            return None
        blob = descriptor_to_bytes(result.descriptor)
        with self.exam.sitedb.write() as db:
            candidates.update(db, candidate_id, descriptor=blob)
        return blob

    # -- the decision -----------------------------------------------------------------------
    def read(self, read_id: int) -> dict[str, Any]:
        """A stored read with the candidate's roster entry (for the desk page)."""
        with self.exam.sitedb.read() as db:
            row = desk.get(db, read_id)
            if row is None:
                raise ExamError("bad_request", {"field": "read_id"})
            cand = candidates.get(db, row["candidate_id"]) if row["candidate_id"] else None
        row["candidate"] = cand
        row["has_still"] = True
        row["mode"] = "return" if cand and cand["state"] == C.AWAY.value else "checkin"
        row["identity"]["id_number_masked"] = payloads.mask_id_number(
            row["identity"].get("id_number", "")
        )
        row["blocking"] = [p for p in row["problems"] if p["code"] not in OVERRIDABLE]
        row["needs_reason"] = bool(row["problems"])
        return row

    def admit(self, read_id: int, actor: str, reason: str = "") -> Outcome:
        """Admit (or let back in from leave) the candidate of a read; failed checks need a reason."""
        row = self.read(read_id)
        if row["decision"]:
            raise ExamError("already_decided")
        cand = row["candidate"]
        if cand is None or row["blocking"]:
            code = row["blocking"][0]["code"] if row["blocking"] else "not_on_roster"
            raise ExamError(
                code
                if code
                in (
                    "not_on_roster",
                    "ticket_absent",
                    "disqualified",
                    "already_checked_in",
                    "checkin_not_open",
                    "exam_over",
                )
                else "bad_transition"
            )
        reason = reason.strip()
        if row["problems"] and not reason:
            raise ExamError("reason_required")
        evidence = {
            "method": "desk",
            "read_id": read_id,
            "card_read_at": row["identity"].get("read_at"),
            "face": {k: row["face"].get(k) for k in ("verdict", "distance", "threshold")},
            "problems": [p["code"] for p in row["problems"]],
        }
        if row["mode"] == "return":
            out = self.exam.come_back(cand["id"], actor, evidence, override_reason=reason)
        else:
            out = self.exam.check_in(cand["id"], actor, evidence, override_reason=reason)
        with self.exam.sitedb.write() as db:
            desk.decide(db, read_id, "admitted", actor, tm.iso(self.exam.now()), reason)
        out.pushes.append(self.exam.console_push("desk_decision", read_id=read_id))
        return out

    def refuse(self, read_id: int, actor: str, reason: str = "") -> Outcome:
        """Refuse entry: journaled as `checkin_refused` with the reason and the failed checks."""
        row = self.read(read_id)
        if row["decision"]:
            raise ExamError("already_decided")
        now = self.exam.now()
        with self.exam.sitedb.write() as db:
            cand = row["candidate"]
            self.exam.journal(
                db,
                "checkin_refused",
                actor,
                {
                    "read_id": read_id,
                    "reason": reason.strip(),
                    "problems": [p["code"] for p in row["problems"]],
                    "face": row["face"].get("verdict"),
                },
                session_id=row["session_id"],
                cand=cand,
            )
            desk.decide(db, read_id, "refused", actor, tm.iso(now), reason.strip())
        return Outcome({"ok": True}, [self.exam.console_push("desk_decision", read_id=read_id)])


def identity_for(candidate: dict[str, Any]) -> Identity:
    """A card for a roster entry (demo and tests: what the simulated reader should hold)."""
    number = candidate["id_number"]
    return Identity(
        card_type="resident",
        name=candidate["name"],
        sex_code="1" if candidate["gender"] == "M" else "2",
        nation_code="01",
        birth=number[6:14],
        address="演示省演示市考试路8号",
        id_number=number,
        issuer="演示市公安局",
        valid_from="20200101",
        valid_to="20400101",
    )
