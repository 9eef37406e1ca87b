"""The second continuing-education deadline is one month before expiry (003 §6.5), no longer
the last day of validity: move the deadline of certificates already past their first review."""

from __future__ import annotations

from datetime import date
from typing import Any


def migrate(db: Any) -> None:
    """Stage-2 rows whose deadline is still ``valid_until`` get the rule set's second deadline
    (or, when the kind has none, nothing more due: stage 3)."""
    from cloudsync.certificates import rules

    rows = db.query(
        "SELECT id, kind, valid_from, valid_until FROM certificates "
        "WHERE ce_stage = 2 AND ce_due = valid_until"
    )
    for row in rows:
        try:
            rule_set = rules.get(row["kind"])
        except KeyError:
            continue
        terms = rules.Terms(
            date.fromisoformat(row["valid_from"]),
            date.fromisoformat(row["valid_until"]),
            date.fromisoformat(row["valid_until"]),
            ce_stage=2,
        )
        due = rule_set.second_ce_due(terms)
        db.execute(
            "UPDATE certificates SET ce_stage = ?, ce_due = ? WHERE id = ?",
            (2 if due else 3, due.isoformat() if due else None, row["id"]),
        )
