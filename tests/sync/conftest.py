"""Fixtures of the sync tests: a real cloud (SQLite and MariaDB) on 127.0.0.1 and a real site
instance linked to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cloudsync.client import CloudClient
from examsite.app import create_app as create_site
from examsite.app import site_of
from examsite.engine.timing import iso, utcnow
from examsite.store import outbox
from tests.cloud import conftest as cloud_fixtures
from tests.cloud.conftest import BANK, QTI_DIR, Clock, write_roster

# the cloud's fixtures, on both backends (SQLite and MariaDB)
cloud_db_url = cloud_fixtures.cloud_db_url
app = cloud_fixtures.app
client = cloud_fixtures.client
live_url = cloud_fixtures.live_url


@pytest.fixture
def clock() -> Clock:
    """The cloud's clock at real time (the site signs with real time)."""
    return Clock(datetime.now(UTC))


@pytest.fixture
def published(app: Flask, clock: Clock, tmp_path: Path) -> dict[str, Any]:
    """Bank imported, a paper, SITE-A registered, PLAN-1 starting in 10 minutes with 3 candidates."""
    return publish_day(app, clock, tmp_path)


def publish_day(app: Flask, clock: Clock, tmp_path: Path, with_qti: bool = False) -> dict[str, Any]:
    """What ``published`` sets up; ``with_qti`` also imports a QTI package (category 网页) and
    draws one of the paper's three single-choice questions from it."""
    from cloudsync import sealing
    from cloudsync.cloud import composition, publication
    from cloudsync.cloud.database import get_db
    from cloudsync.cloud.keys import signing_key
    from cloudsync.cloud.store import sites

    roster, photos = write_roster(tmp_path)
    starts = clock() + timedelta(minutes=10)
    with app.app_context():
        db = get_db()
        publication.import_bank(db, BANK, clock())
        meta = {"paper_id": "P-GAS-1", "title": "燃气理论考试", "subject": "燃气经营企业从业人员",
                "duration_min": 60, "pass_mark": 6}  # fmt: skip
        parts = [composition.Part("judge", 2, 1), composition.Part("single", 3, 1),
                 composition.Part("multi", 2, 2)]  # fmt: skip
        if with_qti:
            qti = (QTI_DIR / "WebDeveloperTest1.zip").read_bytes()
            assert publication.import_qti(db, qti, "网页", clock()).stored == 7
            gas = "燃气经营企业从业人员"
            parts = [composition.Part("judge", 2, 1, gas), composition.Part("single", 2, 1, gas),
                     composition.Part("single", 1, 1, "网页"), composition.Part("multi", 2, 2, gas)]  # fmt: skip
        publication.compose_paper(db, meta, clock(), parts=parts, seed=3)
        site = sites.register(db, "SITE-A", "第一考点", clock())
        key = signing_key(app.config["SIGNING_KEY_PATH"])
        plan = publication.create_plan(
            db, key, plan_id="PLAN-1", site_id="SITE-A", room="第1考场",
            starts_at=iso(starts), paper_id="P-GAS-1", now=clock(),
        )  # fmt: skip
        publication.import_roster(db, "PLAN-1", roster, photos)
    day = (starts + timedelta(hours=8)).strftime("%Y-%m-%d")
    return {"secret": site["secret"], "public_key": sealing.public_key_b64(key),
            "release_code": plan["release_code"], "day": day, "starts": starts}  # fmt: skip


@pytest.fixture
def site(tmp_path: Path, published: dict[str, Any], live_url: str) -> Iterator[Flask]:
    """A site instance linked to the live cloud."""
    app = create_site({"ASYNC_MODE": "threading"}, instance_path=str(tmp_path / "site"))
    with site_of(app).sitedb.write() as db:
        outbox.set_link(
            db, live_url, "SITE-A", published["secret"], published["public_key"], iso(utcnow())
        )
    yield app
    site_of(app).sitedb.close()


def cloud_client(site_app: Flask, **kw: Any) -> CloudClient:
    """A client for the site's link with quick retries (no real sleeping)."""
    from examsite.sync.link import client_for

    return client_for(site_of(site_app).sitedb, sleep=lambda s: None, **kw)
