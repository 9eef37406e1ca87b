"""The exam day: every operation of terminals, proctors and the clock on one site database."""

from __future__ import annotations

from datetime import tzinfo

from examsite.store import settings as stored_settings
from examsite.store.db import SiteDB

from .clock import ClockOps
from .late import LateAnswerOps


class ExamDay(LateAnswerOps, ClockOps):
    """One object per server process, shared by the Socket.IO namespaces, the console and the CLI."""

    @classmethod
    def on(cls, sitedb: SiteDB, zone: tzinfo) -> ExamDay:
        """The exam day of a site database, signing tokens with the site's secret (the server
        and its answer-writer process must share it)."""
        with sitedb.write() as db:
            secret = stored_settings.secret(db, "token_secret")
        return cls(sitedb, secret, zone=zone)
