"""Random captures that fall due while the candidate cannot be photographed wait for the return."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Why a due capture is waiting (away, offline, transfer, not_answering); NULL when it is not."""
    db.execute("ALTER TABLE captures ADD COLUMN deferred_reason TEXT")
