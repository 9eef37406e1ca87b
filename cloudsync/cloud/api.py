"""The site-facing API (``/api/v1``): every request signed by a registered site (HMAC)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from cloudsync import signing
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import sites

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, code: str, message: str) -> Response:
    """A JSON error ``{"code", "message"}`` with ``status``."""
    resp = jsonify({"code": code, "message": message})
    resp.status_code = status
    return resp


@bp.before_request
def authenticate_site() -> Response | None:
    """Reject any request that is not signed by a registered site, stale, or replayed."""
    db = get_db()
    site_id = request.headers.get(signing.HEADER_SITE, "")
    site = sites.get(db, site_id) if site_id else None
    if site is None:
        return error(
            401,
            "unknown_site",
            f"站点 {site_id!r} 未在云平台登记，请先登记（site {site_id!r} is not registered; register it first）",
        )
    now = current_app.config["CLOCK"]()
    now_s = int(now.timestamp())
    window = int(current_app.config["REPLAY_WINDOW_S"])
    path = request.full_path if request.query_string else request.path
    try:
        signing.check(
            request.headers, site["secret"], request.method, path, request.get_data(), now_s, window
        )
    except signing.SignatureError as exc:
        return error(401, exc.code, exc.message)
    nonce = request.headers[signing.HEADER_NONCE]
    if not sites.remember_nonce(db, site_id, nonce, now_s, window):
        return error(
            401,
            "replayed_request",
            "重复的请求（随机数已用过），已拒绝（replayed request: nonce already used; refused）",
        )
    sites.touch(db, site_id, now)
    g.site = site
    g.now = now
    return None


@bp.route("/site")
def site_info() -> Any:
    """Who the cloud thinks the caller is (a signed ping)."""
    return {"site_id": g.site["site_id"], "name": g.site["name"], "now": g.now.isoformat()}


def json_body() -> Any:
    """The request body parsed as JSON, or None when it is not JSON."""
    try:
        return json.loads(request.get_data() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
