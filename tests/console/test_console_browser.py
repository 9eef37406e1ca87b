"""The supervisor console in Chromium against the real server (gevent subprocess), a simulated ID
reader on a TCP socket, an image-folder camera, the dlib face pool, and python-socketio terminals.

The issue's flow: log in, check in through the reader and camera, start, watch seats change as a
terminal answers, transfer (old terminal locked, time credited), record a violation (terminal
locked), end, download the incident PDF and the archive and verify it. Screenshots go to
artifacts/screenshots/console/.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from devices.idcard.presets import PRESETS
from devices.idcard.simulator import SimulatedReader
from examsite import archive
from examsite.app import create_app, site_of
from examsite.console import demo_setup
from examsite.console.accounts import create_user
from examsite.exam.desk import identity_for
from tests.live import ROOT, LiveServer, Terminal, stage, wait_for

SHOTS = ROOT / "artifacts" / "screenshots" / "console"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Pr0ctor#pass"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        yield _launch(pw)


def _launch(pw: Playwright) -> Browser:
    return pw.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
    )


@pytest.fixture
def reader() -> Iterator[SimulatedReader]:
    """The simulated SAM reader speaking the real protocol on 127.0.0.1 (socket://)."""
    sim = SimulatedReader(tcp=("127.0.0.1", 0), use_pty=False).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def server(tmp_path: Path, reader: SimulatedReader) -> Iterator[tuple[LiveServer, dict]]:
    instance = tmp_path / "instance"
    info = stage(instance, check_in=4)
    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    exam = site_of(app).exam
    create_user(site_of(app).sitedb, "proctor1", "王监考", "proctor", PASSWORD)
    face = demo_setup.face_candidate(exam, info["session"]["id"])
    assert face is not None
    demo_setup.register_face(exam, face["id"])
    folder = demo_setup.camera_folder(instance / "camera")
    site_of(app).sitedb.close()
    live = LiveServer(
        instance,
        env={
            "EXAMSITE_IDCARD_READER": reader.tcp_url or "",
            "EXAMSITE_DESK_CAMERA": f"folder:{folder}",
        },
    ).start()
    info["face_candidate"] = face
    try:
        yield live, info
    finally:
        live.kill()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_exam_day_from_the_console(
    chromium: Browser, server: tuple[LiveServer, dict], reader: SimulatedReader, tmp_path: Path
) -> None:
    live, info = server
    roster, password = info["roster"], info["password"]
    ctx = chromium.new_context(
        viewport={"width": 1366, "height": 860}, locale="zh-CN", accept_downloads=True
    )
    ctx.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)  # pages follow pushes; a loaded CI machine is slower
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())
    terminals: list[Terminal] = []
    try:
        # -- log in (a wrong password first) ---------------------------------------------------
        page.goto(live.url + "/console/")
        page.fill("#username", "proctor1")
        page.fill("#password", "wrong-Pass1!")
        page.click("#login-btn")
        expect(page.locator("#login-error")).to_contain_text("用户名或密码错误")
        shot(page, "01-login")
        page.fill("#username", "proctor1")
        page.fill("#password", PASSWORD)
        page.click("#login-btn")
        expect(page.locator("#counts")).to_contain_text("应考")
        expect(page.locator("#live-dot")).to_have_class("dot on")

        # -- check-in desk: a stranger's card, then the candidate's card ------------------------
        page.goto(live.url + "/console/desk")
        reader.place(PRESETS["wang"])
        expect(page.locator("#desk-banner")).to_contain_text("不在今日考生名单中", timeout=30_000)
        reader.remove()
        face = info["face_candidate"]
        wait_for(lambda: reader.card.state()["card"] is None)
        page.wait_for_timeout(700)  # the reader service notices the lifted card
        reader.place(identity_for(face))
        expect(page.locator("#desk-banner")).to_contain_text("核验通过", timeout=30_000)
        expect(page.locator("#desk-banner")).to_contain_text(face["name"])
        expect(page.locator("#desk-facts")).to_contain_text("match")
        page.wait_for_function("document.getElementById('desk-still').naturalWidth > 0")
        shot(page, "02-desk-match")
        page.click("#btn-admit")
        # the roster row follows a push and a refresh: under load that can take longer than 5 s
        row = page.locator(f'tr[data-cid="{face["id"]}"] .st')
        expect(row).to_have_attribute("data-state", "checked_in", timeout=30_000)
        expect(row).to_have_text("已签到")
        expect(page.locator("#desk-decision")).to_contain_text("admitted", timeout=30_000)

        # -- terminals log in; the proctor starts from the control page --------------------------
        a, b = roster[0], face
        t1, t2, t9 = (
            Terminal(live.url, "T-1", 1),
            Terminal(live.url, "T-2", 2),
            Terminal(live.url, "T-9", 9),
        )
        terminals += [t1, t2, t9]
        for t in terminals:
            assert t.connect()["ok"]
        assert t1.through_to_confirm(a["name"], a["ticket"], password)["ok"]
        assert t2.through_to_confirm(b["name"], b["ticket"], password)["ok"]
        page.goto(live.url + "/console/control")
        expect(page.locator("#exam-password")).to_have_text(password)
        shot(page, "03-control")
        page.click("#btn-start")
        expect(page.locator("#control-state")).to_have_text("考试中")
        wait_for(lambda: any(e == "session" and d["state"] == "running" for e, d in t1.pushes))

        # -- the live room: seats change as a terminal answers, no reload ------------------------
        page.goto(live.url + "/console/")
        seat_a = page.locator(f'.seat[data-cid="{a["id"]}"]')
        expect(seat_a).to_contain_text("答题中")
        expect(seat_a.locator(".answered")).to_have_text("0/9")
        paper = t1.call("paper", {})
        for i, q in enumerate(paper["questions"][:3], start=1):
            assert t1.call("answer", {"seq": i, "qid": q["qid"], "value": [q["options"][0]["id"]]})[
                "ok"
            ]
        expect(seat_a.locator(".answered")).to_have_text("3/9")
        expect(page.locator('.count[data-count="answering"] b')).to_have_text("2")
        shot(page, "04-room-live")

        # -- transfer: old terminal locked at once, the candidate confirms on the new one -------
        seat_a.click()
        page.select_option("#p-terminal", "T-9")
        page.fill("#p-transfer-reason", "终端死机")
        page.click('button[data-act="transfer"]')
        expect(seat_a).to_contain_text("待确认转移")
        wait_for(lambda: any(e == "lock" and d["reason"] == "moved" for e, d in t1.pushes))
        wait_for(lambda: any(e == "transfer_pending" for e, _ in t9.pushes))
        q = paper["questions"][3]
        assert (
            t1.call("answer", {"seq": 4, "qid": q["qid"], "value": ["A"]})["code"]
            == "token_revoked"
        )
        page.wait_for_timeout(1200)  # downtime between the fault and the resume
        moved = t9.call("transfer_confirm", {"ticket": a["ticket"], "password": password})
        assert moved["ok"] and moved["stage"] == "exam"
        t9.token = moved["token"]
        expect(seat_a).to_contain_text("T-9")
        credited = page.evaluate(
            f"roomSnapshot().seats.filter(s => s.candidate_id === {a['id']})[0].added_s"
        )
        assert credited >= 1
        assert t9.call("paper", {})["answers"]  # every answer came along
        shot(page, "05-room-transfer")

        # -- violation with disqualification: the terminal locks ----------------------------------
        seat_b = page.locator(f'.seat[data-cid="{b["id"]}"]')
        seat_b.click()
        page.locator("summary", has_text="记录违纪").click()
        page.select_option("#p-category", "5")
        page.select_option("#p-handling", "disqualify")
        page.fill("#p-conduct", "考试中使用手机")
        page.click('button[data-act="violation"]')
        expect(seat_b).to_contain_text("取消资格")
        wait_for(lambda: any(e == "lock" and d["reason"] == "disqualified" for e, d in t2.pushes))
        shot(page, "06-room-violation")

        # -- end the exam ---------------------------------------------------------------------
        page.goto(live.url + "/console/control")
        page.click("#btn-end")
        expect(page.locator("#control-state")).to_have_text("已结束")
        wait_for(lambda: any(e == "collected" for e, _ in t9.pushes))

        # -- incident record: printable page and PDF ------------------------------------------
        page.goto(live.url + "/console/record")
        expect(page.locator("#record")).to_contain_text("T-9")
        expect(page.locator("#record")).to_contain_text("考试中使用手机")
        expect(page.locator("#record")).to_contain_text("确认转移")
        page.fill("#staff-proctors", "王监考")
        page.click("#staff-btn")
        expect(page.locator(".record-table")).to_contain_text("王监考")
        shot(page, "07-record")
        page.emulate_media(media="print")
        shot(page, "08-record-print")
        page.emulate_media(media="screen")
        with page.expect_download() as dl:
            page.click("#pdf-link")
        pdf = Path(dl.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")

        # -- archive: download, verify here, by the CLI and on the page ---------------------------
        page.goto(live.url + "/console/archive")
        with page.expect_download() as dl:
            page.click("#archive-link")
        zip_path = tmp_path / "archive.zip"
        dl.value.save_as(str(zip_path))
        result = archive.verify(zip_path)
        assert result.ok, result.problems
        cli = subprocess.run(
            [sys.executable, "-m", "examsite.cli", "verify-archive", str(zip_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert cli.returncode == 0 and "archive intact" in cli.stdout
        page.set_input_files("#archive-file", str(zip_path))
        page.click("#verify-btn")
        expect(page.locator("#verify-result")).to_contain_text("档案完整")
        shot(page, "09-archive")

        # -- the other pages, in English too ----------------------------------------------------
        page.goto(live.url + "/console/violations")
        expect(page.locator("#v-table")).to_contain_text("考试中使用手机")
        shot(page, "10-violations")
        page.goto(live.url + "/console/lang/en?next=/console/")
        expect(page.locator("header nav")).to_contain_text("Live room")
        shot(page, "11-room-english")
    finally:
        for t in terminals:
            t.close()
        ctx.close()
