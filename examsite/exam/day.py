"""The exam day: every operation of terminals, proctors and the clock on one site database."""

from __future__ import annotations

from .clock import ClockOps
from .late import LateAnswerOps


class ExamDay(LateAnswerOps, ClockOps):
    """One object per server process, shared by the Socket.IO namespaces, the console and the CLI."""
