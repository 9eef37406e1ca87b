"""How a script uses the cloud's pages: GET one, read the CSRF token, send it with each POST."""

from __future__ import annotations

import re
from typing import Any

_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


def token_in(html: str) -> str:
    """The CSRF token a page carries (``<meta name="csrf-token">``)."""
    m = _META.search(html)
    assert m, "the page has no <meta name=csrf-token>"
    return m.group(1)


def page_token(client: Any, path: str = "/auth/login") -> str:
    """GET ``path`` with the Flask test client and return its token."""
    return token_in(client.get(path).get_data(as_text=True))


def log_in(client: Any, username: str, password: str, expect: int = 302) -> Any:
    """Log in like a script would; afterwards every request of ``client`` sends the token.

    The token changes at login, so it is read again from a page once logged in and put on the
    client as the ``X-CSRF-Token`` header (the form field works the same, see test_csrf).
    """
    token = page_token(client)
    resp = client.post(
        "/auth/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert resp.status_code == expect, resp.get_data(as_text=True)
    if expect == 302:
        client.environ_base["HTTP_X_CSRF_TOKEN"] = page_token(client, "/admin/")
    return resp
