"""Administrators' pages: login with roles, plan report, Excel and CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from flask import Flask

from cloudsync.cloud import ingest, publication, reports
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import admins

from .conftest import World
from .journal_rows import exam_day, records
from .pages import log_in, page_token


def login(client: Any, app: Flask, role: str = "admin") -> None:
    with app.app_context():
        admins.create(get_db(), f"u-{role}", "secret-pass", role)
    log_in(client, f"u-{role}", "secret-pass")


def push_day(world: World) -> None:
    day = exam_day("PLAN-1", ["2026110001", "2026110002"])
    day.add("absent", "2026110003")
    recs = records(day.rows)
    n = len(recs)
    recs += [
        {"seq": n + 1, "kind": "result", "body": {"plan_id": "PLAN-1", "ticket": "2026110001",
         "status": "submitted", "score": 8, "passed": True, "answers": 3}},
        {"seq": n + 2, "kind": "result", "body": {"plan_id": "PLAN-1", "ticket": "2026110002",
         "status": "submitted", "score": 4, "passed": False, "answers": 3}},
        {"seq": n + 3, "kind": "capture", "body": {"capture_id": "c1", "plan_id": "PLAN-1",
         "ticket": "2026110002", "at": "2026-11-24T01:40:00Z", "flagged": True,
         "meta": {"reason": "face_mismatch", "distance": 0.82}}},
        {"seq": n + 4, "kind": "video", "body": {"segment_id": "v1", "plan_id": "PLAN-1", "meta": {"camera": "room1"}}},
    ]  # fmt: skip
    with world.app.app_context():
        ingest.ingest(get_db(), "SITE-A", {"site_id": "SITE-A", "records": recs}, world.clock())


def test_login_required_and_wrong_password(client: Any, app: Flask) -> None:
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        admins.create(get_db(), "boss", "right-password")
    token = page_token(client)
    resp = client.post(
        "/auth/login", data={"username": "boss", "password": "wrong", "csrf_token": token}
    )
    assert resp.status_code == 401 and "用户名或密码错误" in resp.get_data(as_text=True)
    resp = client.post(
        "/auth/login?next=//evil.example",
        data={"username": "boss", "password": "right-password", "csrf_token": token},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/")


def test_plan_report_and_exports(world: World, client: Any) -> None:
    login(client, world.app, "viewer")
    push_day(world)
    assert "PLAN-1" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/plans/PLAN-1").get_data(as_text=True)
    assert (
        "完好（intact）" in page and "缺考" in page and "不合格" in page and "偷看他人答卷" in page
    )
    report = client.get("/admin/plans/PLAN-1/report.json").get_json()
    assert report["counts"] == {"expected": 3, "present": 2, "absent": 1, "passed": 1, "failed": 1}
    assert [c["ticket"] for c in report["absentees"]] == ["2026110003"]
    assert len(report["violations"]) == 1 and len(report["flagged_captures"]) == 1
    assert report["chain"]["ok"] is True
    csv_text = client.get("/admin/plans/PLAN-1/export.csv").get_data().decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("座位号,准考证号,姓名")
    assert "2026110001" in csv_text and "合格" in csv_text
    xlsx = client.get("/admin/plans/PLAN-1/export.xlsx").get_data()
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["成绩", "违纪", "考场记录", "可疑抓拍", "校验"]
    assert wb["成绩"].max_row == 4
    assert client.get("/admin/plans/NOPE").status_code == 404


def test_tampered_chain_shows_on_report(world: World, client: Any) -> None:
    login(client, world.app)
    day = exam_day("PLAN-1", ["2026110001"])
    day.rows[3]["payload"]["choice"] = ["B"]
    with world.app.app_context():
        ingest.ingest(
            get_db(), "SITE-A", {"site_id": "SITE-A", "records": records(day.rows)}, world.clock()
        )
    page = client.get("/admin/plans/PLAN-1").get_data(as_text=True)
    assert "被篡改，首个异常序号 4" in page


def test_missing_journal_row_shows_on_report(world: World, client: Any) -> None:
    login(client, world.app)
    day = exam_day("PLAN-1", ["2026110001"])
    del day.rows[5]  # seq 6 deleted at the site
    with world.app.app_context():
        ingest.ingest(
            get_db(), "SITE-A", {"site_id": "SITE-A", "records": records(day.rows)}, world.clock()
        )
    page = client.get("/admin/plans/PLAN-1").get_data(as_text=True)
    assert "有缺失记录，缺失序号 6" in page and "其成绩不能批量发证" in page
    assert "完好（intact）" not in page
    xlsx = openpyxl.load_workbook(
        io.BytesIO(client.get("/admin/plans/PLAN-1/export.xlsx").get_data())
    )
    assert [c.value for c in xlsx["校验"]["A"]][0:1] == ["日志哈希链"]
    assert xlsx["校验"]["B1"].value == "有缺失记录" and xlsx["校验"]["B3"].value == "6"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("燃气公司", "燃气公司"),
        ("a=b", "a=b"),
        ("", ""),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        (8, 8),
        (-4, -4),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_neutralise_formula_cells(value: Any, cell: Any) -> None:
    assert reports.neutralise(value) == cell


def test_exports_neutralise_formulas_from_roster(world: World, client: Any, tmp_path: Any) -> None:
    from .conftest import id_number

    roster = tmp_path / "evil.csv"
    roster.write_text(
        "准考证号,姓名,性别,身份证号,单位,座位号\n"
        f'2026110001,"=HYPERLINK(""http://evil"",""x"")",男,{id_number(1)},@SUM(A1),1\n'
        f"2026110002,考生2,女,{id_number(2)},+cmd|' /C calc'!A0,2\n",
        encoding="utf-8",
    )
    with world.app.app_context():
        publication.import_roster(get_db(), "PLAN-1", roster, None)
    login(client, world.app, "viewer")
    push_day(world)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/admin/plans/PLAN-1/export.csv").get_data().decode("utf-8-sig"))
        )
    )
    assert rows[1][2] == '\'=HYPERLINK("http://evil","x")' and rows[1][4] == "'@SUM(A1)"
    assert rows[2][4] == "'+cmd|' /C calc'!A0" and float(rows[1][6]) == 8
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/admin/plans/PLAN-1/export.xlsx").get_data())
    )["成绩"]
    assert sheet["C2"].value == '\'=HYPERLINK("http://evil","x")' and sheet["C2"].data_type == "s"
    assert sheet["E2"].value == "'@SUM(A1)" and sheet["E3"].value == "'+cmd|' /C calc'!A0"
    assert sheet["G2"].value == 8 and sheet["G2"].data_type == "n"
