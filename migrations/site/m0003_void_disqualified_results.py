"""Void the stored result of candidates disqualified after handing in (they kept score and passed=1).

Disqualification now clears the score and sets passed to 0 (examsite/exam/base.py
`disqualify_in`); this brings rows written before that into line. The scores stay in the journal
(`submit` / `collect` rows), and the changed result is enqueued again for the cloud.
"""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    """Clear score and passed of every disqualified candidate."""
    db.execute("UPDATE candidates SET score = NULL, passed = 0 WHERE state = 'disqualified'")
