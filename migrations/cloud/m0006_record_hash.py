"""Remember what each delivered record said, so a re-used sequence number with other content is
answered `conflict` instead of being taken for a duplicate (a site database restored from backup)."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Add ``body_sha256`` to the delivery ledger (NULL for records delivered before this step)."""
    db.ddl("ALTER TABLE sync_records ADD COLUMN body_sha256 {key}")
