"""Full-screen locks the proctor causes: temporary leave and its return, a seat transfer to another
terminal (moved lock on the old one, confirmation and the same answers on the new one), and a
proctor's message."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.live import LiveServer, wait_for

from .terminal_page import (
    Proctor,
    db_rows,
    log_in,
    on_screen,
    open_terminal,
    shot,
    stored_answers,
    to_exam,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def candidate_id(server: LiveServer, ticket: str) -> int:
    ((cid,),) = db_rows(server, "SELECT id FROM candidates WHERE ticket = ?", (ticket,))
    return int(cid)


def test_leave_transfer_and_message(page: Page, browser: Browser, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][0]
    to_exam(page, server, cand, seat=1)
    page.wait_for_selector("#q-grid button")
    page.keyboard.press("a")
    first_qid = page.get_attribute("#q-options", "data-qid")
    wait_for(lambda: stored_answers(server, cand["ticket"]))
    proctor = Proctor(server)
    cid = candidate_id(server, cand["ticket"])
    # Flag the third question: the flag is kept on the server, so it follows the transfer.
    page.click('#q-grid button[data-index="2"]')
    flagged_qid = page.get_attribute("#q-options", "data-qid")
    page.keyboard.press("m")
    wait_for(lambda: db_rows(server, "SELECT qid FROM flags WHERE candidate_id = ?", (cid,)))
    assert db_rows(server, "SELECT qid FROM flags WHERE candidate_id = ?", (cid,)) == [
        (flagged_qid,)
    ]
    page.click('#q-grid button[data-index="0"]')

    # A message from the proctor.
    assert proctor.act(
        "message", session_id=st["session"]["id"], text="请保持安静", candidate_id=cid
    )["ok"]
    page.wait_for_selector("#modal:not([hidden])")
    assert "请保持安静" in (page.text_content("#modal-body") or "")
    shot(page, "locks-01-message")
    page.keyboard.press("Enter")
    page.wait_for_selector("#modal", state="hidden")

    # Temporary leave: locked full-screen; keys do nothing behind the lock; back after the check.
    assert proctor.act("leave", candidate_id=cid, reason="如厕")["ok"]
    page.wait_for_selector('#lock[data-reason="away"]:not([hidden])')
    assert "暂时离开" in (page.text_content("#lock-title") or "")
    shot(page, "locks-02-away")
    page.keyboard.press("ArrowRight")
    assert proctor.act("come_back", candidate_id=cid, reason="已核验准考证和身份证")["ok"]
    page.wait_for_selector("#lock", state="hidden")
    on_screen(page, "exam")
    assert page.get_attribute("#q-options", "data-qid") == first_qid

    # Seat transfer: a second terminal (its own browser profile) takes over.
    ctx2 = browser.new_context(viewport={"width": 1366, "height": 768})
    ctx2.set_default_timeout(15_000)
    try:
        new = ctx2.new_page()
        open_terminal(new, server, seat=9)
        new_tid = new.evaluate("window.kiosk.terminalId")
        assert proctor.act("transfer", candidate_id=cid, terminal_id=new_tid, reason="键盘故障")[
            "ok"
        ]
        page.wait_for_selector('#lock[data-reason="moved"]:not([hidden])')
        shot(page, "locks-03-moved")
        on_screen(new, "transfer")
        assert cand["ticket"][-4:] in (new.text_content("#transfer-hint") or "")
        new.fill("#transfer-ticket", cand["ticket"])
        new.fill("#transfer-password", st["password"])
        shot(new, "locks-04-transfer-confirm")
        new.keyboard.press("Enter")
        on_screen(new, "exam")
        new.wait_for_selector("#q-grid button.answered")
        assert new.locator("#q-grid button.answered").count() == 1
        # The flag came along: the new terminal never saw it being set.
        flagged = new.eval_on_selector_all(
            "#q-grid button.flagged", "bs => bs.map(b => Number(b.textContent))"
        )
        assert flagged == [3]
        shot(new, "locks-06-transfer-flags-came-along")
        new.click('#q-grid button[data-index="2"]')
        assert new.get_attribute("#q-options", "data-qid") == flagged_qid
        assert new.get_attribute("#q-flag-btn", "aria-pressed") == "true"
        new.click('#q-grid button[data-index="0"]')
        new.keyboard.press("ArrowRight")
        new.keyboard.press("a")
        wait_for(lambda: len(stored_answers(server, cand["ticket"])) == 2)
        # The old terminal stays locked, also after a reload.
        page.reload()
        page.wait_for_selector('#lock[data-reason="moved"]:not([hidden])')
    finally:
        ctx2.close()


def test_dispute_then_confirm(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][2]
    open_terminal(page, server, seat=3)
    log_in(page, cand, st["password"], confirm=False)
    page.click("#confirm-wrong")
    page.wait_for_selector("#modal:not([hidden]) #dispute-note")
    page.fill("#dispute-note", "性别有误")
    shot(page, "dispute-01-report")
    page.click("#modal-actions button.danger")
    on_screen(page, "disputed")
    assert page.text_content('#disputed-identity dd[data-field="ticket"]') == cand["ticket"]
    shot(page, "dispute-02-waiting-for-proctor")
    ((note,),) = db_rows(
        server,
        "SELECT payload FROM journal WHERE kind = 'identity_disputed' AND candidate_ticket = ?",
        (cand["ticket"],),
    )
    assert "性别有误" in note

    proctor = Proctor(server)
    cid = candidate_id(server, cand["ticket"])
    assert proctor.act("resolve_dispute", candidate_id=cid, note="已现场登记")["ok"]
    page.click("#disputed-recheck")
    on_screen(page, "confirm")
    page.click("#confirm-ok")
    on_screen(page, "wait-start")


def test_a_disqualified_candidate_is_locked_out_for_good(page: Page, exam_server: Any) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    cand = st["roster"][2]
    to_exam(page, server, cand, seat=3)
    page.wait_for_selector("#q-grid button")
    page.keyboard.press("a")
    wait_for(lambda: stored_answers(server, cand["ticket"]))
    proctor = Proctor(server)
    cid = candidate_id(server, cand["ticket"])
    out = proctor.act(
        "violation", candidate_id=cid, category=5, handling="disqualify", conduct="使用手机查阅答案"
    )
    assert out["ok"], out
    page.wait_for_selector('#lock[data-reason="disqualified"]:not([hidden])')
    shot(page, "locks-05-disqualified")
    page.keyboard.press("b")  # keys do nothing behind the lock
    page.reload()
    page.wait_for_selector('#lock[data-reason="disqualified"]:not([hidden])')
    ((state, passed),) = db_rows(
        server, "SELECT state, passed FROM candidates WHERE id = ?", (cid,)
    )
    assert state == "disqualified" and not passed
