"""Console actions through the real app and SQLite: rules enforced, refusals clear, all journaled."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import Flask

from examsite import archive, demo
from examsite.app import site_of
from examsite.console import record
from examsite.store import candidates, journal, sessions
from tests.console.conftest import Console


def _roster(app: Flask, session_id: str) -> list[dict]:
    with site_of(app).sitedb.read() as db:
        return candidates.in_session(db, session_id)


def _login_terminal(app: Flask, cand: dict, terminal: str, seat: int, password: str) -> str:
    """Candidate steps through the exam day directly (login → notice → password → confirm)."""
    exam = site_of(app).exam
    exam.hello(terminal, seat, "127.0.0.1", "Mozilla/5.0 Chrome/120.0")
    token = exam.login(terminal, seat, cand["name"], cand["ticket"]).ack["token"]
    exam.notice_ack(terminal, token)
    exam.room_password(terminal, token, password)
    exam.confirm_identity(terminal, token, True, "")
    return token


def _kinds(app: Flask, session_id: str) -> list[str]:
    with site_of(app).sitedb.read() as db:
        return [r["kind"] for r in journal.rows(db, session_id=session_id, limit=10000)]


def test_start_twice_is_refused(proctor: Console, session_id: str) -> None:
    assert proctor.api("start", session_id=session_id)["ok"]
    again = proctor.api("start", session_id=session_id)
    assert again["ok"] is False and again["code"] == "bad_transition"
    assert "当前状态下不能执行此操作" in again["message"] and again["message_en"]


def _class(app: Flask, sid: str, room: str, person: int) -> tuple[dict, str]:
    """Another class (session) with one candidate, staged with check-in open and checked in."""
    exam = site_of(app).exam
    session = {**demo.demo_session(exam.now(), starts_in_min=10), "id": sid, "room": room}
    who = {**demo.demo_roster()[person], "ticket": f"2026{person:02d}{len(sid):02d}{sid[-1]}"}
    exam.stage_session(session, demo.PAPER, [who], actor="test")
    exam.tick()
    cand = _roster(app, sid)[0]
    exam.check_in(cand["id"], "test", {"method": "test"})
    return cand, session["exam_password"]


def test_one_away_and_end_cover_the_whole_room(
    proctor: Console, app: Flask, session_id: str
) -> None:
    with site_of(app).sitedb.read() as db:
        pw = db.execute(
            "SELECT exam_password FROM exam_sessions WHERE id = ?", [session_id]
        ).fetchone()[0]
    a = _roster(app, session_id)[0]  # DEMO-1 sits in 第1考场
    b, pw_b = _class(app, "CLASS-B", "第1考场", 1)  # a class that will have finished
    e, pw_e = _class(app, "CLASS-E", "第1考场", 2)  # a longer class still sitting
    c, pw_c = _class(app, "CLASS-C", "第2考场", 3)  # another room
    for cand, term, seat, password in ((a, "T-1", 1, pw), (b, "T-2", 2, pw_b),
                                       (e, "T-3", 3, pw_e), (c, "T-4", 4, pw_c)):  # fmt: skip
        _login_terminal(app, cand, term, seat, password)
    for sid in (session_id, "CLASS-B", "CLASS-E", "CLASS-C"):
        assert proctor.api("start", session_id=sid)["ok"]

    assert proctor.api("leave", candidate_id=a["id"], reason="如厕")["ok"]
    same_room = proctor.api("leave", candidate_id=e["id"], reason="如厕")
    assert same_room["code"] == "one_away" and same_room["away"] == a["name"]
    assert proctor.api("leave", candidate_id=c["id"], reason="如厕")["ok"]  # another room

    assert proctor.api(
        "violation", candidate_id=b["id"], category=5, conduct="使用手机", handling="disqualify"
    )["ok"]  # class B has no open paper left
    ended = proctor.api("end", session_id=session_id)
    assert ended["ok"] and ended["ended"] == [session_id, "CLASS-B"]
    assert [(s["session_id"], s["open"]) for s in ended["still_running"]] == [("CLASS-E", 1)]
    with site_of(app).sitedb.read() as db:
        states = {sid: sessions.get(db, sid)["state"]  # type: ignore[index]
                  for sid in (session_id, "CLASS-B", "CLASS-E", "CLASS-C")}  # fmt: skip
        class_b = journal.rows(db, session_id="CLASS-B", kinds=("exam_ended",))
    assert states == {session_id: "ended", "CLASS-B": "ended", "CLASS-E": "running",
                      "CLASS-C": "running"}  # fmt: skip
    assert class_b[0]["payload"] == {"with_session": session_id}
    assert proctor.api("leave", candidate_id=e["id"], reason="如厕")["ok"]  # a is collected


def test_transfer_leave_violation_rules(proctor: Console, app: Flask, session_id: str) -> None:
    with site_of(app).sitedb.read() as db:
        pw = db.execute(
            "SELECT exam_password FROM exam_sessions WHERE id = ?", [session_id]
        ).fetchone()[0]
    roster = _roster(app, session_id)
    a, b, c = roster[0], roster[1], roster[2]
    _login_terminal(app, a, "T-1", 1, pw)
    _login_terminal(app, b, "T-2", 2, pw)
    _login_terminal(app, c, "T-3", 3, pw)
    site_of(app).exam.hello("T-9", 9, "127.0.0.1", "Chrome/120")
    assert proctor.api("start", session_id=session_id)["ok"]

    occupied = proctor.api("transfer", candidate_id=a["id"], terminal_id="T-2", reason="死机")
    assert occupied["code"] == "terminal_occupied" and "空闲终端" in occupied["message"]
    no_reason = proctor.api("transfer", candidate_id=a["id"], terminal_id="T-9", reason="")
    assert no_reason["code"] == "reason_required"
    snap = proctor.snapshot()
    assert [t["id"] for t in snap["free_terminals"]] == ["T-9"]
    assert proctor.api("transfer", candidate_id=a["id"], terminal_id="T-9", reason="终端死机")["ok"]
    seat_a = next(s for s in proctor.snapshot()["seats"] if s["candidate_id"] == a["id"])
    assert [x["code"] for x in seat_a["alerts"]] == ["transfer_pending"]

    assert proctor.api("leave", candidate_id=b["id"], reason="如厕")["ok"]
    second = proctor.api("leave", candidate_id=c["id"], reason="如厕")
    assert second["code"] == "one_away" and second["away"] == b["name"]
    needs = proctor.api("come_back", candidate_id=b["id"], reason="")
    assert needs["code"] == "reason_required"
    assert proctor.api("come_back", candidate_id=b["id"], reason="已核验准考证和身份证")["ok"]

    warn = proctor.api(
        "violation", candidate_id=c["id"], category=3, conduct="交头接耳", handling="warning"
    )
    assert warn["ok"]
    out = proctor.api(
        "violation", candidate_id=c["id"], category=5, conduct="使用手机", handling="disqualify"
    )
    assert out["ok"]
    seat_c = next(s for s in proctor.snapshot()["seats"] if s["candidate_id"] == c["id"])
    assert seat_c["state"] == "disqualified" and "使用手机" in seat_c["void_reason"]
    again = proctor.api(
        "violation", candidate_id=c["id"], category=5, conduct="x", handling="disqualify"
    )
    assert again["ok"] is False
    bad = proctor.api("violation", candidate_id=c["id"], category=12, conduct="", handling="x")
    assert bad["code"] == "bad_request"
    assert proctor.api("extend", candidate_id=b["id"], minutes=5, reason="")["code"] == (
        "reason_required"
    )
    assert proctor.api("extend", candidate_id=b["id"], minutes=500, reason="x")["code"] == (
        "bad_seconds"
    )
    assert proctor.api("extend", session_id=session_id, all=True, minutes=5, reason="停电")["ok"]
    assert proctor.api("end", session_id=session_id)["ok"]
    kinds = _kinds(app, session_id)
    for kind in ("transfer", "leave", "return", "violation", "disqualified", "time_extended"):
        assert kind in kinds
    assert kinds.count("violation") == 2  # the refused second disqualification wrote nothing

    rec = record.build(site_of(app).exam, session_id, "示范考点")
    text = "\n".join(e["text"] for e in rec["events"])
    assert "转移" in text and "T-9" in text and "使用手机" in text and "取消考核资格和成绩" in text
    assert rec["expected"] == 6 and rec["actual"] == 3
    assert {a["ticket"] for a in rec["absentees"]} == {r["ticket"] for r in roster[3:]}
    pdf = record.pdf(rec)
    assert pdf.startswith(b"%PDF") and b"FontFile2" in pdf


def test_a_pending_transfer_can_be_cancelled(proctor: Console, app: Flask, session_id: str) -> None:
    with site_of(app).sitedb.read() as db:
        pw = db.execute(
            "SELECT exam_password FROM exam_sessions WHERE id = ?", [session_id]
        ).fetchone()[0]
    a = _roster(app, session_id)[0]
    _login_terminal(app, a, "T-1", 1, pw)
    site_of(app).exam.hello("T-9", 9, "127.0.0.1", "Chrome/120")
    assert proctor.api("start", session_id=session_id)["ok"]
    none = proctor.api("cancel_transfer", candidate_id=a["id"], reason="选错考生")
    assert none["code"] == "no_transfer_pending" and "没有待确认" in none["message"]
    assert proctor.api("transfer", candidate_id=a["id"], terminal_id="T-9", reason="死机")["ok"]
    page = proctor.client.get("/console/").get_data(as_text=True)
    assert 'data-act="cancel_transfer"' in page
    no_reason = proctor.api("cancel_transfer", candidate_id=a["id"], reason="")
    assert no_reason["code"] == "reason_required"
    assert proctor.api("cancel_transfer", candidate_id=a["id"], reason="选错考生")["ok"]
    seat = next(s for s in proctor.snapshot()["seats"] if s["candidate_id"] == a["id"])
    assert seat["transfer_to"] is None and seat["terminal_id"] == "T-1" and not seat["alerts"]
    free = [t["id"] for t in proctor.snapshot()["free_terminals"]]
    assert "T-9" in free and "T-1" not in free
    rec = record.build(site_of(app).exam, session_id, "示范考点")
    line = next(e["text"] for e in rec["events"] if "撤销" in e["text"])
    assert "T-9" in line and "选错考生" in line and "T-1" in line


def test_record_pages_and_pdf_download(proctor: Console, session_id: str) -> None:
    assert proctor.api("note", session_id=session_id, text="09:10 考场空调故障，已调换")["ok"]
    assert proctor.api("staff", session_id=session_id, proctors="王监考、李监考", patrols="赵巡考")[
        "ok"
    ]
    page = proctor.client.get("/console/record").get_data(as_text=True)
    assert "考场情况记录表" in page and "空调故障" in page and "王监考、李监考" in page
    with proctor.client.get("/console/static/console.css") as css:
        assert "@media print" in css.get_data(as_text=True)
    resp = proctor.client.get("/console/record.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")


def test_archive_export_verify_and_tamper(proctor: Console, app: Flask, session_id: str) -> None:
    assert proctor.api("start", session_id=session_id)["ok"]
    assert proctor.api("end", session_id=session_id)["ok"]
    resp = proctor.client.get("/console/archive.zip")
    assert resp.status_code == 200
    body = resp.data
    result = archive.verify(body)
    assert result.ok, result.problems
    assert result.journal_rows > 5 and result.session_id == session_id
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    for need in (
        "manifest.json",
        "roster.json",
        "journal.jsonl",
        "journal_chain.jsonl",
        "answers.json",
        "results.json",
        "captures.json",
        "incident_record.pdf",
        "video_index.json",
        "violations.json",
    ):
        assert need in names
    assert any(n.startswith("photos/") for n in names)

    # a changed result, an edited journal row, a missing file: each found
    for victim, change in (
        ("results.json", lambda b: b.replace(b"absent", b"passed", 1)),
        (
            "journal.jsonl",
            lambda b: b.replace(b'"kind": "exam_started"', b'"kind": "exam_startex"'),
        ),
    ):
        tampered = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(tampered, "w") as dst:
            for item in src.namelist():
                data = src.read(item)
                dst.writestr(item, change(data) if item == victim else data)
        bad = archive.verify(tampered.getvalue())
        assert not bad.ok and any(victim in p for p in bad.problems)
    assert not archive.verify(b"not a zip").ok

    # the upload form on the archive page
    page = proctor.client.post(
        "/console/archive/verify",
        data={"csrf_token": proctor.token, "archive": (io.BytesIO(body), "a.zip")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "档案完整" in page


def test_archive_journal_rewritten_consistently_is_caught(
    proctor: Console, session_id: str
) -> None:
    """Even with the manifest redone, a re-hashed journal row no longer sits on the chain."""
    from cloudsync.chain import row_hash

    body = proctor.client.get("/console/archive.zip").data
    src = zipfile.ZipFile(io.BytesIO(body))
    rows = [json.loads(line) for line in src.read("journal.jsonl").splitlines()]
    rows[0]["payload"] = {"forged": True}
    rows[0]["hash"] = row_hash(rows[0]["prev_hash"], rows[0])
    forged = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    manifest = json.loads(src.read("manifest.json"))
    import hashlib

    for f in manifest["files"]:
        if f["path"] == "journal.jsonl":
            f["sha256"], f["bytes"] = hashlib.sha256(forged).hexdigest(), len(forged)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            data = {"journal.jsonl": forged, "manifest.json": json.dumps(manifest).encode()}.get(
                item, src.read(item)
            )
            dst.writestr(item, data)
    result = archive.verify(out.getvalue())
    assert not result.ok and "哈希链" in result.problems[0]


def test_preflight_lists_what_is_not_ready(proctor: Console, app: Flask, instance: Path) -> None:
    from examsite import preflight

    site_of(app).exam.hello("T-1", 1, "10.0.0.11", "Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36")
    checks = preflight.run(
        site_of(app).exam, dict(app.config), str(instance), clock_fetch=lambda url: None
    )
    by_key = {c.key: c for c in checks}
    assert by_key["idcard"].status == "fail"  # nothing configured in tests
    assert "Chrome 120" in by_key["terminal:T-1"].detail
    assert any(k.startswith("paper:") and c.status == "ok" for k, c in by_key.items())
    assert by_key["face_models"].status == "ok"
    page = proctor.client.get("/console/preflight")
    assert page.status_code == 403 or page.status_code == 302  # proctors do not run it
    admin = app.test_client()
    from tests.console.conftest import ADMIN_PW, login

    login(admin, "admin", ADMIN_PW)
    html = admin.get("/console/preflight").get_data(as_text=True)
    assert "项未就绪" in html and "未配置身份证读卡器" in html


def test_all_pages_render_for_admin(app: Flask) -> None:
    from tests.console.conftest import ADMIN_PW, login

    client = app.test_client()
    login(client, "admin", ADMIN_PW)
    for page in (
        "/console/",
        "/console/desk",
        "/console/control",
        "/console/captures",
        "/console/violations",
        "/console/record",
        "/console/archive",
        "/console/users",
        "/console/display",
    ):
        resp = client.get(page)
        assert resp.status_code == 200, page
        assert "csrf-token" in resp.get_data(as_text=True)


def test_candidate_images_need_a_login(app: Flask, session_id: str) -> None:
    roster = _roster(app, session_id)
    assert app.test_client().get(f"/console/photo/{roster[0]['id']}").status_code == 302


def test_a_proctor_lifts_a_login_lock_out(proctor: Console, app: Flask, session_id: str) -> None:
    from examsite.console import roomview

    exam = site_of(app).exam
    cand = _roster(app, session_id)[0]
    exam.hello("T-7", cand["seat"], "127.0.0.1", "Mozilla/5.0 Chrome/120.0")
    for _ in range(5):
        exam.captcha_failed("T-7", cand["ticket"], cand["name"])
    seat = next(
        s for s in roomview.snapshot(exam, session_id)["seats"] if s["ticket"] == cand["ticket"]
    )
    assert "login_locked" in [a["code"] for a in seat["alerts"]]
    assert 290 <= seat["login_locked_s"] <= 300
    refused = proctor.api("unlock_login", candidate_id=cand["id"])
    assert refused["code"] == "reason_required"
    assert proctor.api("unlock_login", candidate_id=cand["id"], reason="考生输错验证码")["ok"]
    assert exam.login("T-7", cand["seat"], cand["name"], cand["ticket"]).ack["ok"]
    again = proctor.api("unlock_login", candidate_id=cand["id"], reason="x")
    assert again["code"] == "not_locked" and again["message_en"]
    seat = next(
        s for s in roomview.snapshot(exam, session_id)["seats"] if s["ticket"] == cand["ticket"]
    )
    assert seat["login_locked_s"] == 0
    assert "login_unlocked" in _kinds(app, session_id)
