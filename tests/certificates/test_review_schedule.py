"""The daily automatic review (系统自动复核) as ``examcloud serve`` schedules it.

The scheduler is built by the same function serve calls (``jobs.build_scheduler``); nothing here
waits for a clock: the trigger is asked for its next fire time, and the job function is run.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner
from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.certificates.store import certificates
from cloudsync.cloud import create_app, jobs
from cloudsync.cloud.database import get_db

from .conftest import PLAN, Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_serve_schedules_the_review_daily_at_two_by_default(app: Flask) -> None:
    assert app.config["CERT_REVIEW_AT"] == "02:00"
    scheduler = jobs.build_scheduler(app)
    assert not scheduler.running  # serve starts it; building it starts no thread
    [job] = scheduler.get_jobs()
    assert job.id == jobs.REVIEW_JOB_ID and job.func is jobs.run_certificate_review
    assert job.args == (app,)
    assert isinstance(job.trigger, CronTrigger)
    zone = scheduler.timezone
    base = datetime(2026, 11, 23, 12, 0, tzinfo=zone)
    first = job.trigger.get_next_fire_time(None, base)
    assert first == datetime(2026, 11, 24, 2, 0, tzinfo=zone)
    assert job.trigger.get_next_fire_time(first, first + timedelta(seconds=1)) == first + timedelta(
        days=1
    )
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 3600


def test_review_time_and_zone_are_settings(tmp_path: Path, clock: Clock) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "DATABASE": "sqlite:///" + str(tmp_path / "c.sqlite"),
            "CLOCK": clock,
            "CERT_REVIEW_AT": "03:30",
            "CERT_REVIEW_TZ": "Asia/Shanghai",
        }
    )
    [job] = jobs.build_scheduler(app).get_jobs()
    base = datetime(2026, 11, 23, 4, 0, tzinfo=SHANGHAI)
    assert job.trigger.get_next_fire_time(None, base) == datetime(
        2026, 11, 24, 3, 30, tzinfo=SHANGHAI
    )


def test_the_environment_sets_the_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMCLOUD_INSTANCE", str(tmp_path / "env"))
    monkeypatch.setenv("EXAMCLOUD_CERT_REVIEW_AT", "23:05")
    monkeypatch.setenv("EXAMCLOUD_CERT_REVIEW_TZ", "Asia/Shanghai")
    app = create_app()
    [job] = jobs.build_scheduler(app).get_jobs()
    base = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    assert job.trigger.get_next_fire_time(None, base) == datetime(
        2026, 11, 23, 23, 5, tzinfo=SHANGHAI
    )


def test_review_time_reads_hh_mm() -> None:
    assert jobs.review_time("02:00") == (2, 0)
    assert jobs.review_time(" 2:05 ") == (2, 5)
    assert jobs.review_time("23:59") == (23, 59)


@pytest.mark.parametrize("text", ["2am", "24:00", "02:60", "", "2:0", "02:00:00"])
def test_bad_review_time_is_refused_clearly(text: str) -> None:
    with pytest.raises(jobs.ScheduleError, match="HH:MM") as info:
        jobs.review_time(text)
    assert "应为 24 小时制" in str(info.value)


def test_serve_stops_with_the_reason_on_bad_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudsync.cloud.cli import cli
    from cloudsync.cloud.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)
    db = "sqlite:///" + str(tmp_path / "c.sqlite")
    monkeypatch.setenv("EXAMCLOUD_CERT_REVIEW_TZ", "Mars/Olympus")
    out = CliRunner().invoke(
        cli, ["--instance", str(tmp_path / "i"), "--database", db, "serve", "--host", "256.0.0.1"]
    )
    assert out.exit_code != 0 and "未知时区" in out.output and "Asia/Shanghai" in out.output
    monkeypatch.setenv("EXAMCLOUD_CERT_REVIEW_TZ", "")
    monkeypatch.setenv("EXAMCLOUD_CERT_REVIEW_AT", "25:00")
    out = CliRunner().invoke(
        cli, ["--instance", str(tmp_path / "i"), "--database", db, "serve", "--host", "256.0.0.1"]
    )
    assert out.exit_code != 0 and "CERT_REVIEW_AT" in out.output


def test_create_app_starts_no_scheduler(tmp_path: Path, clock: Clock) -> None:
    before = {t.name for t in threading.enumerate()}
    create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "x"), "CLOCK": clock})
    assert {t.name for t in threading.enumerate()} == before


def test_the_job_reviews_due_certificates(app: Flask, clock: Clock) -> None:
    with app.app_context():
        issued, _ = approvals.bulk_approve(
            get_db(), PLAN, "admin:approver", clock(), "山东省住房和城乡建设厅"
        )
    assert len(issued) == 2
    assert jobs.run_certificate_review(app) == []  # nothing due yet
    # 2029-05-22 in China: the continuing-education deadline has come, no record was filed
    clock.now = datetime(2029, 5, 22, 18, 0, tzinfo=UTC)  # 02:00 on the 23rd in China
    outcomes = jobs.run_certificate_review(app)
    assert len(outcomes) == 2 and not any(o.passed for o in outcomes)
    assert jobs.run_certificate_review(app) == []  # idempotent: a second run changes nothing
    with app.app_context():
        rows: list[dict[str, Any]] = certificates.search(get_db())
    assert all(r["abnormal"] for r in rows)


def test_started_scheduler_has_the_next_run_and_stops(app: Flask) -> None:
    scheduler = jobs.build_scheduler(app)
    scheduler.start()
    try:
        job = scheduler.get_job(jobs.REVIEW_JOB_ID)
        assert job is not None and job.next_run_time is not None
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 0)
    finally:
        scheduler.shutdown(wait=False)
    assert not scheduler.running
