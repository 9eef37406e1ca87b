"""Apply the cloud's schema steps from ``migrations/cloud`` in order, each recorded by name."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

from cloudsync.cloud.db import Database

PACKAGE = "migrations.cloud"


def steps() -> list[str]:
    """Names of every schema step, in the order they apply (``m0001_…``, ``m0002_…``)."""
    pkg = importlib.import_module(PACKAGE)
    names = [m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("m")]
    return sorted(names)


def applied(db: Database) -> set[str]:
    """Names of the steps already applied to ``db``."""
    db.ddl(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name {key} NOT NULL PRIMARY KEY, applied_at {key} NOT NULL){table}"
    )
    return {r["name"] for r in db.query("SELECT name FROM schema_migrations")}


def migrate(db: Database) -> list[str]:
    """Apply every pending step; return the names applied now.

    On SQLite each step runs in one transaction with its record. MySQL commits DDL implicitly,
    so there a step that fails half-way must be repaired by hand; steps stay small for that reason.
    """
    done = applied(db)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new: list[str] = []
    for name in steps():
        if name in done:
            continue
        module = importlib.import_module(f"{PACKAGE}.{name}")
        with db.transaction():
            module.migrate(db)
            db.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, now)
            )
        new.append(name)
    return new
