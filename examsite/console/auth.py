"""Console sign-in on the Flask session cookie: expiry, roles and CSRF on every form and action."""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, redirect, request, session, url_for

from examsite.store import users

from .accounts import SignedIn
from .messages import refusal

SESSION_KEY = "console"
CSRF_KEY = "csrf"

#: What each role may do (admin may do everything).
PERMISSIONS: dict[str, frozenset[str]] = {
    "technician": frozenset({"view", "preflight", "archive", "control", "desk"}),
    "proctor": frozenset({"view", "desk", "control", "records", "archive", "note"}),
    "patrol": frozenset({"view", "note"}),
}


#: What an account that must change its assigned password may still open.
CHANGE_ENDPOINTS = frozenset({"console.password_page"})


def allowed(role: str, permission: str) -> bool:
    """True when `role` may use `permission`."""
    return role == "admin" or permission in PERMISSIONS.get(role, frozenset())


def remember(who: SignedIn) -> None:
    """Start a console login in the session cookie (a fresh CSRF token with it)."""
    session.clear()
    now = int(time.time())
    session[SESSION_KEY] = {"uid": who.user_id, "epoch": who.auth_epoch, "at": now, "seen": now}
    session[CSRF_KEY] = secrets.token_urlsafe(32)


def forget() -> None:
    """End the console login."""
    session.pop(SESSION_KEY, None)


def current_user(touch: bool = True) -> dict[str, Any] | None:
    """The signed-in account, or None when absent, expired, disabled or its password changed."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = int(time.time())
    cfg = current_app.config
    if (
        now - int(data.get("seen", 0)) > cfg["CONSOLE_IDLE_MIN"] * 60
        or now - int(data.get("at", 0)) > cfg["CONSOLE_MAX_HOURS"] * 3600
    ):
        session.pop(SESSION_KEY, None)
        return None
    from examsite.app import site_of

    with site_of(current_app).sitedb.read() as db:
        user = users.get(db, int(data.get("uid", 0)))
    if user is None or user["disabled"] or user["auth_epoch"] != data.get("epoch"):
        session.pop(SESSION_KEY, None)
        return None
    if (
        touch and now - int(data.get("seen", 0)) >= 30
    ):  # the cookie is rewritten at most twice a minute
        session[SESSION_KEY] = {**data, "seen": now}
    user.pop("password_hash", None)
    return user


def actor(user: dict[str, Any]) -> str:
    """Journal actor of an account: `proctor:<username>` (technician:…, patrol:…, admin:…)."""
    return f"{user['role']}:{user['username']}"


def csrf_token() -> str:
    """This browser session's CSRF token (made on first use)."""
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return str(token)


def csrf_ok() -> bool:
    """True when a state-changing request carries the session's token (form field or header)."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    token = session.get(CSRF_KEY) or ""
    return bool(token) and hmac.compare_digest(str(sent), str(token))


def wants_json() -> bool:
    """API calls get JSON refusals; pages get redirects."""
    return request.path.startswith("/console/api/") or request.is_json


def require(permission: str = "view") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: a signed-in account whose role has `permission`; sets `g.user`."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if wants_json():
                    return jsonify(refusal("login_required")), 401
                return redirect(url_for("console.login", next=request.full_path))
            if user.get("must_change_password") and request.endpoint not in CHANGE_ENDPOINTS:
                # 004 §5: a password given by an administrator is changed before any other use
                if wants_json():
                    return jsonify(refusal("password_change_required")), 403
                return redirect(url_for("console.password_page"))
            if not allowed(user["role"], permission):
                if wants_json():
                    return jsonify(refusal("forbidden")), 403
                return redirect(url_for("console.room", denied=permission))
            g.user = user
            return view(*args, **kwargs)

        return inner

    return wrap
