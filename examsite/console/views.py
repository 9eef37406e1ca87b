"""Console pages (`/console…`) and actions (`/console/api/…`): thin views over the exam day."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from examsite import archive, payloads, preflight
from examsite.app import site_of
from examsite.engine.errors import ExamError
from examsite.exam.base import CONSOLE_ROOM, Outcome
from examsite.exam.violations import CATEGORIES, HANDLINGS
from examsite.extensions import socketio
from examsite.kiosk import KIOSK_DIR
from examsite.store import candidates, capture_reviews, captures, desk, users

from . import auth, record, roomview
from .accounts import (
    ROLE_LABELS,
    AccountError,
    SignedIn,
    change_own_password,
    create_user,
    set_password,
    sign_in,
    unlock,
)
from .messages import STATE_LABELS, WORDS, from_exam_error, refusal
from .services import services_of, simulate_card

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

NAV = [
    ("room", "console.room", "view"),
    ("desk", "console.desk_page", "desk"),
    ("control", "console.control", "control"),
    ("captures", "console.captures_page", "records"),
    ("violations", "console.violations_page", "records"),
    ("record", "console.record_page", "view"),
    ("archive", "console.archive_page", "archive"),
    ("preflight", "console.preflight_page", "preflight"),
    ("sync", "console.sync_page", "view"),
    ("users", "console.users_page", "users"),
]


def lang() -> str:
    """The page language: the session's choice, else the site default."""
    chosen = session.get("lang") or current_app.config.get("LANGUAGE", "zh")
    return "en" if chosen == "en" else "zh"


def t(key: str) -> str:
    """A page word in the current language."""
    zh, en = WORDS.get(key, (key, key))
    return en if lang() == "en" else zh


def pair(value: tuple[str, str] | list[str]) -> str:
    """Pick the current language from a (中文, English) pair."""
    return value[1] if lang() == "en" else value[0]


@bp.app_template_global()
def console_words() -> dict[str, str]:
    """Every page word in the current language, for the scripts."""
    return {k: t(k) for k in WORDS}


@bp.context_processor
def page_context() -> dict[str, Any]:
    user = getattr(g, "user", None)
    nav = [
        (key, endpoint)
        for key, endpoint, perm in NAV
        if user and not user.get("must_change_password") and auth.allowed(user["role"], perm)
    ]
    return {
        "t": t,
        "pair": pair,
        "lang": lang(),
        "user": user,
        "nav": nav,
        "csrf_token": auth.csrf_token(),
        "role_label": lambda r: pair(ROLE_LABELS.get(r, (r, r))),
        "state_label": lambda st: pair(STATE_LABELS.get(st, (st, st))),
        "demo_mode": bool(current_app.config.get("SIM_CONTROL")),
    }


@bp.before_request
def check_csrf() -> Any:
    """Every state-changing request carries the session's CSRF token (the login form too)."""
    if request.method in ("POST", "PUT", "DELETE", "PATCH") and not auth.csrf_ok():
        if auth.wants_json():
            return jsonify(refusal("csrf_failed")), 400
        return render_template(
            "console/message.html", title=t("app"), message=pair(_pair("csrf_failed"))
        ), 400
    return None


@bp.after_request
def no_store(resp: Response) -> Response:
    resp.headers.setdefault("Cache-Control", "no-store")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


def _pair(code: str) -> tuple[str, str]:
    r = refusal(code)
    return r["message"], r["message_en"]


def _site() -> Any:
    return site_of(current_app)


def _session_or_404() -> dict[str, Any]:
    found = roomview.pick_session(_site().exam, request.args.get("session"))
    if found is None:
        abort(404)
    return found


# -- sign-in ------------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        cfg = current_app.config
        try:
            who = sign_in(
                _site().sitedb,
                request.form.get("username", ""),
                request.form.get("password", ""),
                _site().exam.now(),
                limit=int(cfg["CONSOLE_LOCK_FAILURES"]),
                lock_min=int(cfg["CONSOLE_LOCK_MIN"]),
            )
        except AccountError as e:
            error = e.en if lang() == "en" else f"{e.zh}（{e.en}）"
        else:
            keep = lang()
            auth.remember(who)
            session["lang"] = keep
            target = request.args.get("next") or ""
            if not target.startswith("/console") or target.startswith("//"):
                target = url_for("console.room")
            return redirect(target)
    expired = request.args.get("expired")
    return render_template("console/login.html", error=error, expired=expired), (
        400 if error else 200
    )


