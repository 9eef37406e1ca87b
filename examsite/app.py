"""The site server's Flask app factory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from examsite import settings
from examsite.candidate.namespace import CandidateNamespace
from examsite.engine.zone import site_zone
from examsite.exam import ExamDay, Push
from examsite.extensions import WireJSON, socketio
from examsite.store import settings as stored_settings
from examsite.store.db import SiteDB
from examsite.store.writer import GroupWriter

log = logging.getLogger(__name__)


@dataclass
class Site:
    """The server's one set of exam-day objects (kept in `app.extensions['examsite']`)."""

    sitedb: SiteDB
    exam: ExamDay
    writer: GroupWriter

    def emit(self, pushes: list[Push]) -> None:
        """Send pushes after the transaction that caused them has committed."""
        for p in pushes:
            socketio.emit(p.event, p.payload, to=p.to, namespace=p.namespace)

    def push_time(self, slice_size: int = 100, pause_s: float = 0.05) -> None:
        """The server's time to every terminal of every running session, `slice_size` terminals
        at a time, `pause_s` between slices, each slice with the time read afresh (so a late
        slice carries no stale time).

        Measured with scripts/bench_room.py at 2,000 terminals: the push in one go held the
        event loop 50–100 ms, the largest ack delay of the run; in slices back to back it was
        still the slowest 10 s of every minute (p99 50–120 ms); paced, 2,000 terminals take
        about a second and the answers' acks go on in between."""
        for p in self.exam.time_pushes():
            sids = [sid for sid, _ in socketio.server.manager.get_participants(p.namespace, p.to)]
            for i in range(0, len(sids), slice_size):
                if i:
                    socketio.sleep(pause_s)
                # a list of sids: the packet is encoded once for the slice
                socketio.emit(
                    p.event,
                    self.exam.time_payload(),
                    to=sids[i : i + slice_size],
                    namespace=p.namespace,
                )


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the site server app; `test_config` overrides every other source of settings."""
    app = Flask(
        __name__, instance_relative_config=True, instance_path=instance_path, static_folder=None
    )
    app.config.from_mapping(settings.defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db_path = app.config["DATABASE"] or str(Path(app.instance_path) / "examsite.sqlite3")
    app.config["DATABASE"] = db_path

    sitedb = SiteDB(db_path)
    exam = ExamDay.on(sitedb, site_zone(app.config["TIME_ZONE"]))
    with sitedb.write() as db:
        app.secret_key = app.config["SECRET_KEY"] or stored_settings.secret(db, "flask_secret")
    site = Site(sitedb, exam, GroupWriter(sitedb, exam.apply_event))
    app.extensions["examsite"] = site

    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        async_handlers=False,
        json=WireJSON,
        max_http_buffer_size=app.config["MAX_EVENT_BYTES"],
        ping_interval=app.config["PING_INTERVAL_S"],
        ping_timeout=max(5, app.config["PING_INTERVAL_S"]),
    )
    socketio.on_namespace(
        CandidateNamespace(exam, site.writer, site.emit, captcha_fixed=app.config["CAPTCHA_FIXED"])
    )

    from examsite.kiosk import bp as kiosk_bp

    app.register_blueprint(kiosk_bp)
    from examsite.console import register as register_console

    register_console(app)
    return app


def site_of(app: Flask) -> Site:
    """The exam-day objects of an app."""
    site: Site = app.extensions["examsite"]
    return site
