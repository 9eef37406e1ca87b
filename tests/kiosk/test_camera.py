"""Captures from the terminal camera (Chromium's fake device), a terminal without a camera, and
leaving-the-page reports, all checked in the server's database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from tests.live import LiveServer, wait_for

from .conftest import CHROMIUM_ARGS
from .terminal_page import (
    db_rows,
    on_screen,
    shot,
    stored_answers,
    to_exam,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_fake_camera_capture_is_stored(page: Page, exam_server: Any) -> None:
    # Three captures planned within a 30-second exam: the first comes within seconds.
    server: LiveServer = exam_server(captures=3, duration_min=0.5)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][5 - 1]
    to_exam(page, server, cand, seat=5)
    page.wait_for_selector('.camera-card[data-status="ok"]')
    assert page.text_content("#camera-state") == "摄像头正常"

    rows = wait_for(
        lambda: db_rows(
            server,
            "SELECT p.image FROM captures p JOIN candidates c ON c.id = p.candidate_id"
            " WHERE c.ticket = ? AND p.image IS NOT NULL",
            (cand["ticket"],),
        ),
        timeout=40,
        interval=0.5,
    )
    image = rows[0][0]
    assert image[:3] == b"\xff\xd8\xff"
    assert 1000 < len(image) <= 512 * 1024
    shot(page, "camera-01-exam-with-camera")
    (camera,) = db_rows(
        server, "SELECT camera FROM terminals WHERE seat = ? AND camera IS NOT NULL", (5,)
    )
    assert camera == ("ok",)

    # Leaving the page is reported and journaled for the proctor.
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    wait_for(
        lambda: db_rows(
            server,
            "SELECT 1 FROM journal WHERE kind = 'page_blur' AND candidate_ticket = ?",
            (cand["ticket"],),
        )
    )


def test_a_capture_asked_for_before_a_reload_is_taken_after_it(
    page: Page, exam_server: Any
) -> None:
    server: LiveServer = exam_server(duration_min=5)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][2]
    to_exam(page, server, cand, seat=3)
    # The server asked for a still and the page went away before it could send one (a reload,
    # a restarted terminal): the request is on record, the image is not.
    path = server.instance / "examsite.sqlite3"
    with closing(sqlite3.connect(path, timeout=10)) as db, db:
        db.execute(
            "INSERT INTO captures (request_id, candidate_id, due_at, requested_at)"
            " SELECT 'CAP-RELOAD', id, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'"
            " FROM candidates WHERE ticket = ?",
            (cand["ticket"],),
        )
    page.reload()
    on_screen(page, "exam")
    rows = wait_for(
        lambda: db_rows(
            server,
            "SELECT image FROM captures WHERE request_id = 'CAP-RELOAD' AND image IS NOT NULL",
        ),
        timeout=30,
        interval=0.5,
    )
    assert rows[0][0][:3] == b"\xff\xd8\xff"


def test_terminal_without_camera_reports_it_and_still_answers(
    playwright: Playwright, exam_server: Any
) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][1]
    # A browser with no fake device: Chromium finds no camera at all, as on a terminal without one.
    no_camera = [a for a in CHROMIUM_ARGS if "media-stream" not in a]
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=no_camera
    )
    try:
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        to_exam(page, server, cand, seat=2)
        page.wait_for_selector(
            '.camera-card[data-status="missing"], .camera-card[data-status="denied"]'
        )
        page.keyboard.press("a")
        assert page.locator("#q-grid button.answered").count() == 1
        wait_for(lambda: stored_answers(server, cand["ticket"]))
        shot(page, "camera-02-no-camera")
    finally:
        browser.close()
    kinds = db_rows(
        server,
        "SELECT payload FROM journal WHERE kind = 'camera_missing' AND candidate_ticket = ?",
        (cand["ticket"],),
    )
    assert kinds, "the missing camera is journaled for the proctor"
    (camera,) = db_rows(server, "SELECT camera FROM terminals WHERE seat = 2")
    assert camera[0] in ("missing", "denied")
