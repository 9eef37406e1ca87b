"""docs/cloud.md and docs/certificates.md cover every cloud setting and every examcloud command."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from cloudsync.cloud import create_app
from cloudsync.cloud.commands import COMMANDS

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEXT = (DOCS / "cloud.md").read_text("utf-8") + (DOCS / "certificates.md").read_text("utf-8")
#: Flask's own switches the cloud sets for itself, not meant to be changed by an operator.
INTERNAL = {"MAX_CONTENT_LENGTH", "JSON_AS_ASCII", "TESTING", "INSTANCE_PATH"}
#: Flask's settings the cloud gives its own defaults and an operator may need to change.
FLASK_OWN = {
    "SECRET_KEY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
}


def test_every_setting_is_documented(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    ours = (set(app.config) - set(Flask(__name__).config) - INTERNAL) | FLASK_OWN
    assert {"DATABASE", "CLOCK", "ADMIN_LOCK_MIN", "CERT_REVIEW_AT"} <= ours
    missing = sorted(k for k in ours if f"`{k}`" not in TEXT)
    assert not missing, f"settings missing from docs/cloud.md and docs/certificates.md: {missing}"


def test_every_command_is_documented() -> None:
    missing = [c.name for c in COMMANDS if f"examcloud {c.name}" not in TEXT]
    assert not missing, f"examcloud commands missing from the docs: {missing}"
