"""Administrators' view of a plan: attendance, scores, pass/fail, absentees, violations,
flagged captures, incident records and journal verification; CSV and Excel export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from cloudsync import chain as chain_mod
from cloudsync import wire
from cloudsync.cloud import ingest
from cloudsync.cloud.db import Database
from cloudsync.cloud.store import plans, sync

STATUS_ZH = {
    "submitted": "已交卷",
    "collected": "到时收卷",
    "absent": "缺考",
    "cancelled": "成绩取消",
    "checked_in": "已签到",
    "in_exam": "考试中",
    "no_data": "无记录",
}
COLUMNS = [
    ("seat", "座位号"),
    ("ticket", "准考证号"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("company", "单位"),
    ("attendance", "考试状态"),
    ("score", "成绩"),
    ("passed", "是否合格"),
    ("answers", "作答数"),
    ("violations", "违纪"),
    ("flagged_captures", "可疑抓拍"),
]


def plan_report(db: Database, plan_id: str) -> dict[str, Any] | None:
    """Everything the cloud knows about one plan, or None for an unknown plan."""
    plan = plans.get(db, plan_id)
    if plan is None:
        return None
    site = plan["site_id"]
    journal = sync.journal_for_session(db, site, plan_id)
    results = {r["ticket"]: r for r in sync.results_for_plan(db, site, plan_id)}
    flagged = sync.captures_for_plan(db, site, plan_id, flagged_only=True)
    seen: dict[str, set[str]] = {}
    for row in journal:
        if row["candidate_ticket"]:
            seen.setdefault(row["candidate_ticket"], set()).add(row["kind"])
    violations = [r for r in journal if r["kind"] == "violation"]
    incidents = [r for r in journal if r["kind"] in wire.INCIDENT_KINDS or r["kind"] == "override"]
    candidates = []
    for entry in plans.roster(db, plan_id, with_photos=False):
        t = entry["ticket"]
        res = results.get(t)
        kinds = seen.get(t, set())
        if res:
            attendance = res["status"]
        elif "absent" in kinds:
            attendance = "absent"
        elif kinds & {"login", "answer"}:
            attendance = "in_exam"
        elif "checkin" in kinds:
            attendance = "checked_in"
        else:
            attendance = "no_data"
        candidates.append(
            {
                **entry,
                "attendance": attendance,
                "attendance_zh": STATUS_ZH.get(attendance, attendance),
                "score": res["score"] if res else None,
                "passed": (None if res["passed"] is None else bool(res["passed"])) if res else None,
                "answers": res["answers"]
                if res
                else sum(
                    1 for r in journal if r["candidate_ticket"] == t and r["kind"] == "answer"
                ),
                "violations": sum(1 for v in violations if v["candidate_ticket"] == t),
                "flagged_captures": sum(1 for c in flagged if c["ticket"] == t),
            }
        )
    chain = sync.chain_status(db, site)
    broken_rows = [r["seq"] for r in journal if r["chain_ok"] == 0]
    span = sync.session_span(db, site, plan_id)
    gaps = chain["gaps"] if chain else []
    return {
        "plan": {
            k: plan[k]
            for k in (
                "plan_id",
                "site_id",
                "room",
                "subject",
                "starts_at",
                "duration_min",
                "paper_id",
            )
        },
        "counts": {
            "expected": len(candidates),
            "present": sum(1 for c in candidates if c["attendance"] not in ("absent", "no_data")),
            "absent": sum(1 for c in candidates if c["attendance"] == "absent"),
            "passed": sum(1 for c in candidates if c["passed"]),
            "failed": sum(1 for c in candidates if c["passed"] is False),
        },
        "candidates": candidates,
        "absentees": [c for c in candidates if c["attendance"] == "absent"],
        "violations": violations,
        "incidents": incidents,
        "flagged_captures": flagged,
        "chain": {
            "ok": bool(chain["ok"]) and not gaps if chain else None,
            "verdict": ingest.chain_verdict(bool(chain["ok"]), gaps) if chain else None,
            "first_bad_seq": chain["first_bad_seq"] if chain else None,
            "last_seq": chain["last_seq"] if chain else None,
            "broken_rows_in_plan": broken_rows,
            "gaps": gaps,
            "gaps_in_plan": chain_mod.gaps_touching(gaps, span) if span else [],
        },
        "quarantined": len(sync.quarantined(db, site)),
    }


VERDICT_ZH = {"intact": "完好", "broken": "被篡改", "incomplete": "有缺失记录"}


def gap_text(gaps: list[list[int]]) -> str:
    """Missing seq ranges as people read them: ``16, 20–22``."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in gaps)


# Excel and LibreOffice read a cell that starts with one of these as a formula (=, and +, -, @
# as its shorthands; a leading tab or CR is stripped first), so text from a site or a roster
# could run a formula or a DDE command on the administrator's PC (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet reads as a formula: text starting with ``= + - @``,
    a tab or a CR gets a leading single quote (OWASP's advice); numbers, and text that is
    just a number such as ``-5``, stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def _row(values: list[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def _cell(c: dict[str, Any], key: str) -> Any:
    if key == "attendance":
        return c["attendance_zh"]
    if key == "passed":
        return "" if c["passed"] is None else ("合格" if c["passed"] else "不合格")
    value = c.get(key)
    return "" if value is None else value


def to_csv(report: dict[str, Any]) -> bytes:
    """The candidate table as CSV (UTF-8 with BOM, so Excel in China opens it correctly)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([zh for _, zh in COLUMNS])
    for c in report["candidates"]:
        w.writerow(_row([_cell(c, k) for k, _ in COLUMNS]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """The report as an Excel workbook: candidates, violations, incidents, flagged captures."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "成绩"
    ws.append([zh for _, zh in COLUMNS])
    for c in report["candidates"]:
        ws.append(_row([_cell(c, k) for k, _ in COLUMNS]))
    for title, rows in (("违纪", report["violations"]), ("考场记录", report["incidents"])):
        sheet = wb.create_sheet(title)
        sheet.append(["序号", "时间", "类型", "准考证号", "记录人", "内容"])
        for r in rows:
            sheet.append(
                _row(
                    [
                        r["seq"],
                        r["at"],
                        r["kind"],
                        r["candidate_ticket"] or "",
                        r["actor"] or "",
                        str(r["payload"]),
                    ]
                )
            )
    caps = wb.create_sheet("可疑抓拍")
    caps.append(["抓拍编号", "准考证号", "时间", "说明"])
    for c in report["flagged_captures"]:
        caps.append(_row([c["capture_id"], c["ticket"] or "", c["at"] or "", str(c["meta"])]))
    info = wb.create_sheet("校验")
    chain = report["chain"]
    info.append(["日志哈希链", VERDICT_ZH.get(chain["verdict"], "无数据")])
    info.append(["首个异常序号", chain["first_bad_seq"] or ""])
    info.append(["缺失序号", gap_text(chain["gaps"])])
    info.append(["本计划附近的缺失序号", gap_text(chain["gaps_in_plan"])])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
