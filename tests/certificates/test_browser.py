"""The whole path in a real browser: approve, download the PDF, scan its QR, see it verified."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from cloudsync.cloud import create_app
from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.store import admins

from .conftest import PASSWORD, PLAN, Clock, seed_plan
from .scan import decode_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[str]:
    """The cloud app on SQLite served on 127.0.0.1 (ephemeral port); yields its base URL."""
    app: Flask = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE": "sqlite:///" + str(tmp_path / "cloud.sqlite"),
            "SECRET_KEY": "test",
            "CLOCK": clock,
        }
    )
    with app.app_context():
        init_db()
        admins.create(get_db(), "approver", PASSWORD, "operator")
        seed_plan(get_db())
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=10)
        srv.server_close()


@pytest.fixture
def page() -> Iterator[Page]:
    """A headless Chromium page (Debian's chromium)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(accept_downloads=True)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_approve_download_scan_verify(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{server}/certificates/plans/{PLAN}")
    page.fill("input[name=username]", "approver")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/certificates/plans/{PLAN}")

    void_row = page.locator("tr[data-ticket=T003]")
    assert "不能审批" in void_row.inner_text()
    assert void_row.locator("button.approve").count() == 0

    page.click("#bulk-approve")
    page.wait_for_load_state()
    assert "批量发证 2 本" in page.inner_text("main")
    assert "已发证" in page.locator("tr[data-ticket=T001]").inner_text()

    page.goto(f"{server}/certificates/")
    page.click("text=鲁燃GC2026000001")
    page.wait_for_selector("#pdf")
    with page.expect_download() as info:
        page.click("#pdf")
    pdf_path = tmp_path / "certificate.pdf"
    info.value.save_as(pdf_path)

    url = decode_pdf(pdf_path.read_bytes())
    assert url.startswith(f"{server}/verify/")

    public = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        visitor = public.new_page()
        visitor.goto(url)
        assert visitor.get_attribute("#status", "data-status") == "valid"
        assert "有效" in visitor.inner_text("#status")
        assert visitor.inner_text("#number") == "鲁燃GC2026000001"
        text = visitor.inner_text("main")
        assert "19850301" not in text and "济宁港华燃气有限公司" in text
        visitor.screenshot(path=str(tmp_path / "verify.png"))

        visitor.goto(url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB"))
        assert visitor.get_attribute("#status", "data-status") == "invalid"
        assert "签名无效" in visitor.inner_text("#error")

        # revoke as the administrator; the public page follows with a fixed text, and the
        # administrator's reason stays on the administrator's page
        page.fill("input[name=reason]", "本人申请注销")
        page.click("#revoke")
        page.wait_for_load_state()
        assert "本人申请注销" in page.inner_text("#reason")
        visitor.goto(url)
        assert visitor.get_attribute("#status", "data-status") == "revoked"
        assert "已由发证机关注销" in visitor.inner_text("#reason")
        assert "本人申请注销" not in visitor.inner_text("main")
    finally:
        public.close()

    # the header's logout button is a form with the hidden token too
    page.click("header form.logout button")
    page.wait_for_url("**/auth/login")
    page.goto(f"{server}/certificates/")
    assert "/auth/login" in page.url
