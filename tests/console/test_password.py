"""Self-service password change (004 §5) and the forced change of an assigned password."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from examsite.app import site_of
from examsite.console import demo_setup
from tests.console.conftest import ADMIN_PW, PROCTOR_PW, Console, csrf_of, login

NEW_PW = "N3w#secret"


def _change(client: FlaskClient, current: str, new: str, again: str | None = None) -> tuple:
    token = csrf_of(client.get("/console/password").get_data(as_text=True))
    resp = client.post(
        "/console/password",
        data={"csrf_token": token, "current": current, "new": new, "again": again or new},
    )
    return resp.status_code, resp.get_data(as_text=True)


def test_change_own_password(app: Flask, proctor: Console) -> None:
    other = app.test_client()  # a second login of the same account, e.g. the desk PC
    assert login(other, "proctor1", PROCTOR_PW).status_code == 302
    page = proctor.client.get("/console/password").get_data(as_text=True)
    assert "当前密码" in page and 'name="again"' in page and "修改密码" in page

    no_csrf = proctor.client.post(
        "/console/password", data={"current": PROCTOR_PW, "new": NEW_PW, "again": NEW_PW}
    )
    assert no_csrf.status_code == 400
    status, html = _change(proctor.client, "Wr0ng!pass", NEW_PW)
    assert status == 400 and "当前密码不正确" in html
    status, html = _change(proctor.client, PROCTOR_PW, NEW_PW, "N3w#other")
    assert status == 400 and "两次输入的新密码不一致" in html
    status, html = _change(proctor.client, PROCTOR_PW, "onlyletters")
    assert status == 400 and "特殊符号" in html  # the create-user rule
    status, html = _change(proctor.client, PROCTOR_PW, PROCTOR_PW)
    assert status == 400 and "不能与当前密码相同" in html

    status, html = _change(proctor.client, PROCTOR_PW, NEW_PW)
    assert status == 200 and "密码已修改" in html
    assert proctor.client.get("/console/").status_code == 200  # this login stays
    assert other.get("/console/").status_code == 302  # the other one ends
    assert login(app.test_client(), "proctor1", PROCTOR_PW).status_code == 400
    assert login(app.test_client(), "proctor1", NEW_PW).status_code == 302


def test_wrong_current_passwords_lock_like_sign_in(app: Flask, proctor: Console) -> None:
    for _ in range(4):
        assert _change(proctor.client, "Wr0ng!pass", NEW_PW)[0] == 400
    status, html = _change(proctor.client, "Wr0ng!pass", NEW_PW)
    assert status == 403 and "锁定" in html
    assert proctor.client.get("/console/").status_code == 302  # logged out
    assert login(app.test_client(), "proctor1", PROCTOR_PW).status_code == 400  # locked


def test_assigned_password_must_be_changed_first(app: Flask) -> None:
    admin = app.test_client()
    login(admin, "admin", ADMIN_PW)
    token = csrf_of(admin.get("/console/users").get_data(as_text=True))
    for username, form in (("newbie", {"temporary": ["0", "1"]}), ("keeper", {"temporary": "0"})):
        resp = admin.post(
            "/console/users",
            data={
                "csrf_token": token,
                "op": "create",
                "username": username,
                "display_name": "新监考",
                "role": "proctor",
                "password": "Ass1gned!pw",
                **form,
            },
        )
        assert resp.status_code == 200, resp.get_data(as_text=True)
    assert "需修改初始密码" in admin.get("/console/users").get_data(as_text=True)

    newbie = app.test_client()
    assert login(newbie, "newbie", "Ass1gned!pw").status_code == 302
    room = newbie.get("/console/")
    assert room.status_code == 302 and room.headers["Location"].endswith("/console/password")
    page = newbie.get("/console/password").get_data(as_text=True)
    assert 'id="must-change"' in page
    refused = newbie.post(
        "/console/api/note",
        json={"session_id": "x", "text": "hi"},
        headers={"X-CSRF-Token": csrf_of(page)},
    )
    assert refused.status_code == 403 and refused.get_json()["code"] == "password_change_required"
    assert _change(newbie, "Ass1gned!pw", NEW_PW)[0] == 200
    assert newbie.get("/console/").status_code == 200

    keeper = app.test_client()  # created with the box unticked: not forced
    login(keeper, "keeper", "Ass1gned!pw")
    assert keeper.get("/console/").status_code == 200


def test_demo_proctor_is_not_forced(app: Flask, instance: Path) -> None:
    username, password = demo_setup.ensure_account(site_of(app).exam, instance)
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    assert client.get("/console/").status_code == 200
