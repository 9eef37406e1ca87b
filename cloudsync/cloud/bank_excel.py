"""Question banks from Excel in the provincial layout (pure apart from reading the workbook).

Columns (found by their header's first characters, wherever they are): 作业种类 (category),
试题类型 (判断题/单选题/多选题), 题目内容 (stem, often numbered ``1.`` or ``1、``), 题目选项
(``**A.…**B.…``, ``**A、…``, ``**A…`` without a dot, or ``A.…##B.…``) and 题目答案 (``A``,
``ABC``; judge answers may also be 正确/错误/对/错/√/×, taken as the option that says the same,
whatever its letter). A stem's leading number is dropped, a leading decimal (``0.4MPa…``) kept. Every non-empty row is either returned
as a question or listed with its reason; empty rows and empty sheets are counted, never lost.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADERS = {
    "category": "作业种类",
    "type": "试题类型",
    "stem": "题目内容",
    "options": "题目选项",
    "answer": "题目答案",
}
TYPES = {"判断题": "judge", "判断": "judge", "单选题": "single", "单选": "single",
         "多选题": "multi", "多选": "multi"}  # fmt: skip
JUDGE_OPTIONS = [{"id": "A", "text": "正确"}, {"id": "B", "text": "错误"}]
JUDGE_WORDS = {
    "正确": "A",
    "对": "A",
    "√": "A",
    "T": "A",
    "错误": "B",
    "错": "B",
    "×": "B",
    "F": "B",
}

# A stem's own number: ``1.``, ``1、``, ``（1）．``. An ASCII dot followed by a digit is taken as a
# decimal point (``0.4MPa以上…`` keeps its number) unless a decimal number follows (``1.0.4MPa``).
_NUMBERING = re.compile(r"^\s*[（(]?\d+\s*[)）]?\s*(?:[、．]|\.(?!\d)|\.(?=\d+\.\d))\s*")
_OPTION = re.compile(r"^\s*([A-Za-zＡ-Ｚ])\s*[.、．:：]?\s*(.*)$", re.S)


@dataclass
class RowError:
    """A row that was not imported and why."""

    sheet: str
    row: int
    reason: str
    content: str = ""


@dataclass
class BankReport:
    """What an import did: questions found, rows refused with reasons, rows/sheets skipped empty."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    empty_rows: int = 0
    empty_sheets: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    stored: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (questions counted, errors listed)."""
        return {
            "found": len(self.questions),
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": [e.__dict__ for e in self.errors],
            "empty_rows": self.empty_rows,
            "empty_sheets": self.empty_sheets,
        }


class BankError(ValueError):
    """The workbook as a whole cannot be read (not Excel, no recognizable header)."""


def _clean(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def question_id(category: str, qtype: str, stem: str, options: Sequence[dict[str, str]]) -> str:
    """A stable id from a question's content, so importing the same bank twice adds nothing."""
    basis = "\n".join([category, qtype, stem, *(o["id"] + o["text"] for o in options)])
    return "q-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def parse_options(text: str) -> list[dict[str, str]]:
    """Split an options cell into ``[{"id": "A", "text": …}, …]``; raise ValueError if unusable."""
    parts = text.split("**") if "**" in text else text.split("##")
    parts = [p for p in (p.strip() for p in parts) if p]
    options: list[dict[str, str]] = []
    for part in parts:
        m = _OPTION.match(part)
        if not m:
            raise ValueError(f"选项“{part}”缺少字母编号（option {part!r} has no letter）")
        letter = m.group(1).upper()
        if "Ａ" <= letter <= "Ｚ":
            letter = chr(ord(letter) - ord("Ａ") + ord("A"))
        expected = chr(ord("A") + len(options))
        if letter != expected:
            raise ValueError(
                f"选项编号应为 {expected}，却是 {letter}（option letters must run A, B, C…; found {letter}）"
            )
        body = _clean(m.group(2))
        if not body:
            raise ValueError(f"选项 {letter} 没有内容（option {letter} is empty）")
        options.append({"id": letter, "text": body})
    return options


def _judge_letter(word: str, options: Sequence[dict[str, str]]) -> str:
    """The option that says what the judge answer word says (options may list 错误 first)."""
    truth = JUDGE_WORDS[word]
    for o in options:
        text = _clean(o["text"]).upper()
        if JUDGE_WORDS.get(text) == truth:
            return o["id"]
    raise ValueError(
        f"答案“{word}”对应不到任何选项：判断题选项应为 正确/错误（或 对/错），或将答案写成选项字母"
        f"（answer {word!r} matches no option: use 正确/错误 as the options, or give the letter）"
    )


