"""The journal is append-only in the database itself, not only by convention.

No code path of the site updates or deletes a journal row (the hash chain is the audit trail and
the sync stream); these triggers make a mistaken one fail loudly instead of silently breaking the
chain. Someone editing the file by hand can drop them: the hash chain and the cloud's chain check
are what catch that.
"""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Refuse UPDATE and DELETE on the journal."""
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS journal_no_{op.lower()} BEFORE {op} ON journal "
            "BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"
        )
