"""A missing journal row is a gap in the site's chain: keep the gaps with the chain status and
find the rows that wait for their predecessor quickly."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Add ``chain_status.gaps`` (JSON list of missing seq ranges) and an index on unlinked rows."""
    db.ddl("ALTER TABLE chain_status ADD COLUMN gaps {text}")
    db.ddl("CREATE INDEX journal_chain_ok ON journal (site_id, chain_ok)")
