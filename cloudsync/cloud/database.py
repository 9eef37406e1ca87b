"""The cloud app's database connection: one per app context, closed on teardown."""

from __future__ import annotations

from flask import Flask, current_app, g

from cloudsync.cloud.db import Database
from cloudsync.cloud.migrate import migrate


def get_db() -> Database:
    """The current app context's database connection (opened on first use)."""
    if "db" not in g:
        g.db = Database(current_app.config["DATABASE"])
    db: Database = g.db
    return db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the app context's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db() -> list[str]:
    """Create or upgrade the schema of the configured database; return the steps applied."""
    return migrate(get_db())


def init_app(app: Flask) -> None:
    """Register the teardown hook on ``app``."""
    app.teardown_appcontext(close_db)
