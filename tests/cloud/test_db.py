"""The DB layer and migrations on SQLite and MariaDB."""

from __future__ import annotations

import pytest
from flask import Flask

from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.db import Database, DatabaseError, DatabaseURL, _to_format_style
from cloudsync.cloud.migrate import steps


def test_migrations_apply_once(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        assert init_db() == []  # already applied by the fixture
        names = {r["name"] for r in db.query("SELECT name FROM schema_migrations")}
        assert names == set(steps())
        assert {"admins", "plans", "journal", "quarantine"} <= set(db.table_names())


def test_same_sql_both_dialects(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        assert db.insert_ignore("request_nonces", {"site_id": "S", "nonce": "n%1?", "seen_at": 1})
        assert not db.insert_ignore(
            "request_nonces", {"site_id": "S", "nonce": "n%1?", "seen_at": 2}
        )
        row = db.one("SELECT * FROM request_nonces WHERE nonce LIKE '%?' AND site_id = ?", ("S",))
        assert row is not None and row["seen_at"] == 1
        with pytest.raises(RuntimeError), db.transaction():
            db.insert("request_nonces", {"site_id": "S", "nonce": "rolled", "seen_at": 3})
            raise RuntimeError("roll back")
        assert db.scalar("SELECT COUNT(*) FROM request_nonces WHERE nonce = ?", ("rolled",)) == 0
        db.insert("request_nonces", {"site_id": "S", "nonce": "中文", "seen_at": 4})
        assert db.scalar("SELECT seen_at FROM request_nonces WHERE nonce = ?", ("中文",)) == 4


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ? ", "SELECT %s "),
        ("a = '?' AND b = ?", "a = '?' AND b = %s"),
        ("LIKE '%x' AND c = ?", "LIKE '%%x' AND c = %s"),
        ("`we?ird` = ?", "`we?ird` = %s"),
    ],
)
def test_placeholder_translation(sql: str, expected: str) -> None:
    assert _to_format_style(sql) == expected


def test_url_parsing() -> None:
    u = DatabaseURL.parse("mysql://root:@127.0.0.1:3306/examcloud")
    assert (u.dialect, u.host, u.port, u.user, u.password, u.database) == (
        "mysql",
        "127.0.0.1",
        3306,
        "root",
        "",
        "examcloud",
    )
    assert DatabaseURL.parse("/tmp/x.sqlite").dialect == "sqlite"
    with pytest.raises(DatabaseError, match="unsupported"):
        DatabaseURL.parse("postgres://x/y")
    with pytest.raises(DatabaseError, match="database name"):
        DatabaseURL.parse("mysql://root@127.0.0.1:3306/")


def test_unreachable_mysql_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="ensure-mariadb"):
        Database("mysql://root:@127.0.0.1:1/nothing")
