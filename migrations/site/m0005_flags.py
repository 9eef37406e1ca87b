"""Flags (标记): the questions a candidate marked for review, kept on the server so that they
follow the candidate to another terminal after a seat transfer. One row per flagged question."""

from sqlite_utils import Database

STATEMENTS = [
    """CREATE TABLE flags (
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        qid TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        flagged_at TEXT NOT NULL,
        PRIMARY KEY (candidate_id, qid)
    )""",
]


def migrate(db: Database) -> None:
    """Create the flags table."""
    for sql in STATEMENTS:
        db.execute(sql)
