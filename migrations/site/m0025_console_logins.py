"""Console logins kept on the server: the socket's events count as activity, a logout really ends one."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Create the console-login table (its id is kept in the login's session cookie)."""
    db.execute(
        """CREATE TABLE console_logins (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            started_at TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            ended_at TEXT
        )"""
    )
