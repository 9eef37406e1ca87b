"""The console's long-lived objects per app, and the device start-up done by the composition root.

`register` (app factory) makes the record operations; `start_devices` (a `serve.JOB_REGISTRARS`
entry, so only the real server opens hardware) opens the face pool, the desk camera and the
ID-card reader service, and schedules the face checks of in-exam captures.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from examsite.exam.desk import CheckinDesk, identity_for
from examsite.exam.violations import RecordOps

log = logging.getLogger(__name__)


@dataclass
class ConsoleServices:
    """What the console pages and namespace use; `desk` is None until devices are started."""

    records: RecordOps
    namespace: Any = None  # the /console ConsoleNamespace
    desk: CheckinDesk | None = None
    reader: Any = None
    pool: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def services_of(app: Flask) -> ConsoleServices:
    """The console objects of an app."""
    services: ConsoleServices = app.extensions["examsite_console"]
    return services


def start_devices(scheduler: Any, app: Flask) -> None:
    """Open the face pool, the desk camera and the reader service; schedule capture checks."""
    from devices.camera import ReopeningSource
    from devices.face.matcher import FaceSettings
    from devices.face.pool import FacePool
    from examsite.app import site_of
    from examsite.exam.capture_checks import CaptureChecker
    from examsite.extensions import socketio
    from examsite.serve import blocking_runner

    site = site_of(app)
    svc = services_of(app)
    cfg = app.config
    threshold = float(cfg["FACE_THRESHOLD"])
    pool = LazyFacePool(
        lambda: FacePool(
            workers=int(cfg["FACE_WORKERS"]), settings=FaceSettings(threshold=threshold)
        )
    )
    svc.pool = pool
    run_blocking = blocking_runner()
    camera = None
    if cfg["DESK_CAMERA"]:
        # unplugged at start-up is not for ever: the desk's job keeps trying (bounded back-off)
        camera = ReopeningSource(cfg["DESK_CAMERA"])
        if not run_blocking(camera.reopen):
            log.error("desk camera: %s", camera.state["message_en"])
    desk = CheckinDesk(
        site.exam,
        site.emit,
        camera=camera,
        pool=pool,
        threshold=threshold,
        run_blocking=run_blocking,
    )
    svc.desk = desk
    if cfg["IDCARD_READER"]:
        from devices.idcard.connect import open_configured_reader
        from devices.idcard.service import ReaderService
        from examsite.serve import dedicated_thread_runner

        url = cfg["IDCARD_READER"]
        service = ReaderService(
            lambda: open_configured_reader(url),
            desk.on_card,
            desk.on_status,
            sleep=socketio.sleep,
            name=url,
            # serial or USB, the reader's I/O runs on its own native thread (pyusb blocks);
            # the desk callbacks stay on the background task
            run_blocking=dedicated_thread_runner(),
        )
        svc.reader = service
        desk.reader_state = {"state": "starting", "message": f"正在连接读卡器 {url}", "reader": url}
        socketio.start_background_task(service.run)
    scheduler.add_job(
        JournalWatch(site).check,
        "interval",
        seconds=float(cfg["CONSOLE_REFRESH_S"]),
        id="console_journal_watch",
        max_instances=1,
        coalesce=True,
    )
    if camera is not None:
        scheduler.add_job(
            desk.check_camera,
            "interval",
            seconds=2.0,
            id="desk_camera",
            max_instances=1,
            coalesce=True,
        )
    checker = CaptureChecker(site.exam, pool, desk.reference, site.emit, threshold)
    scheduler.add_job(
        checker.run_once,
        "interval",
        seconds=float(cfg["CAPTURE_CHECK_S"]),
        id="capture_checks",
        max_instances=1,
        coalesce=True,
    )


def schedule_login_sweep(scheduler: Any, app: Flask) -> None:
    """Every minute, disconnect the consoles whose login has ended (a page left open that sends
    nothing would otherwise keep receiving room pushes)."""
    namespace = services_of(app).namespace
    scheduler.add_job(
        lambda: namespace.sweep(app),
        "interval",
        seconds=60,
        id="console_login_sweep",
        max_instances=1,
        coalesce=True,
    )


class JournalWatch:
    """Answers are acknowledged by the group writer without a console push (the hot path stays
    lean); this job tells the consoles when the journal grew, so seats refresh within seconds."""

    def __init__(self, site: Any):
        self.site = site
        self.seen = -1

    def check(self) -> None:
        """Push `room_update` (kind `journal`) when new journal rows were written."""
        from examsite.store import journal

        with self.site.sitedb.read() as db:
            last = journal.last_seq(db)
        if last != self.seen:
            self.seen = last
            self.site.emit([self.site.exam.console_push("journal", seq=last)])


class LazyFacePool:
    """A FacePool started on first use: a server with no desk and no captures spawns no workers."""

    def __init__(self, make: Any):
        self._make = make
        self._pool: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._pool is None:
                self._pool = self._make()
            return self._pool

    def submit_compare(self, *args: Any, **kwargs: Any) -> Any:
        """As FacePool.submit_compare."""
        return self._get().submit_compare(*args, **kwargs)

    def submit_describe(self, *args: Any, **kwargs: Any) -> Any:
        """As FacePool.submit_describe."""
        return self._get().submit_describe(*args, **kwargs)

    def close(self) -> None:
        """Stop the workers if they were started."""
        if self._pool is not None:
            self._pool.close()


def simulate_card(control: str, candidate: dict[str, Any], sleep: Any) -> str:
    """Demo: lift any card, then place this candidate's card on the simulated reader."""
    from devices.idcard.simulator import send_command

    send_command(control, "remove")
    sleep(0.7)  # the reader service must see the card gone, or the same card is not read again
    card = identity_for(candidate).to_dict()
    return send_command(control, "place " + json.dumps(card, ensure_ascii=False))
