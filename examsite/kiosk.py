"""Serves the candidate page (client_kiosk/) from the site server itself: no CDN, works offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, send_from_directory

KIOSK_DIR = Path(__file__).resolve().parent.parent / "client_kiosk" / "static"
SERVICE_WORKER = KIOSK_DIR.parent / "sw.js"

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


@bp.get("/kiosk-sw.js")
def service_worker() -> Response:
    """The page's offline shell (client_kiosk/sw.js) with the list of files it keeps and a
    version from their contents: any change of the page installs a new shell."""
    files = sorted(
        p for p in KIOSK_DIR.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".css")
    )
    digest = hashlib.sha256()
    urls = ["/"]
    for p in files:
        digest.update(p.relative_to(KIOSK_DIR).as_posix().encode() + b"\0" + p.read_bytes())
        if p.name != "index.html":
            urls.append("/kiosk/" + p.relative_to(KIOSK_DIR).as_posix())
    body = (
        SERVICE_WORKER.read_text(encoding="utf-8")
        .replace("__SHELL__", json.dumps(urls))
        .replace("__VERSION__", json.dumps(digest.hexdigest()[:16]))
    )
    resp = Response(body, mimetype="text/javascript")
    resp.headers["Service-Worker-Allowed"] = "/"
    return _fresh(resp)