@bp.post("/logout")
def logout() -> Any:
    auth.forget()
    return redirect(url_for("console.login"))


@bp.get("/lang/<code>")
def set_lang(code: str) -> Any:
    session["lang"] = "en" if code == "en" else "zh"
    back = request.args.get("next") or url_for("console.room")
    return redirect(
        back
        if back.startswith("/console") and not back.startswith("//")
        else url_for("console.room")
    )


# -- pages --------------------------------------------------------------------------------------
@bp.get("/")
@auth.require("view")
def room() -> Any:
    found = roomview.pick_session(_site().exam, request.args.get("session"))
    return render_template(
        "console/room.html",
        session_row=found,
        sessions=roomview.session_list(_site().exam),
        categories=CATEGORIES,
        handlings=HANDLINGS,
    )


@bp.get("/desk")
@auth.require("desk")
def desk_page() -> Any:
    svc = services_of(current_app)
    found = roomview.pick_session(_site().exam, request.args.get("session"))
    with _site().sitedb.read() as db:
        roster = candidates.in_session(db, found["id"]) if found else []
    reader = svc.desk.reader_state if svc.desk else None
    return render_template(
        "console/desk.html",
        session_row=found,
        roster=roster,
        reader=reader,
        camera=svc.desk.camera_state() if svc.desk else None,
        desk_running=svc.desk is not None,
    )


@bp.get("/control")
@auth.require("control")
def control() -> Any:
    found = _session_or_404()
    return render_template(
        "console/control.html",
        session_row=found,
        sessions=roomview.session_list(_site().exam),
        snap=roomview.snapshot(_site().exam, found["id"]),
    )


@bp.get("/captures")
@auth.require("records")
def captures_page() -> Any:
    found = _session_or_404()
    with _site().sitedb.read() as db:
        rows = capture_reviews.for_session(db, found["id"])
    pending = [r for r in rows if r["taken_at"] and r["review"] is None and r["verdict"] != "match"]
    done = [r for r in rows if r["taken_at"] and r not in pending]
    return render_template("console/captures.html", session_row=found, pending=pending, done=done)


@bp.get("/violations")
@auth.require("records")
def violations_page() -> Any:
    from examsite.store import violations

    found = _session_or_404()
    with _site().sitedb.read() as db:
        rows = violations.for_session(db, found["id"])
        roster = candidates.in_session(db, found["id"])
    return render_template(
        "console/violations.html",
        session_row=found,
        rows=rows,
        roster=roster,
        categories=CATEGORIES,
        handlings=HANDLINGS,
    )


@bp.get("/record")
@auth.require("view")
def record_page() -> Any:
    found = _session_or_404()
    rec = record.build(_site().exam, found["id"], current_app.config["SITE_NAME"])
    return render_template("console/record.html", session_row=found, rec=rec)


@bp.get("/record.pdf")
@auth.require("view")
def record_pdf() -> Any:
    found = _session_or_404()
    rec = record.build(_site().exam, found["id"], current_app.config["SITE_NAME"])
    body = record.pdf(rec)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="incident-record-{found["id"]}.pdf"'
        },
    )


@bp.get("/archive")
@auth.require("archive")
def archive_page() -> Any:
    found = _session_or_404()
    return render_template("console/archive.html", session_row=found, result=None)


@bp.get("/archive.zip")
@auth.require("archive")
def archive_zip() -> Any:
    found = _session_or_404()
    cfg = current_app.config
    body = archive.export(_site().exam, found["id"], cfg["SITE_NAME"], cfg["SITE_ID"])
    with _site().sitedb.write() as db:
        _site().exam.journal(
            db,
            "override",
            auth.actor(g.user),
            {"action": "archive_exported", "bytes": len(body)},
            session_id=found["id"],
        )
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="archive-{found["id"]}.zip"'},
    )


@bp.post("/archive/verify")
@auth.require("archive")
def archive_verify() -> Any:
    found = _session_or_404()
    upload = request.files.get("archive")
    if upload is None:
        result = archive.Verification(problems=["请选择档案文件（choose an archive file）"])
    else:
        result = archive.verify(upload.read(64 * 1024 * 1024 + 1))
    return render_template("console/archive.html", session_row=found, result=result)


