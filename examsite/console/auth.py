"""Console sign-in on the Flask session cookie: expiry, roles and CSRF on every form and action."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import current_app, g, jsonify, redirect, request, session, url_for

from examsite.engine.timing import iso, parse_iso
from examsite.store import logins, users
from examsite.store.db import SiteDB

from .accounts import SignedIn, actor_of
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


def _now() -> datetime:
    """The site's one clock (the exam's; tests move it)."""
    from examsite.app import site_of

    return site_of(current_app).exam.now()


def remember(who: SignedIn) -> None:
    """Start a console login: a row on the server, its id in the session cookie (a fresh CSRF
    token with it)."""
    from examsite.app import site_of

    session.clear()
    login_id = secrets.token_urlsafe(18)
    with site_of(current_app).sitedb.write() as db:
        logins.start(db, login_id, who.user_id, iso(_now()))
    session[SESSION_KEY] = {"uid": who.user_id, "epoch": who.auth_epoch, "lid": login_id}
    session[CSRF_KEY] = secrets.token_urlsafe(32)


def forget() -> None:
    """End the console login (on the server too: a copied cookie is no use afterwards)."""
    from examsite.app import site_of

    data = session.pop(SESSION_KEY, None)
    if isinstance(data, dict) and isinstance(data.get("lid"), str):
        with site_of(current_app).sitedb.write() as db:
            logins.end(db, data["lid"], iso(_now()))


def live_login(
    sitedb: SiteDB, data: Any, now: datetime, config: Mapping[str, Any], touch: bool = False
) -> dict[str, Any] | None:
    """The account of a login (the session cookie's `console` data) still valid at `now`, or None
    when it is absent, ended, idle or too old, or the account is disabled or its password changed.

    Idle time runs from the login's last activity stored on the server, so a socket event counts
    as much as a page request (a socket keeps the cookie it had when it connected). `touch`
    records this use as activity, at most twice a minute per login. An expired login is ended.
    """
    if not isinstance(data, dict) or not isinstance(data.get("lid"), str):
        return None
    with sitedb.read() as db:
        login = logins.get(db, data["lid"])
        user = users.get(db, int(data.get("uid", 0)))
    if login is None or login["ended_at"] or user is None or login["user_id"] != user["id"]:
        return None
    idle = (now - parse_iso(login["seen_at"])).total_seconds()
    age = (now - parse_iso(login["started_at"])).total_seconds()
    if (
        idle > float(config["CONSOLE_IDLE_MIN"]) * 60
        or age > float(config["CONSOLE_MAX_HOURS"]) * 3600
        or user["disabled"]
        or user["auth_epoch"] != data.get("epoch")
    ):
        with sitedb.write() as db:
            logins.end(db, login["id"], iso(now))
        return None
    if touch and idle >= 30:
        with sitedb.write() as db:
            logins.touch(db, login["id"], iso(now))
    user.pop("password_hash", None)
    return user


def current_user(touch: bool = True) -> dict[str, Any] | None:
    """The signed-in account of this request or socket event, or None (see `live_login`);
    `touch` counts the call as the login's activity."""
    from examsite.app import site_of

    user = live_login(
        site_of(current_app).sitedb,
        session.get(SESSION_KEY),
        _now(),
        current_app.config,
        touch=touch,
    )
    if user is None:
        session.pop(SESSION_KEY, None)
    return user


def actor(user: dict[str, Any]) -> str:
    """Journal actor of an account: `proctor:<username>` (technician:…, patrol:…, admin:…)."""
    return actor_of(user)


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
