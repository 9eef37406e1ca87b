"""The incident record (考场情况记录表, 000 att.4) built from the journal, as data, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from examsite.engine import timing as tm
from examsite.engine.zone import CHINA
from examsite.exam import ExamDay
from examsite.store import candidates, incidents, journal, sessions

FONT_PATHS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
)
EVENT_KINDS = (
    "transfer",
    "transfer_confirmed",
    "transfer_cancelled",
    "violation",
    "leave",
    "return",
    "time_extended",
    "checkin_refused",
    "identity_disputed",
    "override",
    "incident_note",
    "capture_reviewed",
    "message",
)


def local(iso_text: str | None, fmt: str = "%H:%M", zone: dt.tzinfo = CHINA) -> str:
    """A stored UTC time in the site's time zone (the record is read locally)."""
    if not iso_text:
        return ""
    return tm.parse_iso(iso_text).astimezone(zone).strftime(fmt)


def _who(actor: str) -> str:
    return actor.split(":", 1)[-1]


def describe(
    row: dict[str, Any], names: dict[str, str], id_numbers: dict[str, str] | None = None
) -> tuple[str, str] | None:
    """One journal row as a line of the record (中文, English); None when it does not belong.

    `id_numbers` (ticket → full number, from the roster) replaces the masked number the journal
    keeps: 000 att.3 §2 wants the violator's 身份证号 on this paper form, which the site keeps.
    """
    p, t = row["payload"], row["candidate_ticket"] or ""
    who = f"{names.get(t, '')}（{t}）" if t else ""
    kind = row["kind"]
    if kind == "transfer":
        return (
            f"{who} 因“{p.get('reason', '')}”由终端 {p.get('from_terminal')} 转移至 {p.get('to_terminal')}"
            f"（监考员 {_who(row['actor'])}）",
            f"{t} moved from terminal {p.get('from_terminal')} to {p.get('to_terminal')}: {p.get('reason', '')}",
        )
    if kind == "transfer_confirmed":
        return (
            f"{who} 本人在新终端 {p.get('to_terminal')} 输入准考证号和考试口令确认转移，停机时间已补足",
            f"{t} confirmed the move on terminal {p.get('to_terminal')}; downtime credited",
        )
    if kind == "transfer_cancelled":
        credited = f"，停机 {round(p['credited_s'])} 秒已补足" if p.get("credited_s") else ""
        return (
            f"{who} 转移至终端 {p.get('to_terminal')} 未经确认即撤销：{p.get('reason', '')}，"
            f"回原终端 {p.get('from_terminal')} 重新输入考试口令继续{credited}（监考员 {_who(row['actor'])}）",
            f"{t} transfer to {p.get('to_terminal')} cancelled: {p.get('reason', '')}; back on"
            f" {p.get('from_terminal')}",
        )
    if kind == "violation":
        handling = "取消考核资格和成绩" if p.get("handling") == "disqualify" else "警告"
        return (
            f"{who} 身份证号 {(id_numbers or {}).get(t) or p.get('id_number', '')} 违纪：{p.get('category_label', '')}"
            f"{'；' + p['conduct'] if p.get('conduct') else ''}；处理：{handling}（监考员 {_who(row['actor'])}）",
            f"{t} violation: {p.get('category_label', '')} {p.get('conduct', '')}; handling: {p.get('handling')}",
        )
    if kind == "leave":
        return (
            f"{who} 暂离考场{('：' + p['reason']) if p.get('reason') else ''}",
            f"{t} left the room",
        )
    if kind == "return":
        how = "人工放行：" + p["override_reason"] if p.get("override_reason") else "重新核验身份证"
        return (f"{who} 返回考场（{how}）", f"{t} came back ({how})")
    if kind == "time_extended":
        return (
            f"{who} 延长考试时间 {int(p.get('seconds', 0)) // 60} 分钟：{p.get('reason', '')}",
            f"{t} time extended by {int(p.get('seconds', 0)) // 60} min: {p.get('reason', '')}",
        )
    if kind == "checkin_refused":
        name = p.get("name") or names.get(t, "")
        if p.get("code") == "not_on_roster":
            return (
                f"{name} 身份证 {p.get('id_number', '')} 不在今日考生名单中，拒绝入场",
                f"{name}: card not on today's roster, refused",
            )
        return (
            f"{name} {t or p.get('id_number', '')} 签到被拒：{p.get('reason') or p.get('code') or '、'.join(p.get('problems', []))}",
            f"{name} refused at check-in",
        )
    if kind == "identity_disputed":
        return (f"{who} 报告身份信息有误：{p.get('note', '')}", f"{t} reported a wrong record")
    if kind == "override":
        return (
            f"{who} 监考员处理：{p.get('action', '')} {p.get('note', '')}",
            f"override {p.get('action')}",
        )
    if kind == "incident_note":
        return (f"{p.get('text', '')}（{_who(row['actor'])}）", p.get("text", ""))
    if kind == "capture_reviewed" and p.get("review") == "suspect":
        return (f"{who} 考中抓拍经核查可疑：{p.get('note', '')}", f"{t} capture marked suspect")
    if kind == "message":
        return (f"监考员通知：{p.get('text', '')}", f"message: {p.get('text', '')}")
    return None


