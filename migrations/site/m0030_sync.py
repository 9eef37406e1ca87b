"""Cloud sync on the site: the link to the cloud, the outbox, receipts, staged plans."""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE cloud_link (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        url TEXT NOT NULL,
        site_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        public_key TEXT NOT NULL,
        linked_at TEXT NOT NULL
    )""",
    """CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        error TEXT,
        acked_at TEXT
    )""",
    "CREATE INDEX sync_outbox_status ON sync_outbox(status, seq)",
    """CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE sync_receipts (
        session_id TEXT NOT NULL,
        ticket TEXT NOT NULL,
        answers INTEGER NOT NULL,
        checksum TEXT NOT NULL,
        captures INTEGER NOT NULL,
        incidents INTEGER NOT NULL,
        result INTEGER NOT NULL,
        matches INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        purged_at TEXT,
        PRIMARY KEY (session_id, ticket)
    )""",
    """CREATE TABLE staged_plans (
        plan_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        package_sha256 TEXT NOT NULL,
        paper_sha256 TEXT NOT NULL,
        candidates INTEGER NOT NULL,
        photos INTEGER NOT NULL,
        staged_at TEXT NOT NULL
    )""",
]


def migrate(db: Database) -> None:
    """Create the sync tables."""
    for sql in STATEMENTS:
        db.execute(sql)
