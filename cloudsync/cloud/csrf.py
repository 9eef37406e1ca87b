"""CSRF protection of the cloud's browser pages: one token per session, checked on every
state-changing request (POST, PUT, PATCH, DELETE), the login form included.

A page gets the token from ``csrf_token()`` (a template global): forms carry it in a hidden
``csrf_token`` field and ``cloud/base.html`` puts it in ``<meta name="csrf-token">`` for scripts,
which send it back in the form field or the ``X-CSRF-Token`` header. A script therefore GETs a
page first (that sets the session cookie), reads the token, then POSTs with the same cookie.

The site API (blueprint ``api``, ``/api/v1``) is exempt: sites are no browsers, and every one of
their requests is authenticated on its own by an HMAC signature with a single-use nonce
(``cloudsync.signing``), which a cross-site form can neither forge nor replay.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, current_app, jsonify, render_template, request, session

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Blueprints whose requests are signed by sites instead of riding on a browser session.
EXEMPT_BLUEPRINTS: tuple[str, ...] = ("api",)

MESSAGE = (
    "安全校验失败：请求缺少或带有无效的安全令牌（CSRF），请刷新页面后重新提交；"
    '脚本请先 GET 页面，从 <meta name="csrf-token"> 读取令牌，并以 csrf_token 字段或 '
    "X-CSRF-Token 头随请求发送"
    "（security check failed: the CSRF token is missing or wrong. Reload the page and submit "
    'again; scripts must GET a page first, read the token from <meta name="csrf-token"> and '
    "send it as the csrf_token field or the X-CSRF-Token header with the same session cookie）"
)


def csrf_token() -> str:
    """This browser session's token (made on first use, kept until login or logout)."""
    token = session.get(SESSION_KEY)
    if not token:
        token = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(token)


def rotate() -> str:
    """Replace the session's token (at login, so a token seen before it is worthless after)."""
    token = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(token)


def csrf_ok() -> bool:
    """True when the request carries the session's token (header or form field)."""
    sent = request.headers.get(HEADER) or request.form.get(FIELD) or ""
    token = session.get(SESSION_KEY) or ""
    return bool(token) and hmac.compare_digest(str(sent), str(token))


def refusal() -> tuple[Response | str, int]:
    """The 400 answer to a request without the right token: JSON for scripts, a page otherwise."""
    if request.is_json or request.accept_mimetypes.best == "application/json":
        resp = jsonify({"code": "csrf_failed", "message": MESSAGE})
        return resp, 400
    page = render_template(
        "cloud/message.html", title="安全校验失败（CSRF check failed）", message=MESSAGE
    )
    return page, 400


def exempt(app: Flask) -> frozenset[str]:
    """Names of the blueprints whose requests need no token on ``app``."""
    names: frozenset[str] = app.extensions["cloud_csrf_exempt"]
    return names


def check() -> tuple[Response | str, int] | None:
    """``before_request``: refuse a state-changing browser request without the session's token."""
    if request.method not in UNSAFE_METHODS:
        return None
    if request.routing_exception is not None:
        return None  # no such route or method: Flask answers 404/405 as usual
    if request.blueprint in exempt(current_app):
        return None
    if csrf_ok():
        return None
    return refusal()


def init_app(app: Flask, exempt_blueprints: tuple[str, ...] = EXEMPT_BLUEPRINTS) -> None:
    """Check every state-changing request of ``app`` except those of ``exempt_blueprints``.

    Call after the blueprints are registered: an exempt name that is not registered is an error
    (a renamed API blueprint must not leave a stale exemption behind, nor lose its own).
    """
    missing = [name for name in exempt_blueprints if name not in app.blueprints]
    if missing:
        raise RuntimeError(f"CSRF exemption names unregistered blueprints: {missing}")
    app.extensions["cloud_csrf_exempt"] = frozenset(exempt_blueprints)
    app.before_request(check)
    app.jinja_env.globals["csrf_token"] = csrf_token
