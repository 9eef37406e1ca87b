"""The one place that builds what is pushed to terminals and consoles."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from examsite.engine.errors import MESSAGES
from examsite.engine.timing import epoch_ms, parse_iso


def mask_id_number(id_number: str) -> str:
    """Show the first 6 and last 4 characters of an ID number: 110101********1234."""
    if len(id_number) <= 10:
        return id_number[:2] + "*" * max(0, len(id_number) - 2)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_mime(image: bytes) -> str:
    """The MIME type of a stored photo or capture: PNG by its signature, JPEG otherwise."""
    return "image/png" if image[:8] == PNG_SIGNATURE else "image/jpeg"


def data_url(image: bytes | None) -> str | None:
    """An image as a data: URL (PNG or JPEG sniffed), for the confirm screen."""
    if not image:
        return None
    mime = image_mime(image)
    return f"data:{mime};base64,{base64.b64encode(image).decode()}"


def exam_info(session: dict[str, Any]) -> dict[str, Any]:
    """What a terminal shows of its session before login."""
    return {
        "session_id": session["id"],
        "title": session["title"],
        "subject": session["subject"],
        "room": session["room"],
        "state": session["state"],
        "starts_at_ms": epoch_ms(parse_iso(session["starts_at"])),
        "started_at_ms": epoch_ms(parse_iso(session["started_at"]))
        if session["started_at"]
        else None,
        "duration_min": session["duration_min"],
        "submit_after_min": session["submit_after_min"],
    }


def identity(
    candidate: dict[str, Any], session: dict[str, Any], photo: bytes | None
) -> dict[str, Any]:
    """The identity confirmation record (000 att.3 §1.5)."""
    return {
        "name": candidate["name"],
        "gender": candidate["gender"],
        "gender_label": {"M": "男", "F": "女"}.get(candidate["gender"], candidate["gender"]),
        "ticket": candidate["ticket"],
        "id_number_masked": mask_id_number(candidate["id_number"]),
        "subject": session["subject"],
        "seat": candidate["seat"],
        "photo": data_url(photo),
    }


def clock(
    ends_at: datetime | None,
    now: datetime,
    submit_allowed_at: datetime | None,
    utc_offset_min: int,
) -> dict[str, Any]:
    """Server time and the candidate's end, in epoch ms (the terminal never trusts its own clock),
    and the site zone's UTC offset in minutes (the page shows wall times in the site's zone)."""
    return {
        "server_time_ms": epoch_ms(now),
        "utc_offset_min": utc_offset_min,
        "ends_at_ms": epoch_ms(ends_at) if ends_at else None,
        "submit_allowed_at_ms": epoch_ms(submit_allowed_at) if submit_allowed_at else None,
    }


def lock(reason: str, note: str = "") -> dict[str, Any]:
    """A full-screen lock on a terminal, with the reason in both languages."""
    zh, en = LOCK_REASONS.get(reason, LOCK_REASONS["other"])
    return {"reason": reason, "message": zh, "message_en": en, "note": note}


LOCK_REASONS: dict[str, tuple[str, str]] = {
    "away": (
        "考生暂时离开考场，终端已锁定。返回后请向监考员出示准考证和身份证。",
        "The candidate is temporarily away; show your ticket and ID card to the proctor on return.",
    ),
    "moved": (
        "您已被转移到其他机位，请到新终端继续考试。本终端已停止作答。",
        "You were moved to another terminal; continue there. This terminal no longer takes answers.",
    ),
    "disqualified": (
        "您已被取消本次考试资格，成绩作废。",
        "You have been disqualified; the result is void.",
    ),
    "collected": ("考试时间到，系统已自动收卷。", "Time is up; the paper was collected."),
    "submitted": ("您已交卷。", "You have handed in."),
    "ended": ("考试已结束。", "The exam is over."),
    "other": MESSAGES["locked"],
}
