"""The site's time zone (setting `TIME_ZONE`): terminals show wall-clock times in it, never in their own.

A terminal with a wrong zone would otherwise show a wrong 服务器时间 and start time; the server sends
the zone's UTC offset with every time stamp and the page formats with it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: China Standard Time: no daylight saving since 1991, so a fixed offset is exact.
CHINA = timezone(timedelta(hours=8), "UTC+8")
DEFAULT_ZONE = "Asia/Shanghai"
_FIXED = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def site_zone(name: str | None) -> tzinfo:
    """`Asia/Shanghai` (IANA) or a fixed offset (`UTC+8`, `+08:00`, `UTC-03:30`) → a tzinfo.

    Raises ValueError with a message saying what to write. China's zone works even where the
    system has no time-zone database (a Windows server without the `tzdata` package).
    """
    text = (name or DEFAULT_ZONE).strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return UTC
    m = _FIXED.match(text)
    if m:
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(_bad(text))
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if m[1] == "-" else delta, text)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        if text in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"):
            return CHINA
        raise ValueError(_bad(text)) from None


def _bad(text: str) -> str:
    return (
        f"未知时区 TIME_ZONE={text!r}，请写 IANA 名称如 Asia/Shanghai，或固定时差如 UTC+8"
        f"（unknown time zone {text!r}: write an IANA name such as Asia/Shanghai, or an offset "
        "such as UTC+8）"
    )


def utc_offset_min(zone: tzinfo, at: datetime) -> int:
    """Minutes east of UTC of `zone` at the instant `at` (480 for China)."""
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0
