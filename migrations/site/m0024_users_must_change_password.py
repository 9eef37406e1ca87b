"""Console accounts: a password assigned by an administrator must be changed at first login (004 §5)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Add the must-change flag (existing accounts keep their passwords unforced)."""
    db.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")
