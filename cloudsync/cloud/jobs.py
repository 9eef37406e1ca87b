"""The cloud's scheduled jobs, on an APScheduler ``BackgroundScheduler``.

Only ``examcloud serve`` (the cloud's composition root) builds and starts the scheduler;
``create_app`` never does, so tests, CLI commands and any other WSGI host stay free of threads.
Under another WSGI server, run ``examcloud review-certificates`` from cron instead.

Jobs:

- ``certificate-review``: the automatic certificate review (系统自动复核,
  :func:`cloudsync.certificates.lifecycle.review_certificates`) once a day at ``CERT_REVIEW_AT``
  (``HH:MM``, default ``02:00``) in ``CERT_REVIEW_TZ`` (an IANA name such as ``Asia/Shanghai``;
  empty: the server's local zone). The review takes every certificate whose deadline is over,
  so a day missed while the server was down is caught up by the next run; it is idempotent.
"""

from __future__ import annotations

import logging
import re
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from tzlocal import get_localzone

from cloudsync.certificates import lifecycle
from cloudsync.cloud.database import get_db

log = logging.getLogger(__name__)

REVIEW_JOB_ID = "certificate-review"
#: A run that could not start on time (machine asleep, busy) still runs within this many seconds.
MISFIRE_GRACE_S = 6 * 3600

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A schedule setting is wrong; the message says which and how to write it."""


def review_time(text: str) -> tuple[int, int]:
    """``"02:00"`` → ``(2, 0)``; :class:`ScheduleError` for anything but a 24-hour ``HH:MM``."""
    m = _HHMM.match(str(text).strip())
    if m is None:
        raise ScheduleError(
            f"CERT_REVIEW_AT 应为 24 小时制 HH:MM，如 02:00，而不是 {text!r}"
            f"（CERT_REVIEW_AT must be HH:MM on a 24-hour clock, e.g. 02:00, not {text!r}）"
        )
    return int(m.group(1)), int(m.group(2))


def review_zone(name: str | None) -> tzinfo:
    """The zone of ``CERT_REVIEW_TZ`` (the server's local zone when empty)."""
    if not name:
        return get_localzone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"未知时区 {name!r}，请写 IANA 名称如 Asia/Shanghai，或留空用本机时区"
            f"（unknown time zone {name!r}: use an IANA name such as Asia/Shanghai, or leave it "
            "empty for the server's zone）"
        ) from None


def run_certificate_review(app: Flask) -> list[lifecycle.ReviewOutcome]:
    """One run of the daily review in ``app``'s context; the outcome is logged."""
    with app.app_context():
        outcomes = lifecycle.review_certificates(get_db(), app.config["CLOCK"](), actor="system")
    failed = sum(1 for o in outcomes if not o.passed)
    log.info(
        "证书自动复核 %d 本，异常 %d 本（certificate review: %d reviewed, %d abnormal）",
        len(outcomes),
        failed,
        len(outcomes),
        failed,
    )
    return outcomes


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler (not started) holding every job of the cloud, read from ``app.config``."""
    hour, minute = review_time(app.config.get("CERT_REVIEW_AT") or "02:00")
    zone = review_zone(app.config.get("CERT_REVIEW_TZ"))
    scheduler = BackgroundScheduler(timezone=zone)
    scheduler.add_job(
        run_certificate_review,
        CronTrigger(hour=hour, minute=minute, timezone=zone),
        args=[app],
        id=REVIEW_JOB_ID,
        name="系统自动复核（daily certificate review）",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_S,
        replace_existing=True,
    )
    return scheduler
