"""Answers made offline before the end reach the server after it: kept, handed over, acknowledged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.live import LiveServer, wait_for

from .terminal_page import db_rows, on_screen, shot, stored_answers
from .test_resilience import answer_first_option, into_exam

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_offline_answers_that_arrive_after_the_end_are_handed_to_the_proctor(
    page: Page, context: BrowserContext, exam_server: Any
) -> None:
    # An exam of 30 seconds; the network is down when it ends.
    server: LiveServer = exam_server(duration_min=0.5, submit_after_min=0.05)
    cand = into_exam(page, server, seat=6)
    first = answer_first_option(page)
    page.wait_for_selector('#save-state[data-state="saved"]')

    context.set_offline(True)
    offline: dict[str, str] = {}
    for _ in range(2):
        page.keyboard.press("ArrowRight")
        qid, value = answer_first_option(page)
        offline[qid] = value
    page.wait_for_selector('#save-state[data-state="offline"]')
    queued = page.evaluate(
        "() => JSON.parse(localStorage.getItem(`kiosk.t.${window.kiosk.terminalId}.queue`))"
    )
    # Each change carries the page's estimate of the server time when it was made.
    assert all(isinstance(e["at_ms"], int) for e in queued)

    # The end passes while offline: the server collects the paper without these answers.
    wait_for(
        lambda: (
            db_rows(server, "SELECT state FROM candidates WHERE ticket = ?", (cand["ticket"],))
            == [("collected",)]
        ),
        timeout=60,
    )
    assert stored_answers(server, cand["ticket"]) == {first[0]: [first[1]]}

    context.set_offline(False)
    on_screen(page, "done", timeout_s=40)
    page.wait_for_selector("#done-late:not([hidden])")
    wait_for(lambda: "交给监考员处理" in (page.text_content("#done-late") or ""), timeout=30)
    assert "2 条" in (page.text_content("#done-late") or "")
    shot(page, "late-01-done-handed-over")
    left = page.evaluate(
        "() => [`queue`, `late`].map(k => JSON.parse(localStorage.getItem(`kiosk.t.${window.kiosk.terminalId}.${k}`) || '[]').length)"
    )
    assert left == [0, 0]
    kept = db_rows(
        server,
        "SELECT l.qid, l.value, l.before_end, l.status FROM late_answers l"
        " JOIN candidates c ON c.id = l.candidate_id WHERE c.ticket = ?",
        (cand["ticket"],),
    )
    assert {(q, json.loads(v)[0], b, s) for q, v, b, s in kept} == {
        (q, v, 1, "pending") for q, v in offline.items()
    }
    # On record, not scored: the stored answers are those that arrived in time.
    assert stored_answers(server, cand["ticket"]) == {first[0]: [first[1]]}
    assert db_rows(server, "SELECT COUNT(*) FROM journal WHERE kind = 'late_answers'")[0][0] >= 1
