"""Nothing lost: a network cut, a reload mid-exam and a server restart, in a real browser."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.live import LiveServer, wait_for

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


def into_exam(page: Page, server: LiveServer, seat: int) -> dict[str, Any]:
    """Log the seat's candidate in, start the exam, wait for the questions; returns the candidate."""
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][seat - 1]
    open_terminal(page, server, seat)
    log_in(page, cand, st["password"])
    on_screen(page, "wait-start")
    start_exam(server)
    on_screen(page, "exam")
    page.wait_for_selector("#q-grid button")
    return cand


def answer_first_option(page: Page) -> tuple[str, str]:
    """Choose option A of the current question; returns (qid, option id)."""
    qid = page.get_attribute("#q-options", "data-qid")
    page.keyboard.press("a")
    value = page.get_attribute("#q-options .option:nth-child(1) input", "value")
    assert qid and value
    return qid, value


def test_answers_survive_a_network_cut(
    page: Page, context: BrowserContext, exam_server: Any
) -> None:
    server: LiveServer = exam_server()
    cand = into_exam(page, server, seat=2)
    first = answer_first_option(page)
    page.wait_for_selector('#save-state[data-state="saved"]')

    context.set_offline(True)
    offline: dict[str, str] = {}
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        qid, value = answer_first_option(page)
        offline[qid] = value
    # Kept in the browser's storage until the server acknowledges them.
    page.wait_for_selector('#save-state[data-state="offline"]')
    queued = page.evaluate(
        "() => JSON.parse(localStorage.getItem(`kiosk.t.${window.kiosk.terminalId}.queue`))"
    )
    assert {e["qid"] for e in queued} == set(offline)
    assert stored_answers(server, cand["ticket"]) == {first[0]: [first[1]]}
    shot(page, "offline-01-exam-offline")
    time.sleep(3)  # "a while": longer than the ping interval, so both ends notice the cut

    context.set_offline(False)
    page.wait_for_selector('#save-state[data-state="saved"]', timeout=30_000)
    assert page.evaluate("window.kiosk.pending") == 0
    want = {first[0]: [first[1]], **{q: [v] for q, v in offline.items()}}
    assert stored_answers(server, cand["ticket"]) == want


def test_reload_resumes_at_the_same_question(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    cand = into_exam(page, server, seat=3)
    chosen = dict([answer_first_option(page)])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    chosen.update([answer_first_option(page)])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("m")
    qid_here = page.get_attribute("#q-options", "data-qid")
    number_here = page.text_content("#q-number")
    page.wait_for_selector('#save-state[data-state="saved"]')

    page.reload()
    on_screen(page, "exam")
    page.wait_for_selector("#q-grid button.answered")
    assert page.get_attribute("#q-options", "data-qid") == qid_here
    assert page.text_content("#q-number") == number_here == "第 5 题 / 共 9 题"
    assert page.get_attribute("#q-flag-btn", "aria-pressed") == "true"
    answered = page.eval_on_selector_all(
        "#q-grid button.answered", "bs => bs.map(b => Number(b.textContent))"
    )
    assert answered == [1, 3]
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    assert page.text_content("#q-number") == "第 3 题 / 共 9 题"
    assert page.locator("#q-options .option.chosen").count() == 1
    shot(page, "reload-01-resumed")
    assert stored_answers(server, cand["ticket"]) == {q: [v] for q, v in chosen.items()}


def test_server_restart_shows_the_lock_and_resumes(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    open_terminal(page, server, seat=4)
    log_in(page, st["roster"][3], st["password"])
    on_screen(page, "wait-start")

    server.kill()
    page.wait_for_selector('#lock[data-reason="unreachable"]:not([hidden])', timeout=30_000)
    assert "请勿关闭" in page.text_content("#lock-message")
    shot(page, "lock-01-unreachable")

    restarted = LiveServer(server.instance, port=server.port, env=server.env).start()
    try:
        restarted.staged = st  # type: ignore[attr-defined]
        page.wait_for_selector("#lock", state="hidden", timeout=30_000)
        on_screen(page, "wait-start")
        start_exam(restarted)
        on_screen(page, "exam")
        wait_for(lambda: page.locator("#q-grid button").count() == 9)
    finally:
        restarted.kill()


def test_a_reload_while_the_server_is_down_shows_the_page_not_a_browser_error(
    page: Page, exam_server: Any
) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    open_terminal(page, server, seat=5)
    log_in(page, st["roster"][4], st["password"])
    on_screen(page, "wait-start")
    # the offline shell is installed and controls the page
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")

    server.kill()
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector('#lock[data-reason="unreachable"]:not([hidden])', timeout=30_000)
    assert "请勿关闭" in page.text_content("#lock-message")
    shot(page, "lock-02-unreachable-after-reload")

    restarted = LiveServer(server.instance, port=server.port, env=server.env).start()
    try:
        restarted.staged = st  # type: ignore[attr-defined]
        page.wait_for_selector("#lock", state="hidden", timeout=30_000)
        on_screen(page, "wait-start")  # the same candidate, resumed from the stored token
    finally:
        restarted.kill()


def test_server_killed_mid_exam_with_answers_still_queued(
    page: Page, context: BrowserContext, exam_server: Any
) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    cand = into_exam(page, server, seat=1)
    first = answer_first_option(page)
    page.wait_for_selector('#save-state[data-state="saved"]')

    # Offline first, so that no acknowledgement can arrive; answer and flag; then the server dies.
    context.set_offline(True)
    queued: dict[str, str] = {}
    for _ in range(2):
        page.keyboard.press("ArrowRight")
        qid, value = answer_first_option(page)
        queued[qid] = value
    page.keyboard.press("m")
    flagged_qid = page.get_attribute("#q-options", "data-qid")
    page.wait_for_selector('#save-state[data-state="offline"]')
    server.kill()
    context.set_offline(False)  # the network is back, the server is not

    page.wait_for_selector('#lock[data-reason="unreachable"]:not([hidden])', timeout=40_000)
    assert "请勿关闭" in (page.text_content("#lock-message") or "")
    assert "2 条" in (page.text_content("#lock-queue") or "")
    assert page.is_visible("#lock-action")  # 继续作答（答案暂存本机）
    assert page.evaluate("window.kiosk.pending") == 2
    assert stored_answers(server, cand["ticket"]) == {first[0]: [first[1]]}
    shot(page, "lock-03-unreachable-during-exam")

    restarted = LiveServer(server.instance, port=server.port, env=server.env).start()
    try:
        restarted.staged = st  # type: ignore[attr-defined]
        page.wait_for_selector("#lock", state="hidden", timeout=30_000)
        page.wait_for_selector('#save-state[data-state="saved"]', timeout=30_000)
        assert page.evaluate("window.kiosk.pending") == 0
        want = {first[0]: [first[1]], **{q: [v] for q, v in queued.items()}}
        assert stored_answers(restarted, cand["ticket"]) == want
        # The flag made offline reached the server too.
        wait_for(
            lambda: (
                db_rows(
                    restarted,
                    "SELECT f.qid FROM flags f JOIN candidates c ON c.id = f.candidate_id"
                    " WHERE c.ticket = ?",
                    (cand["ticket"],),
                )
                == [(flagged_qid,)]
            )
        )
        on_screen(page, "exam")
        shot(page, "lock-04-resumed-after-restart")
    finally:
        restarted.kill()
