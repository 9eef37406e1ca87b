"""The supervisor console: pages at `/console…`, the `/console` Socket.IO namespace, accounts."""

from __future__ import annotations

from flask import Flask

from . import config


def register(app: Flask) -> None:
    """Add the console to a site app (called by the app factory)."""
    from examsite.app import site_of
    from examsite.exam.violations import RecordOps
    from examsite.extensions import socketio

    from .namespace import ConsoleNamespace
    from .services import ConsoleServices
    from .views import bp

    config.apply(app.config)
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    site = site_of(app)
    namespace = ConsoleNamespace(site.exam)
    app.extensions["examsite_console"] = ConsoleServices(
        records=RecordOps(site.exam), namespace=namespace
    )
    app.register_blueprint(bp)
    socketio.on_namespace(namespace)
