"""Class-based namespace `/candidate`: thin handlers that validate, call the exam day, and push."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import Namespace, join_room

from examsite.engine.errors import ExamError, error_ack
from examsite.engine.timing import iso
from examsite.exam import ExamDay
from examsite.exam.base import Outcome, term_room
from examsite.store import terminals
from examsite.store.writer import GroupWriter

from . import schema
from .captcha import Captchas

log = logging.getLogger(__name__)


class CandidateNamespace(Namespace):
    """Every event is answered through its ack: `{"ok": true, …}` or `{"ok": false, "code", "message", …}`."""

    def __init__(
        self,
        exam: ExamDay,
        writer: GroupWriter,
        emit_pushes: Any,
        namespace: str = "/candidate",
        captcha_fixed: str | None = None,
    ):
        super().__init__(namespace)
        self.exam = exam
        self.writer = writer
        self.emit_pushes = emit_pushes
        self.captchas = Captchas(captcha_fixed)
        self.terminal_of: dict[str, str] = {}
        self.seat_of: dict[str, int | None] = {}

    # -- dispatch: unknown events, refusals and crashes all become acks ------------------------
    def trigger_event(self, event: Any, *args: Any) -> Any:
        if not isinstance(event, str):
            # `42/candidate,5[123]`: a packet whose event name is a number, null or an object.
            return error_ack("unknown_event")
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        if event == "answer":
            # The hot path needs no Flask request context: building one per event cost 10–15 %
            # of the server's CPU in scripts/bench_room.py.
            sid, *data = args
            return self._guarded(lambda d: self._answer(sid, d), data)
        handler = getattr(self, "on_" + event, None) if event.isidentifier() else None

        def guarded(*data: Any) -> Any:
            if handler is None:
                return error_ack("unknown_event", event=event[:64])
            return self._guarded(handler, data)

        # Flask-SocketIO's dispatcher gives the other handlers their app and request context.
        assert self.socketio is not None
        return self.socketio._handle_event(guarded, event, self.namespace, *args)

    def _guarded(self, handler: Any, data: Any) -> Any:
        """Run a handler: refusals and crashes become acks, pushes go out after the commit."""
        try:
            out = handler(schema.obj(data[0] if data else None))
        except ExamError as e:
            return e.as_ack()
        except Exception:
            log.exception("event failed")
            return error_ack("internal")
        if isinstance(out, Outcome):
            if out.pushes:
                self.emit_pushes(out.pushes)
            return out.ack
        return out

    def _answer(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """An answer event: validated, then stored by the group writer; acked after the commit."""
        item = schema.answer(data)
        tid = self.terminal_of.get(sid)
        if tid is None:
            raise ExamError("no_hello")
        item["terminal_id"] = tid
        return self.writer.submit(item)

    def _terminal(self) -> str:
        tid = self.terminal_of.get(request.sid)  # type: ignore[attr-defined]
        if tid is None:
            raise ExamError("no_hello")
        return tid

    def _bind(self, ack: dict[str, Any]) -> None:
        """Join the rooms of the candidate's terminal and session after a login or resume."""
        if ack.get("ok") and ack.get("session_id"):
            join_room(f"session:{ack['session_id']}")

    # -- connection ---------------------------------------------------------------------------
    def on_connect(self, auth: Any = None) -> None:
        pass

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        tid = self.terminal_of.pop(sid, None)
        self.seat_of.pop(sid, None)
        if tid and tid not in self.terminal_of.values():
            with self.exam.sitedb.write() as db:
                terminals.set_connected(db, tid, False, at=iso(self.exam.now()))
            self.emit_pushes([self.exam.console_push("terminal_disconnected", terminal_id=tid)])

    # -- events (see docs/protocol.md) --------------------------------------------------------
    def on_hello(self, data: dict[str, Any]) -> Outcome:
        tid = schema.terminal_id(data)
        seat = schema.integer(data, "seat", 1, 9999, required=False)
        ua = request.headers.get("User-Agent", "")[:200]
        sid = request.sid  # type: ignore[attr-defined]
        self.terminal_of[sid] = tid
        self.seat_of[sid] = seat
        join_room(term_room(tid))
        out = self.exam.hello(tid, seat, request.remote_addr, ua, data.get("token"))
        if "resume" in out.ack:
            # A resumed terminal rejoins its session room (the resume view carries no "ok").
            self._bind({"ok": True, "session_id": out.ack["resume"].get("session_id")})
        out.pushes.append(self.exam.console_push("terminal_connected", terminal_id=tid, seat=seat))
        return out

    def on_captcha(self, data: dict[str, Any]) -> dict[str, Any]:
        self._terminal()
        cid, image = self.captchas.issue()
        return {"ok": True, "captcha_id": cid, "image": image}

    def on_login(self, data: dict[str, Any]) -> Outcome:
        tid = self._terminal()
        name = schema.text(data, "name", 40)
        ticket = schema.text(data, "ticket", 32)
        try:
            # Locked out (persisted, per terminal and per ticket): refused before the captcha.
            self.exam.login_gate(tid, ticket)
        except ExamError:
            self.captchas.check(data.get("captcha_id"), None)  # the captcha is used up
            raise
        wrong = self.captchas.check(data.get("captcha_id"), data.get("captcha"))
        if wrong:
            self.exam.captcha_failed(tid, ticket, name)
            raise ExamError(wrong)
        out = self.exam.login(tid, self.seat_of.get(request.sid), name, ticket)  # type: ignore[attr-defined]
        self._bind(out.ack)
        return out

    def on_notice_ack(self, data: dict[str, Any]) -> Outcome:
        return self.exam.notice_ack(self._terminal(), data.get("token"))

    def on_room_password(self, data: dict[str, Any]) -> Outcome:
        return self.exam.room_password(
            self._terminal(), data.get("token"), schema.text(data, "password", 32)
        )

    def on_confirm_identity(self, data: dict[str, Any]) -> Outcome:
        correct = data.get("correct")
        if not isinstance(correct, bool):
            raise ExamError("bad_request", {"field": "correct"})
        note = schema.text(data, "note", 500, required=False)
        return self.exam.confirm_identity(self._terminal(), data.get("token"), correct, note)

    def on_paper(self, data: dict[str, Any]) -> Outcome:
        return self.exam.paper(self._terminal(), data.get("token"))

    def on_flag(self, data: dict[str, Any]) -> Outcome:
        flagged = data.get("flagged")
        if not isinstance(flagged, bool):
            raise ExamError("bad_request", {"field": "flagged"})
        return self.exam.flag(self._terminal(), data.get("token"), schema.qid(data), flagged)

    def on_submit(self, data: dict[str, Any]) -> Outcome:
        # stored by the group writer with the answers (ExamDay.apply_event)
        item = {"kind": "submit", "terminal_id": self._terminal(), "token": data.get("token")}
        return Outcome.from_ack(self.writer.submit(item))

    def on_late_answers(self, data: dict[str, Any]) -> Outcome:
        return self.exam.late_answers(
            self._terminal(), data.get("token"), schema.late_answers(data)
        )

    def on_capture(self, data: dict[str, Any]) -> Outcome:
        request_id = schema.text(data, "request_id", 64)
        return self.exam.capture_upload(
            self._terminal(), data.get("token"), request_id, schema.image(data)
        )

    def on_report(self, data: dict[str, Any]) -> Outcome:
        kind = schema.text(data, "kind", 32)
        if kind not in (
            "blur",
            "hidden",
            "visible",
            "focus",
            "camera_ok",
            "camera_missing",
            "camera_denied",
            "storage_unavailable",
        ):
            raise ExamError("bad_request", {"field": "kind"})
        return self.exam.terminal_report(
            self._terminal(),
            data.get("token"),
            kind,
            schema.text(data, "detail", 200, required=False),
        )

    def on_transfer_confirm(self, data: dict[str, Any]) -> Outcome:
        tid = self._terminal()
        out = self.exam.transfer_confirm(
            tid,
            self.seat_of.get(request.sid),  # type: ignore[attr-defined]
            schema.text(data, "ticket", 32),
            schema.text(data, "password", 32),
        )
        self._bind(out.ack)
        return out

    def on_time(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, **self.exam.time_payload()}
