"""What sites push: ingested records, journal, results, captures, videos, quarantine, chain status."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Create the tables the push endpoint writes to."""
    db.ddl(
        """CREATE TABLE sync_records (
            id {pk},
            site_id {key} NOT NULL,
            seq BIGINT NOT NULL,
            kind {key} NOT NULL,
            status {key} NOT NULL,
            received_at {key} NOT NULL,
            UNIQUE (site_id, seq)
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE journal (
            id {pk},
            site_id {key} NOT NULL,
            seq BIGINT NOT NULL,
            at {key} NOT NULL,
            session_id {key},
            kind {key} NOT NULL,
            actor {key},
            candidate_ticket {key},
            terminal_id {key},
            payload {text} NOT NULL,
            prev_hash {key} NOT NULL,
            hash {key} NOT NULL,
            chain_ok INTEGER,
            received_at {key} NOT NULL,
            UNIQUE (site_id, seq)
        ){table}"""
    )
    db.ddl("CREATE INDEX journal_candidate ON journal (site_id, session_id, candidate_ticket)")
    db.ddl(
        """CREATE TABLE results (
            id {pk},
            site_id {key} NOT NULL,
            plan_id {key} NOT NULL,
            ticket {key} NOT NULL,
            status {key} NOT NULL,
            score {real},
            passed INTEGER,
            answers INTEGER NOT NULL,
            detail {text} NOT NULL,
            received_at {key} NOT NULL,
            UNIQUE (site_id, plan_id, ticket)
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE captures (
            id {pk},
            site_id {key} NOT NULL,
            capture_id {key} NOT NULL,
            plan_id {key},
            ticket {key},
            at {key},
            flagged INTEGER NOT NULL,
            meta {text} NOT NULL,
            image {blob},
            received_at {key} NOT NULL,
            UNIQUE (site_id, capture_id)
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE video_segments (
            id {pk},
            site_id {key} NOT NULL,
            segment_id {key} NOT NULL,
            plan_id {key},
            meta {text} NOT NULL,
            received_at {key} NOT NULL,
            UNIQUE (site_id, segment_id)
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE quarantine (
            id {pk},
            site_id {key} NOT NULL,
            seq BIGINT,
            kind {key},
            record {text} NOT NULL,
            error_code {key} NOT NULL,
            error {text} NOT NULL,
            received_at {key} NOT NULL
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE chain_status (
            site_id {key} NOT NULL PRIMARY KEY,
            last_seq BIGINT NOT NULL,
            last_hash {key} NOT NULL,
            ok INTEGER NOT NULL,
            first_bad_seq BIGINT,
            checked_at {key} NOT NULL
        ){table}"""
    )
