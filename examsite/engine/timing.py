"""Exam timing: the session's windows and each candidate's time ledger. The server clock rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Timing:
    """Durations of one exam session in minutes; the defaults are the provincial rules (000 att.3 §1).

    Fractions are allowed so that tests and drills can run a whole exam in seconds.
    """

    duration_min: float = 90
    checkin_open_min: float = 30  # check-in from 30 min before the start (att.3 §1.2)
    late_cut_min: float = 5  # late by more than 5 min: not admitted, absent (att.3 §1.7)
    submit_after_min: float = 30  # submit only 30 min after the start (att.3 §1.8)

    def checkin_opens_at(self, starts_at: datetime) -> datetime:
        """When check-in opens for a session scheduled at `starts_at`."""
        return starts_at - timedelta(minutes=self.checkin_open_min)

    def late_cut_at(self, started_at: datetime) -> datetime:
        """After this, candidates who have not logged in are absent."""
        return started_at + timedelta(minutes=self.late_cut_min)

    def submit_allowed_at(self, started_at: datetime) -> datetime:
        """The first moment a candidate may hand in."""
        return started_at + timedelta(minutes=self.submit_after_min)

    def base_end(self, started_at: datetime) -> datetime:
        """End of the exam for a candidate with an empty ledger."""
        return started_at + timedelta(minutes=self.duration_min)


@dataclass(frozen=True)
class LedgerEntry:
    """One line of a candidate's time ledger.

    kind: 'extension' or 'credit' (seconds added to the end), 'pause' / 'resume' (the clock
    stops between them and the paused span is credited).
    """

    kind: str
    at: datetime
    seconds: int = 0
    actor: str = "system"
    reason: str = ""


LEDGER_KINDS = frozenset({"extension", "credit", "pause", "resume"})


def added_seconds(entries: Iterable[LedgerEntry], now: datetime) -> float:
    """Seconds added to the candidate's end: extensions, credits and paused spans (open ones up to now)."""
    total = 0.0
    paused_since: datetime | None = None
    for e in sorted(entries, key=lambda e: e.at):
        if e.kind in ("extension", "credit"):
            total += e.seconds
        elif e.kind == "pause" and paused_since is None:
            paused_since = e.at
        elif e.kind == "resume" and paused_since is not None:
            total += (e.at - paused_since).total_seconds()
            paused_since = None
    if paused_since is not None:
        total += max(0.0, (now - paused_since).total_seconds())
    return total


def is_paused(entries: Iterable[LedgerEntry]) -> bool:
    """True while a pause has no matching resume."""
    paused = False
    for e in sorted(entries, key=lambda e: e.at):
        if e.kind == "pause":
            paused = True
        elif e.kind == "resume":
            paused = False
    return paused


def downtime_start(
    now: datetime,
    began_at: datetime,
    entries: Iterable[LedgerEntry],
    lost_at: datetime | None = None,
    last_activity: datetime | None = None,
) -> datetime:
    """When a seat transfer's pause begins: the moment the old terminal was lost.

    `lost_at` is when the old terminal disconnected (None while it is still connected: then the
    fault is the proctor's call, `now`). The candidate's last stored answer, the candidate's
    start and the ledger's latest pause or resume move it later (no time is credited twice, nor
    for minutes the candidate demonstrably worked), and it is never after `now`.
    """
    start = now if lost_at is None else lost_at
    floor = [began_at, *(e.at for e in entries if e.kind in ("pause", "resume"))]
    if last_activity is not None:
        floor.append(last_activity)
    return min(now, max(start, *floor))


def candidate_end(
    timing: Timing, started_at: datetime, entries: Iterable[LedgerEntry], now: datetime
) -> datetime:
    """When this candidate's paper is collected."""
    return timing.base_end(started_at) + timedelta(seconds=added_seconds(entries, now))


def remaining_seconds(
    timing: Timing, started_at: datetime, entries: Iterable[LedgerEntry], now: datetime
) -> float:
    """Seconds left for the candidate, never negative."""
    return max(0.0, (candidate_end(timing, started_at, entries, now) - now).total_seconds())


def utcnow() -> datetime:
    """The server clock, timezone-aware UTC."""
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """UTC ISO-8601 with a Z, millisecond precision: the form stored in the database."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" → "Z"


def parse_iso(s: str) -> datetime:
    """Inverse of `iso` (also accepts second precision and +00:00)."""
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def epoch_ms(dt: datetime) -> int:
    """Milliseconds since the epoch: the form sent to terminals."""
    return int(dt.timestamp() * 1000)
