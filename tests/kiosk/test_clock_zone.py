"""Wall-clock times on the candidate page are the site's (UTC+8), whatever the terminal's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.live import LiveServer

from .conftest import UI_TIMEOUT_MS
from .terminal_page import log_in, on_screen, open_terminal, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHINA = timedelta(hours=8)


def seconds_apart(shown: str, want: datetime) -> float:
    """Seconds between a shown HH:MM:SS and a wall time, across midnight."""
    h, m, s = (int(x) for x in shown.split(":"))
    diff = abs(h * 3600 + m * 60 + s - (want.hour * 3600 + want.minute * 60 + want.second))
    return min(diff, 86400 - diff)


def test_a_terminal_in_another_zone_shows_the_servers_time(
    browser: Browser, exam_server: Any
) -> None:
    server: LiveServer = exam_server()
    st = server.staged  # type: ignore[attr-defined]
    # New York is 12 or 13 hours behind China: a terminal set to it must still show UTC+8.
    ctx = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="America/New_York"
    )
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    try:
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == (
            "America/New_York"
        )
        open_terminal(page, server, seat=2)
        page.wait_for_function(
            "/\\d\\d:\\d\\d:\\d\\d/.test(document.getElementById('waiting-clock').textContent)"
        )
        shown = page.text_content("#waiting-clock") or ""
        assert seconds_apart(shown, datetime.now(UTC) + CHINA) < 10, shown

        starts = datetime.fromisoformat(st["session"]["starts_at"]).astimezone(UTC) + CHINA
        starts_text = starts.strftime("%Y-%m-%d %H:%M:%S")
        assert starts_text in (page.text_content("#waiting-sessions") or "")

        log_in(page, st["roster"][1], st["password"])
        on_screen(page, "wait-start")
        facts = page.text_content("#wait-facts") or ""
        assert starts_text in facts
        shown = page.text_content("#wait-clock") or ""
        assert re.fullmatch(r"\d\d:\d\d:\d\d", shown)
        assert seconds_apart(shown, datetime.now(UTC) + CHINA) < 10, shown
        shot(page, "zone-01-new-york-terminal-shows-utc8")
    finally:
        ctx.close()
    assert not errors, f"script errors on the page: {errors}"
