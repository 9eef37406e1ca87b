"""What the incident record (考场情况记录表) needs beyond the journal: the signing staff."""

from __future__ import annotations

from sqlite_utils import Database


def set_staff(db: Database, session_id: str, role: str, names: list[str]) -> None:
    """Replace the proctors' or patrols' names of a session."""
    db.execute("DELETE FROM session_staff WHERE session_id = ? AND role = ?", [session_id, role])
    for name in names:
        db.execute(
            "INSERT OR IGNORE INTO session_staff (session_id, role, name) VALUES (?,?,?)",
            [session_id, role, name],
        )


def staff(db: Database, session_id: str) -> dict[str, list[str]]:
    """role → names, for 监考人员 and 巡考人员."""
    out: dict[str, list[str]] = {"proctor": [], "patrol": []}
    for role, name in db.execute(
        "SELECT role, name FROM session_staff WHERE session_id = ? ORDER BY rowid", [session_id]
    ):
        out.setdefault(role, []).append(name)
    return out
