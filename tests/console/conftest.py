"""Console fixtures: a staged demo exam on real SQLite, accounts, a signed-in Flask test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examsite.app import create_app, site_of
from examsite.console.accounts import create_user
from tests.live import stage

ADMIN_PW = "Adm1n!pass"
PROCTOR_PW = "Pr0ctor#pass"
PATROL_PW = "Patr0l#pass"


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An instance with the demo exam staged (check-in open, first 4 of 6 checked in)."""
    path = tmp_path / "instance"
    info = stage(path, check_in=4)
    (path / "staged.txt").write_text(info["session"]["id"])
    return path


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    """The site app (threading mode) with an admin, a proctor and a patrol account."""
    app = create_app({"ASYNC_MODE": "threading", "TESTING": True}, instance_path=str(instance))
    sitedb = site_of(app).sitedb
    create_user(sitedb, "admin", "管理员", "admin", ADMIN_PW)
    create_user(sitedb, "proctor1", "王监考", "proctor", PROCTOR_PW)
    create_user(sitedb, "patrol1", "赵巡考", "patrol", PATROL_PW)
    yield app
    sitedb.close()


def csrf_of(html: str) -> str:
    """The CSRF token a console page carries."""
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, "page without a CSRF token"
    return m.group(1)


def login(client: FlaskClient, username: str, password: str) -> Any:
    """Sign in through the login form, CSRF token included."""
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


class Console:
    """A signed-in console on the Flask test client: `api(action, **data)` posts with CSRF."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.token = csrf_of(client.get("/console/").get_data(as_text=True))

    def api(self, action: str, **data: Any) -> dict[str, Any]:
        resp = self.client.post(
            f"/console/api/{action}", json=data, headers={"X-CSRF-Token": self.token}
        )
        return resp.get_json()  # type: ignore[no-any-return]

    def snapshot(self) -> dict[str, Any]:
        return self.client.get("/console/api/snapshot").get_json()  # type: ignore[no-any-return]


@pytest.fixture
def proctor(app: Flask) -> Console:
    """A proctor signed in."""
    client = app.test_client()
    assert login(client, "proctor1", PROCTOR_PW).status_code == 302
    return Console(client)


@pytest.fixture
def session_id(instance: Path) -> str:
    return (instance / "staged.txt").read_text()
