"""The page is served by the site server alone: every file local, revalidated, with the right type."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from examsite.app import create_app, site_of
from examsite.kiosk import KIOSK_DIR

VENDOR = KIOSK_DIR / "vendor"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app({"ASYNC_MODE": "threading", "TESTING": True}, instance_path=str(tmp_path))
    try:
        yield app.test_client()
    finally:
        site_of(app).sitedb.close()


def fetch(client: FlaskClient, path: str) -> Any:
    """GET, read the body, and close the file a static response streams from."""
    resp = client.get(path)
    resp.get_data()
    resp.close()
    return resp


def test_page_and_assets_are_served_fresh_with_their_types(client: FlaskClient) -> None:
    page = fetch(client, "/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-cache"
    html = page.get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        if src.startswith("data:"):
            continue
        assert src.startswith("/kiosk/"), f"{src}: everything comes from the site server"
        r = fetch(client, src)
        assert r.status_code == 200, src
        assert r.headers["Cache-Control"] == "no-cache"
    js = fetch(client, "/kiosk/js/main.js")
    assert js.mimetype == "text/javascript"
    assert fetch(client, "/kiosk/kiosk.css").mimetype == "text/css"


def test_module_imports_resolve(client: FlaskClient) -> None:
    for path in sorted((KIOSK_DIR / "js").glob("*.js")):
        for name in re.findall(r'from "\./([^"]+)"', path.read_text(encoding="utf-8")):
            assert (KIOSK_DIR / "js" / name).is_file(), f"{path.name} imports missing {name}"
            assert fetch(client, f"/kiosk/js/{name}").status_code == 200


def test_nothing_external_is_loaded() -> None:
    """No CDN, font or script from the internet (terminals have no internet)."""
    for path in KIOSK_DIR.rglob("*"):
        if path.suffix not in (".html", ".css", ".js") or path.parent == VENDOR:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{path.name} refers to a URL outside the site"
        assert "@import" not in text and "@font-face" not in text


def test_vendored_client_is_recorded() -> None:
    notes = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    head = (VENDOR / "socket.io.min.js").read_text(encoding="utf-8")[:200]
    version = re.search(r"Socket\.IO v(\d+\.\d+\.\d+)", head)
    assert version and f"socket.io-client {version[1]}" in notes
    assert "MIT" in notes and "Permission is hereby granted" in notes
    assert (VENDOR / "socket.io-client.LICENSE").is_file()


def test_path_traversal_is_refused(client: FlaskClient) -> None:
    assert fetch(client, "/kiosk/../examsite/app.py").status_code == 404
    assert fetch(client, "/kiosk/%2e%2e/pyproject.toml").status_code == 404
    assert fetch(client, "/kiosk/nope.js").status_code == 404


def test_the_key_help_names_the_keys_the_exam_takes() -> None:
    exam = (KIOSK_DIR / "js" / "exam.js").read_text(encoding="utf-8")
    letters = re.search(r'const LETTERS = "([A-Z]+)"', exam)
    digits = re.search(r"/\^\[1-(\d)\]\$/", exam)
    assert letters and digits
    assert len(letters[1]) == int(digits[1])
    texts = (KIOSK_DIR / "js" / "i18n.js").read_text(encoding="utf-8")
    helps = re.findall(r'keys_help: "([^"]+)"', texts)
    assert len(helps) == 2
    for text in helps:
        assert f"A–{letters[1][-1]}" in text and f"1–{digits[1]}" in text, text


def test_the_offline_shell_lists_every_file_of_the_page(client: FlaskClient) -> None:
    sw = fetch(client, "/kiosk-sw.js")
    assert sw.status_code == 200 and sw.mimetype == "text/javascript"
    assert sw.headers["Cache-Control"] == "no-cache"
    body = sw.get_data(as_text=True)
    assert "__SHELL__" not in body and "__VERSION__" not in body
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body)[1])  # type: ignore[index]
    assert shell[0] == "/"
    for path in shell[1:]:
        assert fetch(client, path).status_code == 200, path
    expected = {
        "/kiosk/" + p.relative_to(KIOSK_DIR).as_posix()
        for p in KIOSK_DIR.rglob("*")
        if p.suffix in (".js", ".css")
    }
    assert set(shell[1:]) == expected
