"""Pre-staging from the console (拉取试卷): the button pulls and verifies, progress and reports are pushed."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from cloudsync.cloud import publication
from cloudsync.cloud.database import get_db
from devices.face.pool import FacePool
from examsite.app import site_of
from examsite.console.accounts import create_user
from examsite.console.services import services_of
from examsite.extensions import socketio
from examsite.store import outbox
from examsite.sync.staging import readiness
from tests.cloud.conftest import write_roster
from tests.console.conftest import csrf_of, login

PW = "Tech1!pass"


def pull(site: Flask, day: str, timeout: float = 30) -> tuple[Any, dict[str, Any], int]:
    """Log in as a technician, press 拉取并校验 for ``day`` and wait for the end: (the logged-in
    client, the stage_done payload, how many progress events came)."""
    create_user(site_of(site).sitedb, "tech", "技术员", "technician", PW)
    web = site.test_client()
    assert login(web, "tech", PW).status_code == 302
    console = socketio.test_client(site, namespace="/console", flask_test_client=web)
    assert console.is_connected("/console")
    token = csrf_of(web.get("/console/sync").get_data(as_text=True))
    assert (
        web.post("/console/sync/stage", data={"date": "24/11", "csrf_token": token}).status_code
        == 400
    )
    page = web.post("/console/sync/stage", data={"date": day, "csrf_token": token})
    assert page.status_code == 200 and "stage-progress" in page.get_data(as_text=True)
    done: list[dict[str, Any]] = []
    progress = 0
    deadline = time.monotonic() + timeout
    while not done and time.monotonic() < deadline:
        for msg in console.get_received("/console"):
            if msg["name"] == "stage_progress":
                progress += 1
            if msg["name"] == "stage_done":
                done.append(msg["args"][0])
        time.sleep(0.1)
    console.disconnect(namespace="/console")
    assert done and done[0]["ok"], done
    return web, done[0], progress


def test_console_pulls_a_day_with_progress(site: Flask, published: dict[str, Any]) -> None:
    web, done, progress = pull(site, published["day"])
    assert [r["status"] for r in done["reports"]] == ["ready"]
    assert progress >= 1
    with site_of(site).sitedb.read() as db:
        assert outbox.staged(db, "PLAN-1") is not None
    page = web.get("/console/sync").get_data(as_text=True)
    assert 'data-readiness="good"' in page and 'data-readiness="warn"' not in page


@pytest.mark.parametrize(
    ("report", "level"),
    [
        ({"status": "ready"}, "good"),
        ({"status": "ready", "photo_problems": []}, "good"),
        ({"status": "ready", "photo_problems": [{"ticket": "2026110002"}]}, "warn"),
        ({"status": "ready", "face_check": {"code": "no_models", "message": "x"}}, "warn"),
        ({"status": "changed"}, "bad"),
        ({"status": "refused", "photo_problems": [{"ticket": "x"}]}, "bad"),
    ],
)
def test_readiness_of_a_staging_report(report: dict[str, Any], level: str) -> None:
    assert readiness(report) == level


@pytest.mark.slow
def test_plan_with_photo_problems_needs_attention_not_green(
    site: Flask, published: dict[str, Any], app: Flask, tmp_path: Path
) -> None:
    (tmp_path / "grey").mkdir()
    roster, photos = write_roster(tmp_path / "grey")
    grey = io.BytesIO()
    Image.new("RGB", (400, 500), (128, 128, 128)).save(grey, "JPEG", quality=90)
    (photos / "2026110002.jpg").write_bytes(grey.getvalue())  # a photo with no face on it
    with app.app_context():
        publication.import_roster(get_db(), "PLAN-1", roster, photos)
    # the face workers the server's start_devices gives the console (none in the test app)
    with FacePool(workers=1, max_queue=1) as pool:
        services_of(site).pool = pool
        web, done, _ = pull(site, published["day"], timeout=120)
        services_of(site).pool = None
    (report,) = done["reports"]
    assert report["status"] == "ready" and report.get("face_check") is None, report
    assert [p["ticket"] for p in report["photo_problems"]] == ["2026110002"]
    page = web.get("/console/sync").get_data(as_text=True)
    assert 'data-readiness="warn"' in page and 'data-readiness="good"' not in page
    assert "需处理" in page and 'id="photo-problems-PLAN-1"' in page
    assert "考生2（2026110002）" in page and "考生1（2026110001）" not in page
    assert "怎么办" in page and "人工核对身份证" in page
    status = web.get("/console/api/sync").get_json()
    assert status["staged"][0]["readiness"] == "warn"
