"""The reference provincial cloud: its own Flask app (``create_app``) and CLI (``examcloud``).

Settings (``app.config``; ``EXAMCLOUD_*`` environment variables override the defaults):

- ``DATABASE``: ``sqlite:///path`` (default: ``examcloud.sqlite`` in the instance folder) or
  ``mysql://root:@127.0.0.1:3306/examcloud`` (created if missing). Env ``EXAMCLOUD_DATABASE``.
- ``SECRET_KEY``: session signing; generated once into the instance folder when unset.
- ``SIGNING_KEY_PATH``: the cloud's Ed25519 private key (PEM), generated once; default in the
  instance folder.
- ``REPLAY_WINDOW_S``: how far a signed request's timestamp may be from the cloud clock (300).
- ``RELEASE_LEAD_S``: how many seconds before a plan's start its release code is handed out (0).
- ``CLOCK``: a callable returning the current UTC ``datetime`` (tests set it; default: real time).
- ``SESSION_COOKIE_NAME`` (``examcloud_session``: not Flask's ``session``, so a browser that also
  opens a site console on the same host keeps both logins), ``SESSION_COOKIE_HTTPONLY`` (True),
  ``SESSION_COOKIE_SAMESITE`` (``Lax``), ``SESSION_COOKIE_SECURE`` (False; set True behind HTTPS).
- ``ADMIN_IDLE_MIN`` (30), ``ADMIN_MAX_HOURS`` (12), ``ADMIN_LOCK_FAILURES`` (5),
  ``ADMIN_LOCK_MIN`` (15): login expiry and lock-out, see :mod:`cloudsync.cloud.auth`.
- ``CERT_REVIEW_AT`` (``02:00``) and ``CERT_REVIEW_TZ`` (empty: the server's local zone): when
  ``examcloud serve`` runs the daily certificate review, see :mod:`cloudsync.cloud.jobs`.

Every state-changing browser request needs the session's CSRF token (:mod:`cloudsync.cloud.csrf`);
the signed site API is exempt. No page may be framed (:mod:`cloudsync.cloud.page_headers`).
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from cloudsync.cloud import csrf, page_headers
from cloudsync.cloud.blueprints import register_blueprints
from cloudsync.cloud.database import init_app as init_db_app


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the cloud's Flask app: settings, instance folder, database hooks, blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    if test_config and "INSTANCE_PATH" in test_config:
        app.instance_path = str(test_config["INSTANCE_PATH"])
    elif os.environ.get("EXAMCLOUD_INSTANCE"):
        app.instance_path = os.environ["EXAMCLOUD_INSTANCE"]
    # Flask fixed the config's root at construction (the default instance folder): follow the
    # chosen one, or <instance>/config.py would never be read.
    app.config.root_path = app.instance_path
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE="sqlite:///" + str(Path(app.instance_path) / "examcloud.sqlite"),
        SIGNING_KEY_PATH=str(Path(app.instance_path) / "cloud_ed25519.pem"),
        REPLAY_WINDOW_S=300,
        RELEASE_LEAD_S=0,
        MAX_CONTENT_LENGTH=512 * 1024 * 1024,
        CLOCK=_utcnow,
        JSON_AS_ASCII=False,
        SESSION_COOKIE_NAME="examcloud_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        ADMIN_IDLE_MIN=30,
        ADMIN_MAX_HOURS=12,
        ADMIN_LOCK_FAILURES=5,
        ADMIN_LOCK_MIN=15,
        CERT_REVIEW_AT="02:00",
        CERT_REVIEW_TZ="",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("EXAMCLOUD")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    init_db_app(app)
    register_blueprints(app)
    csrf.init_app(app)
    page_headers.init_app(app)
    return app


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
