"""Administrators' login and logout, idle expiry, lock-out, and the role check of admin views.

Settings: ``ADMIN_IDLE_MIN`` (30: minutes without a request before the login ends),
``ADMIN_MAX_HOURS`` (12: a login never lasts longer), ``ADMIN_LOCK_FAILURES`` (5: wrong passwords
in a row that lock an account), ``ADMIN_LOCK_MIN`` (15: minutes it stays locked; lift it earlier
with ``examcloud unlock-admin``). Times come from the app's ``CLOCK``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from cloudsync.cloud import csrf
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import admins

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "admin"
#: The cookie's "last seen" is rewritten at most this often, not on every request.
TOUCH_EVERY_S = 30

WRONG_PASSWORD = "用户名或密码错误（wrong username or password）"
EXPIRED = "登录已超时，请重新登录（your login expired: log in again）"


def _now() -> datetime:
    now: datetime = current_app.config["CLOCK"]()
    return now


def remember(username: str, now: datetime) -> None:
    """Start a login in the session cookie, with a fresh CSRF token."""
    session.clear()
    stamp = int(now.timestamp())
    session[SESSION_KEY] = username
    session["at"] = session["seen"] = stamp
    csrf.rotate()


def _expired(now_s: int) -> bool:
    cfg = current_app.config
    seen, at = session.get("seen"), session.get("at")
    if not isinstance(seen, int) or not isinstance(at, int):
        return True  # a cookie from before expiry existed: log in again
    return (
        now_s - seen > int(cfg["ADMIN_IDLE_MIN"]) * 60
        or now_s - at > int(cfg["ADMIN_MAX_HOURS"]) * 3600
    )


@bp.before_app_request
def load_admin() -> None:
    """Put the logged-in administrator (or None) on ``g.admin``; end idle or too old logins."""
    g.admin = None
    g.login_expired = False
    username = session.get(SESSION_KEY)
    if not username:
        return
    now_s = int(_now().timestamp())
    if _expired(now_s):
        for key in (SESSION_KEY, "at", "seen"):
            session.pop(key, None)
        g.login_expired = True
        return
    g.admin = admins.get(get_db(), username)
    if g.admin is None:  # the account was removed
        session.pop(SESSION_KEY, None)
        return
    if now_s - int(session["seen"]) >= TOUCH_EVERY_S:
        session["seen"] = now_s


def login_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in administrator, optionally with one of ``roles`` (``admin`` always passes)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.admin is None:
                target = url_for("auth.login", next=request.path)
                if g.login_expired:
                    target += "&expired=1"
                return redirect(target)
            if roles and g.admin["role"] != "admin" and g.admin["role"] not in roles:
                return render_template(
                    "cloud/message.html",
                    title="无权限（Forbidden）",
                    message="您的角色不能执行此操作，请联系管理员（your role may not do this; ask an administrator）",
                ), 403
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return wrap


def _locked_message(username: str, minutes: int) -> str:
    return (
        f"密码连续错误次数过多，账号已锁定，请 {minutes} 分钟后再试，或请管理员执行 "
        f"examcloud unlock-admin {username} 解锁（too many wrong passwords: the account is "
        f"locked; retry in {minutes} min or ask an administrator to run "
        f"examcloud unlock-admin {username}）"
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with username and password (and the page's CSRF token)."""
    error = EXPIRED if g.login_expired or request.args.get("expired") else None
    status, headers = 200, {}
    if request.method == "POST":
        cfg = current_app.config
        now = _now()
        username = request.form.get("username", "")
        result = admins.sign_in(
            get_db(),
            username,
            request.form.get("password", ""),
            now,
            limit=int(cfg["ADMIN_LOCK_FAILURES"]),
            lock_min=int(cfg["ADMIN_LOCK_MIN"]),
        )
        if result.code == "ok" and result.row is not None:
            remember(result.row["username"], now)
            target = request.args.get("next", "")
            # only local paths, never an open redirect
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("admin.index")
            return redirect(target)
        if result.code == "account_locked" and result.locked_until is not None:
            wait_s = max(1, math.ceil((result.locked_until - now).total_seconds()))
            error = _locked_message(username, math.ceil(wait_s / 60))
            status, headers = 429, {"Retry-After": str(wait_s)}
        else:
            error, status = WRONG_PASSWORD, 401
    return render_template("cloud/login.html", error=error), status, headers


@bp.route("/logout", methods=["POST", "GET"])
def logout() -> Any:
    """Log out (POST with the token; a GET only shows the button, so a link cannot log you out)."""
    if request.method == "GET" and g.admin is not None:
        return render_template("cloud/logout.html")
    session.clear()
    return redirect(url_for("auth.login"))
