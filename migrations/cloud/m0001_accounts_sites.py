"""Administrators and registered exam sites."""

from __future__ import annotations

from typing import Any


def migrate(db: Any) -> None:
    """Create the admins and sites tables."""
    db.ddl(
        """CREATE TABLE admins (
            id {pk},
            username {key} NOT NULL UNIQUE,
            password_hash {text} NOT NULL,
            role {key} NOT NULL,
            display_name {text},
            created_at {key} NOT NULL
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE sites (
            id {pk},
            site_id {key} NOT NULL UNIQUE,
            name {text},
            secret {key} NOT NULL,
            created_at {key} NOT NULL,
            last_seen_at {key}
        ){table}"""
    )
    db.ddl(
        """CREATE TABLE request_nonces (
            site_id {key} NOT NULL,
            nonce {key} NOT NULL,
            seen_at BIGINT NOT NULL,
            PRIMARY KEY (site_id, nonce)
        ){table}"""
    )
    db.ddl("CREATE INDEX request_nonces_seen ON request_nonces (seen_at)")
