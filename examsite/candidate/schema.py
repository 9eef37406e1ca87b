"""Validation of what terminals send: shapes, types and sizes, before anything else looks at it."""

from __future__ import annotations

import re
from typing import Any

from examsite.engine.errors import ExamError

TERMINAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
QID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
OPTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MAX_IMAGE_BYTES = 512 * 1024
#: At most this many answers in one late batch (a paper has far fewer questions than this).
MAX_LATE_ANSWERS = 1000


def obj(data: Any) -> dict[str, Any]:
    """The event's payload must be a JSON object."""
    if not isinstance(data, dict):
        raise ExamError("bad_request", {"why": "payload must be an object"})
    return data


def text(data: dict[str, Any], key: str, max_len: int, *, required: bool = True) -> str:
    """A string field of bounded length."""
    v = data.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or (required and not v.strip()) or len(v) > max_len:
        raise ExamError("bad_request", {"field": key})
    return v


def integer(
    data: dict[str, Any], key: str, lo: int, hi: int, *, required: bool = True
) -> int | None:
    """An integer field within [lo, hi] (booleans are not integers here)."""
    v = data.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ExamError("bad_request", {"field": key})
    return v


def terminal_id(data: dict[str, Any]) -> str:
    """A terminal id: letters, digits, '-' and '_', at most 64."""
    v = data.get("terminal_id")
    if not isinstance(v, str) or not TERMINAL_ID.match(v):
        raise ExamError("bad_request", {"field": "terminal_id"})
    return v


def qid(data: dict[str, Any]) -> str:
    """A question id: letters, digits and `_.:-`, at most 64."""
    v = data.get("qid")
    if not isinstance(v, str) or not QID.match(v):
        raise ExamError("bad_request", {"field": "qid"})
    return v


def answer(data: dict[str, Any]) -> dict[str, Any]:
    """An answer event: seq (positive), qid, value (list of option ids, empty clears)."""
    seq = integer(data, "seq", 1, 2**31)
    qid = data.get("qid")
    value = data.get("value")
    if not isinstance(qid, str) or not QID.match(qid):
        raise ExamError("bad_request", {"field": "qid", "seq": seq})
    if (
        not isinstance(value, list)
        or len(value) > 16
        or not all(isinstance(v, str) and OPTION_ID.match(v) for v in value)
    ):
        raise ExamError("bad_value", {"seq": seq})
    return {"seq": seq, "qid": qid, "value": value, "token": data.get("token")}


def late_answers(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A late batch: answer events (seq, qid, value) each with `at_ms`, the page's estimate of the
    server time when it was made (an integer of epoch ms, or null when the page never heard the
    server's time)."""
    items = data.get("answers")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_LATE_ANSWERS:
        raise ExamError("bad_request", {"field": "answers"})
    out = []
    for raw in items:
        if not isinstance(raw, dict):
            raise ExamError("bad_request", {"field": "answers"})
        item = answer(raw)
        at = raw.get("at_ms")
        if at is not None and (not isinstance(at, int) or isinstance(at, bool) or at < 0):
            raise ExamError("bad_request", {"field": "at_ms", "seq": item["seq"]})
        item["at_ms"] = at
        del item["token"]
        out.append(item)
    return out


def image(data: dict[str, Any], key: str = "image") -> bytes:
    """A binary JPEG attachment of bounded size."""
    v = data.get(key)
    if not isinstance(v, bytes | bytearray):
        raise ExamError("not_an_image")
    if len(v) > MAX_IMAGE_BYTES:
        raise ExamError("payload_too_large", {"max_bytes": MAX_IMAGE_BYTES})
    return bytes(v)
