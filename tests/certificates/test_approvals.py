"""Approval queue, lifecycle, verification and the PDF through the cloud app (SQLite and MariaDB)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pypdfium2
import pytest
from click.testing import CliRunner
from flask import Flask

from cloudsync.certificates import approvals, lifecycle
from cloudsync.certificates.approvals import CertificateError
from cloudsync.certificates.commands import COMMANDS
from cloudsync.certificates.store import certificates, journal
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import plans
from tests.cloud.pages import log_in

from .conftest import CANDIDATES, PASSWORD, PLAN, SITE, Clock, ident
from .scan import decode_pdf

ISSUER = "山东省住房和城乡建设厅"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def codes(exc: pytest.ExceptionInfo[CertificateError]) -> list[str]:
    return [r.code for r in exc.value.refusals]


def test_queue_shows_everything_and_void_results_cannot_be_approved(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN, date(2026, 11, 23))}
        assert set(items) == {
            "T001",
            "T002",
            "T003",
            "T004",
            "T005",
            "T006",
            "T008",
            "T009",
        }  # T007 failed
        clean = items["T001"]
        assert clean.bulk_ok and clean.assessment.summary["journal"] == "ok"
        assert (
            clean.assessment.summary["score"] == 91.0 and clean.assessment.summary["checkins"] == 1
        )
        assert clean.role == "operations" and clean.work_type == "燃气管网工"
        assert [r.code for r in items["T003"].assessment.void] == ["violation_void"]
        assert items["T003"].assessment.summary["violations"][0]["conduct"] == "使用手机"
        assert [r.code for r in items["T004"].assessment.void] == ["journal_check_failed"]
        assert [r.code for r in items["T008"].assessment.void] == ["result_void"]
        assert [r.code for r in items["T005"].assessment.flags] == ["identity_questioned"]
        assert items["T005"].approvable and not items["T005"].bulk_ok
        assert [r.code for r in items["T006"].refusals] == ["under_age"]
        assert [r.code for r in items["T009"].refusals] == ["company_category_missing"]

        for ticket, code in (
            ("T003", "violation_void"),
            ("T004", "journal_check_failed"),
            ("T008", "result_void"),
        ):
            with pytest.raises(CertificateError) as err:
                approvals.approve(db, SITE, PLAN, ticket, "admin:x", NOW, ISSUER)
            assert codes(err) == [code]
            # an explicit role or work type changes nothing
            with pytest.raises(CertificateError):
                approvals.approve(db, SITE, PLAN, ticket, "admin:x", NOW, ISSUER, role="safety")
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE, PLAN, "T007", "admin:x", NOW, ISSUER)
        assert codes(err) == ["no_passing_result"]
        assert certificates.search(db) == []


def test_bulk_then_single_approval_stop_and_journal(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        issued, left = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        assert sorted(c["ticket"] for c in issued) == ["T001", "T002"]
        assert dict(left) == {
            "T003": ["violation_void"],
            "T004": ["journal_check_failed"],
            "T005": ["identity_questioned"],
            "T006": ["under_age"],
            "T008": ["result_void"],
            "T009": ["company_category_missing"],
        }
        numbers = sorted(c["number"] for c in issued)
        assert numbers == ["鲁燃GC2026000001", "鲁燃GC2026000002"]
        first = issued[0]
        assert first["valid_from"] == "2026-11-23" and first["valid_until"] == "2031-11-22"
        assert first["ce_due"] == "2029-05-22" and first["issuer"] == ISSUER

        # the disputed case is approved one by one, as a safety manager (another type)
        cert = approvals.approve(
            db, SITE, PLAN, "T005", "admin:approver", NOW, ISSUER, role="safety"
        )
        assert cert["number"] == "鲁燃GB2026000003" and cert["role"] == "safety"
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE, PLAN, "T005", "admin:approver", NOW, ISSUER)
        assert codes(err) == ["already_decided"]

        with pytest.raises(CertificateError) as err:
            approvals.stop(db, SITE, PLAN, "T006", "admin:approver", NOW, "  ")
        assert codes(err) == ["reason_required"]
        approvals.stop(db, SITE, PLAN, "T006", "admin:approver", NOW, "未满18周岁")
        approvals.stop(db, SITE, PLAN, "T003", "admin:approver", NOW, "考试中使用手机")
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE, PLAN, "T006", "admin:approver", NOW, ISSUER)
        assert codes(err) == ["already_decided"]

        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN, date(2026, 11, 23))}
        assert items["T006"].decision["decision"] == "stopped"
        assert items["T006"].decision["reason"] == "未满18周岁"
        assert items["T001"].decision["decision"] == "approved"

        entries = journal.entries(db)
        assert [e["action"] for e in entries] == [
            "bulk_approve",
            "bulk_approve",
            "approve",
            "stop",
            "stop",
        ]
        assert entries[3]["detail"]["reason"] == "未满18周岁"
        assert journal.verify(db) == (True, None)
        # a second bulk run issues nothing new
        issued_again, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        assert issued_again == []


def test_lifecycle_review_renew_revoke(app: Flask, clock: Clock) -> None:
    with app.app_context():
        db = get_db()
        issued, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        a, b = sorted(issued, key=lambda c: c["ticket"])
        assert a["ce_due"] == "2029-05-22"
        # a record for a only, dated inside [start, deadline]
        lifecycle.add_ce_record(
            db, a["id_number"], "gas", date(2029, 3, 1), "admin:x", datetime(2029, 3, 2, tzinfo=UTC)
        )
        with pytest.raises(CertificateError) as err:
            lifecycle.add_ce_record(
                db,
                a["id_number"],
                "gas",
                date(2030, 1, 1),
                "admin:x",
                datetime(2029, 3, 2, tzinfo=UTC),
            )
        assert codes(err) == ["future_date"]

        assert (
            lifecycle.review_certificates(db, datetime(2029, 5, 20, tzinfo=UTC)) == []
        )  # day before (China date 05-20)
        # the deadline day itself (China 05-22, 02:00) is not over: nothing is reviewed yet
        assert lifecycle.review_certificates(db, datetime(2029, 5, 21, 18, tzinfo=UTC)) == []
        outcomes = lifecycle.review_certificates(db, datetime(2029, 5, 22, 18, tzinfo=UTC))
        assert {(o.number, o.passed) for o in outcomes} == {
            (a["number"], True),
            (b["number"], False),
        }
        assert (
            lifecycle.review_certificates(db, datetime(2029, 5, 24, tzinfo=UTC)) == []
        )  # not due twice

        a2 = certificates.by_uid(db, a["uid"])
        b2 = certificates.by_uid(db, b["uid"])
        assert a2 and b2
        # the second deadline: one month before expiry (2031-11-22)
        assert (a2["ce_stage"], a2["ce_due"]) == (2, "2031-10-22")
        assert lifecycle.status_of(a2, date(2029, 6, 1)) == "valid"
        assert lifecycle.status_of(b2, date(2029, 6, 1)) == "abnormal"
        assert "继续教育" in b2["abnormal_reason"]

        # renewal: too early, then without a second record, then inside the window with one
        with pytest.raises(CertificateError) as err:
            lifecycle.renew(db, a["uid"], "admin:x", datetime(2031, 8, 1, tzinfo=UTC))
        assert codes(err) == ["renewal_too_early", "continuing_education_missing"]
        lifecycle.add_ce_record(
            db, a["id_number"], "gas", date(2031, 7, 1), "admin:x", datetime(2031, 7, 2, tzinfo=UTC)
        )
        renewed = lifecycle.renew(db, a["uid"], "admin:x", datetime(2031, 9, 1, tzinfo=UTC))
        assert (renewed["valid_from"], renewed["valid_until"]) == ("2031-11-23", "2036-11-22")
        assert (renewed["number"], renewed["renewals"], renewed["ce_stage"]) == (a["number"], 1, 1)
        with pytest.raises(CertificateError) as err:
            lifecycle.renew(db, b["uid"], "admin:x", datetime(2031, 9, 1, tzinfo=UTC))
        assert codes(err) == ["certificate_abnormal"]

        with pytest.raises(CertificateError) as err:
            lifecycle.revoke(db, b["uid"], "admin:x", NOW, "")
        assert codes(err) == ["reason_required"]
        lifecycle.revoke(db, b["uid"], "admin:x", NOW, "本人申请注销")
        with pytest.raises(CertificateError) as err:
            lifecycle.revoke(db, b["uid"], "admin:x", NOW, "again")
        assert codes(err) == ["already_revoked"]
        b3 = certificates.by_uid(db, b["uid"])
        assert b3 and lifecycle.status_of(b3, date(2029, 6, 1)) == "revoked"

        actions = [e["action"] for e in journal.entries(db)]
        assert actions == [
            "bulk_approve", "bulk_approve", "ce_record", "review_passed", "review_failed",
            "ce_record", "renew", "revoke",
        ]  # fmt: skip
        assert journal.verify(db) == (True, None)


def test_role_with_a_work_type_not_its_own_is_refused(app: Flask, client: Any) -> None:
    page = client.get(f"/certificates/plans/{PLAN}").get_data(as_text=True)
    assert 'data-work-type="0"' in page and 'data-work-type="1"' in page  # the page clears it
    r = client.post(
        f"/certificates/plans/{PLAN}/approve",
        data={"site_id": SITE, "ticket": "T001", "role": "safety", "work_type": "燃气管网工"},
    )
    assert r.status_code == 303
    page = client.get(f"/certificates/plans/{PLAN}").get_data(as_text=True)
    assert "“安全生产管理人员”证书不设工种，请清空工种“燃气管网工”后再审批" in page
    with app.app_context():
        db = get_db()
        assert certificates.search(db) == []
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE, PLAN, "T001", "admin:x", NOW, ISSUER, role="principal",
                              work_type="燃气管网工")  # fmt: skip
        assert codes(err) == ["work_type_not_for_role"]
        cert = approvals.approve(db, SITE, PLAN, "T001", "admin:x", NOW, ISSUER, role="safety")
        assert cert["work_type"] is None  # the plan's work type is not carried to another role


def test_record_dated_on_the_deadline_day_counts_at_the_review(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        issued, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        a = issued[0]
        assert a["ce_due"] == "2029-05-22"
        # the daily job at 02:00 China time on the deadline day: the day is not over yet
        assert lifecycle.review_certificates(db, datetime(2029, 5, 21, 18, tzinfo=UTC)) == []
        # the holder completes continuing education that day and it is entered at 10:00
        lifecycle.add_ce_record(
            db,
            a["id_number"],
            "gas",
            date(2029, 5, 22),
            "admin:x",
            datetime(2029, 5, 22, 2, tzinfo=UTC),
        )
        outcomes = lifecycle.review_certificates(db, datetime(2029, 5, 22, 18, tzinfo=UTC))
        mine = [o for o in outcomes if o.number == a["number"]]
        assert [(o.passed, o.ce_due) for o in mine] == [(True, "2031-10-22")]


def test_renewed_certificate_valid_until_the_old_period_ends(
    app: Flask, client: Any, clock: Clock
) -> None:
    with app.app_context():
        db = get_db()
        issued, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        a = issued[0]
        for day in (date(2029, 3, 1), date(2031, 7, 1)):
            lifecycle.add_ce_record(
                db, a["id_number"], "gas", day, "admin:x", datetime(2031, 8, 1, tzinfo=UTC)
            )
        lifecycle.review_certificates(db, datetime(2029, 5, 23, tzinfo=UTC))
        renewed = lifecycle.renew(db, a["uid"], "admin:x", datetime(2031, 9, 1, tzinfo=UTC))
        assert (renewed["valid_from"], renewed["valid_until"]) == ("2031-11-23", "2036-11-22")
        assert (renewed["prev_valid_from"], renewed["prev_valid_until"]) == (
            a["valid_from"], "2031-11-22",
        )  # fmt: skip
        for day, status, shown, following in [
            (date(2031, 9, 2), "valid", (a["valid_from"], "2031-11-22"), "2031-11-23"),
            (date(2031, 11, 22), "valid", (a["valid_from"], "2031-11-22"), "2031-11-23"),
            (date(2031, 11, 23), "valid", ("2031-11-23", "2036-11-22"), None),
        ]:
            view = lifecycle.public_view(renewed, day)
            assert view["status"] == status, day
            assert (view["valid_from"], view["valid_until"]) == shown
            assert view["next_valid_from"] == following
            doc = lifecycle.document(renewed, None, "http://x/verify/u", day)
            assert (doc.valid_from.isoformat(), doc.valid_until.isoformat()) == shown
            assert (doc.next_valid_from.isoformat() if doc.next_valid_from else None) == following
    # the public page the QR opens, the day after the renewal
    clock.now = datetime(2031, 9, 2, 2, tzinfo=UTC)
    log_in(client, "approver", PASSWORD)  # years later: a fresh login
    pdf = client.get(f"/certificates/c/{a['uid']}.pdf").data
    path = decode_pdf(pdf).removeprefix("http://cloud.test")
    anonymous = app.test_client()
    view = anonymous.get(path + "&format=json").get_json()
    assert (view["status"], view["valid_until"], view["next_valid_from"]) == (
        "valid", "2031-11-22", "2031-11-23",
    )  # fmt: skip
    page = anonymous.get(path).get_data(as_text=True)
    assert 'data-status="valid"' in page and "未到生效日期" not in page
    assert "2031-11-23 至 2036-11-22" in page  # the renewal is shown beside the current period
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf))
    assert "至 2031年11月22日" in text and "2031年11月23日 至 2036年11月22日" in text


def test_web_flow_pdf_qr_verifies_and_tampering_refused(
    app: Flask, client: Any, clock: Clock
) -> None:
    page = client.get(f"/certificates/plans/{PLAN}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("李清白", "使用手机", "失败（failed）", "作废", "不能审批", "未满18周岁"):
        assert text in html, text

    r = client.post(f"/certificates/plans/{PLAN}/approve", data={"site_id": SITE, "ticket": "T003"})
    assert r.status_code == 303
    assert "取消考核资格和成绩" in client.get(f"/certificates/plans/{PLAN}").get_data(as_text=True)
    r = client.post(f"/certificates/plans/{PLAN}/bulk-approve")
    assert r.status_code == 303
    with app.app_context():
        rows = certificates.search(get_db())
    assert sorted(c["ticket"] for c in rows) == ["T001", "T002"]
    uid = next(c["uid"] for c in rows if c["ticket"] == "T001")

    detail = client.get(f"/certificates/c/{uid}").get_data(as_text=True)
    assert "鲁燃GC2026" in detail and "bulk_approve" in detail
    pdf = client.get(f"/certificates/c/{uid}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    url = decode_pdf(pdf.data)
    assert url.startswith(f"http://cloud.test/verify/{uid}?s=")

    anonymous = app.test_client()
    path = url.removeprefix("http://cloud.test")
    view = anonymous.get(path + "&format=json").get_json()
    assert view["status"] == "valid" and view["holder_name"] == "李清白"
    assert view["id_number"].startswith("370811") and "19850301" not in view["id_number"]
    assert set(view) <= {
        "status", "status_zh", "status_en", "reason", "kind", "role", "number", "holder_name",
        "id_number", "company", "valid_from", "valid_until", "next_valid_from",
        "next_valid_until", "issuer", "issued_on",
    }  # fmt: skip
    assert "有效" in anonymous.get(path).get_data(as_text=True)

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    r = anonymous.get(tampered)
    assert r.status_code == 400 and "签名无效" in r.get_data(as_text=True)
    with app.app_context():
        other = next(c["uid"] for c in rows if c["ticket"] == "T002")
    assert anonymous.get(path.replace(uid, other)).status_code == 400
    assert anonymous.get(f"/verify/{uid}?s=&format=json").status_code == 400

    # pages for administrators only; a viewer may look but not decide
    assert anonymous.get(f"/certificates/c/{uid}.pdf").status_code == 302
    viewer = app.test_client()
    log_in(viewer, "viewer", "s3cret-pass")
    assert viewer.get(f"/certificates/plans/{PLAN}").status_code == 200
    assert viewer.post(f"/certificates/c/{uid}/revoke", data={"reason": "x"}).status_code == 403

    # revocation shows on the public page with a fixed text; the administrator's words do not
    client.post(f"/certificates/c/{uid}/revoke", data={"reason": "持证人死亡"})
    view = anonymous.get(path + "&format=json").get_json()
    assert view["status"] == "revoked" and view["reason"] == "".join(
        (lifecycle.PUBLIC_REASON["revoked"][0], "（", lifecycle.PUBLIC_REASON["revoked"][1], "）")
    )
    assert "持证人死亡" not in json.dumps(view, ensure_ascii=False)
    public = anonymous.get(path).get_data(as_text=True)
    assert 'data-status="revoked"' in public and "已由发证机关注销" in public
    assert "持证人死亡" not in public
    assert "持证人死亡" in client.get(f"/certificates/c/{uid}").get_data(as_text=True)
    assert "BEGIN PUBLIC KEY" in anonymous.get("/verify/public-key.pem").get_data(as_text=True)


def test_forms_reject_bad_input_without_losing_anything(app: Flask, client: Any) -> None:
    r = client.post(
        "/certificates/ce-records",
        data={"id_number": "X", "kind": "gas", "completed_on": "yesterday"},
    )
    assert r.status_code == 303
    assert "YYYY-MM-DD" in client.get("/certificates/").get_data(as_text=True)
    client.post("/certificates/companies", data={"name": "未登记燃气公司", "category": "Q"})
    assert "请填写企业名称并选择经营类别" in client.get("/certificates/").get_data(as_text=True)
    client.post("/certificates/companies", data={"name": "未登记燃气公司", "category": "G"})
    client.post(
        f"/certificates/plans/{PLAN}/stop", data={"site_id": SITE, "ticket": "T009", "reason": ""}
    )
    assert "终止取证必须填写原因" in client.get(f"/certificates/plans/{PLAN}").get_data(
        as_text=True
    )
    client.post(f"/certificates/plans/{PLAN}/approve", data={"site_id": SITE, "ticket": "T009"})
    with app.app_context():
        assert [c["ticket"] for c in certificates.search(get_db())] == ["T009"]
    assert client.get("/certificates/plans/NOPE").status_code == 404
    assert client.get("/verify/nosuchcert0000?s=abc").status_code == 400


def test_cli_review_command(app: Flask, tmp_path: Any) -> None:
    from cloudsync.cloud.cli import cli
    from cloudsync.cloud.commands import COMMANDS as ALL

    assert set(COMMANDS) <= set(ALL), "registered in the examcloud CLI"
    for command in ALL:
        cli.add_command(command)
    with app.app_context():
        approvals.bulk_approve(get_db(), PLAN, "admin:approver", NOW, ISSUER)
    runner = CliRunner()
    args = ["--instance", app.instance_path, "--database", app.config["DATABASE"]]
    out = runner.invoke(cli, [*args, "review-certificates", "--today", "2029-05-22"])
    assert out.exit_code == 0, out.output
    assert "复核 0 本" in out.output  # the deadline day: a record dated today still counts
    out = runner.invoke(cli, [*args, "review-certificates", "--today", "2029-05-23"])
    assert out.exit_code == 0, out.output
    assert "复核 2 本，异常 2 本" in out.output
    out = runner.invoke(cli, [*args, "review-certificates", "--today", "tomorrow"])
    assert out.exit_code != 0 and "YYYY-MM-DD" in out.output
    out = runner.invoke(cli, [*args, "certificate-company", "新公司", "--category", "P"])
    assert out.exit_code == 0 and "已登记" in out.output
    _ = io


MAN, WOMAN = ident("19700301", True, 1), ident("19700301", False, 2)


@pytest.mark.parametrize(
    ("gender", "id_number", "sex", "refusal"),
    [
        ("M", MAN, "M", None),
        ("F", WOMAN, "F", None),
        ("男", MAN, "M", None),
        ("女性", WOMAN, "F", None),
        ("", MAN, "M", None),  # no sex in the record: the ID number's
        (None, WOMAN, "F", None),
        ("M", WOMAN, None, "sex_mismatch"),  # a roster typo would move the limit from 55 to 60
        ("F", MAN, None, "sex_mismatch"),
        ("女", MAN, None, "sex_mismatch"),
        ("M", "370811197003010", None, "bad_id_number"),
    ],
)
def test_holder_sex_from_roster_and_id_number_must_agree(
    gender: str | None, id_number: str, sex: str | None, refusal: str | None
) -> None:
    holder, refusals = approvals.holder_from(
        {"id_number": id_number, "name": "张三", "gender": gender}
    )
    assert (holder.sex if holder else None) == sex
    assert [r.code for r in refusals] == ([refusal] if refusal else [])


def test_approval_refused_when_roster_sex_contradicts_id_number(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        roster = plans.roster(db, PLAN)
        for entry in roster:
            if entry["ticket"] == "T002":  # a woman by her ID number, entered as a man
                entry["gender"] = "M"
        plans.replace_roster(db, PLAN, roster)
        items = {it.result["ticket"]: it for it in approvals.queue(db, PLAN, date(2026, 11, 23))}
        assert [r.code for r in items["T002"].refusals] == ["sex_mismatch"]
        assert not items["T002"].approvable
        with pytest.raises(CertificateError) as err:
            approvals.approve(db, SITE, PLAN, "T002", "admin:approver", NOW, ISSUER)
        assert codes(err) == ["sex_mismatch"]
        message = str(err.value)
        assert "名单性别为“男”" in message and "的性别为“女”" in message
        assert CANDIDATES["T002"][2] in message and "请更正" in message
        assert [c["ticket"] for c in certificates.search(db)] == []


def test_second_continuing_education_reviewed_one_month_before_expiry(
    app: Flask, client: Any
) -> None:
    with app.app_context():
        db = get_db()
        issued, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        a, b = sorted(issued, key=lambda c: c["ticket"])  # valid 2026-11-23 to 2031-11-22
        for cert in (a, b):  # both did the first continuing education
            lifecycle.add_ce_record(db, cert["id_number"], "gas", date(2029, 3, 1), "admin:x",
                                    datetime(2029, 3, 2, tzinfo=UTC))  # fmt: skip
        lifecycle.review_certificates(db, datetime(2029, 5, 23, tzinfo=UTC))
        assert certificates.by_uid(db, a["uid"])["ce_due"] == "2031-10-22"
        page = client.get(f"/certificates/c/{a['uid']}").get_data(as_text=True)
        assert "第一次 2029-05-22（请于 2029-04-22 前完成" in page
        assert "第二次 2031-10-22（到期前1个月" in page and "待复核第 2 次" in page
        # only a does the second one, on the deadline day
        lifecycle.add_ce_record(db, a["id_number"], "gas", date(2031, 10, 22), "admin:x",
                                datetime(2031, 10, 22, 3, tzinfo=UTC))  # fmt: skip
        # 02:00 China time on the deadline day: not over yet
        assert lifecycle.review_certificates(db, datetime(2031, 10, 21, 18, tzinfo=UTC)) == []
        outcomes = lifecycle.review_certificates(db, datetime(2031, 10, 22, 18, tzinfo=UTC))
        assert {(o.number, o.passed) for o in outcomes} == {
            (a["number"], True),
            (b["number"], False),
        }
        assert lifecycle.review_certificates(db, datetime(2031, 10, 30, tzinfo=UTC)) == []
        a2, b2 = certificates.by_uid(db, a["uid"]), certificates.by_uid(db, b["uid"])
        assert (a2["ce_stage"], a2["ce_due"], a2["abnormal"]) == (3, None, 0)
        assert b2["abnormal"] == 1 and "继续教育" in b2["abnormal_reason"]
        assert lifecycle.status_of(b2, date(2031, 10, 23)) == "abnormal"
        assert "均已复核通过" in client.get(f"/certificates/c/{a['uid']}").get_data(as_text=True)
        assert [e["detail"]["stage"] for e in journal.entries(db) if "review" in e["action"]] == [
            1, 1, 2, 2,
        ]  # fmt: skip


def test_migration_moves_the_old_second_deadline(app: Flask) -> None:
    from migrations.cloud import m0022_second_ce_deadline

    with app.app_context():
        db = get_db()
        issued, _ = approvals.bulk_approve(db, PLAN, "admin:approver", NOW, ISSUER)
        a, b = issued[0], issued[1]
        # what the first review used to leave: stage 2, due on the last day of validity
        certificates.update(db, a["id"], {"ce_stage": 2, "ce_due": a["valid_until"]})
        with db.transaction():
            m0022_second_ce_deadline.migrate(db)
        assert certificates.by_uid(db, a["uid"])["ce_due"] == "2031-10-22"
        assert certificates.by_uid(db, b["uid"])["ce_due"] == b["ce_due"]  # stage 1: unchanged
