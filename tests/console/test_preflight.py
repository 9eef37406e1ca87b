"""Pre-flight: what stops the exam is "not ready" with what to do; what does not is a warning."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from examsite import preflight
from examsite.app import site_of
from examsite.store import candidates
from tests.console.conftest import ADMIN_PW, login

CHROME = "Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36"


def _run(app: Flask, instance: Path) -> dict[str, preflight.Check]:
    checks = preflight.run(
        site_of(app).exam, dict(app.config), str(instance), clock_fetch=lambda url: None
    )
    return {c.key: c for c in checks}


def test_terminal_without_camera_and_missing_photos_are_not_ready(
    app: Flask, instance: Path, session_id: str
) -> None:
    exam = site_of(app).exam
    for tid, seat in (("T-1", 1), ("T-2", 2), ("T-3", 3)):
        exam.hello(tid, seat, "10.0.0.1", CHROME)
    exam.terminal_report("T-1", None, "camera_missing", "no video device")
    exam.terminal_report("T-2", None, "camera_ok", "")
    with exam.sitedb.read() as db:
        roster = candidates.in_session(db, session_id)
    with exam.sitedb.write() as db:
        candidates.update(db, roster[1]["id"], photo=None)

    by_key = _run(app, instance)
    no_camera = by_key["terminal:T-1"]
    assert no_camera.status == "fail" and "摄像头未检测到" in no_camera.title
    assert "允许使用" in no_camera.detail  # says what to do
    assert by_key["terminal:T-2"].status == "ok"
    # T-3 has not opened its camera yet (the kiosk does so at login): a warning, not a failure
    assert by_key["terminal:T-3"].status == "warn" and "登录后检测" in by_key["terminal:T-3"].detail
    photos = by_key[f"photos:{session_id}"]
    assert photos.status == "fail" and "1 名考生没有登记照片" in photos.title
    assert roster[1]["ticket"] in photos.detail and "重新拉取名单" in photos.detail
    failing = {c.key for c in preflight.not_ready(list(by_key.values()))}
    assert {"terminal:T-1", f"photos:{session_id}"} <= failing
    assert "terminal:T-3" in {c.key for c in preflight.warnings(list(by_key.values()))}

    admin = app.test_client()
    login(admin, "admin", ADMIN_PW)
    html = admin.get("/console/preflight").get_data(as_text=True)
    assert "项未就绪" in html and "没有登记照片" in html and "项提醒" in html


def test_full_roster_photos_and_working_cameras_pass(app: Flask, instance: Path) -> None:
    exam = site_of(app).exam
    exam.hello("T-1", 1, "10.0.0.1", CHROME)
    exam.terminal_report("T-1", None, "camera_ok", "")
    by_key = _run(app, instance)
    assert by_key["terminal:T-1"].status == "ok"
    assert not [k for k in by_key if k.startswith("photos:")]  # the demo roster has photos
