"""Question bank, papers, exam plans and their rosters."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Create the questions, papers, plans and roster tables."""
    db.ddl(
        """CREATE TABLE questions (
            id {pk},
            qid {key} NOT NULL UNIQUE,
            category {key} NOT NULL,
            type {key} NOT NULL,
            stem {text} NOT NULL,
            options {text} NOT NULL,
            answer {text} NOT NULL,
            source {text},
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl("CREATE INDEX questions_category_type ON questions (category, type)")
    db.ddl(
        """CREATE TABLE papers (
            id {pk},
            paper_id {key} NOT NULL UNIQUE,
            title {text} NOT NULL,
            subject {key} NOT NULL,
            duration_min INTEGER NOT NULL,
            pass_mark {real} NOT NULL,
            total_score {real} NOT NULL,
            multi_scoring {key} NOT NULL,
            body {text} NOT NULL,
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE plans (
            id {pk},
            plan_id {key} NOT NULL UNIQUE,
            site_id {key} NOT NULL,
            room {key} NOT NULL,
            subject {key} NOT NULL,
            starts_at {key} NOT NULL,
            duration_min INTEGER NOT NULL,
            paper_id {key} NOT NULL,
            settings {text} NOT NULL,
            release_code {key} NOT NULL,
            sealed {text} NOT NULL,
            paper_sha256 {key} NOT NULL,
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl("CREATE INDEX plans_site_start ON plans (site_id, starts_at)")
    db.ddl(
        """CREATE TABLE roster (
            id {pk},
            plan_id {key} NOT NULL,
            ticket {key} NOT NULL,
            name {text} NOT NULL,
            gender {key} NOT NULL,
            id_number {key} NOT NULL,
            company {text},
            seat INTEGER,
            photo {blob},
            descriptor {text},
            UNIQUE (plan_id, ticket)
        ){table}"""
    )
