"""A renewed certificate keeps its current period until it ends: remember it beside the new one."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Add ``prev_valid_from``/``prev_valid_until`` (the period a renewal follows; NULL before)."""
    db.ddl("ALTER TABLE certificates ADD COLUMN prev_valid_from {key}")
    db.ddl("ALTER TABLE certificates ADD COLUMN prev_valid_until {key}")
