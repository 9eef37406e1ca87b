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


def test_compose_by_hand_from_the_listed_ids(tmp_path: Path, cloud_db_url: str) -> None:
    from cloudsync.cloud.db import Database
    from cloudsync.cloud.store import papers

    inst = tmp_path / "inst"
    run(["init-db"], inst, cloud_db_url)
    run(["import-bank", str(BANK)], inst, cloud_db_url)
    run(["import-qti", str(QTI_DIR / "WebDeveloperTest1.zip"), "--category", "网页"], inst,
        cloud_db_url)  # fmt: skip
    every = json.loads(run(["list-questions", "--json"], inst, cloud_db_url))
    assert len(every) == 18 and {q["qid"] for q in every} == {q["qid"] for q in every}
    lines = run(["list-questions"], inst, cloud_db_url).splitlines()
    assert lines[-1] == "共 18 题（18 questions）"  # the count goes to stderr, mixed in here
    qid, qtype, category, stem = lines[0].split("\t")
    assert qid.startswith("q-") and qtype in ("judge", "single", "multi") and category and stem
    qti = json.loads(run(["list-questions", "--bank", "qti", "--json"], inst, cloud_db_url))
    assert len(qti) == 7 and all(q["source"].startswith("qti:") for q in qti)
    assert {q["category"] for q in qti} == {"网页"}
    judges = json.loads(
        run(["list-questions", "--type", "judge", "--category", "燃气经营企业从业人员", "--json"],
            inst, cloud_db_url)
    )  # fmt: skip
    assert len(judges) == 3 and {q["type"] for q in judges} == {"judge"}
    excel = json.loads(run(["list-questions", "--bank", "excel", "--json"], inst, cloud_db_url))
    multi = next(q for q in excel if q["type"] == "multi")
    single = next(q for q in qti if q["type"] == "single")

    wanted = [judges[0]["qid"], single["qid"], multi["qid"]]
    base = ["compose-paper", "--paper-id", "P-HAND", "--title", "手工卷", "--subject", "燃气",
            "--pass-mark", "3"]  # fmt: skip
    by_qid = [a for q in wanted for a in ("--qid", q)]
    paper = json.loads(run([*base, *by_qid, "--score", "judge:1", "--score", "single:1",
                            "--score", "multi:2"], inst, cloud_db_url))  # fmt: skip
    assert paper == {"paper_id": "P-HAND", "title": "手工卷", "total_score": 4, "pass_mark": 3,
                     "questions": 3}  # fmt: skip
    db = Database(cloud_db_url)
    try:
        stored = papers.get(db, "P-HAND")
    finally:
        db.close()
    assert stored is not None
    assert [q["qid"] for q in stored["questions"]] == wanted  # exactly these, in this order
    assert [q["score"] for q in stored["questions"]] == [1, 1, 2]

    other = ["--paper-id", "P-BAD"]
    bad = [*base[:1], *other, *base[3:]]
    assert "not in the bank" in run([*bad, "--qid", "q-nope", "--score", "judge:1"], inst,
                                    cloud_db_url, ok=False)  # fmt: skip
    assert "chosen twice" in run([*bad, "--qid", wanted[0], "--qid", wanted[0], "--score",
                                  "judge:1"], inst, cloud_db_url, ok=False)  # fmt: skip
    assert "no score given for multi" in run([*bad, *by_qid, "--score", "judge:1", "--score",
                                              "single:1"], inst, cloud_db_url, ok=False)  # fmt: skip
    for malformed in ("multi", "multi:two", "essay:2"):
        out = run([*bad, "--qid", multi["qid"], "--score", malformed], inst, cloud_db_url, ok=False)
        assert "must be type:score" in out
    assert "give --part or --qid" in run([*bad], inst, cloud_db_url, ok=False)
