"""Index the journal by candidate: comparing a receipt reads one candidate's rows, not all."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Create the journal's per-candidate index."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS journal_sync_candidate ON journal(session_id, candidate_ticket, seq)"
    )
