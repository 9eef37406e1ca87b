"""Excel question banks in the provincial layout: every row imported or listed with its reason."""

from __future__ import annotations

import pytest
from flask import Flask

from cloudsync.cloud import bank_excel, publication
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import questions

from .conftest import BANK, Clock


def test_sample_bank_every_row_accounted_for() -> None:
    report = bank_excel.read_workbook(BANK)
    assert len(report.questions) == 11
    assert [(e.sheet, e.row) for e in report.errors] == [("Sheet1", 13)]
    assert "E" in report.errors[0].reason and "not among the options" in report.errors[0].reason
    assert report.empty_sheets == ["Sheet2", "Sheet3"]
    # 12 data rows = 11 imported + 1 listed
    types = [q["type"] for q in report.questions]
    assert types.count("judge") == 3 and types.count("single") == 5 and types.count("multi") == 3
    q5 = next(q for q in report.questions if q["stem"].startswith("城镇燃气"))
    assert q5["options"][0] == {"id": "A", "text": "天然气、人工煤气和液化石油气"}
    q8 = next(q for q in report.questions if q["stem"].startswith("燃气泄漏报警器"))
    assert [o["id"] for o in q8["options"]] == ["A", "B", "C", "D"]
    assert all(not q["stem"][0].isdigit() for q in report.questions)


def test_import_stores_and_reimport_adds_nothing(app: Flask, clock: Clock) -> None:
    with app.app_context():
        db = get_db()
        first = publication.import_bank(db, BANK, clock())
        assert first.stored == 11
        again = publication.import_bank(db, BANK, clock())
        assert again.stored == 0 and len(again.duplicates) == 11
        assert sum(r["n"] for r in questions.counts(db)) == 11


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("**A.正确**B.错误", [("A", "正确"), ("B", "错误")]),
        ("**A、黄色**B、红色", [("A", "黄色"), ("B", "红色")]),
        ("**A天然气**B煤气", [("A", "天然气"), ("B", "煤气")]),
        ("A.关闭阀门##B.拨打电话", [("A", "关闭阀门"), ("B", "拨打电话")]),
        ("**A. 出示证件 **B. 检查软管 ", [("A", "出示证件"), ("B", "检查软管")]),
        ("**Ａ．全角**Ｂ．字母", [("A", "全角"), ("B", "字母")]),
    ],
)
def test_option_layouts(cell: str, expected: list[tuple[str, str]]) -> None:
    assert [(o["id"], o["text"]) for o in bank_excel.parse_options(cell)] == expected


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"type": "问答题"}, "unknown question type"),
        ({"stem": ""}, "question text is empty"),
        ({"options": "**A.甲**C.丙"}, "must run A, B, C"),
        ({"answer": "AB"}, "exactly one answer"),
        ({"answer": "X"}, "not among the options"),
        ({"answer": "甲"}, "must be option letters"),
        ({"type": "多选题", "answer": "A"}, "at least two keys"),
        ({"category": ""}, "category is empty"),
    ],
)
def test_bad_rows_have_reasons(row: dict[str, str], reason: str) -> None:
    base = {
        "category": "燃气",
        "type": "单选题",
        "stem": "1.题目",
        "options": "**A.甲**B.乙",
        "answer": "A",
    }
    with pytest.raises(ValueError, match=reason):
        bank_excel.parse_row(base | row)


def test_judge_words_and_default_options() -> None:
    q = bank_excel.parse_row(
        {"category": "燃气", "type": "判断题", "stem": "2、说法", "options": "", "answer": "错误"}
    )
    assert q["options"] == bank_excel.JUDGE_OPTIONS and q["answer"] == ["B"] and q["stem"] == "说法"


@pytest.mark.parametrize(
    ("stem", "kept"),
    [
        ("1.说法", "说法"),
        ("12、说法", "说法"),
        ("（3）．说法", "说法"),
        ("4. 说法", "说法"),
        (
            "0.4MPa以上的管道属于高压管道。",
            "0.4MPa以上的管道属于高压管道。",
        ),  # a decimal, no number
        ("2.5米以下", "2.5米以下"),
        ("1.0.4MPa以上", "0.4MPa以上"),  # numbered, then a decimal
        ("5、0.4MPa以上", "0.4MPa以上"),
        ("3.14是圆周率的近似值", "3.14是圆周率的近似值"),
    ],
)
def test_stem_numbering_stripped_but_not_decimals(stem: str, kept: str) -> None:
    q = bank_excel.parse_row(
        {"category": "燃气", "type": "判断题", "stem": stem, "options": "", "answer": "正确"}
    )
    assert q["stem"] == kept


@pytest.mark.parametrize(
    ("options", "answer", "key"),
    [
        ("", "正确", ["A"]),  # the default options: A 正确, B 错误
        ("", "×", ["B"]),
        ("**A.正确**B.错误", "错误", ["B"]),
        ("**A.错误**B.正确", "正确", ["B"]),  # the word follows the option, not a fixed letter
        ("**A.错误**B.正确", "错", ["A"]),
        ("**A.错**B.对", "正确", ["B"]),
        ("**A.错误**B.正确", "A", ["A"]),  # a letter stays a letter
    ],
)
def test_judge_word_answers_follow_the_option_order(
    options: str, answer: str, key: list[str]
) -> None:
    q = bank_excel.parse_row(
        {"category": "燃气", "type": "判断题", "stem": "说法", "options": options, "answer": answer}
    )
    assert q["answer"] == key


def test_judge_word_matching_no_option_is_refused() -> None:
    with pytest.raises(ValueError, match="matches no option"):
        bank_excel.parse_row(
            {"category": "燃气", "type": "判断题", "stem": "说法", "options": "**A.是**B.否",
             "answer": "正确"}
        )  # fmt: skip


def test_not_a_workbook_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bank.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(bank_excel.BankError, match="Excel"):
        bank_excel.read_workbook(bad)
