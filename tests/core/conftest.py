"""In-process fixtures: the real app on real SQLite with Flask-SocketIO's test client (threading mode)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examsite import demo
from examsite.app import create_app, site_of
from examsite.extensions import socketio
from examsite.store import candidates
from tests.clock import Clock
from tests.live import CAPTCHA


class Room:
    """An app with the demo exam staged, everyone but the last candidate checked in."""

    def __init__(self, tmp: Path):
        self.clock = Clock()
        self.app = create_app(
            {"ASYNC_MODE": "threading", "CAPTCHA_FIXED": CAPTCHA, "TESTING": True},
            instance_path=str(tmp / "instance"),
        )
        self.site = site_of(self.app)
        self.exam = self.site.exam
        self.exam.now = self.clock
        self.session = demo.demo_session(self.clock.now, starts_in_min=10, duration_min=60)
        self.exam.stage_session(self.session, demo.PAPER, demo.demo_roster(), actor="test")
        self.exam.tick()
        with self.exam.sitedb.read() as db:
            self.roster = candidates.in_session(db, self.session["id"])
        for c in self.roster[:-1]:
            self.exam.check_in(c["id"], "test", {"method": "test"})
        self.site.writer.start(socketio.start_background_task)
        self.clients: list[Any] = []

    def client(self, terminal_id: str, seat: int | None = None, hello: bool = True) -> Any:
        c = socketio.test_client(self.app, namespace="/candidate")
        self.clients.append(c)
        c.terminal_id = terminal_id
        c.token = None
        if hello:
            assert self.call(c, "hello", {"terminal_id": terminal_id, "seat": seat})["ok"]
        return c

    def call(self, c: Any, event: str, data: Any = None) -> dict[str, Any]:
        if isinstance(data, dict) and c.token and "token" not in data:
            data = {**data, "token": c.token}
        return c.emit(event, data, namespace="/candidate", callback=True)  # type: ignore[no-any-return]

    def login(self, c: Any, cand: dict[str, Any], captcha: str = CAPTCHA) -> dict[str, Any]:
        cap = self.call(c, "captcha", {})
        ack = self.call(
            c,
            "login",
            {
                "name": cand["name"],
                "ticket": cand["ticket"],
                "captcha_id": cap["captcha_id"],
                "captcha": captcha,
            },
        )
        if ack.get("ok"):
            c.token = ack["token"]
        return ack

    def seat(self, c: Any, cand: dict[str, Any]) -> dict[str, Any]:
        """Login through identity confirmation."""
        assert self.login(c, cand)["ok"]
        assert self.call(c, "notice_ack", {})["ok"]
        assert self.call(c, "room_password", {"password": self.session["exam_password"]})["ok"]
        return self.call(c, "confirm_identity", {"correct": True})

    def start(self) -> None:
        self.site.emit(self.exam.start(self.session["id"], "proctor:test").pushes)

    def close(self) -> None:
        for c in self.clients:
            if c.is_connected("/candidate"):
                c.disconnect(namespace="/candidate")
        self.site.writer.stop()
        self.exam.sitedb.close()


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Room]:
    r = Room(tmp_path)
    try:
        yield r
    finally:
        r.close()
