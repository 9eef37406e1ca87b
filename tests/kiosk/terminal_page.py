"""Walking the candidate page as a candidate would, screenshots, and reading the server's database."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.live import CAPTCHA, ROOT, LiveServer

SHOTS = ROOT / "artifacts" / "screenshots" / "kiosk"


def shot(page: Page, name: str) -> Path:
    """Save a screenshot as artifacts/screenshots/kiosk/<name>.png for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def on_screen(page: Page, screen: str, timeout_s: float | None = None) -> None:
    """Wait until the page shows `screen` (body[data-screen])."""
    page.wait_for_selector(
        f'body[data-screen="{screen}"]', timeout=None if timeout_s is None else timeout_s * 1000
    )


def open_terminal(page: Page, server: LiveServer, seat: int) -> None:
    """Load the page for a seat and wait until it is connected."""
    page.goto(f"{server.url}/?seat={seat}")
    page.wait_for_selector("#to-login:not([disabled])")


def log_in(
    page: Page, cand: dict[str, Any], password: str, shots: str | None = None, confirm: bool = True
) -> None:
    """Waiting screen → login → notice → password → identity (confirmed unless `confirm` is False)."""
    if shots:
        shot(page, f"{shots}-01-waiting")
    page.click("#to-login")
    on_screen(page, "login")
    page.fill("#login-name", cand["name"])
    page.fill("#login-ticket", cand["ticket"])
    page.wait_for_function("document.getElementById('captcha-img').src.startsWith('data:image')")
    page.fill("#login-captcha", CAPTCHA)
    if shots:
        shot(page, f"{shots}-02-login")
    page.click("#login-submit")
    on_screen(page, "notice")
    assert page.is_disabled("#notice-agree"), "the notice must be scrolled before acknowledging"
    if shots:
        shot(page, f"{shots}-03-notice")
    page.eval_on_selector("#notice-text", "e => { e.scrollTop = e.scrollHeight; }")
    page.wait_for_selector("#notice-agree:not([disabled])")
    page.check("#notice-agree")
    page.click("#notice-next")
    on_screen(page, "password")
    page.fill("#room-password", password)
    if shots:
        shot(page, f"{shots}-04-password")
    page.keyboard.press("Enter")
    on_screen(page, "confirm")
    page.wait_for_selector('#identity-box dd[data-field="ticket"]')
    assert page.text_content('#identity-box dd[data-field="ticket"]') == cand["ticket"]
    if shots:
        shot(page, f"{shots}-05-confirm")
    if confirm:
        page.click("#confirm-ok")


def to_exam(page: Page, server: LiveServer, cand: dict[str, Any], seat: int) -> None:
    """Open the terminal at `seat`, log `cand` in, start the exam, wait for the paper."""
    open_terminal(page, server, seat=seat)
    log_in(page, cand, server.staged["password"])  # type: ignore[attr-defined]
    on_screen(page, "wait-start")
    start_exam(server)
    on_screen(page, "exam")


def db_rows(server: LiveServer, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the server's SQLite file directly (read-only), as an auditor would."""
    path = server.instance / "examsite.sqlite3"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        return list(db.execute(sql, args))


def stored_answers(server: LiveServer, ticket: str) -> dict[str, list[str]]:
    """qid → chosen option ids stored on the server for a candidate."""
    rows = db_rows(
        server,
        "SELECT a.qid, a.value FROM answers a JOIN candidates c ON c.id = a.candidate_id"
        " WHERE c.ticket = ?",
        (ticket,),
    )
    return {qid: json.loads(v) for qid, v in rows if json.loads(v)}


def start_exam(server: LiveServer) -> None:
    """The technician's start command (another process); the server pushes `session`."""
    r = server.cli("start", "--session", server.staged["session"]["id"])  # type: ignore[attr-defined]
    assert r.returncode == 0, r.stderr


class Proctor:
    """A proctor using the supervisor console's HTTP API (the real accounts, CSRF and actions)."""

    PASSWORD = "Proctor#2026"

    def __init__(self, server: LiveServer):
        import re

        import requests

        create_account(server, self.PASSWORD)
        self.url = server.url
        self.http = requests.Session()
        page = self.http.get(f"{self.url}/console/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "the console login form carries a CSRF token"
        self.http.post(
            f"{self.url}/console/login",
            data={"username": "kiosktest", "password": self.PASSWORD, "csrf_token": token[1]},
            timeout=10,
        )
        room = self.http.get(f"{self.url}/console/", timeout=10).text
        meta = re.search(r'name="csrf-token" content="([^"]+)"', room)
        assert meta, "signed in to the console"
        self.csrf = meta[1]

    def act(self, action: str, **data: Any) -> dict[str, Any]:
        """One console action; returns its JSON answer."""
        r = self.http.post(
            f"{self.url}/console/api/{action}",
            json=data,
            headers={"X-CSRF-Token": self.csrf},
            timeout=10,
        )
        out: dict[str, Any] = r.json()
        return out


def create_account(server: LiveServer, password: str) -> None:
    """`examsite create-user --password-stdin` with the password on stdin."""
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-m",
            "examsite.cli",
            "--instance",
            str(server.instance),
            "create-user",
            "--role",
            "admin",
            "--username",
            "kiosktest",
            "--password-stdin",
        ],
        cwd=ROOT,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
