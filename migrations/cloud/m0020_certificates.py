"""Certificates: companies with business categories, approval decisions, certificates,
continuing-education records, counters and the certificate journal."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Create the certificate tables."""
    db.ddl(
        """CREATE TABLE cert_companies (
            id {pk},
            name {key} NOT NULL UNIQUE,
            credit_code {key},
            category {key},
            legal_rep_id_number {key},
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE cert_subjects (
            subject {key} NOT NULL PRIMARY KEY,
            kind {key} NOT NULL,
            role {key} NOT NULL,
            work_type {key}
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE cert_decisions (
            id {pk},
            site_id {key} NOT NULL,
            plan_id {key} NOT NULL,
            ticket {key} NOT NULL,
            decision {key} NOT NULL,
            reason {text},
            certificate_id BIGINT,
            decided_by {key} NOT NULL,
            decided_at {key} NOT NULL,
            evidence {text} NOT NULL,
            UNIQUE (site_id, plan_id, ticket)
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE certificates (
            id {pk},
            uid {key} NOT NULL UNIQUE,
            number {key} NOT NULL UNIQUE,
            kind {key} NOT NULL,
            role {key} NOT NULL,
            work_type {key},
            holder_name {key} NOT NULL,
            holder_sex {key} NOT NULL,
            id_number {key} NOT NULL,
            birth_date {key} NOT NULL,
            company_name {key} NOT NULL,
            company_category {key},
            holder_is_legal_rep INTEGER NOT NULL,
            valid_from {key} NOT NULL,
            valid_until {key} NOT NULL,
            ce_due {key},
            ce_stage INTEGER NOT NULL,
            age_cut INTEGER NOT NULL,
            revoked INTEGER NOT NULL,
            revoked_reason {text},
            abnormal INTEGER NOT NULL,
            abnormal_reason {text},
            renewals INTEGER NOT NULL,
            issuer {key} NOT NULL,
            issued_on {key} NOT NULL,
            site_id {key},
            plan_id {key},
            ticket {key},
            photo {blob},
            created_at {key} NOT NULL,
            updated_at {key} NOT NULL
        ){table}"""
    )
    db.ddl("CREATE INDEX certificates_holder ON certificates (id_number, kind)")
    db.ddl("CREATE INDEX certificates_ce_due ON certificates (ce_due)")
    db.ddl(
        """CREATE TABLE cert_ce_records (
            id {pk},
            id_number {key} NOT NULL,
            kind {key} NOT NULL,
            completed_on {key} NOT NULL,
            note {text},
            recorded_by {key} NOT NULL,
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl("CREATE INDEX cert_ce_records_holder ON cert_ce_records (id_number, kind)")
    db.ddl(
        """CREATE TABLE cert_counters (
            name {key} NOT NULL PRIMARY KEY,
            value BIGINT NOT NULL
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE cert_journal (
            id {pk},
            seq BIGINT NOT NULL UNIQUE,
            at {key} NOT NULL,
            actor {key} NOT NULL,
            action {key} NOT NULL,
            certificate_id BIGINT,
            site_id {key},
            plan_id {key},
            ticket {key},
            detail {text} NOT NULL,
            prev_hash {key} NOT NULL,
            hash {key} NOT NULL
        ){table}"""
    )
    db.ddl("CREATE INDEX cert_journal_certificate ON cert_journal (certificate_id)")