def build(exam: ExamDay, session_id: str, site_name: str = "") -> dict[str, Any]:
    """Everything att.4 asks for, from the journal and the roster."""
    with exam.sitedb.read() as db:
        session = exam.session_of(db, session_id)
        roster = candidates.in_session(db, session_id)
        rows = journal.rows(db, session_id=session_id, kinds=EVENT_KINDS, limit=100000)
        staff = incidents.staff(db, session_id)
        paper = sessions.paper_row(db, session_id)
    names = {c["ticket"]: c["name"] for c in roster}
    id_numbers = {c["ticket"]: c["id_number"] for c in roster}
    events = []
    for row in rows:
        text = describe(row, names, id_numbers)
        if text:
            events.append(
                {
                    "at": local(row["at"], "%H:%M:%S", exam.zone),
                    "seq": row["seq"],
                    "kind": row["kind"],
                    "text": text[0],
                    "text_en": text[1],
                }
            )
    absent = [c for c in roster if c["state"] == "absent"]
    actual = [c for c in roster if c["logged_in_at"]]
    start = session["started_at"] or session["starts_at"]
    return {
        "site": site_name,
        "place": f"{site_name} {session['room']}".strip(),
        "session_id": session_id,
        "title": session["title"],
        # the form's first line names the exam (att.4: “…燃气经营企业从业人员培训考核机考”); the
        # session's own title, so a 特种作业 or 安全生产管理人员 room prints its own
        "heading": session["title"] or (paper["title"] if paper else "") or session["subject"],
        "subject": session["subject"],
        "paper_id": paper["paper_id"] if paper else "",
        "date": local(start, "%Y年%m月%d日", exam.zone),
        "time_from": local(start, zone=exam.zone),
        "time_to": local(session["ended_at"], zone=exam.zone) if session["ended_at"] else "",
        "expected": len(roster),
        "actual": len(actual),
        "absentees": [
            {"name": c["name"], "ticket": c["ticket"], "seat": c["seat"]} for c in absent
        ],
        "events": events,
        "proctors": staff.get("proctor", []),
        "patrols": staff.get("patrol", []),
        "state": session["state"],
    }


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "ConsoleCJK"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    for path, index in FONT_PATHS:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            return name
    raise RuntimeError(
        "未找到中文字体，请运行 scripts/setup 安装 fonts-wqy-microhei"
        "（no CJK font found: run scripts/setup, which installs fonts-wqy-microhei）"
    )


def pdf(record: dict[str, Any]) -> bytes:
    """The record as an A4 PDF with an embedded CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=15)
    small = ParagraphStyle("s", fontName=font, fontSize=9.5, leading=13)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="考场情况记录表",
        author=record["site"],
    )

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)

    span = f"{record['date']} {record['time_from']} 至 {record['time_to'] or '（未结束）'}"
    events = record["events"] or [{"at": "", "text": "无异常情况。"}]
    absentees = "、".join(f"{a['name']}（{a['ticket']}）" for a in record["absentees"]) or "无"
    label, width = 28 * mm, 174 * mm
    grey = colors.HexColor("#f2f2f2")
    lines = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    frame = [*lines, ("BACKGROUND", (0, 0), (0, -1), grey)]
    head = Table(
        [
            [p("考试地点"), p(record["place"]), p("考试科目"), p(record["subject"])],
            [p("考试时间"), p(span), "", ""],
            [p("应考人数"), p(str(record["expected"])), p("实考人数"), p(str(record["actual"]))],
        ],
        colWidths=[label, 60 * mm, label, 58 * mm],
        style=TableStyle([*frame, ("SPAN", (1, 1), (3, 1))]),
    )
    # One row per event, the column heads repeated on every page: reportlab cannot split a
    # single cell across pages, so a record of a real room (one "extend all" in a 60-seat room
    # is 60 lines) in one cell raised LayoutError and took the archive export down with it.
    log = Table(
        [
            [
                p("时间"),
                p(f"考场情况记录（共 {n} 条）" if (n := len(record["events"])) else "考场情况记录"),
            ]
        ]
        + [[p(e["at"], small), p(e["text"], small)] for e in events],
        colWidths=[label, width - label],
        repeatRows=1,
        splitInRow=1,
        style=TableStyle(
            [*lines, ("VALIGN", (0, 1), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), grey)]
        ),
    )
    foot = Table(
        [
            [p("缺考人员记录"), p(absentees), "", ""],
            [
                p("监考人员签名"),
                p("、".join(record["proctors"]) or " "),
                p("巡考人员签名"),
                p("、".join(record["patrols"]) or " "),
            ],
        ],
        colWidths=[label, 60 * mm, label, 58 * mm],
        splitInRow=1,
        style=TableStyle([*frame, ("SPAN", (1, 0), (3, 0))]),
    )
    story = [
        p(record.get("heading") or record["title"], title),
        p("考场情况记录表", title),
        Spacer(1, 6 * mm),
        p(f"场次 {record['session_id']}　试卷 {record['paper_id']}", small),
        Spacer(1, 2 * mm),
        head,
        log,
        foot,
        Spacer(1, 4 * mm),
        p("本表由考点服务器根据考试日志（哈希链）自动生成。", small),
    ]
    doc.build(story)
    return out.getvalue()
