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
