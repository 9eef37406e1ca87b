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
    A login that must still change its assigned password is refused on connect (and on any
    event) with `password_change_required`, so the page goes to /console/password.
    """

    def __init__(self, exam: ExamDay, namespace: str = "/console"):
        super().__init__(namespace)
        self.exam = exam
        #: sid -> the login data of the cookie the socket connected with
        self.logins: dict[str, Any] = {}
        self._lock = threading.Lock()

    def on_connect(self, auth_data: Any = None) -> None:
        user = auth.current_user()
        if user is None or self._must_change(user):
            # the page goes to the login page, or to /console/password (004 §5: an assigned
            # password is changed before any other use, live pushes included)
            r = refusal("login_required" if user is None else "password_change_required")
            # message + data: the client's connect_error gets `err.message` and `err.data`
            # (one argument alone would arrive as a string in `message`, without the code)
            raise ConnectionRefusedError(
                r["message"],
                {"code": r["code"], "message": r["message"], "message_en": r["message_en"]},
            )
        with self._lock:
            self.logins[request.sid] = session[auth.SESSION_KEY]  # type: ignore[attr-defined]
        join_room(CONSOLE_ROOM)
        log.info("console connected: %s", user["username"])

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            self.logins.pop(request.sid, None)  # type: ignore[attr-defined]

    @staticmethod
    def _must_change(user: dict[str, Any]) -> str | None:
        """'password_change_required' while the account still has its assigned password."""
        return "password_change_required" if user.get("must_change_password") else None

    def _refused(self) -> dict[str, Any] | None:
        """Why this event is refused (the event counts as activity of its login), or None.

        A refusal comes with the socket told (`login_expired`) and disconnected."""
        user = auth.current_user()
        code = "login_required" if user is None else self._must_change(user)
        if code:
            # The refusal is this event's answer, which the server sends only after the
            # handler returns: disconnecting at once would swallow it, so it waits a moment.
            self.expel(request.sid, after_s=0.5, code=code)  # type: ignore[attr-defined]
            return refusal(code)
        return None

    def expel(self, sid: str, after_s: float = 0, code: str = "login_required") -> None:
        """Tell a console its login has ended (or must change its password first: `code`),
        then disconnect it (after `after_s` seconds)."""
        with self._lock:
            self.logins.pop(sid, None)
        self.server.emit("login_expired", refusal(code), to=sid, namespace=self.namespace)

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
        refused = self._refused()
        if refused:
            return refused
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
        return {"ok": self._refused() is None, "app": current_app.name}
