"""Fixtures of the cloud tests: the same app on real SQLite and on real MariaDB.

``cloud_db_url`` is parametrized: ``sqlite`` (a file in tmp_path) and ``mysql`` (a fresh,
uniquely named database on 127.0.0.1:3306, dropped afterwards). The mysql variant is marked
``mysql`` and fails (never skips) when MariaDB does not answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cloudsync.cloud import create_app
from cloudsync.cloud.database import init_db
from cloudsync.cloud.db import DatabaseURL, create_mysql_database, drop_mysql_database
from tests.clock import Clock

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MYSQL_SERVER = "mysql://root:@127.0.0.1:3306/"


def mysql_url() -> str:
    """A fresh database on the local MariaDB; fails the test with how to fix it when unreachable."""
    name = f"examcloud_test_{secrets.token_hex(6)}"
    url = MYSQL_SERVER + name
    try:
        create_mysql_database(DatabaseURL.parse(url))
    except Exception as exc:  # the test must fail, never skip, without MariaDB
        pytest.fail(
            f"MariaDB on 127.0.0.1:3306 is not reachable ({exc}); run scripts/ensure-mariadb",
            pytrace=False,
        )
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


BANK = SHARED / "question-banks" / "sample-bank-gas.xlsx"
QTI_DIR = SHARED / "qti-qtiworks" / "packages"
FACES = SHARED / "faces"
SUBJECT = "燃气经营企业从业人员"


def id_number(n: int) -> str:
    """A valid 18-digit ID number (right check digit), different for each ``n``."""
    from cloudsync.cloud.roster_import import id_check_digit

    first = f"11010519{80 + n % 20:02d}0{1 + n % 9}{10 + n % 18:02d}{n % 1000:03d}"
    return first + id_check_digit(first)


def write_roster(tmp_path: Path, count: int = 3) -> tuple[Path, Path]:
    """A CSV roster of ``count`` candidates and a photo folder (real JPEG faces)."""
    photos = tmp_path / "photos"
    photos.mkdir(exist_ok=True)
    lines = ["准考证号,姓名,性别,身份证号,单位,座位号"]
    for i in range(1, count + 1):
        ticket = f"2026110{i:03d}"
        lines.append(f"{ticket},考生{i},{'男' if i % 2 else '女'},{id_number(i)},燃气公司,{i}")
        src = FACES / ("obama.jpg" if i % 2 else "biden.jpg")
        (photos / f"{ticket}.jpg").write_bytes(src.read_bytes())
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, photos


@dataclass
class World:
    """A cloud with a bank, a paper, a registered site and a plan with a roster."""

    app: Flask
    clock: Clock
    site_id: str
    secret: str
    public_key: str
    plan_id: str
    paper_id: str
    release_code: str


@pytest.fixture
def world(app: Flask, clock: Clock, tmp_path: Path) -> World:
    """The published state a site pulls from."""
    from cloudsync import sealing
    from cloudsync.cloud import composition, publication
    from cloudsync.cloud.database import get_db
    from cloudsync.cloud.keys import signing_key
    from cloudsync.cloud.store import sites

    roster, photos = write_roster(tmp_path)
    with app.app_context():
        db = get_db()
        publication.import_bank(db, BANK, clock())
        meta = {"paper_id": "P-GAS-1", "title": "燃气理论考试", "subject": SUBJECT,
                "duration_min": 90, "pass_mark": 6}  # fmt: skip
        parts = [composition.Part("judge", 2, 1), composition.Part("single", 3, 1),
                 composition.Part("multi", 2, 2)]  # fmt: skip
        publication.compose_paper(db, meta, clock(), parts=parts, seed=1)
        site = sites.register(db, "SITE-A", "第一考点", clock())
        key = signing_key(app.config["SIGNING_KEY_PATH"])
        plan = publication.create_plan(
            db, key, plan_id="PLAN-1", site_id="SITE-A", room="第1考场",
            starts_at="2026-11-24T09:30:00+08:00", paper_id="P-GAS-1", now=clock(),
        )  # fmt: skip
        publication.import_roster(db, "PLAN-1", roster, photos)
        return World(app, clock, "SITE-A", site["secret"], sealing.public_key_b64(key),
                     "PLAN-1", "P-GAS-1", plan["release_code"])  # fmt: skip


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The cloud app served on 127.0.0.1 (ephemeral port) by a threaded WSGI server."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
