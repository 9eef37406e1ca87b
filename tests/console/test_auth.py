"""Accounts, sign-in, lock-out, expiry, CSRF and the /console namespace's door."""

from __future__ import annotations

import pytest
from flask import Flask

from examsite.app import site_of
from examsite.console.accounts import AccountError, create_user, password_problem
from examsite.extensions import socketio
from tests.clock import Clock
from tests.console.conftest import PROCTOR_PW, Console, csrf_of, login


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdef1!", True),
        ("考试Pass1#x", True),
        ("abcdefgh", False),
        ("abcdefg1", False),
        ("abcdefg!", False),
        ("12345678!", False),
        ("Ab1!", False),
        ("", False),
    ],
)
def test_password_rule_letters_digits_symbols(password: str, ok: bool) -> None:
    assert (password_problem(password) is None) is ok


def test_weak_password_and_bad_names_refused(app: Flask) -> None:
    sitedb = site_of(app).sitedb
    with pytest.raises(AccountError) as e:
        create_user(sitedb, "weak", "x", "proctor", "password")
    assert e.value.code == "weak_password" and "特殊符号" in e.value.zh
    with pytest.raises(AccountError) as e:
        create_user(sitedb, "proctor1", "x", "proctor", "Another1!")
    assert e.value.code == "username_taken"
    with pytest.raises(AccountError) as e:
        create_user(sitedb, "x y", "x", "proctor", "Another1!")
    assert e.value.code == "bad_username"
    with pytest.raises(AccountError):
        create_user(sitedb, "someone", "x", "superuser", "Another1!")


def test_password_is_hashed_with_argon2(app: Flask) -> None:
    with site_of(app).sitedb.read() as db:
        row = db.execute("SELECT password_hash FROM users WHERE username = 'proctor1'").fetchone()
    assert row[0].startswith("$argon2id$") and PROCTOR_PW not in row[0]


def test_login_wrong_password_then_lockout(app: Flask) -> None:
    client = app.test_client()
    for _ in range(4):
        resp = login(client, "proctor1", "Wrong1!pw")
        assert resp.status_code == 400
        assert "用户名或密码错误" in resp.get_data(as_text=True)
    resp = login(client, "proctor1", "Wrong1!pw")
    assert "账号已锁定" in resp.get_data(as_text=True)
    # even the right password is refused while locked
    resp = login(client, "proctor1", PROCTOR_PW)
    assert resp.status_code == 400 and "锁定" in resp.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_unknown_user_gets_the_same_message(app: Flask) -> None:
    resp = login(app.test_client(), "nobody", "Wrong1!pw")
    assert resp.status_code == 400 and "用户名或密码错误" in resp.get_data(as_text=True)


def test_login_form_without_csrf_is_refused(app: Flask) -> None:
    client = app.test_client()
    client.get("/console/login")
    resp = client.post("/console/login", data={"username": "proctor1", "password": PROCTOR_PW})
    assert resp.status_code == 400 and "安全校验失败" in resp.get_data(as_text=True)


def test_action_without_csrf_is_refused_and_changes_nothing(
    proctor: Console, session_id: str
) -> None:
    resp = proctor.client.post("/console/api/open_checkin", json={"session_id": session_id})
    assert resp.status_code == 400 and resp.get_json()["code"] == "csrf_failed"
    resp = proctor.client.post(
        "/console/api/end", json={"session_id": session_id}, headers={"X-CSRF-Token": "forged"}
    )
    assert resp.get_json()["code"] == "csrf_failed"
    assert proctor.snapshot()["session"]["state"] == "checkin_open"


def test_idle_session_expires(proctor: Console, app: Flask) -> None:
    clock = Clock()
    site_of(app).exam.now = clock
    assert proctor.client.get("/console/").status_code == 200
    clock.advance(minutes=31)
    resp = proctor.client.get("/console/")
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]
    api = proctor.api("message", session_id="x", text="hi")
    assert api["code"] == "login_required" and "重新登录" in api["message"]


def test_password_change_ends_other_logins(proctor: Console, app: Flask) -> None:
    from examsite.console.accounts import set_password
    from examsite.store import users

    with site_of(app).sitedb.read() as db:
        uid = users.by_name(db, "proctor1")["id"]  # type: ignore[index]
    set_password(site_of(app).sitedb, uid, "N3w!password")
    assert proctor.client.get("/console/").status_code == 302


def test_patrol_may_view_but_not_act(app: Flask, session_id: str) -> None:
    client = app.test_client()
    login(client, "patrol1", "Patr0l#pass")
    console = Console(client)
    assert client.get("/console/record").status_code == 200
    refused = console.api("end", session_id=session_id)
    assert refused["code"] == "forbidden"
    assert console.api("note", session_id=session_id, text="巡考到场检查")["ok"]


def test_logout_needs_csrf_and_ends_the_login(proctor: Console) -> None:
    assert proctor.client.post("/console/logout").status_code == 400
    resp = proctor.client.post("/console/logout", data={"csrf_token": proctor.token})
    assert resp.status_code == 302
    assert proctor.client.get("/console/").status_code == 302


def test_english_switch(proctor: Console) -> None:
    proctor.client.get("/console/lang/en")
    page = proctor.client.get("/console/").get_data(as_text=True)
    assert "Live room" in page and csrf_of(page)


def test_console_namespace_needs_a_console_login(app: Flask, proctor: Console) -> None:
    anonymous = socketio.test_client(app, namespace="/console", flask_test_client=app.test_client())
    assert not anonymous.is_connected("/console")
    token_holder = socketio.test_client(
        app,
        namespace="/console",
        auth={"token": "1.T-1.0." + "0" * 40},
        flask_test_client=app.test_client(),
    )
    assert not token_holder.is_connected("/console")
    signed_in = socketio.test_client(app, namespace="/console", flask_test_client=proctor.client)
    assert signed_in.is_connected("/console")
    snap = signed_in.emit("snapshot", {}, namespace="/console", callback=True)
    assert snap["ok"] and snap["counts"]["expected"] == 6
    signed_in.disconnect(namespace="/console")
