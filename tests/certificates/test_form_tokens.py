"""Every form on every page an administrator can reach carries the session's CSRF token.

The pages are found by following links from ``/admin/`` and ``/certificates/`` (with certificates
issued, so the queue and certificate pages have their forms), so a new page with a form is
checked as soon as something links to it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask

from cloudsync.certificates import approvals
from cloudsync.cloud.database import get_db
from tests.cloud.pages import token_in

from .conftest import PLAN, Clock

_HREF = re.compile(r'href="([^"#]+)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def crawl(client: Any, starts: list[str], limit: int = 60) -> dict[str, str]:
    """HTML of every same-site page reachable from ``starts`` (downloads and /verify skipped)."""
    seen: dict[str, str] = {}
    todo = list(starts)
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        resp = client.get(path)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        seen[path] = html = resp.get_data(as_text=True)
        for href in _HREF.findall(html):
            url = urlsplit(urljoin("http://localhost" + path, href))
            if url.netloc == "localhost" and not url.path.startswith("/verify/"):
                todo.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


def test_every_reachable_post_form_has_the_token(app: Flask, client: Any, clock: Clock) -> None:
    with app.app_context():
        approvals.bulk_approve(get_db(), PLAN, "admin:approver", clock(), "山东省住房和城乡建设厅")
    pages = crawl(client, ["/admin/", "/certificates/"])
    visited = set(pages)
    assert f"/certificates/plans/{PLAN}" in visited
    assert any(p.startswith("/certificates/c/") for p in visited)
    post_forms = 0
    for path, html in pages.items():
        token = token_in(html)
        for attrs, body in _FORM.findall(html):
            if 'method="post"' not in attrs:
                continue
            post_forms += 1
            assert f'name="csrf_token" value="{token}"' in body, (path, attrs)
    assert post_forms >= 8  # logout, company, CE record, bulk, approve/stop per row, renew, revoke
