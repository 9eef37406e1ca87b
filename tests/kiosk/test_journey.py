"""A candidate's whole journey in a real browser: waiting screen to hand-in, and the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.live import LiveServer

from .terminal_page import (
    db_rows,
    log_in,
    on_screen,
    open_terminal,
    shot,
    start_exam,
    stored_answers,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_full_exam_login_to_submit(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server(submit_after_min=0.2, duration_min=30)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][0]
    open_terminal(page, server, seat=1)
    assert page.text_content("#waiting-seat") == "1"
    assert page.text_content("#conn-text") == "已连接服务器"
    log_in(page, cand, st["password"], shots="journey")

    on_screen(page, "wait-start")
    page.wait_for_function("document.getElementById('wait-clock').textContent !== '--:--:--'")
    shot(page, "journey-06-wait-start")
    start_exam(server)

    on_screen(page, "exam")
    page.wait_for_selector("#q-grid button")
    n = page.locator("#q-grid button").count()
    assert n == 9
    assert page.is_disabled("#submit-btn")
    assert "方可交卷" in page.text_content("#submit-why")
    shot(page, "journey-07-exam-submit-locked")

    # Answer every question by keyboard: the first option of each, plus a second for multi.
    chosen: dict[str, list[str]] = {}
    for i in range(n):
        qtype = page.text_content("#q-type")
        qid = page.get_attribute("#q-options", "data-qid")
        assert qid
        page.keyboard.press("a")
        values = [page.get_attribute("#q-options .option:nth-child(1) input", "value")]
        if qtype == "多选题":
            page.keyboard.press("2")
            values.append(page.get_attribute("#q-options .option:nth-child(2) input", "value"))
            assert page.locator("#q-options input[type=checkbox]:checked").count() == 2
        else:
            assert page.locator("#q-options input[type=radio]:checked").count() == 1
        chosen[qid] = sorted(v for v in values if v)
        if i == 3:
            page.keyboard.press("m")  # flag one for the confirmation list
            assert page.get_attribute("#q-flag-btn", "aria-pressed") == "true"
        if i < n - 1:
            page.keyboard.press("ArrowRight")
    page.wait_for_selector('#save-state[data-state="saved"]')
    assert page.locator("#q-grid button.answered").count() == n
    assert page.locator("#q-grid button.flagged").count() == 1
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#q-number") == f"第 {n - 1} 题 / 共 {n} 题"
    shot(page, "journey-08-exam")

    page.wait_for_selector("#submit-btn:not([disabled])")
    page.click("#submit-btn")
    page.wait_for_selector("#modal:not([hidden])")
    assert "已回答全部 9 道题" in page.text_content("#modal-body")
    shot(page, "journey-09-submit-confirm")
    page.click("#modal-actions button.primary")

    on_screen(page, "done")
    assert page.text_content("#done-title") == "您已交卷"
    assert "9 / 9" in page.text_content("#done-facts")
    shot(page, "journey-10-done")

    assert stored_answers(server, cand["ticket"]) == chosen
    (state,) = db_rows(server, "SELECT state FROM candidates WHERE ticket = ?", (cand["ticket"],))
    assert state == ("submitted",)


def test_language_switch(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    open_terminal(page, server, seat=3)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.text_content("#to-login") == "考生登录"
    page.click("#lang-btn")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#to-login") == "Candidate login"
    assert page.text_content("#conn-text") == "Connected to the server"
    shot(page, "language-01-waiting-en")
    page.click("#to-login")
    on_screen(page, "login")
    assert page.text_content("#login-submit") == "Log in"
    # A refusal is shown in the chosen language (the server sends both).
    page.fill("#login-name", "无此人")
    page.fill("#login-ticket", "0000")
    page.wait_for_function("document.getElementById('captcha-img').src.startsWith('data:image')")
    page.fill("#login-captcha", "TEST")
    page.click("#login-submit")
    page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert "roster" in page.text_content("#login-error")
    shot(page, "language-02-login-en")
    # The choice is kept by the terminal across a reload.
    page.reload()
    page.wait_for_selector("#to-login:not([disabled])")
    assert page.text_content("#to-login") == "Candidate login"
    page.click("#lang-btn")
    assert page.text_content("#to-login") == "考生登录"
