"""Read-only views of what sites synced (tables of ``migrations/cloud/m0003``), for approval.

The results, journal, captures and chain-status tables belong to the cloud's sync package;
this module only reads them, joining a result to its candidate by (site, ticket). A result
counts only when its site is the one its plan was published to.
"""

from __future__ import annotations

import json
from typing import Any

from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.store.sync import session_span as session_span  # the sync package's query


def plan(db: Database, plan_id: str) -> Row | None:
    """The plan's summary row, or None."""
    return db.one(
        "SELECT plan_id, site_id, room, subject, starts_at FROM plans WHERE plan_id = ?", (plan_id,)
    )


def plans_with_passes(db: Database) -> list[Row]:
    """Plans that have at least one passing result, with counts, newest first."""
    return db.query(
        "SELECT p.plan_id, p.subject, p.room, p.starts_at, p.site_id, COUNT(r.id) AS passed "
        "FROM plans p JOIN results r ON r.plan_id = p.plan_id AND r.site_id = p.site_id "
        "AND r.passed = 1 "
        "GROUP BY p.plan_id, p.subject, p.room, p.starts_at, p.site_id ORDER BY p.starts_at DESC"
    )


def passed_results(db: Database, plan_id: str) -> list[Row]:
    """A plan's passing results with the roster entry of each candidate (no photo)."""
    rows = db.query(
        "SELECT r.site_id, r.plan_id, r.ticket, r.status, r.score, r.passed, r.answers, r.detail, "
        "r.received_at, ro.name, ro.gender, ro.id_number, ro.company, ro.seat "
        "FROM results r JOIN plans p ON p.plan_id = r.plan_id AND p.site_id = r.site_id "
        "LEFT JOIN roster ro ON ro.plan_id = r.plan_id AND ro.ticket = r.ticket "
        "WHERE r.plan_id = ? AND r.passed = 1 ORDER BY ro.seat, r.ticket",
        (plan_id,),
    )
    for r in rows:
        r["detail"] = _obj(r["detail"])
    return rows


def result(db: Database, site_id: str, plan_id: str, ticket: str) -> Row | None:
    """One result with its roster entry (no photo), or None."""
    row = db.one(
        "SELECT r.site_id, r.plan_id, r.ticket, r.status, r.score, r.passed, r.answers, r.detail, "
        "r.received_at, ro.name, ro.gender, ro.id_number, ro.company, ro.seat "
        "FROM results r JOIN plans p ON p.plan_id = r.plan_id AND p.site_id = r.site_id "
        "LEFT JOIN roster ro ON ro.plan_id = r.plan_id AND ro.ticket = r.ticket "
        "WHERE r.site_id = ? AND r.plan_id = ? AND r.ticket = ?",
        (site_id, plan_id, ticket),
    )
    if row:
        row["detail"] = _obj(row["detail"])
    return row


def roster_photo(db: Database, plan_id: str, ticket: str) -> bytes | None:
    """The registered photo of a candidate."""
    value = db.scalar(
        "SELECT photo FROM roster WHERE plan_id = ? AND ticket = ?", (plan_id, ticket)
    )
    return bytes(value) if value is not None else None


def candidate_journal(db: Database, site_id: str, ticket: str) -> list[Row]:
    """The candidate's journal rows synced from the site, in sequence order (payload decoded)."""
    rows = db.query(
        "SELECT seq, at, session_id, kind, actor, payload, chain_ok FROM journal "
        "WHERE site_id = ? AND candidate_ticket = ? ORDER BY seq",
        (site_id, ticket),
    )
    for r in rows:
        r["payload"] = _obj(r["payload"])
    return rows


def candidate_captures(db: Database, site_id: str, plan_id: str, ticket: str) -> list[Row]:
    """The candidate's in-exam captures (metadata only)."""
    rows = db.query(
        "SELECT capture_id, at, flagged, meta FROM captures "
        "WHERE site_id = ? AND ticket = ? AND (plan_id = ? OR plan_id IS NULL) ORDER BY at",
        (site_id, ticket, plan_id),
    )
    for r in rows:
        r["meta"] = _obj(r["meta"])
    return rows


def chain_status(db: Database, site_id: str) -> Row | None:
    """The site's journal verification status (``gaps`` decoded), or None when nothing was
    verified yet."""
    row = db.one("SELECT * FROM chain_status WHERE site_id = ?", (site_id,))
    if row is not None:
        row["gaps"] = json.loads(row["gaps"]) if row.get("gaps") else []
    return row


def _obj(text: Any) -> Any:
    if text is None or isinstance(text, dict):
        return text or {}
    try:
        return json.loads(text)
    except ValueError:
        return {"raw": str(text)}
