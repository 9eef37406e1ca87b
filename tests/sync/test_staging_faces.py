"""Staging computes the roster photos' face descriptors and lists the photos that cannot serve."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from cloudsync.cloud import publication
from cloudsync.cloud.database import get_db
from devices.face.matcher import FaceMatcher, distance
from devices.face.pool import FacePool
from examsite.app import site_of
from examsite.exam.desk import CheckinDesk
from examsite.store import candidates
from examsite.sync.staging import descriptor_bytes, stage_day
from tests.cloud.conftest import FACES, write_roster

from .conftest import cloud_client


@pytest.fixture(scope="module")
def pool() -> Iterator[FacePool]:
    """One real face worker for the module."""
    with FacePool(workers=1, max_queue=1) as p:
        yield p


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _two_faces() -> bytes:
    a = Image.open(FACES / "obama.jpg").convert("RGB")
    b = Image.open(FACES / "biden.jpg").convert("RGB")
    b = b.resize((b.width * a.height // b.height, a.height))  # same height, same proportions
    both = Image.new("RGB", (a.width + b.width, a.height), "white")
    both.paste(a, (0, 0))
    both.paste(b, (a.width, 0))
    return _jpeg(both)


def test_descriptor_bytes_is_the_desks_float32_form() -> None:
    values = [i / 256 for i in range(128)]
    assert descriptor_bytes(values) == struct.pack("<128f", *values)
    assert len(descriptor_bytes(values) or b"") == 512
    assert descriptor_bytes(None) is None and descriptor_bytes([]) is None
    assert descriptor_bytes([1.0] * 127) is None  # not a descriptor: ignored, computed instead


def test_staging_describes_photos_and_lists_the_unusable(
    site: Flask, published: dict[str, Any], app: Flask, tmp_path: Path, pool: FacePool
) -> None:
    (tmp_path / "four").mkdir()
    roster, photos = write_roster(tmp_path / "four", count=4)
    (photos / "2026110002.jpg").write_bytes(_jpeg(Image.new("RGB", (400, 500), (128, 128, 128))))
    (photos / "2026110003.jpg").write_bytes(_two_faces())
    cloud_values = [((i * 37) % 100) / 1000 for i in range(128)]
    with app.app_context():
        db = get_db()
        publication.import_roster(db, "PLAN-1", roster, photos)
        db.execute(  # a descriptor the cloud supplies travels as 128 numbers
            "UPDATE roster SET descriptor = ? WHERE plan_id = 'PLAN-1' AND ticket = '2026110004'",
            (json.dumps(cloud_values),),
        )
    reports = stage_day(site_of(site).exam, cloud_client(site), published["day"], pool=pool)
    (report,) = reports
    assert report["status"] == "ready" and report["descriptors"] == 2, report
    problems = {p["ticket"]: p for p in report["photo_problems"]}
    assert problems.keys() == {"2026110002", "2026110003"}
    assert problems["2026110002"]["verdict"] == "no_face"
    assert problems["2026110003"]["verdict"] == "several_faces"
    assert "请在考试前更换照片" in problems["2026110003"]["message"]
    assert "2 名考生的登记照片不能用于人脸比对" in report["message"]

    sitedb = site_of(site).sitedb
    with sitedb.read() as db:
        ids = {c["ticket"]: c["id"] for c in candidates.in_session(db, "PLAN-1")}
        stored = {t: candidates.descriptor(db, i) for t, i in ids.items()}
    assert stored["2026110004"] == struct.pack("<128f", *cloud_values)  # converted, not float64
    assert stored["2026110002"] is None and stored["2026110003"] is None
    computed = stored["2026110001"]
    assert computed is not None and len(computed) == 512
    matcher = FaceMatcher()
    obama = matcher.describe((FACES / "obama.jpg").read_bytes()).descriptor
    assert obama is not None and distance(computed, obama) < 1e-3
    # the check-in desk takes the staged descriptor as it is (no pool needed at the door)
    desk = CheckinDesk(site_of(site).exam, lambda pushes: None, camera=None, pool=None)
    assert desk.reference(ids["2026110001"]) == computed
    assert desk.reference(ids["2026110004"]) == stored["2026110004"]

    again = stage_day(site_of(site).exam, cloud_client(site), published["day"], pool=pool)
    assert again[0]["note"] and again[0]["descriptors"] == 2  # the report stays complete
    assert [p["ticket"] for p in again[0]["photo_problems"]] == ["2026110002", "2026110003"]
