"""Serves the candidate page (client_kiosk/) from the site server itself: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

KIOSK_DIR = Path(__file__).resolve().parent.parent / "client_kiosk" / "static"

bp = Blueprint("kiosk", __name__)

# Fixed types: on Windows `mimetypes` reads the registry, which may call .js "text/plain", and
# browsers refuse module scripts served that way.
MIME_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json"}


def _fresh(resp: Response) -> Response:
    # Terminals revalidate every file (a cheap 304 on the LAN), so a page fixed on exam morning
    # reaches every terminal with its next reload, never a mix of old and new scripts.
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/")
def index() -> Response:
    """The candidate page."""
    return _fresh(send_from_directory(KIOSK_DIR, "index.html"))


@bp.get("/kiosk/<path:name>")
def asset(name: str) -> Response:
    """Scripts, styles and the vendored Socket.IO client (path traversal refused by Flask)."""
    mimetype = MIME_TYPES.get(Path(name).suffix)
    return _fresh(send_from_directory(KIOSK_DIR, name, mimetype=mimetype))
