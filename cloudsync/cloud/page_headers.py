"""Response headers that keep the cloud's pages out of other sites' frames and sniffers.

A page in a hidden frame could be clicked by a visitor of another site (clickjacking), which a
CSRF token does not stop: the framed page holds the right token. So no page may be framed.
"""

from __future__ import annotations

from flask import Flask, Response

HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_headers(resp: Response) -> Response:
    """``after_request``: set each header unless the view chose its own."""
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    return resp


def init_app(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    app.after_request(add_headers)
