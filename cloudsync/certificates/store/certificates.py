"""Issued certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudsync.cloud.db import Database, Row

_LIGHT = (
    "id, uid, number, kind, role, work_type, holder_name, holder_sex, id_number, birth_date, "
    "company_name, company_category, holder_is_legal_rep, valid_from, valid_until, ce_due, "
    "ce_stage, age_cut, revoked, revoked_reason, abnormal, abnormal_reason, renewals, issuer, "
    "issued_on, site_id, plan_id, ticket, created_at, updated_at, prev_valid_from, "
    "prev_valid_until"
)


def insert(db: Database, row: Mapping[str, Any]) -> int:
    """Store a new certificate; return its id (IntegrityError when uid or number is taken)."""
    return db.insert("certificates", row)


def get(db: Database, certificate_id: int) -> Row | None:
    """One certificate without its photo."""
    return db.one(f"SELECT {_LIGHT} FROM certificates WHERE id = ?", (certificate_id,))


def by_uid(db: Database, uid: str) -> Row | None:
    """The certificate with this public id, without its photo."""
    return db.one(f"SELECT {_LIGHT} FROM certificates WHERE uid = ?", (uid,))


def photo(db: Database, certificate_id: int) -> bytes | None:
    """The holder's photo as printed on the certificate."""
    value = db.scalar("SELECT photo FROM certificates WHERE id = ?", (certificate_id,))
    return bytes(value) if value is not None else None


def held_by(db: Database, id_number: str, kind: str, today: str) -> list[Row]:
    """A person's certificates of one kind that still count: not revoked, not expired."""
    return db.query(
        f"SELECT {_LIGHT} FROM certificates WHERE id_number = ? AND kind = ? AND revoked = 0 "
        "AND valid_until >= ? ORDER BY id",
        (id_number, kind, today),
    )


def search(db: Database, text: str = "", limit: int = 200) -> list[Row]:
    """Certificates whose number, holder name or plan matches ``text``, newest first."""
    like = f"%{text}%"
    return db.query(
        f"SELECT {_LIGHT} FROM certificates WHERE number LIKE ? OR holder_name LIKE ? OR plan_id LIKE ? "
        "ORDER BY id DESC LIMIT ?",
        (like, like, like, limit),
    )


def due_for_review(db: Database, today: str) -> list[Row]:
    """Certificates whose current continuing-education deadline (first or second) is over
    (before ``today``) and not reviewed yet."""
    return db.query(
        f"SELECT {_LIGHT} FROM certificates WHERE ce_stage IN (1, 2) AND ce_due IS NOT NULL "
        "AND ce_due < ? AND revoked = 0 AND abnormal = 0 ORDER BY id",
        (today,),
    )


def update(db: Database, certificate_id: int, fields: Mapping[str, Any]) -> None:
    """Change some columns of one certificate."""
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE certificates SET {sets} WHERE id = ?", (*fields.values(), certificate_id))
