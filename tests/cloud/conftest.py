"""Fixtures of the cloud tests: the same app on real SQLite and on real MariaDB.

``cloud_db_url`` is parametrized: ``sqlite`` (a file in tmp_path) and ``mysql`` (a fresh,
uniquely named database on 127.0.0.1:3306, dropped afterwards). The mysql variant is marked
``mysql`` and fails (never skips) when MariaDB does not answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cloudsync.cloud import create_app
from cloudsync.cloud.database import init_db
from cloudsync.cloud.db import create_mysql_database, drop_mysql_database, DatabaseURL

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MYSQL_SERVER = "mysql://root:@127.0.0.1:3306/"


def mysql_url() -> str:
    """A fresh database on the local MariaDB; fails the test with how to fix it when unreachable."""
    import pymysql

    name = f"examcloud_test_{secrets.token_hex(6)}"
    url = MYSQL_SERVER + name
    try:
        create_mysql_database(DatabaseURL.parse(url))
    except Exception as exc:  # the test must fail, never skip, without MariaDB
        pytest.fail(
            f"MariaDB on 127.0.0.1:3306 is not reachable ({exc}); run scripts/ensure-mariadb",
            pytrace=False,
        )
    _ = pymysql
    return url


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def cloud_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL on each backend."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "cloud.sqlite")
        return
    url = mysql_url()
    try:
        yield url
    finally:
        drop_mysql_database(url)


class Clock:
    """A settable clock for the app's CLOCK setting (real datetimes, moved by tests)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The cloud's clock, starting at 2026-11-23T02:00:00Z."""
    return Clock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture
def app(cloud_db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The cloud app on a migrated database."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE": cloud_db_url,
            "SECRET_KEY": "test",
            "CLOCK": clock,
        }
    )
    with app.app_context():
        init_db()
    yield app


@pytest.fixture
def client(app: Flask) -> Any:
    """Flask test client of the cloud app."""
    return app.test_client()
