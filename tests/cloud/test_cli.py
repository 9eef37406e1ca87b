"""The examcloud command line, end to end on a fresh instance (SQLite and MariaDB)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudsync.cloud.cli import cli, main

from .conftest import BANK, QTI_DIR, write_roster


def run(args: list[str], instance: Path, db: str, ok: bool = True) -> str:
    from cloudsync.cloud.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)
    result = CliRunner().invoke(cli, ["--instance", str(instance), "--database", db, *args],
                                env={"EXAMCLOUD_ADMIN_PASSWORD": "pass-word-1"})  # fmt: skip
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_publish_by_cli(tmp_path: Path, cloud_db_url: str) -> None:
    inst = tmp_path / "inst"
    assert "database ready" in run(["init-db"], inst, cloud_db_url)
    run(["create-admin", "admin"], inst, cloud_db_url)
    site = json.loads(run(["register-site", "SITE-A", "--name", "一号考点"], inst, cloud_db_url))
    assert len(site["secret"]) == 64 and site["cloud_public_key"]
    bank = json.loads(run(["import-bank", str(BANK)], inst, cloud_db_url))
    assert bank["stored"] == 11 and bank["errors"][0]["row"] == 13
    qti = json.loads(
        run(
            ["import-qti", str(QTI_DIR / "WebDeveloperTest1.zip"), "--category", "网页"],
            inst,
            cloud_db_url,
        )
    )
    assert qti["stored"] == 7
    out = run(
        ["import-qti", str(QTI_DIR / "ZipSlip.zip"), "--category", "网页"],
        inst,
        cloud_db_url,
        ok=False,
    )
    assert "path" in out or "越出" in out
    paper = json.loads(run(["compose-paper", "--paper-id", "P1", "--title", "燃气", "--subject", "燃气经营企业从业人员",
        "--pass-mark", "6", "--part", "judge:2:1:燃气经营企业从业人员", "--part", "single:3:1", "--part", "multi:2:2", "--seed", "7"], inst, cloud_db_url))  # fmt: skip
    assert paper == {
        "paper_id": "P1",
        "title": "燃气",
        "total_score": 9,
        "pass_mark": 6,
        "questions": 7,
    }
    short = run(
        [
            "compose-paper",
            "--paper-id",
            "P2",
            "--title",
            "t",
            "--subject",
            "s",
            "--part",
            "judge:50:1",
        ],
        inst,
        cloud_db_url,
        ok=False,
    )
    assert "import more" in short
    roster, photos = write_roster(tmp_path)
    plan = json.loads(run(["create-plan", "--plan-id", "PLAN-1", "--site", "SITE-A", "--room", "第1考场",
        "--starts-at", "2030-01-01T09:00+08:00", "--paper", "P1", "--roster", str(roster), "--photos", str(photos)], inst, cloud_db_url))  # fmt: skip
    assert plan["starts_at"] == "2030-01-01T01:00:00Z" and plan["roster"]["imported"] == 3
    assert plan["roster"]["with_photo"] == 3
    assert "release code is published" in run(
        ["release-code", "PLAN-1"], inst, cloud_db_url, ok=False
    )
    listed = json.loads(run(["list-plans", "--site", "SITE-A"], inst, cloud_db_url))
    assert [p["plan_id"] for p in listed] == ["PLAN-1"]
    out_file = tmp_path / "r.xlsx"
    run(["export", "PLAN-1", "-o", str(out_file)], inst, cloud_db_url)
    assert out_file.stat().st_size > 1000
    assert json.loads(run(["verify-chain", "SITE-A"], inst, cloud_db_url))["rows"] == 0


def test_help_lists_every_command() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
