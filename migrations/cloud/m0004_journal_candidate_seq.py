"""Index a candidate's journal rows in sequence order.

m0003's (site, session, ticket) index lost to the (site, seq) key when a query also ordered by
seq, so each receipt scanned the site's whole journal; with seq in the index it reads only the
candidate's rows.
"""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Replace the candidate index with one that ends in seq."""
    db.ddl(
        "CREATE INDEX journal_candidate_seq ON journal (site_id, session_id, candidate_ticket, seq)"
    )
    if db.dialect == "mysql":
        db.execute("DROP INDEX journal_candidate ON journal")
    else:
        db.execute("DROP INDEX journal_candidate")
