"""Employers with their business category (企业经营类别登记) and legal representative."""

from __future__ import annotations

from cloudsync.cloud.db import Database, Row


def upsert(
    db: Database,
    name: str,
    category: str | None,
    legal_rep_id_number: str | None,
    credit_code: str | None,
    now: str,
) -> None:
    """Register a company or update its category and legal representative."""
    with db.transaction():
        if db.one("SELECT id FROM cert_companies WHERE name = ?", (name,)):
            db.execute(
                "UPDATE cert_companies SET category = ?, legal_rep_id_number = ?, credit_code = ? "
                "WHERE name = ?",
                (category, legal_rep_id_number, credit_code, name),
            )
        else:
            db.insert(
                "cert_companies",
                {
                    "name": name,
                    "category": category,
                    "legal_rep_id_number": legal_rep_id_number,
                    "credit_code": credit_code,
                    "created_at": now,
                },
            )


def get(db: Database, name: str) -> Row | None:
    """The company registered under ``name``, or None."""
    return db.one("SELECT * FROM cert_companies WHERE name = ?", (name,))


def all_companies(db: Database) -> list[Row]:
    """Every registered company by name."""
    return db.query("SELECT * FROM cert_companies ORDER BY name")


def subject(db: Database, subject: str) -> Row | None:
    """The certificate an exam subject leads to, if configured."""
    return db.one("SELECT * FROM cert_subjects WHERE subject = ?", (subject,))
