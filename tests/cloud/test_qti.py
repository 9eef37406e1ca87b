"""QTI 2.1 content packages: the good one imported, broken and hostile ones refused clearly."""

from __future__ import annotations

import pytest
from flask import Flask

from cloudsync.cloud import publication, qti
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import questions

from .conftest import QTI_DIR, Clock


def test_good_package_choice_items() -> None:
    report = qti.read_package((QTI_DIR / "WebDeveloperTest1.zip").read_bytes(), "网页")
    assert len(report.questions) == 7
    skipped = {s["item"]: s["reason"] for s in report.skipped}
    assert set(skipped) == {"question4", "question8"}
    assert "img" in skipped["question4"] and "inlineChoiceInteraction" in skipped["question8"]
    q5 = next(q for q in report.questions if q["stem"].startswith("Question 5"))
    assert q5["type"] == "multi" and q5["answer"] == ["B", "E"] and len(q5["options"]) == 5
    q1 = report.questions[0]
    assert q1["type"] == "single" and q1["answer"] == ["C"]
    assert [o["text"] for o in q1["options"]] == [".xml", ".php", ".html"]
    assert ".xml" not in q1["stem"]  # choices are not part of the stem


@pytest.mark.parametrize(
    ("package", "code"),
    [
        ("ZipSlip.zip", "path_traversal"),
        ("BadManifest.zip", "bad_xml"),
        ("MissingFile.zip", "missing_file"),
        ("ExternalHref.zip", "external_href"),
        ("NotContentPackage.zip", "not_content_package"),
        ("BadMix.zip", "bad_mix"),
        ("WebDeveloperTest1-incomplete.zip", "broken_zip"),
        ("Aardvark-cannon.zip", "no_choice_items"),
    ],
)
def test_broken_packages_refused(package: str, code: str, app: Flask, clock: Clock) -> None:
    with app.app_context(), pytest.raises(qti.QtiError) as info:
        publication.import_qti(get_db(), (QTI_DIR / package).read_bytes(), "网页", clock())
    assert info.value.code == code
    assert "（" in info.value.message  # Chinese first, English in brackets
    with app.app_context():
        assert questions.counts(get_db()) == []  # nothing half-imported


def test_import_into_bank_is_idempotent(app: Flask, clock: Clock) -> None:
    data = (QTI_DIR / "WebDeveloperTest1.zip").read_bytes()
    with app.app_context():
        db = get_db()
        assert publication.import_qti(db, data, "网页", clock()).stored == 7
        again = publication.import_qti(db, data, "网页", clock())
        assert again.stored == 0 and len(again.duplicates) == 7


def test_true_false_choice_becomes_judge() -> None:
    from xml.etree import ElementTree as ET

    item = ET.fromstring(
        f"""<assessmentItem xmlns="{qti.QTI_NS}" identifier="tf">
        <responseDeclaration identifier="R" cardinality="single"><correctResponse><value>F</value></correctResponse></responseDeclaration>
        <itemBody><choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>天空是绿色的。</prompt>
        <simpleChoice identifier="T">正确</simpleChoice><simpleChoice identifier="F">错误</simpleChoice>
        </choiceInteraction></itemBody></assessmentItem>"""
    )
    q = qti.parse_item(item, "常识")
    assert (q["type"], q["answer"], q["stem"]) == ("judge", ["B"], "天空是绿色的。")
