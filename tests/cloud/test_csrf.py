"""CSRF, session cookie, login expiry and lock-out of the cloud's browser pages.

The refusal test walks the app's url_map: every POST/PUT/PATCH/DELETE route outside the signed
site API is posted without a token and with a wrong one, so a route added later is covered
without anyone remembering to list it here.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from cloudsync import signing
from cloudsync.certificates.store import companies
from cloudsync.cloud import csrf
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import admins

from .conftest import Clock, World
from .pages import log_in, page_token, token_in

PASSWORD = "secret-pass"


def category(app: Flask, name: str) -> str | None:
    """The registered business category of a company, or None when it was never stored."""
    with app.app_context():
        row = companies.get(get_db(), name)
    return None if row is None else str(row["category"])


def browser_routes(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, unsafe method) of the app that is not in an exempt blueprint."""
    out = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprint in csrf.exempt(app):
            continue
        out += [(rule, m) for m in sorted(rule.methods or ()) if m in csrf.UNSAFE_METHODS]
    return out


def url_of(rule: Rule) -> str:
    """A concrete URL for ``rule`` (any values: the check runs before the view)."""
    values = {
        arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x"
        for arg in rule.arguments
    }
    path = rule.build(values)
    assert path is not None
    return path[1]


def admin_client(app: Flask) -> Any:
    """A client logged in as an admin (every role check passes) that sends no token by itself."""
    with app.app_context():
        if admins.get(get_db(), "root") is None:
            admins.create(get_db(), "root", PASSWORD, "admin")
    client = app.test_client()
    log_in(client, "root", PASSWORD)
    client.environ_base.pop("HTTP_X_CSRF_TOKEN")
    return client


def test_the_route_walk_sees_every_form(app: Flask) -> None:
    endpoints = {rule.endpoint for rule, _ in browser_routes(app)}
    # the walk is not empty and reaches both blueprints with forms, login and logout included
    assert {"auth.login", "auth.logout", "certificates.approve", "certificates.revoke"} <= endpoints
    assert not {e for e in endpoints if e.startswith("api.")}
    api_posts = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
                 and "POST" in (r.methods or ())]  # fmt: skip
    assert [r.rule for r in api_posts] == ["/api/v1/batches"]


@pytest.mark.parametrize("sent", ["none", "wrong", "other_session"])
def test_every_browser_form_refuses_a_missing_or_wrong_token(app: Flask, sent: str) -> None:
    client = admin_client(app)
    other = app.test_client()
    headers = {
        "none": {},
        "wrong": {csrf.HEADER: "not-the-token"},
        "other_session": {csrf.HEADER: page_token(other)},  # a token, but another browser's
    }[sent]
    routes = browser_routes(app)
    assert len(routes) >= 9
    for rule, method in routes:
        data = {"csrf_token": headers[csrf.HEADER]} if headers and method == "POST" else {}
        resp = client.open(url_of(rule), method=method, data=data, headers=headers)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 400, (rule.rule, method, resp.status_code)
        assert "安全校验失败" in text and "CSRF" in text, rule.rule
    # still logged in: a refusal changes nothing, not even the session
    assert client.get("/admin/").status_code == 200


def test_anonymous_posts_are_refused_too(app: Flask) -> None:
    client = app.test_client()
    for rule, method in browser_routes(app):
        assert client.open(url_of(rule), method=method).status_code == 400, rule.rule


