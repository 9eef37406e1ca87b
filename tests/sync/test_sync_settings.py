"""The SYNC_* settings are declared, so `EXAMSITE_SYNC_*` environment variables reach the push job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from examsite import settings
from examsite.app import create_app as create_site
from examsite.app import site_of
from examsite.engine.timing import iso, utcnow
from examsite.store import candidates, captures, outbox
from examsite.sync import push as sync_push

from .test_sync_site import staged, write_exam


def test_sync_settings_read_from_the_environment() -> None:
    env = {"EXAMSITE_SYNC_INTERVAL_S": "5", "EXAMSITE_SYNC_BATCH": "50",
           "EXAMSITE_SYNC_RETRIES": "0", "EXAMSITE_SYNC_CAPTURE_IMAGES": "1"}  # fmt: skip
    assert settings.from_environment(env) == {
        "SYNC_INTERVAL_S": 5,
        "SYNC_BATCH": 50,
        "SYNC_RETRIES": 0,
        "SYNC_CAPTURE_IMAGES": True,
    }
    assert settings.defaults()["SYNC_CAPTURE_IMAGES"] is False
    for word in ("0", "false", "No", "off"):
        assert settings.from_environment({"EXAMSITE_SYNC_CAPTURE_IMAGES": word}) == {
            "SYNC_CAPTURE_IMAGES": False
        }
    with pytest.raises(ValueError, match="EXAMSITE_SYNC_CAPTURE_IMAGES"):
        settings.from_environment({"EXAMSITE_SYNC_CAPTURE_IMAGES": "maybe"})


def test_capture_images_pushed_when_the_environment_says_so(
    tmp_path: Path, published: dict[str, Any], live_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXAMSITE_SYNC_CAPTURE_IMAGES", "1")
    monkeypatch.setenv("EXAMSITE_SYNC_BATCH", "7")
    site = create_site({"ASYNC_MODE": "threading"}, instance_path=str(tmp_path / "env-site"))
    try:
        assert site.config["SYNC_CAPTURE_IMAGES"] is True and site.config["SYNC_BATCH"] == 7
        sitedb = site_of(site).sitedb
        with sitedb.write() as db:
            outbox.set_link(db, live_url, "SITE-A", published["secret"], published["public_key"],
                            iso(utcnow()))  # fmt: skip
        staged(site, published)
        write_exam(site, ["2026110001"])
        with sitedb.write() as db:
            cand = candidates.in_session(db, "PLAN-1")[0]
            captures.schedule(db, "CAP-ENV", cand["id"], "2026-11-24T02:00:00Z")
            captures.update(db, "CAP-ENV", taken_at="2026-11-24T02:00:02Z", image=b"\xff\xd8jpeg")
        out = sync_push.push_once(site)
        assert out["ok"] is True and out["batches"] > 1  # batches of 7
        with sitedb.read() as db:
            body = json.loads(
                db.execute("SELECT body FROM sync_outbox WHERE kind = 'capture'").fetchone()[0]
            )
        assert "image_b64" in body
    finally:
        site_of(site).sitedb.close()
