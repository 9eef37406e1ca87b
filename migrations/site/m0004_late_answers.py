"""Late answers: answers a terminal made offline that reached the server after the paper closed.

They are kept on record as they came (the page's estimate of the server time included) and change
nothing until a proctor accepts those made before the end.
"""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE late_answers (
        id INTEGER PRIMARY KEY,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        session_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        qid TEXT NOT NULL,
        value TEXT NOT NULL,
        est_at_ms INTEGER,
        before_end INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        journal_seq INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
        decided_by TEXT,
        decided_at TEXT,
        UNIQUE (candidate_id, terminal_id, seq)
    )""",
    "CREATE INDEX late_answers_session ON late_answers(session_id, status)",
]


def migrate(db: Database) -> None:
    """Create the late-answers table."""
    for sql in STATEMENTS:
        db.execute(sql)