@bp.get("/preflight")
@auth.require("preflight")
def preflight_page() -> Any:
    svc = services_of(current_app)
    checks = preflight.run(
        _site().exam,
        dict(current_app.config),
        current_app.instance_path,
        reader_state=svc.desk.reader_state
        if svc.desk and current_app.config["IDCARD_READER"]
        else None,
        public_key=preflight.stored_public_key(_site().exam),
    )
    return render_template(
        "console/preflight.html",
        checks=checks,
        failing=preflight.not_ready(checks),
        warnings=preflight.warnings(checks),
    )


@bp.get("/sync")
@auth.require("view")
def sync_page() -> Any:
    """Cloud sync: outbox counts, last push, the cloud's chain verdict, receipts per candidate."""
    from examsite.sync.status import status

    return render_template(
        "console/sync.html", st=status(_site().sitedb), pushed=None, staging=None
    )


@bp.post("/sync/push")
@auth.require("control")
def sync_push() -> Any:
    """Push the outbox now (the scheduled job does it every SYNC_INTERVAL_S anyway), in a
    process of its own as the job does: the terminals' acks do not wait for it."""
    from examsite.sync.push import push_in_process
    from examsite.sync.status import status

    pushed = push_in_process(current_app)
    return render_template(
        "console/sync.html", st=status(_site().sitedb), pushed=pushed, staging=None
    )


@bp.post("/sync/stage")
@auth.require("control")
def sync_stage() -> Any:
    """Pull and verify a date's plans from the cloud (拉取试卷) in the background; the page shows
    the progress pushed over /console and the reports when done."""
    from datetime import date

    day = request.form.get("date", "")
    try:
        date.fromisoformat(day)
    except ValueError:
        return render_template(
            "console/sync.html", st=_sync_status(), pushed=None, staging=None, bad_date=day
        ), 400
    svc = services_of(current_app)
    if svc.extra.get("staging"):
        return render_template(
            "console/sync.html", st=_sync_status(), pushed=None, staging=day, busy=True
        )
    svc.extra["staging"] = day
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_run_staging, app, day)
    return render_template("console/sync.html", st=_sync_status(), pushed=None, staging=day)


@bp.get("/sync/plans")
@auth.require("view")
def sync_plans() -> Any:
    """A date's plans at the cloud without pulling them (``examsite list-plans``)."""
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.staging import PlanListError, list_day

    day = request.args.get("date", "")
    try:
        listed, error = list_day(_site().sitedb, client_for, day), None
    except (NotLinked, PlanListError) as exc:
        listed, error = None, getattr(exc, "message", str(exc))
    return render_template(
        "console/sync.html",
        st=_sync_status(),
        pushed=None,
        staging=None,
        listed=listed,
        listed_date=day,
        list_error=error,
    ), (200 if error is None else 503)


def _sync_status() -> dict[str, Any]:
    from examsite.sync.status import status

    return status(_site().sitedb)


def _run_staging(app: Any, day: str) -> None:
    """The staging job behind the console button: progress and the end go to every console."""
    from cloudsync.client import CloudError
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.staging import stage_day

    site = site_of(app)

    def progress(plan_id: str, done: int, total: int | None) -> None:
        socketio.emit(
            "stage_progress",
            {"plan_id": plan_id, "done": done, "total": total},
            to=CONSOLE_ROOM,
            namespace="/console",
        )

    try:
        pool = services_of(app).pool  # the server's face workers, started on first use
        reports = stage_day(site.exam, client_for(site.sitedb), day, progress, pool)
        out: dict[str, Any] = {"ok": True, "date": day, "reports": reports}
    except (NotLinked, CloudError) as exc:
        out = {"ok": False, "date": day, "message": getattr(exc, "message", str(exc))}
    except Exception as exc:  # a background job must end by telling the console
        out = {"ok": False, "date": day, "message": repr(exc)}
    finally:
        services_of(app).extra.pop("staging", None)
    socketio.emit("stage_done", out, to=CONSOLE_ROOM, namespace="/console")


@bp.get("/api/sync")
@auth.require("view")
def api_sync() -> Any:
    """The sync status as JSON (``?session=ID`` narrows the receipts)."""
    from examsite.sync.status import status

    return jsonify(status(_site().sitedb, request.args.get("session")))


