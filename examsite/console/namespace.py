"""Socket.IO namespace `/console`: only signed-in console accounts (checked on connect and on
every event from the Flask session cookie); a candidate token gets nothing here."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from examsite.engine.errors import ExamError
from examsite.exam import ExamDay
from examsite.exam.base import CONSOLE_ROOM

from . import auth, roomview
from .messages import from_exam_error, refusal

log = logging.getLogger(__name__)


class ConsoleNamespace(Namespace):
    """Pushes `room_update` to every console; answers `snapshot` with the live room data."""

    def __init__(self, exam: ExamDay, namespace: str = "/console"):
        super().__init__(namespace)
        self.exam = exam

    def on_connect(self, auth_data: Any = None) -> None:
        user = auth.current_user(touch=False)
        if user is None:
            r = refusal("login_required")
            raise ConnectionRefusedError(
                {"code": r["code"], "message": r["message"], "message_en": r["message_en"]}
            )
        join_room(CONSOLE_ROOM)
        log.info("console connected: %s", user["username"])

    def on_snapshot(self, data: Any = None) -> dict[str, Any]:
        if auth.current_user(touch=False) is None:
            return refusal("login_required")
        wanted = data.get("session_id") if isinstance(data, dict) else None
        found = roomview.pick_session(self.exam, wanted if isinstance(wanted, str) else None)
        if found is None:
            return refusal("no_session")
        try:
            return roomview.snapshot(self.exam, found["id"])
        except ExamError as e:
            return from_exam_error(e)
        except Exception:
            log.exception("console snapshot failed")
            return refusal("internal")

    def on_ping_console(self, data: Any = None) -> dict[str, Any]:
        return {"ok": auth.current_user(touch=False) is not None, "app": current_app.name}
