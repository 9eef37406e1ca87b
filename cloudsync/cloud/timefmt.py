"""UTC ISO-8601 timestamps with ``Z``, the form every time takes in the cloud's database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# Exam dates are local dates in China (UTC+8, no daylight saving): a plan "on 2026-11-24"
# starts between 2026-11-23T16:00Z and 2026-11-24T16:00Z.
CHINA = timezone(timedelta(hours=8))


def iso(dt: datetime) -> str:
    """Format an aware datetime as ``2026-11-23T01:30:00Z``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse ``2026-11-23T01:30:00Z`` (or any ISO form with an offset; naive means China time)."""
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CHINA)
    return dt.astimezone(UTC)


def local_day_bounds(day: str) -> tuple[str, str]:
    """UTC ISO bounds [start, end) of a China-local calendar day ``YYYY-MM-DD``."""
    start = datetime.fromisoformat(day).replace(tzinfo=CHINA)
    return iso(start), iso(start + timedelta(days=1))
