"""Serves the candidate page (client_kiosk/) from the site server itself: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

KIOSK_DIR = Path(__file__).resolve().parent.parent / "client_kiosk" / "static"

bp = Blueprint("kiosk", __name__)


@bp.get("/")
def index() -> Response:
    """The candidate page."""
    resp = send_from_directory(KIOSK_DIR, "index.html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/kiosk/<path:name>")
def asset(name: str) -> Response:
    """Scripts, styles and the vendored Socket.IO client (path traversal refused by Flask)."""
    return send_from_directory(KIOSK_DIR, name)
