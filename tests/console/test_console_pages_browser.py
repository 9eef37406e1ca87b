"""The console pages the exam-day flow does not open, in Chromium against the real server: each
renders its key element, and a screenshot of it goes to artifacts/screenshots/console/.

Captures, pre-flight, accounts (creating an account whose assigned password must be changed),
the password change, the room display and the cloud sync page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from examsite.app import create_app, site_of
from examsite.console.accounts import create_user
from tests.console.test_console_browser import _launch, shot
from tests.live import LiveServer, stage

ADMIN_PW = "Adm1n!pass"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        yield _launch(pw)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, dict]]:
    instance = tmp_path / "instance"
    info = stage(instance, check_in=4)
    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    create_user(site_of(app).sitedb, "admin", "管理员", "admin", ADMIN_PW)
    site_of(app).sitedb.close()
    live = LiveServer(instance).start()
    try:
        yield live, info
    finally:
        live.kill()


def test_every_other_console_page(chromium: Browser, server: tuple[LiveServer, dict]) -> None:
    live, info = server
    ctx = chromium.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)
    page = ctx.new_page()
    try:
        page.goto(live.url + "/console/login")
        page.fill("#username", "admin")
        page.fill("#password", ADMIN_PW)
        page.click("#login-btn")
        expect(page.locator("#counts")).to_contain_text("应考")

        page.goto(live.url + "/console/captures")
        expect(page.locator("#no-captures")).to_be_visible()
        shot(page, "20-captures")

        page.goto(live.url + "/console/preflight")
        expect(page.locator("#preflight-summary")).to_contain_text("项未就绪")
        expect(page.locator("table.preflight")).to_contain_text("未配置身份证读卡器")
        shot(page, "21-preflight")

        page.goto(live.url + "/console/users")
        form = page.locator("form:has(input[name=op][value=create])")
        form.locator("input[name=username]").fill("proctor2")
        form.locator("input[name=display_name]").fill("李监考")
        form.locator("select[name=role]").select_option("proctor")
        form.locator("input[name=password]").fill("Ass1gned!pw")
        form.locator("button").click()
        expect(page.locator("table.list")).to_contain_text("需修改初始密码")
        shot(page, "22-users")

        page.goto(live.url + "/console/display")
        expect(page.locator(".big-password")).to_have_text(info["password"])
        shot(page, "23-display")

        page.goto(live.url + "/console/sync")
        expect(page.locator("#sync-summary")).to_contain_text("未连接省平台")
        shot(page, "24-sync")

        # the new account: its first login leads to the password change
        other = chromium.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        try:
            p2 = other.new_page()
            p2.goto(live.url + "/console/login")
            p2.fill("#username", "proctor2")
            p2.fill("#password", "Ass1gned!pw")
            p2.click("#login-btn")
            expect(p2.locator("#must-change")).to_be_visible()
            expect(p2.locator("header nav a")).to_have_count(0)  # nothing else until changed
            shot(p2, "25-password-forced")
            p2.fill("#current", "Ass1gned!pw")
            p2.fill("#new", "Mine#2026pw")
            p2.fill("#again", "Mine#2026pw")
            p2.click("#password-btn")
            expect(p2.locator("#password-ok")).to_contain_text("密码已修改")
            p2.goto(live.url + "/console/")
            expect(p2.locator("#counts")).to_contain_text("应考")
        finally:
            other.close()
    finally:
        ctx.close()
