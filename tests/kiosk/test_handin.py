"""Handing in: the confirmation lists the unanswered questions (and jumps to them), and a session
that does not show scores shows the answered count on the done screen but no score."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.live import LiveServer

from .terminal_page import (
    db_rows,
    on_screen,
    shot,
    stored_answers,
    to_exam,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def listed(page: Page) -> list[int]:
    """The question numbers listed in the submit confirmation (unanswered first, then flagged)."""
    return page.eval_on_selector_all(
        "#modal-body .qlist button", "bs => bs.map(b => Number(b.textContent))"
    )


def test_confirmation_lists_the_unanswered_and_no_score_is_shown(
    page: Page, exam_server: Any
) -> None:
    server: LiveServer = exam_server(submit_after_min=0, show_score=0)
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][1]
    to_exam(page, server, cand, seat=2)
    page.wait_for_selector("#q-grid button")
    page.keyboard.press("a")  # question 1
    page.click('#q-grid button[data-index="2"]')
    page.keyboard.press("a")  # question 3
    page.wait_for_selector('#save-state[data-state="saved"]')

    page.wait_for_selector("#submit-btn:not([disabled])")
    page.click("#submit-btn")
    page.wait_for_selector("#modal:not([hidden]) .qlist")
    assert "您还有 7 道题未作答（共 9 题）" in (page.text_content("#modal-body") or "")
    assert listed(page) == [2, 4, 5, 6, 7, 8, 9]
    shot(page, "handin-01-confirm-unanswered")

    # A number in the list goes to that question; answer it and hand in.
    page.click('#modal-body .qlist button:text-is("4")')
    page.wait_for_selector("#modal", state="hidden")
    assert page.text_content("#q-number") == "第 4 题 / 共 9 题"
    page.keyboard.press("a")
    page.wait_for_selector('#save-state[data-state="saved"]')
    page.click("#submit-btn")
    page.wait_for_selector("#modal:not([hidden]) .qlist")
    assert listed(page) == [2, 5, 6, 7, 8, 9]
    page.click("#modal-actions button.primary")

    # show_score = 0: the answered count, no score and no pass/fail.
    on_screen(page, "done")
    facts = page.text_content("#done-facts") or ""
    assert "3 / 9" in facts
    assert "成绩" not in facts and "合格" not in facts
    assert page.locator("#done-facts .passed, #done-facts .failed").count() == 0
    shot(page, "handin-02-done-without-score")
    assert len(stored_answers(server, cand["ticket"])) == 3
    ((state, score),) = db_rows(
        server, "SELECT state, score FROM candidates WHERE ticket = ?", (cand["ticket"],)
    )
    assert state == "submitted" and score is not None  # scored on the server, only not shown
