"""Assess one synced result for approval (pure): what the approver sees, and whether it is void.

Void results can never be approved: the result was voided at the site (disqualified, a void
reason), a violation cancelled it (000 att.3 §2: cheating cancels qualification and score), the
candidate was absent, or the journal failed its hash-chain check. Results that are not void but
carry anything a person should look at (a violation, a disputed identity, a flagged or rejected
capture, a journal not verified yet or with rows missing next to the plan's, no check-in) are not *clean*: they are approved one by one,
never in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudsync.certificates.rules import Refusal

__all__ = ["Assessment", "assess"]

VOID_STATUSES = frozenset({"disqualified", "void", "voided", "cancelled"})
#: The proctor's look at a capture, as the site journals it (examsite/exam/violations.py).
PROCTOR_REVIEWS = frozenset({"ok", "suspect"})
#: The one face verdict that clears a capture by itself (devices/face/matcher.py); every other
#: one (no_match, no_reference, unavailable, no_face, …) needs a proctor's look.
MATCH_VERDICT = "match"


@dataclass
class Assessment:
    """The approval screen's facts about one result, its void reasons and its flags."""

    summary: dict[str, Any]
    void: list[Refusal] = field(default_factory=list)
    flags: list[Refusal] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Neither void nor flagged: may be approved in bulk."""
        return not self.void and not self.flags

    def evidence(self) -> dict[str, Any]:
        """What is stored with a decision: the summary and the codes that applied."""
        return {
            "summary": self.summary,
            "void": [r.code for r in self.void],
            "flags": [r.code for r in self.flags],
        }


def _voids(payload: Mapping[str, Any]) -> bool:
    if payload.get("voids") or payload.get("cancels_result") or payload.get("void"):
        return True
    handling = str(payload.get("handling") or payload.get("action") or "")
    return "取消" in handling or handling in ("cancel", "cancel_result", "disqualify")


def _capture_states(
    rows: list[Mapping[str, Any]], caps: list[Mapping[str, Any]]
) -> dict[str, tuple[str | None, str | None, bool]]:
    """Per capture id: the latest proctor review, the latest face verdict, and whether the
    synced capture record was flagged. The journal (in sequence order) wins over the capture
    record's metadata, which may have been sent before the review."""
    states: dict[str, tuple[str | None, str | None, bool]] = {}
    for c in caps:
        meta = c.get("meta") or {}
        review = meta.get("review") if meta.get("review") in PROCTOR_REVIEWS else None
        verdict = meta.get("verdict")
        states[str(c.get("capture_id"))] = (
            review,
            str(verdict) if verdict else None,
            bool(c.get("flagged")),
        )
    for r in sorted(rows, key=lambda r: int(r["seq"])):
        if r["kind"] != "capture_reviewed":
            continue
        payload = r["payload"]
        # The site keys a capture by its request id; the capture record's id is the same value.
        cid = str(payload.get("request_id") or payload.get("capture_id") or "")
        if not cid:
            continue
        review, verdict, was_flagged = states.get(cid, (None, None, False))
        if payload.get("review") in PROCTOR_REVIEWS:
            review = str(payload["review"])
        if payload.get("verdict"):
            verdict = str(payload["verdict"])
        states[cid] = (review, verdict, was_flagged)
    return states


