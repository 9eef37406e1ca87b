"""Violations (000 att.3 §2) and the other proctor records: capture reviews, disputed identities,
incident notes and the record's signers. Each change is journaled in its own transaction."""

from __future__ import annotations

from typing import Any

from examsite import payloads
from examsite.engine.errors import ExamError
from examsite.engine.states import CandidateState, next_candidate_state
from examsite.store import candidates, capture_reviews, captures, incidents, violations

from .base import Outcome, Push, term_room
from .day import ExamDay

C = CandidateState

#: The nine categories of 000 att.3 §2 (0 is "other", described in free text).
CATEGORIES: dict[int, tuple[str, str]] = {
    1: ("拒不将随身携带物品放于考场指定存放处", "refused to leave belongings at the storage point"),
    2: (
        "夹带、抄袭或者试图抄袭书籍、资料等",
        "smuggled in or copied (or tried to copy) books or notes",
    ),
    3: ("交头接耳、互打手势、传递纸条或信号等", "whispered, signalled or passed notes"),
    4: ("窃视他人屏幕、抄录试题并带出考场", "looked at another screen, or copied questions out"),
    5: (
        "使用手机或其它电子设备进行通讯或试图通讯",
        "used (or tried to use) a phone or other device",
    ),
    6: ("未经许可擅自中途离开考场", "left the room without permission"),
    7: (
        "替考、被替考、协助他人作弊或集体舞弊",
        "impersonation, helping others cheat, or group cheating",
    ),
    8: ("恶意操作导致考核机无法正常运行", "deliberately disabled the exam computer"),
    9: (
        "严重扰乱考核秩序，危及考核工作人员安全",
        "seriously disrupted the exam or endangered staff",
    ),
    0: ("其他（见情节描述）", "other (see the description)"),
}
HANDLINGS: dict[str, tuple[str, str]] = {
    "warning": ("警告", "warning"),
    "disqualify": ("取消考核资格和成绩", "qualification and score cancelled"),
}


class RecordOps:
    """Proctor records on one exam day."""

    def __init__(self, exam: ExamDay):
        self.exam = exam

    def violation(
        self, candidate_id: int, category: int, conduct: str, handling: str, actor: str
    ) -> Outcome:
        """Record a violation; `disqualify` also locks the terminal and voids the result."""
        conduct = conduct.strip()[:1000]
        if category not in CATEGORIES or handling not in HANDLINGS:
            raise ExamError("bad_request", {"field": "category/handling"})
        if category == 0 and not conduct:
            raise ExamError("reason_required")
        now = self.exam.now()
        label = CATEGORIES[category][0]
        pushes: list[Push] = []
        with self.exam.sitedb.write() as db:
            cand = self.exam.candidate(db, candidate_id)
            if handling == "disqualify":
                # checked before anything is written: a refused transition leaves no record
                next_candidate_state(C(cand["state"]), "disqualify")
            row = self.exam.journal(
                db,
                "violation",
                actor,
                {
                    "category": category,
                    "category_label": label,
                    "conduct": conduct,
                    "handling": handling,
                    # the journal is never purged: only the masked number goes into it
                    "id_number": payloads.mask_id_number(cand["id_number"]),
                    "name": cand["name"],
                },
                cand=cand,
            )
            violations.add(
                db,
                session_id=cand["session_id"],
                candidate_id=candidate_id,
                category=category,
                conduct=conduct,
                handling=handling,
                proctor=actor,
                at=row["at"],
                journal_seq=row["seq"],
            )
            if handling == "disqualify":
                reason = f"{label}：{conduct}" if conduct else label
                self.exam.disqualify_in(db, cand, reason, actor, now)
                if cand["terminal_id"]:
                    pushes.append(
                        Push(
                            "lock",
                            payloads.lock("disqualified", reason),
                            term_room(cand["terminal_id"]),
                        )
                    )
        pushes.insert(
            0, self.exam.console_push("violation", candidate_id=candidate_id, handling=handling)
        )
        return Outcome({"ok": True, "journal_seq": row["seq"]}, pushes)

    def review_capture(self, request_id: str, decision: str, note: str, actor: str) -> Outcome:
        """The proctor's look at a capture: `ok` (same person) or `suspect` with a note."""
        if decision not in ("ok", "suspect"):
            raise ExamError("bad_request", {"field": "decision"})
        if decision == "suspect" and not note.strip():
            raise ExamError("reason_required")
        with self.exam.sitedb.write() as db:
            cap = captures.get(db, request_id)
            if cap is None or not cap["taken_at"]:
                raise ExamError("capture_unknown")
            cand = self.exam.candidate(db, cap["candidate_id"])
            capture_reviews.review(db, request_id, decision, note.strip()[:500], actor)
            self.exam.journal(
                db,
                "capture_reviewed",
                actor,
                {
                    "request_id": request_id,
                    "review": decision,
                    "note": note.strip()[:500],
                    "verdict": cap["verdict"],
                    "distance": cap["distance"],
                },
                cand=cand,
            )
        push = self.exam.console_push("capture_reviewed", candidate_id=cand["id"])
        return Outcome({"ok": True}, [push])

    def resolve_dispute(self, candidate_id: int, note: str, actor: str) -> Outcome:
        """The proctor registered the candidate's wrong record on the spot (att.3 §1.5)."""
        if not note.strip():
            raise ExamError("reason_required")
        with self.exam.sitedb.write() as db:
            cand = self.exam.candidate(db, candidate_id)
            if not cand["disputed"]:
                raise ExamError("bad_transition", {"action": "resolve_dispute"})
            candidates.update(db, candidate_id, disputed=0)
            self.exam.journal(
                db,
                "override",
                actor,
                {"action": "identity_dispute_registered", "note": note.strip()[:500]},
                cand=cand,
            )
        return Outcome(
            {"ok": True}, [self.exam.console_push("dispute_resolved", candidate_id=candidate_id)]
        )

    def note(self, session_id: str, text: str, actor: str) -> Outcome:
        """Another event for the incident record, in the proctor's words."""
        if not text.strip():
            raise ExamError("reason_required")
        with self.exam.sitedb.write() as db:
            self.exam.session_of(db, session_id)
            self.exam.journal(
                db, "incident_note", actor, {"text": text.strip()[:2000]}, session_id=session_id
            )
        return Outcome(
            {"ok": True}, [self.exam.console_push("incident_note", session_id=session_id)]
        )

    def set_staff(self, session_id: str, proctors: list[str], patrols: list[str]) -> None:
        """The names that sign the incident record."""
        with self.exam.sitedb.write() as db:
            self.exam.session_of(db, session_id)
            incidents.set_staff(
                db, session_id, "proctor", [n.strip() for n in proctors if n.strip()]
            )
            incidents.set_staff(db, session_id, "patrol", [n.strip() for n in patrols if n.strip()])

    def staff(self, session_id: str) -> dict[str, Any]:
        """role → names."""
        with self.exam.sitedb.read() as db:
            return incidents.staff(db, session_id)
