"""The check-in desk's devices as the composition root wires them: the reader setting (serial URL
or `usb:`), the reader service from the site's background task, the real gevent server."""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from devices.errors import DeviceError
from devices.idcard.connect import open_configured_reader, parse_reader_spec
from devices.idcard.presets import PRESETS
from devices.idcard.simulator import SimulatedReader
from examsite.app import create_app, site_of
from examsite.console.services import services_of, start_devices
from examsite.exam.desk import identity_for
from examsite.store import candidates, desk
from tests.console.conftest import Console
from tests.live import LiveServer, stage, wait_for


def _roster(app: Flask, session_id: str) -> list[dict[str, Any]]:
    with site_of(app).sitedb.read() as db:
        return candidates.in_session(db, session_id)


@pytest.mark.parametrize(
    ("spec", "kind", "ids"),
    [
        ("usb:", "usb", (0x0400, 0xC35A)),
        ("USB:0400:C35A", "usb", (0x0400, 0xC35A)),
        ("usb:1a86:7523", "usb", (0x1A86, 0x7523)),
        ("/dev/ttyUSB0", "serial", None),
        ("socket://127.0.0.1:7000", "serial", None),
        ("COM3", "serial", None),
    ],
)
def test_reader_setting_names_the_transport(spec: str, kind: str, ids: Any) -> None:
    parsed = parse_reader_spec(spec)
    assert parsed.kind == kind
    if ids:
        assert (parsed.vendor_id, parsed.product_id) == ids
    else:
        assert parsed.url == spec


@pytest.mark.parametrize("spec", ["usb:0400", "usb:zzzz:c35a", "usb:0400:c35a:1", ""])
def test_bad_reader_setting_is_a_clear_error(spec: str) -> None:
    with pytest.raises(DeviceError) as err:
        open_configured_reader(spec)
    assert err.value.code == "reader_setting_invalid"


def test_usb_reader_setting_reaches_the_usb_transport(app: Flask) -> None:
    """`IDCARD_READER=usb:` opens the USB transport from the reader service (threading mode: the
    service's thread; under gevent its own native thread). Without a reader on this machine the
    desk shows the transport's clear error and the service keeps retrying."""
    app.config["IDCARD_READER"] = "usb:0400:c35a"
    scheduler = BackgroundScheduler()
    start_devices(scheduler, app)
    svc = services_of(app)
    try:
        assert svc.desk is not None
        state = wait_for(
            lambda: svc.desk.reader_state if svc.desk.reader_state["state"] != "starting" else None
        )
        assert state["state"] == "disconnected", state
        assert state["code"] in ("usb_reader_missing", "usb_no_libusb", "usb_no_pyusb"), state
        assert "USB" in state["message_zh"] or "libusb" in state["message_zh"]
        assert state["reader"] == "usb:0400:c35a"
    finally:
        svc.reader.stop()


@pytest.mark.slow
def test_reader_service_in_the_real_gevent_server(tmp_path: Path) -> None:
    """`examsite serve` (gevent, the composition root) with the simulated reader on a socket:
    the card is read (slowly, like hardware) on the reader's own thread, the desk stores the read,
    and the server answers HTTP while the reader works."""
    instance = tmp_path / "instance"
    stage(instance, check_in=4)
    with SimulatedReader(tcp=("127.0.0.1", 0), use_pty=False, read_delay=1.5) as sim:
        live = LiveServer(instance, env={"EXAMSITE_IDCARD_READER": sim.url}).start()
        try:
            sim.place(PRESETS["wang"])  # not on the roster: no face check needed
            slowest = 0.0
            app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
            sitedb = site_of(app).sitedb
            deadline = time.monotonic() + 30
            reads: list[dict[str, Any]] = []
            while not reads and time.monotonic() < deadline:
                started = time.monotonic()
                with urllib.request.urlopen(live.url + "/console/login", timeout=10) as page:
                    assert page.status == 200
                slowest = max(slowest, time.monotonic() - started)
                with sitedb.read() as db:
                    reads = desk.recent(db)
                time.sleep(0.05)
            sitedb.close()
        finally:
            live.kill()
    assert reads, (instance / "server.log").read_text()[-2000:]
    assert reads[0]["identity"]["name"] == PRESETS["wang"].name
    assert [p["code"] for p in reads[0]["problems"]][:1] == ["not_on_roster"]
    assert slowest < 1.0  # a read takes 1.5 s; the pages never waited for it


def test_desk_camera_missing_at_start_comes_back_without_a_restart(
    app: Flask, proctor: Console, session_id: str, tmp_path: Path, shared_data: Path
) -> None:
    """`DESK_CAMERA=folder:…` whose folder is not there when the server starts (the camera
    unplugged): the desk says so and keeps trying from its job (off the event loop, bounded
    back-off); once the folder has an image the desk has its camera, no restart."""
    folder = tmp_path / "desk-camera"
    app.config["DESK_CAMERA"] = f"folder:{folder}"
    scheduler = BackgroundScheduler()
    start_devices(scheduler, app)
    svc = services_of(app)
    assert svc.desk is not None
    pushes: list[Any] = []
    svc.desk.emit = pushes.extend
    scheduler.start()
    try:
        state = proctor.client.get("/console/api/desk").get_json()["camera"]
        assert state["state"] == "unavailable" and state["code"] == "camera_folder_empty"
        page = proctor.client.get("/console/desk").get_data(as_text=True)
        assert 'id="camera-state" data-state="unavailable"' in page and "正在自动重试" in page
        cand = next(c for c in _roster(app, session_id) if c["state"] == "expected")
        read = svc.desk.read_card(identity_for(cand))
        camera = next(p for p in read["problems"] if p["code"] == "camera_unavailable")
        assert "正在自动重试" in camera["message"]

        folder.mkdir()
        shutil.copy(shared_data / "faces" / "obama_small.jpg", folder / "face.jpg")
        wait_for(lambda: svc.desk.camera_state()["state"] == "ok", timeout=60)
        assert proctor.client.get("/console/api/desk").get_json()["camera"]["state"] == "ok"
        assert any(p.payload == {"kind": "desk_camera", **svc.desk.camera_state()} for p in pushes)
        assert svc.desk.camera is not None and svc.desk.camera.still()[:3] == b"\xff\xd8\xff"
    finally:
        scheduler.shutdown(wait=True)
        if svc.desk.camera is not None:
            svc.desk.camera.close()
