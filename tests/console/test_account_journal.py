"""Every change to a site account is on the journal: who did what to which account, no secret."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from cloudsync.chain import verify
from examsite.app import site_of
from examsite.store import journal, users
from tests.console.conftest import ADMIN_PW, PROCTOR_PW, csrf_of, login

NEW_PW = "N3w#secret"


def account_rows(app: Flask) -> list[dict[str, Any]]:
    with site_of(app).sitedb.read() as db:
        return [r for r in journal.rows(db, limit=10_000) if r["kind"].startswith("account_")]


def test_account_changes_are_journaled_with_who_did_them(app: Flask) -> None:
    created = account_rows(app)  # the fixture's accounts, made by the server itself
    assert [(r["kind"], r["actor"], r["payload"]["username"]) for r in created] == [
        ("account_created", "system", "admin"),
        ("account_created", "system", "proctor1"),
        ("account_created", "system", "patrol1"),
    ]
    admin = app.test_client()
    assert login(admin, "admin", ADMIN_PW).status_code == 302
    token = csrf_of(admin.get("/console/users").get_data(as_text=True))

    def post(**form: str) -> None:
        resp = admin.post("/console/users", data={"csrf_token": token, **form})
        assert resp.status_code == 200, resp.get_data(as_text=True)

    post(op="create", username="newbie", display_name="新监考", role="proctor",
         password="Ass1gned!pw", temporary="1")  # fmt: skip
    for _ in range(5):  # proctor1 locks the account out
        login(app.test_client(), "proctor1", "Wr0ng!pass")
    with site_of(app).sitedb.read() as db:
        uid = users.by_name(db, "proctor1")["id"]  # type: ignore[index]
    post(op="unlock", user_id=str(uid))
    post(op="password", user_id=str(uid), password="Res3t!pass")
    proctor = app.test_client()
    assert login(proctor, "proctor1", "Res3t!pass").status_code == 302
    page = csrf_of(proctor.get("/console/password").get_data(as_text=True))
    resp = proctor.post("/console/password", data={"csrf_token": page, "current": "Res3t!pass",
                                                   "new": NEW_PW, "again": NEW_PW})  # fmt: skip
    assert resp.status_code == 200

    rows = account_rows(app)[len(created) :]
    assert [(r["kind"], r["actor"], r["payload"]["username"]) for r in rows] == [
        ("account_created", "admin:admin", "newbie"),
        ("account_locked", "system", "proctor1"),
        ("account_unlocked", "admin:admin", "proctor1"),
        ("account_password_set", "admin:admin", "proctor1"),
        ("account_password_changed", "proctor:proctor1", "proctor1"),
    ]
    assert rows[0]["payload"] == {"username": "newbie", "role": "proctor", "must_change": True}
    assert rows[1]["payload"]["failures"] == 5 and rows[1]["payload"]["until"]
    assert rows[3]["payload"]["must_change"] is True  # assigned by an administrator
    everything = json.dumps([r["payload"] for r in rows])
    for secret in ("Ass1gned!pw", "Res3t!pass", NEW_PW, PROCTOR_PW, "argon2"):
        assert secret not in everything
    with site_of(app).sitedb.read() as db:
        assert verify(journal.rows(db, limit=10_000), "0" * 64)[0]  # the chain holds
