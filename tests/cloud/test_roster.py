"""Rosters from CSV/Excel with photos: every row imported or listed with its reason."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cloudsync.cloud import roster_import

from .conftest import FACES, id_number


def test_rows_with_reasons(tmp_path: Path) -> None:
    photos = tmp_path / "p"
    photos.mkdir()
    (photos / "A1.jpg").write_bytes((FACES / "obama.jpg").read_bytes())
    (photos / "bad.jpg").write_bytes(b"GIF89a")
    good = id_number(1)
    rows = [
        ("考生名单",),
        ("准考证号", "姓名", "性别", "身份证号", "单位", "座位号", "照片"),
        ("A1", "张三", "男", good, "燃气公司", 1, ""),
        ("A2", "李四", "女", id_number(2), "", 2, "bad.jpg"),
        ("A3", "王五", "未知", id_number(3), "", 3, ""),
        ("A4", "赵六", "男", good[:-1] + ("0" if good[-1] != "0" else "1"), "", 4, ""),
        ("A1", "重复", "男", id_number(5), "", 5, ""),
        ("A6", "", "男", id_number(6), "", 6, ""),
        ("A7", "钱七", "M", id_number(7), "", "七", ""),
        ("A8", "孙八", "F", id_number(8), "", "", "../../etc/passwd"),
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    report = roster_import.read_roster(path, photos)
    assert [e["ticket"] for e in report.entries] == ["A1", "A2", "A8"]
    reasons = {e["row"]: e["reason"] for e in report.errors}
    assert "header" in reasons[1]
    assert "gender" in reasons[5] and "invalid ID" in reasons[6] and "duplicate" in reasons[7]
    assert "missing name" in reasons[8] and "seat" in reasons[9]
    warn = {w["ticket"]: w["reason"] for w in report.warnings}
    assert "not a JPEG" in warn["A2"] and "outside" in warn["A8"]
    assert report.entries[0]["photo"][:2] == b"\xff\xd8" and report.entries[0]["gender"] == "M"


def test_gbk_csv_and_missing_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(f"准考证号,姓名,性别,身份证号\nB1,周九,男,{id_number(9)}\n".encode("gb18030"))
    report = roster_import.read_roster(path)
    assert report.entries[0]["name"] == "周九" and "photo folder" in report.warnings[0]["reason"]
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(roster_import.RosterError, match="no header"):
        roster_import.read_roster(path)
