"""Socket.IO namespace `/console`: only signed-in console accounts (checked on connect and on
every event against the login stored on the server); a candidate token gets nothing here."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from examsite.engine.errors import ExamError
from examsite.exam import ExamDay
from examsite.exam.base import CONSOLE_ROOM

from . import auth, roomview
from .messages import from_exam_error, refusal

log = logging.getLogger(__name__)


class ConsoleNamespace(Namespace):
    """Pushes `room_update` to every console; answers `snapshot` with the live room data.

    Every event a console sends counts as activity of its login. A console whose login has
    ended gets `login_expired` (a refusal, so the page can send the proctor to the login page)
    and is disconnected: on its next event, or by `sweep`, which the server runs every minute.
    """

    def __init__(self, exam: ExamDay, namespace: str = "/console"):
        super().__init__(namespace)
        self.exam = exam
        #: sid -> the login data of the cookie the socket connected with
        self.logins: dict[str, Any] = {}
        self._lock = threading.Lock()

    def on_connect(self, auth_data: Any = None) -> None:
        user = auth.current_user()
        if user is None:
            r = refusal("login_required")
            raise ConnectionRefusedError(
                {"code": r["code"], "message": r["message"], "message_en": r["message_en"]}
            )
        with self._lock:
            self.logins[request.sid] = session[auth.SESSION_KEY]  # type: ignore[attr-defined]
        join_room(CONSOLE_ROOM)
        log.info("console connected: %s", user["username"])

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            self.logins.pop(request.sid, None)  # type: ignore[attr-defined]

    def _signed_in(self) -> dict[str, Any] | None:
        """The account of this event's login (the event counts as its activity), or None after
        the socket was told and disconnected."""
        user = auth.current_user()
        if user is None:
            # The refusal is this event's answer, which the server sends only after the
            # handler returns: disconnecting at once would swallow it, so it waits a moment.
            self.expel(request.sid, after_s=0.5)  # type: ignore[attr-defined]
        return user

    def expel(self, sid: str, after_s: float = 0) -> None:
        """Tell a console its login has ended, then disconnect it (after `after_s` seconds)."""
        with self._lock:
            self.logins.pop(sid, None)
        self.server.emit(
            "login_expired", refusal("login_required"), to=sid, namespace=self.namespace
        )

        def disconnect() -> None:
            self.server.sleep(after_s)
            self.server.disconnect(sid, namespace=self.namespace)

        if after_s:
            self.server.start_background_task(disconnect)
        else:
            self.server.disconnect(sid, namespace=self.namespace)

    def sweep(self, app: Flask) -> int:
        """Disconnect every console whose login has ended (idle, too old, logged out, password
        changed, account disabled); returns how many."""
        from examsite.app import site_of

        with self._lock:
            connected = list(self.logins.items())
        site = site_of(app)
        now = site.exam.now()
        gone = [
            sid
            for sid, data in connected
            if auth.live_login(site.sitedb, data, now, app.config) is None
        ]
        for sid in gone:
            self.expel(sid)
        return len(gone)

    def on_snapshot(self, data: Any = None) -> dict[str, Any]:
        if self._signed_in() is None:
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
        return {"ok": self._signed_in() is not None, "app": current_app.name}
