"""Supervisor console: accounts, check-in desk reads, violations, the record's signers."""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'proctor', 'patrol')),
        password_hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        auth_epoch INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_login_at TEXT
    )""",
    """CREATE TABLE desk_reads (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        session_id TEXT,
        candidate_id INTEGER,
        identity TEXT NOT NULL,
        still BLOB,
        face TEXT NOT NULL DEFAULT '{}',
        problems TEXT NOT NULL DEFAULT '[]',
        decision TEXT,
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX desk_reads_candidate ON desk_reads(candidate_id)",
    """CREATE TABLE violations (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        category INTEGER NOT NULL CHECK (category BETWEEN 0 AND 9),
        conduct TEXT NOT NULL,
        handling TEXT NOT NULL CHECK (handling IN ('warning', 'disqualify')),
        proctor TEXT NOT NULL,
        at TEXT NOT NULL,
        journal_seq INTEGER NOT NULL
    )""",
    "CREATE INDEX violations_session ON violations(session_id)",
    """CREATE TABLE session_staff (
        session_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('proctor', 'patrol')),
        name TEXT NOT NULL,
        PRIMARY KEY (session_id, role, name)
    )""",
]


def migrate(db: Database) -> None:
    """Create the console's tables."""
    for sql in STATEMENTS:
        db.execute(sql)