def test_right_token_accepted_as_field_or_header_and_json_refusal(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        admins.create(get_db(), "boss", PASSWORD, "admin")
    before = page_token(client)
    resp = client.post(
        "/auth/login", data={"username": "boss", "password": PASSWORD, "csrf_token": before}
    )
    assert resp.status_code == 302
    after = page_token(client, "/admin/")
    assert after != before  # a new token at login
    form = {"name": "甲燃气公司", "category": "G", "csrf_token": after}
    assert client.post("/certificates/companies", data=form).status_code == 303
    stale = {**form, "name": "乙燃气公司", "csrf_token": before}
    assert client.post("/certificates/companies", data=stale).status_code == 400
    header = {csrf.HEADER: after}
    second = {"name": "丙燃气公司", "category": "P"}
    assert client.post("/certificates/companies", data=second, headers=header).status_code == 303
    assert category(app, "甲燃气公司") == "G"
    assert category(app, "乙燃气公司") is None  # refused: nothing stored
    assert category(app, "丙燃气公司") == "P"
    refused = client.post(
        "/certificates/companies", json={"name": "丁"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400
    assert refused.get_json()["code"] == "csrf_failed"
    assert "X-CSRF-Token" in refused.get_json()["message"]
    # logout is a POST with the token; a GET only shows the button
    assert "退出（Log out）" in client.get("/auth/logout").get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    assert client.post("/auth/logout").status_code == 400
    assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_every_form_on_the_pages_carries_the_token(app: Flask) -> None:
    client = admin_client(app)
    for path in ("/admin/", "/admin/sites", "/certificates/", "/auth/logout"):
        html = client.get(path).get_data(as_text=True)
        token = token_in(html)
        forms = html.split("<form")[1:]
        posts = [f for f in forms if 'method="post"' in f.split(">")[0]]
        assert posts, path
        for form in posts:
            assert f'name="csrf_token" value="{token}"' in form.split("</form>")[0], path
    login_page = app.test_client().get("/auth/login").get_data(as_text=True)
    assert f'name="csrf_token" value="{token_in(login_page)}"' in login_page


def test_site_api_needs_only_its_signature(world: World, live_url: str) -> None:
    body = json.dumps({"site_id": "SITE-A", "records": []}).encode()
    ts = int(world.clock().timestamp())
    headers = signing.sign_headers("SITE-A", world.secret, "POST", "/api/v1/batches", body, ts)
    resp = requests.post(live_url + "/api/v1/batches", data=body, headers=headers, timeout=10)
    assert resp.status_code == 200, resp.text
    assert "Set-Cookie" not in resp.headers  # no session for machines
    # exempt from CSRF, not from authentication: unsigned is refused by the signature check
    unsigned = requests.post(live_url + "/api/v1/batches", data=body, timeout=10)
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "unknown_site"
    # and a site's signature opens no browser form
    login_headers = signing.sign_headers("SITE-A", world.secret, "POST", "/auth/login", b"", ts)
    page = requests.post(live_url + "/auth/login", headers=login_headers, timeout=10)
    assert page.status_code == 400


def test_a_script_logs_in_over_http_by_reading_the_token_first(world: World, live_url: str) -> None:
    with world.app.app_context():
        admins.create(get_db(), "script", PASSWORD, "viewer")
    http = requests.Session()
    blind = http.post(
        live_url + "/auth/login", data={"username": "script", "password": PASSWORD}, timeout=10
    )
    assert blind.status_code == 400 and "csrf-token" in blind.text
    token = token_in(http.get(live_url + "/auth/login", timeout=10).text)
    ok = http.post(
        live_url + "/auth/login",
        data={"username": "script", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert ok.status_code == 302
    assert "PLAN-1" in http.get(live_url + "/admin/", timeout=10).text


def test_unknown_exempt_blueprint_is_an_error(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="unregistered"):
        csrf.init_app(app, exempt_blueprints=("api_v0",))


def test_session_cookie_flags(app: Flask) -> None:
    resp = app.test_client().get("/auth/login")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("examcloud_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # ends with the browser; the server ends idle logins itself


def test_pages_refuse_to_be_framed(app: Flask) -> None:
    for path in ("/auth/login", "/admin/", "/verify/x?s=y"):
        resp = app.test_client().get(path)
        assert resp.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_idle_and_maximum_login_expiry(app: Flask, clock: Clock) -> None:
    client = admin_client(app)
    clock.now += timedelta(minutes=29)
    assert client.get("/admin/").status_code == 200  # activity moves "last seen"
    clock.now += timedelta(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.now += timedelta(minutes=31)
    resp = client.get("/admin/")
    assert resp.status_code == 302 and "expired=1" in resp.headers["Location"]
    assert "登录已超时" in client.get(resp.headers["Location"]).get_data(as_text=True)

    client = admin_client(app)
    codes = []
    for _ in range(12 * 60 // 25 + 1):  # active all day: still ends after ADMIN_MAX_HOURS
        clock.now += timedelta(minutes=25)
        codes.append(client.get("/admin/").status_code)
    assert codes == [200] * (len(codes) - 1) + [302]


def test_lock_out_after_wrong_passwords(app: Flask, clock: Clock) -> None:
    with app.app_context():
        admins.create(get_db(), "boss", PASSWORD, "admin")
    client = app.test_client()
    token = page_token(client)

    def attempt(password: str, user: str = "boss") -> Any:
        form = {"username": user, "password": password, "csrf_token": token}
        return client.post("/auth/login", data=form)

    for _ in range(4):
        assert attempt("wrong-one").status_code == 401
    locked = attempt("wrong-one")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "900"
    assert "账号已锁定" in locked.get_data(as_text=True)
    assert "unlock-admin boss" in locked.get_data(as_text=True)
    assert attempt(PASSWORD).status_code == 429  # the right password waits too
    for _ in range(6):  # unknown names are never "locked" (that would tell who exists)
        assert attempt("x", user="nobody").status_code == 401
    clock.now += timedelta(minutes=15, seconds=1)
    assert attempt(PASSWORD).status_code == 302

    # a right password resets the count; the CLI lifts a lock before its time
    client = app.test_client()
    token = page_token(client)
    for _ in range(5):
        attempt("wrong-two")
    assert attempt(PASSWORD).status_code == 429
    from cloudsync.cloud.cli import cli
    from cloudsync.cloud.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)
    args = ["--instance", app.instance_path, "--database", app.config["DATABASE"]]
    out = CliRunner().invoke(cli, [*args, "unlock-admin", "boss"])
    assert out.exit_code == 0 and "已解锁" in out.output, out.output
    assert attempt(PASSWORD).status_code == 302
    out = CliRunner().invoke(cli, [*args, "unlock-admin", "ghost"])
    assert out.exit_code != 0 and "没有用户" in out.output
