"""The live room view's data: one snapshot of a session, built in one read transaction."""

from __future__ import annotations

from typing import Any

from examsite import payloads
from examsite.engine import timing as tm
from examsite.exam import ExamDay
from examsite.store import (
    candidates,
    capture_reviews,
    late_answers,
    ledger,
    room,
    sessions,
    terminals,
    throttle,
)

from .messages import ALERT_LABELS, SESSION_LABELS, STATE_LABELS

OPEN = ("logged_in", "confirmed", "answering", "away")
DONE = ("submitted", "collected", "absent", "disqualified")


def pick_session(exam: ExamDay, wanted: str | None) -> dict[str, Any] | None:
    """The wanted session, else the first one not ended, else the latest."""
    with exam.sitedb.read() as db:
        if wanted:
            found = sessions.get(db, wanted)
            if found:
                return found
        live = sessions.active(db)
        if live:
            return live[0]
        every = sessions.all_sessions(db)
        return every[-1] if every else None


def session_list(exam: ExamDay) -> list[dict[str, Any]]:
    """Every session for the selector."""
    with exam.sitedb.read() as db:
        return [
            {"id": s["id"], "title": s["title"], "room": s["room"], "state": s["state"]}
            for s in sessions.all_sessions(db)
        ]


def snapshot(exam: ExamDay, session_id: str) -> dict[str, Any]:
    """Seats, counts, free terminals and reviews pending, as the console page draws them."""
    now = exam.now()
    with exam.sitedb.read() as db:
        session = exam.session_of(db, session_id)
        roster = candidates.in_session(db, session_id)
        stats = room.answer_stats(db, session_id)
        suspects = room.suspect_captures(db, session_id)
        blurs = room.journal_counts(db, session_id, "page_blur")
        no_storage = room.journal_counts(db, session_id, "storage_unavailable")
        late = late_answers.pending_counts(db, session_id)
        # lock-outs are rare: look at candidates only when some key is locked at all
        locked = (
            {c["id"]: exam.login_locked_s(db, c, now) for c in roster if c["state"] not in DONE}
            if throttle.any_locked(db, now)
            else {}
        )
        cams = {t["id"]: t for t in terminals.all_terminals(db)}
        occupied = room.occupied_terminals(db)
        ledgers = ledger.by_session(db, session_id)
        pending_reviews = len(capture_reviews.needing_review(db, session_id))
        paper = sessions.paper_row(db, session_id)
        total = len(exam.questions(db, session_id) or {})
    started = tm.parse_iso(session["started_at"]) if session["started_at"] else None
    timing = sessions.timing(session)
    seats = []
    for c in roster:
        term = cams.get(c["terminal_id"] or "")
        answered, last_at = stats.get(c["id"], (0, None))
        alerts = []
        if suspects.get(c["id"]):
            alerts.append("face_mismatch")
        if term and term.get("camera") in ("missing", "denied") and c["state"] in OPEN:
            alerts.append("camera_missing")
        if blurs.get(c["ticket"]):
            alerts.append("left_page")
        if c["disputed"]:
            alerts.append("disputed")
        if no_storage.get(c["ticket"]) and c["state"] in OPEN:
            alerts.append("storage_unavailable")
        late_pending, late_before = late.get(c["id"], (0, 0))
        if late_pending:
            alerts.append("late_answers")
        if c["state"] in OPEN and term is not None and not term["connected"]:
            alerts.append("offline")
        if c["transfer_to"]:
            alerts.append("transfer_pending")
        if locked.get(c["id"]):
            alerts.append("login_locked")
        entries = ledgers.get(c["id"], [])
        end = tm.candidate_end(timing, started, entries, now) if started else None
        seats.append(
            {
                "candidate_id": c["id"],
                "seat": c["seat"],
                "name": c["name"],
                "ticket": c["ticket"],
                "id_number_masked": payloads.mask_id_number(c["id_number"]),
                "gender": c["gender"],
                "state": c["state"],
                "state_label": STATE_LABELS.get(c["state"], (c["state"], c["state"])),
                "terminal_id": c["terminal_id"],
                "terminal_seat": c["terminal_seat"],
                "transfer_to": c["transfer_to"],
                "connected": bool(term and term["connected"]),
                "answered": answered,
                "total": total,
                "last_answer_at": last_at,
                "alerts": [{"code": a, "label": ALERT_LABELS[a]} for a in alerts],
                "added_s": int(tm.added_seconds(entries, now)),
                "ends_at_ms": tm.epoch_ms(end) if end else None,
                "disputed": bool(c["disputed"]),
                "late_answers": {"pending": late_pending, "before_end": late_before},
                "login_locked_s": locked.get(c["id"], 0),
                "void_reason": c["void_reason"],
            }
        )
    states = [s["state"] for s in seats]
    counts = {
        "expected": len(seats),
        "checked_in": sum(1 for c in roster if c["checked_in_at"]),
        "logged_in": sum(1 for c in roster if c["logged_in_at"]),
        "answering": states.count("answering"),
        "submitted": states.count("submitted") + states.count("collected"),
        "absent": states.count("absent"),
        "away": states.count("away"),
        "disqualified": states.count("disqualified"),
    }
    free = sorted(
        (t for t in cams.values() if t["id"] not in occupied),
        key=lambda t: (t["seat"] is None, t["seat"] or 0, t["id"]),
    )
    return {
        "ok": True,
        "server_time_ms": tm.epoch_ms(now),
        "session": {
            **payloads.exam_info(session),
            "state_label": SESSION_LABELS.get(session["state"], (session["state"],) * 2),
            "exam_password": session["exam_password"],
            "sealed": bool(paper and paper["content"] is None),
            "ended_at": session["ended_at"],
        },
        "counts": counts,
        "seats": seats,
        "free_terminals": [
            {"id": t["id"], "seat": t["seat"], "connected": bool(t["connected"])} for t in free
        ],
        "pending_reviews": pending_reviews,
    }
