"""Browser fixtures for the candidate page: Debian's Chromium through Playwright, a fake camera,
the real site server (gevent subprocess) on 127.0.0.1, and helpers that walk the screens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.live import LiveServer, stage

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
#: Playwright's default wait for the page to react (the server and the page are both local).
UI_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, once per session."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium with a fake camera for the session (a launch costs a second or two)."""
    b = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (its own localStorage = its own terminal), terminal-sized."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught script error."""
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def exam_server(tmp_path: Path) -> Iterator[Any]:
    """Start the real server on a staged demo exam: `exam_server(**stage options)`."""
    started: list[LiveServer] = []

    def start(**options: Any) -> LiveServer:
        instance = tmp_path / f"instance{len(started)}"
        info = stage(instance, **options)
        info["instance"] = instance
        # A fast ping lets both ends notice a vanished peer within seconds.
        server = LiveServer(instance, env={"EXAMSITE_PING_INTERVAL_S": "2"}).start()
        server.staged = info  # type: ignore[attr-defined]
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.kill()
