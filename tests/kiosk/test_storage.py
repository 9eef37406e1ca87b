"""A browser that refuses to keep anything in localStorage: answers still go out, the page warns."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.live import LiveServer, wait_for

from .terminal_page import db_rows, shot, stored_answers
from .test_resilience import answer_first_option, into_exam

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What a full quota (or a site-data policy) looks like to the page.
BROKEN_STORAGE = """
Storage.prototype.setItem = function () {
  throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
};
"""


def test_answers_go_out_and_the_page_warns_when_storage_refuses_writes(
    page: Page, context: BrowserContext, exam_server: Any
) -> None:
    context.add_init_script(BROKEN_STORAGE)
    server: LiveServer = exam_server()
    cand = into_exam(page, server, seat=1)
    warning = page.locator("#storage-warning")
    assert warning.is_visible()
    assert "请勿刷新或关闭页面" in (warning.text_content() or "")
    assert page.evaluate("window.kiosk.storageBroken") is True

    chosen = dict([answer_first_option(page)])
    page.keyboard.press("ArrowRight")
    chosen.update([answer_first_option(page)])
    page.wait_for_selector('#save-state[data-state="saved"]')
    assert page.evaluate("window.kiosk.pending") == 0
    assert stored_answers(server, cand["ticket"]) == {q: [v] for q, v in chosen.items()}
    shot(page, "storage-01-unavailable-warning")

    # The proctor is told: journaled for the candidate, an alert on the seat.
    wait_for(
        lambda: (
            db_rows(
                server,
                "SELECT COUNT(*) FROM journal WHERE kind = 'storage_unavailable' AND candidate_ticket = ?",
                (cand["ticket"],),
            )[0][0]
            >= 1
        )
    )