def parse_answer(
    text: str, qtype: str, options: Sequence[dict[str, str]] = JUDGE_OPTIONS
) -> list[str]:
    """The answer key as option letters (a judge word mapped to the option with that meaning)."""
    text = _clean(text).upper()
    if qtype == "judge" and text in JUDGE_WORDS:
        return [_judge_letter(text, options)]
    letters = [ch for ch in text if ch not in " ,，、;；"]
    if any(not ("A" <= ch <= "Z") for ch in letters):
        raise ValueError(f"答案“{text}”应为选项字母（answer {text!r} must be option letters）")
    return sorted(set(letters))


def parse_row(values: dict[str, str]) -> dict[str, Any]:
    """One row's cells (by field) to a question; raise ValueError with the reason."""
    category = values["category"]
    if not category:
        raise ValueError("作业种类为空（category is empty）")
    qtype = TYPES.get(values["type"].replace(" ", ""))
    if qtype is None:
        raise ValueError(
            f"试题类型“{values['type']}”不是 判断题/单选题/多选题（unknown question type）"
        )
    stem = _NUMBERING.sub("", values["stem"]).strip()
    if not stem:
        raise ValueError("题目内容为空（question text is empty）")
    options = parse_options(values["options"]) if values["options"] else []
    if not options and qtype == "judge":
        options = list(JUDGE_OPTIONS)
    if len(options) < 2:
        raise ValueError("至少需要两个选项（a question needs at least two options）")
    answer = parse_answer(values["answer"], qtype, options)
    ids = {o["id"] for o in options}
    missing = [a for a in answer if a not in ids]
    if not answer:
        raise ValueError("答案为空（answer is empty）")
    if missing:
        raise ValueError(
            f"答案 {''.join(missing)} 不在选项 {''.join(sorted(ids))} 中（answer {''.join(missing)} is not among the options）"
        )
    if qtype in ("judge", "single") and len(answer) != 1:
        raise ValueError(
            f"{values['type']} 只能有一个答案（a {qtype} question has exactly one answer）"
        )
    if qtype == "multi" and len(answer) < 2:
        raise ValueError(
            "多选题至少两个正确答案（a multiple-choice question needs at least two keys）"
        )
    return {
        "qid": question_id(category, qtype, stem, options),
        "category": category,
        "type": qtype,
        "stem": stem,
        "options": options,
        "answer": answer,
    }


def _header_map(row: Sequence[Any]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, cell in enumerate(row):
        text = _clean(cell)
        for fld, prefix in HEADERS.items():
            if text.startswith(prefix) and fld not in cols:
                cols[fld] = i
    return cols if len(cols) == len(HEADERS) else None


def parse_sheets(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> BankReport:
    """Parse sheets given as (name, rows of cell values)."""
    report = BankReport()
    seen: set[str] = set()
    any_header = False
    for name, rows in sheets:
        cols: dict[str, int] | None = None
        nonempty = 0
        for rownum, row in enumerate(rows, start=1):
            if not any(_clean(c) for c in row):
                if cols is not None:
                    report.empty_rows += 1
                continue
            nonempty += 1
            if cols is None:
                cols = _header_map(row)
                if cols is None:
                    report.errors.append(
                        RowError(
                            name,
                            rownum,
                            "表头前的行，缺少表头 作业种类/试题类型/题目内容/题目选项/题目答案（row before the header; header not found）",
                            " | ".join(_clean(c) for c in row),
                        )
                    )
                else:
                    any_header = True
                continue
            values = {f: _clean(row[i]) if i < len(row) else "" for f, i in cols.items()}
            try:
                q = parse_row(values)
            except ValueError as exc:
                report.errors.append(RowError(name, rownum, str(exc), values["stem"][:60]))
                continue
            if q["qid"] in seen:
                report.duplicates.append(f"{name}!{rownum}")
                continue
            seen.add(q["qid"])
            q["source"] = f"{name}!{rownum}"
            report.questions.append(q)
        if nonempty == 0:
            report.empty_sheets.append(name)
    if not any_header:
        raise BankError(
            "找不到表头：需要列 作业种类、试题类型、题目内容、题目选项、题目答案"
            "（no header row with 作业种类, 试题类型, 题目内容, 题目选项, 题目答案 was found）"
        )
    return report


def read_workbook(path: str | Path) -> BankReport:
    """Read an .xlsx bank; raise :class:`BankError` when it is not a readable workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise BankError(
            f"无法读取 Excel 文件 {path}：{exc}；请另存为 .xlsx 后重试"
            f"（cannot read the Excel file: {exc}; save it as .xlsx and try again）"
        ) from None
    except Exception as exc:  # zipfile.BadZipFile and friends from a corrupt file
        raise BankError(f"Excel 文件已损坏：{exc}（the Excel file is damaged: {exc}）") from None
    try:
        return parse_sheets((ws.title, ws.iter_rows(values_only=True)) for ws in wb.worksheets)
    finally:
        wb.close()
