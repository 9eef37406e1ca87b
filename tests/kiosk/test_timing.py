"""The submit rule and the automatic collection at the end, with an exam of seconds."""

from __future__ import annotations

import math
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.live import LiveServer, wait_for

from .terminal_page import (
    Proctor,
    db_rows,
    on_screen,
    shot,
    to_exam,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_submit_waits_for_its_time_and_the_paper_is_collected_at_the_end(
    page: Page, exam_server: Any
) -> None:
    # Submit opens 15 s after the start; the paper is collected 36 s after it.
    server: LiveServer = exam_server(submit_after_min=0.25, duration_min=0.6)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][4]
    to_exam(page, server, cand, seat=5)
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

    # it opens 15 s after the start, which came before the page reached the exam: a loaded CI
    # host once needed longer than Playwright's default 15 s wait
    page.wait_for_selector("#submit-btn:not([disabled])", timeout=30_000)
    assert page.text_content("#submit-why") == ""
    shot(page, "timing-02-submit-open")

    # The candidate does not submit: the server collects at the end and the page shows it.
    on_screen(page, "done", timeout_s=40)
    assert page.text_content("#done-title") == "考试时间到，系统已自动收卷"
    assert "1 / 9" in (page.text_content("#done-facts") or "")
    shot(page, "timing-03-collected")
    (state,) = db_rows(server, "SELECT state FROM candidates WHERE ticket = ?", (cand["ticket"],))
    assert state == ("collected",)


def exam_page(page: Page, server: LiveServer, seat: int) -> dict[str, Any]:
    """The seat's candidate logged in and answering; returns the candidate."""
    cand: dict[str, Any] = server.staged["roster"][seat - 1]  # type: ignore[attr-defined]
    to_exam(page, server, cand, seat)
    page.wait_for_selector("#q-grid button")
    return cand


def seconds_left(page: Page) -> int:
    """The remaining time the page shows, in seconds."""
    parts = [int(x) for x in (page.text_content("#timer-value") or "").split(":")]
    return sum(p * 60**i for i, p in enumerate(reversed(parts)))


def test_the_ten_minute_warning(page: Page, exam_server: Any) -> None:
    # 10 minutes and 6 seconds: the 10-minute warning comes a few seconds after the start.
    server: LiveServer = exam_server(duration_min=10.1)
    exam_page(page, server, seat=2)
    page.wait_for_selector("#exam-banner:not([hidden])", timeout=30_000)
    assert "10 分钟" in (page.text_content("#exam-banner") or "")
    assert page.get_attribute("#exam-banner", "data-level") == "warn"
    assert page.get_attribute("#exam-timer", "data-level") == "warn"
    assert "10 分钟" in (page.text_content("#toast") or "") and page.is_visible("#toast")
    assert 540 < seconds_left(page) <= 600
    shot(page, "timing-04-ten-minute-warning")


def test_the_warning_comes_again_after_an_extension(page: Page, exam_server: Any) -> None:
    # 4.5 minutes: the 5-minute warning is up from the start.
    server: LiveServer = exam_server(duration_min=4.5)
    cand = exam_page(page, server, seat=3)
    page.wait_for_selector("#exam-banner:not([hidden])")
    assert "5 分钟" in (page.text_content("#exam-banner") or "")

    # The proctor extends the time to just above 5 minutes: the warning is armed again.
    left = seconds_left(page)
    minutes = math.ceil((300 - left + 10) / 60)
    ((cid,),) = db_rows(server, "SELECT id FROM candidates WHERE ticket = ?", (cand["ticket"],))
    out = Proctor(server).act("extend", candidate_id=cid, minutes=minutes, reason="终端故障补时")
    assert out["ok"], out
    wait_for(lambda: seconds_left(page) > 300)
    # Above 5 minutes, still below 10: the banner says 10 minutes, the timer is orange.
    page.wait_for_function("document.getElementById('exam-banner').textContent.includes('10 分钟')")
    assert page.get_attribute("#exam-timer", "data-level") == "warn"
    shot(page, "timing-05-extended-above-five-minutes")

    # Below 5 minutes again: the 5-minute warning fires a second time.
    page.wait_for_function(
        "document.getElementById('exam-banner').textContent.includes('5 分钟')",
        timeout=(seconds_left(page) - 300 + 30) * 1000,
    )
    assert page.get_attribute("#exam-banner", "data-level") == "danger"
    assert page.get_attribute("#exam-timer", "data-level") == "danger"
    assert "5 分钟" in (page.text_content("#toast") or "") and page.is_visible("#toast")
    assert seconds_left(page) <= 300
    shot(page, "timing-06-five-minute-warning-again")
