"""The /console socket and the login's expiry: socket events are activity, an ended login is told
and disconnected. A real python-socketio client against the app served on 127.0.0.1; the site's
clock is a test clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from flask import Flask
from werkzeug.serving import make_server

from examsite.app import site_of
from examsite.console.accounts import create_user
from examsite.console.services import services_of
from tests.clock import Clock
from tests.console.conftest import Console, csrf_of, login
from tests.live import wait_for

ASSIGNED_PW = "Ass1gned!pw"


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    site_of(app).exam.now = clock
    return clock


@pytest.fixture
def url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class ConsolePage:
    """The socket of a console page: a real client carrying the proctor's session cookie."""

    def __init__(self, url: str, console: Console):
        cookie = console.client.get_cookie("session")
        assert cookie is not None
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.sio.on("*", lambda event, data=None: self.events.append((event, data)), "/console")
        self.sio.connect(
            url,
            namespaces=["/console"],
            transports=["polling"],
            headers={"Cookie": f"session={cookie.value}"},
            wait_timeout=10,
        )

    def snapshot(self) -> dict[str, Any]:
        return self.sio.call("snapshot", {}, namespace="/console", timeout=20)  # type: ignore[no-any-return]

    def connected(self) -> bool:
        return "/console" in self.sio.namespaces

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def test_socket_events_keep_the_login_alive(
    app: Flask, proctor: Console, clock: Clock, url: str
) -> None:
    page = ConsolePage(url, proctor)
    try:
        for _ in range(4):  # 80 minutes with no page request, only socket events
            clock.advance(minutes=20)
            assert page.snapshot()["ok"]
        assert proctor.client.get("/console/").status_code == 200
        clock.advance(minutes=31)
        refused = page.snapshot()
        assert refused["code"] == "login_required" and "重新登录" in refused["message"]
        wait_for(lambda: not page.connected())
        assert ("login_expired", refused) in page.events
        assert proctor.client.get("/console/").status_code == 302
    finally:
        page.close()


def test_sweep_disconnects_consoles_whose_login_ended(
    app: Flask, proctor: Console, clock: Clock, url: str
) -> None:
    page = ConsolePage(url, proctor)
    namespace = services_of(app).namespace
    try:
        clock.advance(minutes=29)
        assert namespace.sweep(app) == 0 and page.connected()
        clock.advance(minutes=2)
        assert namespace.sweep(app) == 1
        wait_for(lambda: not page.connected())
        assert page.events[-1][0] == "login_expired"
        assert page.events[-1][1]["code"] == "login_required"
    finally:
        page.close()


def test_logout_ends_the_login_on_the_server(app: Flask, proctor: Console, url: str) -> None:
    cookie = proctor.client.get_cookie("session")
    assert cookie is not None
    proctor.client.post("/console/logout", data={"csrf_token": proctor.token})
    proctor.client.set_cookie("session", cookie.value)  # a copy of the cookie kept from before
    assert proctor.client.get("/console/").status_code == 302
    with pytest.raises(socketio.exceptions.ConnectionError):
        ConsolePage(url, proctor)


def _refusal(url: str, cookie: str | None) -> dict[str, Any]:
    """What a page's connect_error gets when /console refuses the socket (`err.data`)."""
    refused: list[Any] = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", refused.append, "/console")
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(
            url,
            namespaces=["/console"],
            transports=["polling"],
            headers={"Cookie": f"session={cookie}"} if cookie else {},
            wait_timeout=10,
        )
    sio.disconnect()
    assert refused, "no connect_error"
    return refused[0]["data"]  # type: ignore[no-any-return]


def test_a_login_that_must_change_its_password_gets_no_socket(app: Flask, url: str) -> None:
    assert _refusal(url, None)["code"] == "login_required"
    create_user(site_of(app).sitedb, "newbie", "新监考", "proctor", ASSIGNED_PW, must_change=True)
    client = app.test_client()
    assert login(client, "newbie", ASSIGNED_PW).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    refused = _refusal(url, cookie.value)
    assert refused["code"] == "password_change_required"
    assert "修改" in refused["message"] and refused["message_en"]

    token = csrf_of(client.get("/console/password").get_data(as_text=True))
    new = "N3w#secret"
    changed = client.post(
        "/console/password",
        data={"csrf_token": token, "current": ASSIGNED_PW, "new": new, "again": new},
    )
    assert changed.status_code == 200
    page = ConsolePage(url, Console(client))  # the same login, its own password now
    try:
        assert page.snapshot()["ok"]
    finally:
        page.close()
