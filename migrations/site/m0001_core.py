"""Core exam-day tables: sessions, papers, candidates, answers, the journal, the time ledger."""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE exam_sessions (
        id TEXT PRIMARY KEY,
        plan_id TEXT,
        site_id TEXT,
        room TEXT NOT NULL,
        subject TEXT NOT NULL,
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        duration_min REAL NOT NULL,
        checkin_open_min REAL NOT NULL DEFAULT 30,
        late_cut_min REAL NOT NULL DEFAULT 5,
        submit_after_min REAL NOT NULL DEFAULT 30,
        captures_per_candidate INTEGER NOT NULL DEFAULT 3,
        show_score INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'staged',
        exam_password TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        late_cut_done INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE papers (
        session_id TEXT PRIMARY KEY REFERENCES exam_sessions(id),
        paper_id TEXT NOT NULL,
        title TEXT NOT NULL,
        sealed BLOB,
        sha256 TEXT,
        content TEXT,
        opened_at TEXT
    )""",
    """CREATE TABLE candidates (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES exam_sessions(id),
        ticket TEXT NOT NULL,
        name TEXT NOT NULL,
        gender TEXT NOT NULL,
        id_number TEXT NOT NULL,
        company TEXT,
        seat INTEGER,
        photo BLOB,
        descriptor BLOB,
        state TEXT NOT NULL DEFAULT 'expected',
        checked_in_at TEXT,
        logged_in_at TEXT,
        confirmed_at TEXT,
        notice_read INTEGER NOT NULL DEFAULT 0,
        password_ok INTEGER NOT NULL DEFAULT 0,
        disputed INTEGER NOT NULL DEFAULT 0,
        terminal_id TEXT,
        terminal_seat INTEGER,
        token_epoch INTEGER NOT NULL DEFAULT 0,
        transfer_to TEXT,
        shuffle_seed INTEGER NOT NULL,
        finished_at TEXT,
        score REAL,
        passed INTEGER,
        void_reason TEXT,
        lock_reason TEXT,
        UNIQUE (session_id, ticket)
    )""",
    "CREATE INDEX candidates_ticket ON candidates(ticket)",
    """CREATE TABLE answers (
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        qid TEXT NOT NULL,
        value TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (candidate_id, qid)
    ) WITHOUT ROWID""",
    """CREATE TABLE answer_events (
        candidate_id INTEGER NOT NULL,
        terminal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        qid TEXT NOT NULL,
        value TEXT NOT NULL,
        journal_seq INTEGER NOT NULL,
        PRIMARY KEY (candidate_id, terminal_id, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        session_id TEXT,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        candidate_ticket TEXT,
        terminal_id TEXT,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX journal_session_kind ON journal(session_id, kind)",
    """CREATE TABLE time_ledger (
        id INTEGER PRIMARY KEY,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        kind TEXT NOT NULL,
        seconds INTEGER NOT NULL DEFAULT 0,
        actor TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    )""",
    "CREATE INDEX time_ledger_candidate ON time_ledger(candidate_id)",
    """CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        seat INTEGER,
        connected INTEGER NOT NULL DEFAULT 0,
        last_seen TEXT,
        remote_addr TEXT,
        user_agent TEXT,
        camera TEXT,
        candidate_id INTEGER
    )""",
    """CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        due_at TEXT,
        requested_at TEXT,
        taken_at TEXT,
        image BLOB,
        verdict TEXT,
        distance REAL,
        review TEXT,
        review_note TEXT,
        reviewer TEXT
    )""",
    "CREATE INDEX captures_candidate ON captures(candidate_id)",
    """CREATE TABLE throttle (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    )""",
]


def migrate(db: Database) -> None:
    """Create the core tables."""
    for sql in STATEMENTS:
        db.execute(sql)
