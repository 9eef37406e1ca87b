"""Approval decisions (审批通过 / 终止取证), one per candidate result, never changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cloudsync.cloud.db import Database, Row


def record(
    db: Database,
    site_id: str,
    plan_id: str,
    ticket: str,
    decision: str,
    decided_by: str,
    decided_at: str,
    evidence: Mapping[str, Any],
    reason: str | None = None,
    certificate_id: int | None = None,
) -> bool:
    """Store a decision; False when this result already has one (the first one stands)."""
    return db.insert_ignore(
        "cert_decisions",
        {
            "site_id": site_id,
            "plan_id": plan_id,
            "ticket": ticket,
            "decision": decision,
            "reason": reason,
            "certificate_id": certificate_id,
            "decided_by": decided_by,
            "decided_at": decided_at,
            "evidence": json.dumps(evidence, ensure_ascii=False, sort_keys=True),
        },
    )


def set_certificate(
    db: Database, site_id: str, plan_id: str, ticket: str, certificate_id: int
) -> None:
    """Link an approval to the certificate it issued."""
    db.execute(
        "UPDATE cert_decisions SET certificate_id = ? WHERE site_id = ? AND plan_id = ? AND ticket = ?",
        (certificate_id, site_id, plan_id, ticket),
    )


def for_plan(db: Database, plan_id: str) -> dict[tuple[str, str], Row]:
    """A plan's decisions keyed by (site_id, ticket)."""
    rows = db.query("SELECT * FROM cert_decisions WHERE plan_id = ?", (plan_id,))
    return {(r["site_id"], r["ticket"]): r for r in rows}


def get(db: Database, site_id: str, plan_id: str, ticket: str) -> Row | None:
    """One result's decision, or None."""
    return db.one(
        "SELECT * FROM cert_decisions WHERE site_id = ? AND plan_id = ? AND ticket = ?",
        (site_id, plan_id, ticket),
    )
