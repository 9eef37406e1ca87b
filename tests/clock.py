"""A server clock the tests set and move (the apps take their clock as a setting or parameter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Callable like `utcnow`; `now` may be assigned, `advance()` moves it forward."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock by a timedelta's keyword arguments (minutes=5, seconds=90, …)."""
        self.now += timedelta(**delta)