def assess(
    result: Mapping[str, Any],
    journal: Iterable[Mapping[str, Any]],
    captures: Iterable[Mapping[str, Any]],
    chain: Mapping[str, Any] | None,
) -> Assessment:
    """Assess a result row (with ``detail``) against the candidate's journal, captures and chain
    (the site's chain status; its ``gaps`` only those that touch the result's plan)."""
    rows = list(journal)
    caps = list(captures)
    status = str(result.get("status") or "")
    detail = result.get("detail") or {}
    kinds = [r["kind"] for r in rows]

    violations = [
        {
            "at": r.get("at"),
            "category": r["payload"].get("category"),
            "conduct": r["payload"].get("conduct") or r["payload"].get("note") or "",
            "handling": r["payload"].get("handling") or "",
            "voids": _voids(r["payload"]),
        }
        for r in rows
        if r["kind"] == "violation"
    ]
    states = _capture_states(rows, caps)
    # Without a known verdict, the site's own flag on the capture record stands.
    flagged = [
        cid
        for cid, (_, verdict, was_flagged) in states.items()
        if (verdict != MATCH_VERDICT if verdict is not None else was_flagged)
    ]
    rejected = [cid for cid, (review, _, _) in states.items() if review == "suspect"]
    unresolved = [cid for cid in flagged if states[cid][0] is None]

    # A tampered row breaks only its own link: later rows still chain to its stored hash, so
    # the verdict is per candidate (the ingest's chain_ok per row, or the first bad sequence).
    # A gap (rows missing from the site's sequence) next to the plan's rows may have been one of
    # this candidate's rows, a violation say: not void (the rows may still be on their way),
    # but never approved in bulk while it lasts.
    seqs = {int(r["seq"]) for r in rows}
    first_bad = chain.get("first_bad_seq") if chain is not None else None
    gaps = list(chain.get("gaps") or []) if chain is not None else []
    if any(r.get("chain_ok") == 0 for r in rows) or (
        first_bad is not None and int(first_bad) in seqs
    ):
        chain_state = "failed"
    elif gaps:
        chain_state = "incomplete"
    elif rows and all(
        r.get("chain_ok") == 1
        or (
            chain is not None
            and chain.get("ok")
            and int(chain.get("last_seq") or 0) >= int(r["seq"])
        )
        for r in rows
    ):
        chain_state = "ok"
    else:
        chain_state = "unverified"

    summary: dict[str, Any] = {
        "status": status,
        "score": result.get("score"),
        "answers": result.get("answers"),
        "checkins": kinds.count("checkin"),
        "checkins_refused": kinds.count("checkin_refused"),
        "identity_confirmed": "identity_confirmed" in kinds,
        "identity_disputed": kinds.count("identity_disputed"),
        "captures": len(caps),
        "captures_flagged": len(flagged),
        "captures_rejected": len(rejected),
        "captures_unresolved": len(unresolved),
        "violations": violations,
        "journal": chain_state,
        "journal_rows": len(rows),
    }
    out = Assessment(summary)

    if status in VOID_STATUSES or detail.get("void_reason"):
        reason = detail.get("void_reason") or status
        out.void.append(
            Refusal(
                "result_void",
                f"成绩已在考点作废（{reason}），不能发证",
                f"the site voided this result ({reason}): no certificate",
            )
        )
    if status == "absent" or "absent" in kinds:
        out.void.append(
            Refusal("absent", "考生缺考，不能发证", "the candidate was absent: no certificate")
        )
    if any(v["voids"] for v in violations):
        out.void.append(
            Refusal(
                "violation_void",
                "考生违纪，已取消考核资格和成绩，不能发证",
                "a violation cancelled the result: no certificate",
            )
        )
    if chain_state == "failed":
        out.void.append(
            Refusal(
                "journal_check_failed",
                "考场日志校验失败（哈希链不一致），成绩无效，不能发证",
                "the exam journal failed its hash-chain check: the result is void",
            )
        )

    if violations and not any(v["voids"] for v in violations):
        out.flags.append(
            Refusal(
                "violation_recorded",
                "有违纪记录，请逐一审核",
                "a violation was recorded: review it",
            )
        )
    if chain_state == "incomplete":
        missing = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in gaps)
        out.flags.append(
            Refusal(
                "journal_incomplete",
                f"考场日志缺少记录（序号 {missing}），请待同步补齐或核实后逐一审核",
                f"exam journal rows are missing (seq {missing}): wait for the sync or check them",
            )
        )
    if chain_state == "unverified":
        out.flags.append(
            Refusal(
                "journal_unverified",
                "考场日志尚未校验，请待同步完成后审核",
                "the exam journal is not verified yet: wait for the sync to finish",
            )
        )
    if not summary["checkins"]:
        out.flags.append(
            Refusal("no_checkin", "无身份核验记录，请逐一审核", "no identity check-in was recorded")
        )
    if summary["identity_disputed"] or summary["checkins_refused"]:
        out.flags.append(
            Refusal(
                "identity_questioned",
                "身份信息有异议或核验被拒，请逐一审核",
                "identity was disputed or refused once",
            )
        )
    if rejected or unresolved:
        out.flags.append(
            Refusal(
                "captures_flagged",
                "考中抓拍照片有疑点，请逐一审核",
                "in-exam captures were flagged or rejected: review them",
            )
        )
    return out
