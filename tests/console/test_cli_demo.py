"""Console commands of `examsite` and the demo's simulated reader, as a user runs them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from flask import Flask

from devices.idcard.simulator import send_command
from examsite.app import site_of
from examsite.console import demo_setup
from tests.console.conftest import Console
from tests.live import ROOT


def run(instance: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "examsite.cli", "--instance", str(instance), *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_first_admin_from_the_cli_then_archive_and_verify(instance: Path, tmp_path: Path) -> None:
    weak = run(
        instance,
        "create-user",
        "--role",
        "admin",
        "--username",
        "boss",
        "--password-stdin",
        stdin="password\n",
    )
    assert weak.returncode == 1 and "特殊符号" in weak.stderr
    made = run(
        instance,
        "create-user",
        "--role",
        "admin",
        "--username",
        "boss",
        "--name",
        "考点管理员",
        "--password-stdin",
        stdin="B0ss!secret\n",
    )
    assert made.returncode == 0, made.stderr
    db = sqlite3.connect(instance / "examsite.sqlite3")
    on_record = db.execute(
        "SELECT actor, payload FROM journal WHERE kind = 'account_created'"
    ).fetchall()
    db.close()
    assert [(a, json.loads(p)["username"]) for a, p in on_record] == [("cli", "boss")]
    session_id = (instance / "staged.txt").read_text()
    out = tmp_path / "a.zip"
    assert run(instance, "archive", "--session", session_id, "--out", str(out)).returncode == 0
    ok = run(instance, "verify-archive", str(out))
    assert ok.returncode == 0 and "archive intact" in ok.stdout
    out.write_bytes(out.read_bytes()[:-200])
    bad = run(instance, "verify-archive", str(out))
    assert bad.returncode == 1 and bad.stderr
    missing = run(instance, "archive", "--session", "NOPE")
    assert missing.returncode == 1 and "不存在" in missing.stderr
    pdf = tmp_path / "r.pdf"
    assert (
        run(instance, "incident-record", "--session", session_id, "--out", str(pdf)).returncode == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    pre = run(instance, "preflight", "--json")
    assert pre.returncode == 1  # no reader, no camera configured: not ready
    assert {c["key"] for c in json.loads(pre.stdout)} >= {
        "idcard",
        "camera",
        "clock",
        "face_models",
    }


def test_demo_simulator_and_the_sim_card_button(
    app: Flask, proctor: Console, instance: Path, session_id: str
) -> None:
    devices, proc = demo_setup.start_simulator(instance)
    try:
        app.config["SIM_CONTROL"] = devices["control"]
        cand = demo_setup.face_candidate(site_of(app).exam, session_id)
        assert cand is not None
        page = proctor.client.get("/console/desk").get_data(as_text=True)
        assert "模拟刷卡" in page
        out = proctor.api("sim_card", candidate_id=cand["id"])
        assert out["ok"] and cand["name"] in out["reply"]
        status = json.loads(send_command(devices["control"], "status")[3:])
        assert status["card"]["id_number"] == cand["id_number"]
        assert demo_setup.read_devices(instance) == devices
    finally:
        demo_setup.stop_simulator(proc)


def test_console_settings_and_commands_are_documented() -> None:
    from examsite.console.config import CONSOLE_SETTINGS

    doc = (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
    assert not [s.name for s in CONSOLE_SETTINGS if f"`{s.name}`" not in doc]
    for command in (
        "create-user",
        "archive",
        "verify-archive",
        "preflight",
        "incident-record",
        "sim-card",
    ):
        assert f"`{command}" in doc
