"""The submit rule and the automatic collection at the end, with an exam of seconds."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.live import LiveServer

from .terminal_page import db_rows, log_in, on_screen, open_terminal, shot, start_exam

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_submit_waits_for_its_time_and_the_paper_is_collected_at_the_end(
    page: Page, exam_server: Any
) -> None:
    # Submit opens 15 s after the start; the paper is collected 36 s after it.
    server: LiveServer = exam_server(submit_after_min=0.25, duration_min=0.6)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][4]
    open_terminal(page, server, seat=5)
    log_in(page, cand, st["password"])
    on_screen(page, "wait-start")
    start_exam(server)
    on_screen(page, "exam")
    page.wait_for_selector("#q-grid button")

    # Before the submit time: disabled, with the reason and the time still to wait.
    assert page.is_disabled("#submit-btn")
    why = page.text_content("#submit-why") or ""
    assert "开考" in why and "方可交卷" in why and "还需" in why
    # Less than 5 minutes left from the start: the 5-minute warning is up and the timer is red.
    page.wait_for_selector("#exam-banner:not([hidden])")
    assert "5 分钟" in (page.text_content("#exam-banner") or "")
    assert page.get_attribute("#exam-timer", "data-level") == "danger"
    shot(page, "timing-01-submit-locked-warning")
    page.keyboard.press("b")

    page.wait_for_selector("#submit-btn:not([disabled])")
    assert page.text_content("#submit-why") == ""
    shot(page, "timing-02-submit-open")

    # The candidate does not submit: the server collects at the end and the page shows it.
    on_screen(page, "done", timeout_s=40)
    assert page.text_content("#done-title") == "考试时间到，系统已自动收卷"
    assert "1 / 9" in (page.text_content("#done-facts") or "")
    shot(page, "timing-03-collected")
    (state,) = db_rows(server, "SELECT state FROM candidates WHERE ticket = ?", (cand["ticket"],))
    assert state == ("collected",)