@bp.route("/users", methods=["GET", "POST"])
@auth.require("users")
def users_page() -> Any:
    message = error = None
    if request.method == "POST":
        form = request.form
        try:
            if form.get("op") == "create":
                create_user(
                    _site().sitedb,
                    form.get("username", ""),
                    form.get("display_name", ""),
                    form.get("role", ""),
                    form.get("password", ""),
                    # the administrator assigned it: its user changes it at first login (004 §5)
                    must_change="1" in form.getlist("temporary") if "temporary" in form else True,
                    actor=auth.actor(g.user),
                )
                message = t("save") + " ✓"
            elif form.get("op") == "unlock":
                unlock(_site().sitedb, _int(form, "user_id"), actor=auth.actor(g.user))
                message = t("unlock") + " ✓"
            elif form.get("op") == "password":
                uid = _int(form, "user_id")
                set_password(
                    _site().sitedb,
                    uid,
                    form.get("password", ""),
                    must_change=uid != g.user["id"],
                    actor=auth.actor(g.user),
                )
                message = t("save") + " ✓"
        except ExamError as e:
            error = pair(_pair(e.code))
        except AccountError as e:
            error = f"{e.zh}（{e.en}）"
    with _site().sitedb.read() as db:
        rows = users.all_users(db)
    return render_template(
        "console/users.html", rows=rows, message=message, error=error, roles=users.ROLES
    ), (400 if error else 200)


@bp.route("/password", methods=["GET", "POST"])
@auth.require("view")
def password_page() -> Any:
    """The signed-in user changes their own password (004 §5); this login stays, others end."""
    message = error = None
    if request.method == "POST":
        form, cfg, user = request.form, current_app.config, g.user
        try:
            epoch = change_own_password(
                _site().sitedb,
                user["id"],
                form.get("current", ""),
                form.get("new", ""),
                form.get("again", ""),
                _site().exam.now(),
                limit=int(cfg["CONSOLE_LOCK_FAILURES"]),
                lock_min=int(cfg["CONSOLE_LOCK_MIN"]),
            )
        except AccountError as e:
            error = e.en if lang() == "en" else f"{e.zh}（{e.en}）"
            if e.code == "account_locked":  # locked like a sign-in: this login ends too
                auth.forget()
                g.pop("user", None)
                return render_template(
                    "console/message.html", title=t("change_password"), message=error
                ), 403
        else:
            keep = lang()
            auth.remember(
                SignedIn(user["id"], user["username"], user["display_name"], user["role"], epoch)
            )
            session["lang"] = keep
            g.user = {**user, "must_change_password": 0}
            message = pair(
                (
                    "密码已修改，其他已登录的设备需重新登录。",
                    "Password changed; other logins must sign in again.",
                )
            )
    return render_template("console/password.html", message=message, error=error), (
        400 if error else 200
    )


@bp.get("/display")
@auth.require("view")
def display() -> Any:
    """The room's wall display: counts and the exam password, big, for announcement."""
    found = _session_or_404()
    return render_template("console/display.html", session_row=found)


# -- images (signed-in only) ---------------------------------------------------------------------
def _image(data: bytes | None) -> Response:
    if not data:
        abort(404)
    mime = payloads.image_mime(data)
    return Response(data, mimetype=mime, headers={"Cache-Control": "private, no-store"})


@bp.get("/photo/<int:candidate_id>")
@auth.require("view")
def photo(candidate_id: int) -> Response:
    with _site().sitedb.read() as db:
        return _image(candidates.photo(db, candidate_id))


@bp.get("/desk/still/<int:read_id>")
@auth.require("desk")
def desk_still(read_id: int) -> Response:
    with _site().sitedb.read() as db:
        return _image(desk.still(db, read_id))


@bp.get("/capture/<request_id>")
@auth.require("records")
def capture_image(request_id: str) -> Response:
    with _site().sitedb.read() as db:
        return _image(captures.image(db, request_id))


@bp.get("/vendor/socket.io.min.js")
def socketio_client() -> Response:
    """The Socket.IO client vendored for the kiosk, served here too (no CDN on exam day)."""
    return send_from_directory(KIOSK_DIR / "vendor", "socket.io.min.js")


