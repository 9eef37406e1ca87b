"""The incident record (考场情况记录表) of a real-sized room: PDF, archive, what the form shows."""

from __future__ import annotations

import io
import json
import zipfile

import pypdfium2
from flask import Flask

from examsite import archive
from examsite.app import site_of
from examsite.console import record
from examsite.console.services import services_of
from tests.console.conftest import Console


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = len(document)
        text = "".join(document[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        document.close()
    return pages, text


def test_three_hundred_events_render_and_archive(
    proctor: Console, app: Flask, session_id: str
) -> None:
    """One cell held every event; at about 60 lines reportlab raised LayoutError (and the
    archive export with it). One row per event flows over as many pages as it needs."""
    notes = services_of(app).records
    for i in range(1, 301):
        notes.note(session_id, f"第{i:03d}号事件：终端{i}号情况记录", "console:proctor1")
    rec = record.build(site_of(app).exam, session_id, "示范考点")
    assert len(rec["events"]) == 300
    pages, text = _pdf_text(record.pdf(rec))
    assert pages > 1
    assert "第001号事件" in text and "第300号事件" in text
    assert text.count("考场情况记录（共 300 条）") >= pages - 1 >= 1  # the heads repeat
    assert "缺考人员记录" in text and "监考人员签名" in text

    resp = proctor.client.get("/console/record.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    body = proctor.client.get("/console/archive.zip")
    assert body.status_code == 200
    result = archive.verify(body.data)
    assert result.ok, result.problems
    with zipfile.ZipFile(io.BytesIO(body.data)) as zf:
        archived = json.loads(zf.read("incident_record.json"))
        assert len(archived["events"]) == 300
        assert _pdf_text(zf.read("incident_record.pdf"))[0] == pages


def test_violator_full_id_number_on_the_form_masked_elsewhere(
    proctor: Console, app: Flask, session_id: str
) -> None:
    """000 att.3 §2: the form names the violator's 身份证号; the journal keeps the masked one."""
    from examsite.payloads import mask_id_number
    from examsite.store import candidates, journal

    exam = site_of(app).exam
    with exam.sitedb.read() as db:
        cand = candidates.in_session(db, session_id)[0]
    full, masked = cand["id_number"], mask_id_number(cand["id_number"])
    assert full != masked
    out = proctor.api(
        "violation", candidate_id=cand["id"], category=5, conduct="使用手机", handling="disqualify"
    )
    assert out["ok"]
    with exam.sitedb.read() as db:
        (row,) = journal.rows(db, session_id=session_id, kinds=("violation",))
    assert row["payload"]["id_number"] == masked  # the journal is never purged: stays masked

    rec = record.build(exam, session_id, "示范考点")
    line = next(e["text"] for e in rec["events"] if e["kind"] == "violation")
    assert f"身份证号 {full}" in line and masked not in line
    assert full in _pdf_text(record.pdf(rec))[1]
    assert full in proctor.client.get("/console/record").get_data(as_text=True)


def test_form_heading_names_the_sessions_exam(proctor: Console, app: Flask) -> None:
    """The first line was hard-coded to the gas-industry exam; it follows the session now."""
    from examsite import demo
    from examsite.engine.timing import utcnow

    exam = site_of(app).exam
    session = {
        **demo.demo_session(utcnow()),
        "id": "S-ELEC",
        "subject": "低压电工作业",
        "title": "特种作业操作证 低压电工作业 理论考试",
    }
    paper = {**demo.PAPER, "paper_id": "P-ELEC", "title": "低压电工作业 A卷"}
    exam.stage_session(session, paper, demo.demo_roster(), actor="test")
    rec = record.build(exam, "S-ELEC", "示范考点")
    assert rec["heading"] == "特种作业操作证 低压电工作业 理论考试"
    text = _pdf_text(record.pdf(rec))[1]
    assert "低压电工作业 理论考试" in text and "燃气经营" not in text
    page = proctor.client.get("/console/record?session=S-ELEC").get_data(as_text=True)
    assert "特种作业操作证 低压电工作业 理论考试" in page and "燃气经营企业从业人员培训" not in page