# -- actions --------------------------------------------------------------------------------------
def _int(data: dict[str, Any], key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise ExamError("bad_request", {"field": key}) from None


def _text(data: dict[str, Any], key: str, limit: int = 500) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ExamError("bad_request", {"field": key})
    return value.strip()[:limit]


def _start(data: dict[str, Any], actor: str) -> Outcome:
    exam = _site().exam
    sid = _text(data, "session_id", 64)
    code = _text(data, "release_code", 64)
    with exam.sitedb.read() as db:
        from examsite.store import sessions

        row = sessions.paper_row(db, sid)
        session = sessions.get(db, sid)
    if session is None or session["state"] != "checkin_open":
        # refuse before unsealing: a paper must not lie open on disk for a start that fails
        raise ExamError(
            "bad_transition", {"action": "start", "state": (session or {}).get("state")}
        )
    if row is not None and row["content"] is None:
        _unseal(sid, code, actor)
    return exam.start(sid, actor)


def _unseal(sid: str, code: str, actor: str) -> None:
    """Open the sealed paper: with the typed code, or (field left blank) with the code fetched
    from the cloud in a few seconds; offline, the proctor is asked for the announced code."""
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.release import ReleaseError, fetch_and_open, open_with_code

    sitedb = _site().exam.sitedb
    if code:
        try:
            open_with_code(sitedb, sid, code, actor)
        except ReleaseError as e:
            raise ExamError("paper_sealed", {"detail": e.message, "reason": e.code}) from None
        return
    try:
        timeout = float(current_app.config["RELEASE_FETCH_TIMEOUT_S"])
        fetch_and_open(sitedb, client_for(sitedb, timeout=timeout, retries=0), sid, actor)
    except NotLinked as e:
        raise ExamError(
            "release_code_required", {"detail": e.message, "reason": "not_linked"}
        ) from None
    except ReleaseError as e:
        raise ExamError("release_code_required", {"detail": e.message, "reason": e.code}) from None


def _extend(data: dict[str, Any], actor: str) -> Outcome:
    exam = _site().exam
    minutes = _int(data, "minutes")
    if not 1 <= minutes <= 120:
        raise ExamError("bad_seconds")
    reason = _text(data, "reason")
    if data.get("all"):
        with exam.sitedb.read() as db:
            ids = [
                c["id"]
                for c in candidates.with_states(
                    db,
                    _text(data, "session_id", 64),
                    ("logged_in", "confirmed", "answering", "away"),
                )
            ]
    else:
        ids = [_int(data, "candidate_id")]
    return exam.extend(ids, minutes * 60, actor, reason)


def _desk() -> Any:
    svc = services_of(current_app)
    if svc.desk is None:
        raise ExamError("desk_not_running")
    return svc.desk


def _sim_card(data: dict[str, Any], actor: str) -> dict[str, Any]:
    control = current_app.config.get("SIM_CONTROL")
    if not control:
        raise ExamError("sim_unavailable")
    with _site().sitedb.read() as db:
        cand = candidates.get(db, _int(data, "candidate_id"))
    if cand is None:
        raise ExamError("not_on_roster")
    try:
        reply = simulate_card(control, cand, socketio.sleep)
    except OSError:
        raise ExamError("sim_unavailable") from None
    return {"ok": reply.startswith("ok"), "reply": reply}


def _staff(data: dict[str, Any]) -> dict[str, Any]:
    services_of(current_app).records.set_staff(
        _text(data, "session_id", 64),
        re.split(r"[、,，\s]+", _text(data, "proctors")),
        re.split(r"[、,，\s]+", _text(data, "patrols")),
    )
    return {"ok": True}


def _reason_needed(reason: str) -> str:
    if not reason:
        raise ExamError("reason_required")
    return reason


ACTIONS: dict[str, tuple[str, Callable[[dict[str, Any], str], Any]]] = {
    "open_checkin": (
        "control",
        lambda d, a: _site().exam.open_checkin(_text(d, "session_id", 64), a),
    ),
    "start": ("control", _start),
    "end": ("control", lambda d, a: _site().exam.end(_text(d, "session_id", 64), a)),
    "message": (
        "control",
        lambda d, a: _site().exam.message(
            _text(d, "session_id", 64),
            _reason_needed(_text(d, "text")),
            a,
            _int(d, "candidate_id") if d.get("candidate_id") else None,
        ),
    ),
    "extend": ("control", _extend),
    "transfer": (
        "control",
        lambda d, a: _site().exam.transfer(
            _int(d, "candidate_id"),
            _text(d, "terminal_id", 64),
            a,
            _reason_needed(_text(d, "reason")),
        ),
    ),
    "cancel_transfer": (
        "control",
        lambda d, a: _site().exam.cancel_transfer(
            _int(d, "candidate_id"), a, _reason_needed(_text(d, "reason"))
        ),
    ),
    "leave": (
        "control",
        lambda d, a: _site().exam.leave(_int(d, "candidate_id"), a, _text(d, "reason")),
    ),
    "come_back": (
        "control",
        lambda d, a: _site().exam.come_back(
            _int(d, "candidate_id"), a, None, _reason_needed(_text(d, "reason"))
        ),
    ),
    "unlock_login": (
        "control",
        lambda d, a: _site().exam.unlock_login(
            _int(d, "candidate_id"), a, _reason_needed(_text(d, "reason"))
        ),
    ),
    "accept_late_answers": (
        "control",
        lambda d, a: _site().exam.accept_late_answers(
            _int(d, "candidate_id"), a, _reason_needed(_text(d, "reason"))
        ),
    ),
    "violation": (
        "records",
        lambda d, a: services_of(current_app).records.violation(
            _int(d, "candidate_id"),
            _int(d, "category"),
            _text(d, "conduct", 1000),
            _text(d, "handling", 20),
            a,
        ),
    ),
    "capture_review": (
        "records",
        lambda d, a: services_of(current_app).records.review_capture(
            _text(d, "request_id", 64), _text(d, "decision", 10), _text(d, "note"), a
        ),
    ),
    "resolve_dispute": (
        "records",
        lambda d, a: services_of(current_app).records.resolve_dispute(
            _int(d, "candidate_id"), _text(d, "note"), a
        ),
    ),
    "note": (
        "note",
        lambda d, a: services_of(current_app).records.note(
            _text(d, "session_id", 64), _text(d, "text", 2000), a
        ),
    ),
    "staff": ("records", lambda d, a: _staff(d)),
    "desk_admit": ("desk", lambda d, a: _desk().admit(_int(d, "read_id"), a, _text(d, "reason"))),
    "desk_refuse": ("desk", lambda d, a: _desk().refuse(_int(d, "read_id"), a, _text(d, "reason"))),
    "sim_card": ("desk", _sim_card),
}


@bp.post("/api/<action>")
def api(action: str) -> Any:
    """Run one console action: `{"ok": true, …}` or a refusal with both languages."""
    entry = ACTIONS.get(action)
    if entry is None:
        return jsonify(refusal("unknown_event")), 404
    permission, handler = entry

    @auth.require(permission)
    def run() -> Any:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return jsonify(refusal("bad_request")), 400
        try:
            out = handler(data, auth.actor(g.user))
        except ExamError as e:
            return jsonify(from_exam_error(e)), 409
        if isinstance(out, Outcome):
            _site().emit(out.pushes)
            return jsonify(out.ack)
        return jsonify(out if isinstance(out, dict) else {"ok": True})

    return run()


@bp.get("/api/snapshot")
@auth.require("view")
def api_snapshot() -> Any:
    found = roomview.pick_session(_site().exam, request.args.get("session"))
    if found is None:
        return jsonify(refusal("no_session")), 404
    return jsonify(roomview.snapshot(_site().exam, found["id"]))


@bp.get("/api/desk")
@auth.require("desk")
def api_desk() -> Any:
    svc = services_of(current_app)
    with _site().sitedb.read() as db:
        recent = desk.recent(db, 10)
    latest = (
        svc.desk.read(recent[0]["id"]) if svc.desk and recent else (recent[0] if recent else None)
    )
    return jsonify(
        {
            "ok": True,
            "running": svc.desk is not None,
            "reader": svc.desk.reader_state if svc.desk else None,
            "camera": svc.desk.camera_state() if svc.desk else None,
            "latest": json.loads(json.dumps(latest, default=str)) if latest else None,
            "recent": [
                {k: r[k] for k in ("id", "at", "decision", "candidate_id")}
                | {"name": r["identity"].get("name")}
                for r in recent
            ],
        }
    )
