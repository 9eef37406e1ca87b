"""Lifecycle of issued certificates: revoke (注销), renew (延期), continuing-education records,
the automatic review (系统自动复核), and what the public may see. Every change is journaled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cloudsync.certificates import rules
from cloudsync.certificates.approvals import CertificateError, today_of
from cloudsync.certificates.calendar import add_months
from cloudsync.certificates.pdf import CertificateDocument
from cloudsync.certificates.rules import Holder, Refusal, Terms
from cloudsync.certificates.store import ce_records, certificates, journal
from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import iso

__all__ = [
    "PUBLIC_REASON",
    "STATUS_TEXT",
    "ReviewOutcome",
    "add_ce_record",
    "admin_reason",
    "ce_schedule",
    "document",
    "mask_id",
    "public_view",
    "renew",
    "review_certificates",
    "revoke",
    "role_title",
    "status_of",
]

STATUS_TEXT = {
    "valid": ("有效", "valid"),
    "expired": ("已过期", "expired"),
    "revoked": ("已注销", "revoked"),
    "abnormal": ("异常", "abnormal"),
    "pending": ("未到生效日期", "not yet valid"),
}


def _not_found(what: str) -> CertificateError:
    return CertificateError([Refusal("not_found", f"未找到证书 {what}", f"no certificate {what}")])


def _get(db: Database, uid: str) -> Row:
    row = certificates.by_uid(db, uid)
    if row is None:
        raise _not_found(uid)
    return row


def terms_of(row: Row) -> Terms:
    """The rule module's view of a certificate row."""
    return Terms(
        valid_from=date.fromisoformat(row["valid_from"]),
        valid_until=date.fromisoformat(row["valid_until"]),
        ce_due=date.fromisoformat(row["ce_due"]) if row["ce_due"] else None,
        ce_stage=int(row["ce_stage"]),
        revoked=bool(row["revoked"]),
        abnormal=bool(row["abnormal"]),
        prev_valid_from=_day(row.get("prev_valid_from")),
        prev_valid_until=_day(row.get("prev_valid_until")),
    )


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def holder_of(row: Row) -> Holder:
    """The holder as the rules see them."""
    return Holder(
        row["id_number"],
        row["holder_name"],
        row["holder_sex"],
        date.fromisoformat(row["birth_date"]),
    )


def status_of(row: Row, today: date) -> str:
    """``valid``, ``expired``, ``revoked``, ``abnormal`` or ``pending`` on ``today``."""
    return rules.get(row["kind"]).status_on(terms_of(row), today)


def mask_id(id_number: str) -> str:
    """The ID number as printed: first 6 and last 4 characters, the birth date hidden."""
    return (
        id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:]
        if len(id_number) > 10
        else "****"
    )


def role_title(row: Row) -> str:
    """Certificate type as printed, with the work type where there is one."""
    try:
        title = rules.get(row["kind"]).role(row["role"]).title_zh
    except KeyError:
        title = row["role"]
    return f"{title}（{row['work_type']}）" if row.get("work_type") else title


#: What the public learns about why a certificate cannot be used: a fixed text per status. The
#: administrator's own words (注销原因, e.g. a death or a fraud case) stay on the administrators'
#: pages: they are about a person and are not printed on the certificate.
PUBLIC_REASON = {
    "revoked": (
        "该证书已由发证机关注销，不能再使用；如有疑问请向发证机关咨询",
        "revoked by the issuing authority and no longer usable; ask the issuer for details",
    ),
    "abnormal": (
        "证书未按规定时间完成继续教育，已不能使用；如有疑问请向发证机关咨询",
        "continuing education was not completed in time; the certificate can no longer be used",
    ),
}


def public_view(row: Row, today: date) -> dict[str, Any]:
    """What the verification page shows: status and no more than the certificate itself prints
    (a fixed reason text for a revoked or abnormal one, never the administrator's words)."""
    status = status_of(row, today)
    zh, en = STATUS_TEXT[status]
    fixed = PUBLIC_REASON.get(status)
    return {
        "status": status,
        "status_zh": zh,
        "status_en": en,
        "reason": f"{fixed[0]}（{fixed[1]}）" if fixed else None,
        "kind": rules.get(row["kind"]).title_zh,
        "role": role_title(row),
        "number": row["number"],
        "holder_name": row["holder_name"],
        "id_number": mask_id(row["id_number"]),
        "company": row["company_name"],
        **_periods(row, today),
        "issuer": row["issuer"],
        "issued_on": row["issued_on"],
    }


def ce_schedule(row: Row) -> dict[str, Any]:
    """The period's continuing-education dates for the administrators' page: the first
    deadline and the day one month before it by which the holder is advised to finish, the
    second deadline (one month before expiry), and which of them the review waits for
    (``stage`` 1 or 2; 3 when both have passed)."""
    rule_set = rules.get(row["kind"])
    terms = terms_of(row)
    first = rule_set.first_ce_due(terms.valid_from, terms.valid_until)
    second = rule_set.second_ce_due(terms)
    advised = add_months(first, -rule_set.ce_advance_months) if first else None
    return {
        "first_due": first.isoformat() if first else None,
        "first_advised": advised.isoformat() if advised else None,
        "second_due": second.isoformat() if second else None,
        "stage": terms.ce_stage if row["ce_due"] else 3,
    }


def admin_reason(row: Row) -> str | None:
    """The reason as recorded (the administrator's 注销原因 or the review's finding), for the
    administrators' pages only."""
    if row["revoked"]:
        return str(row["revoked_reason"] or "")
    if row["abnormal"]:
        return str(row["abnormal_reason"] or "")
    return None


def _periods(row: Row, today: date) -> dict[str, str | None]:
    """The period that applies on ``today`` and, between a renewal and the end of the current
    period, the renewed one (page and PDF show the same)."""
    terms = terms_of(row)
    start, end = terms.period_on(today)
    after = terms.next_period_on(today)
    return {
        "valid_from": start.isoformat(),
        "valid_until": end.isoformat(),
        "next_valid_from": after[0].isoformat() if after else None,
        "next_valid_until": after[1].isoformat() if after else None,
    }


def document(row: Row, photo: bytes | None, verify_url: str, today: date) -> CertificateDocument:
    """The PDF's content for a certificate row as of ``today`` (the period that applies then,
    and the renewed one when it has not begun)."""
    periods = _periods(row, today)
    return CertificateDocument(
        kind_title=rules.get(row["kind"]).title_zh,
        role_title=role_title(row),
        number=row["number"],
        holder_name=row["holder_name"],
        holder_sex=row["holder_sex"],
        id_number=mask_id(row["id_number"]),
        company=row["company_name"],
        valid_from=date.fromisoformat(str(periods["valid_from"])),
        valid_until=date.fromisoformat(str(periods["valid_until"])),
        issuer=row["issuer"],
        issued_on=date.fromisoformat(row["issued_on"]),
        verify_url=verify_url,
        photo=photo,
        next_valid_from=_day(periods["next_valid_from"]),
        next_valid_until=_day(periods["next_valid_until"]),
    )


def revoke(db: Database, uid: str, actor: str, now: datetime, reason: str) -> Row:
    """注销: revoke a certificate with a reason; refused when already revoked or no reason."""
    reason = reason.strip()
    if not reason:
        raise CertificateError(
            [Refusal("reason_required", "注销必须填写原因", "revocation needs a reason: enter one")]
        )
    at = iso(now)
    with db.transaction():
        row = _get(db, uid)
        if row["revoked"]:
            raise CertificateError(
                [Refusal("already_revoked", "证书已注销", "the certificate is already revoked")]
            )
        certificates.update(
            db, row["id"], {"revoked": 1, "revoked_reason": reason, "updated_at": at}
        )
        journal.append(
            db, at, actor, "revoke", {"number": row["number"], "reason": reason}, row["id"]
        )
        return _get(db, uid)


def add_ce_record(
    db: Database,
    id_number: str,
    kind: str,
    completed_on: date,
    actor: str,
    now: datetime,
    note: str = "",
) -> int:
    """Import one continuing-education record (继续教育合格记录) for a person."""
    id_number = id_number.strip().upper()
    if not id_number:
        raise CertificateError(
            [Refusal("id_number_required", "请填写身份证号", "enter the ID number")]
        )
    try:
        rules.get(kind)
    except KeyError:
        raise CertificateError(
            [Refusal("unknown_kind", f"未知证书种类 {kind}", f"unknown certificate kind {kind}")]
        ) from None
    if completed_on > today_of(now):
        raise CertificateError(
            [
                Refusal(
                    "future_date",
                    "继续教育完成日期不能晚于今天",
                    "the completion date cannot be in the future",
                )
            ]
        )
    at = iso(now)
    with db.transaction():
        record_id = ce_records.add(db, id_number, kind, completed_on, note, actor, at)
        journal.append(
            db,
            at,
            actor,
            "ce_record",
            {
                "id_number": mask_id(id_number),
                "kind": kind,
                "completed_on": completed_on.isoformat(),
                "record_id": record_id,
            },
        )
    return record_id


def renew(db: Database, uid: str, actor: str, now: datetime) -> Row:
    """延期: a new validity period from the day after the current one ends, same number; the
    current period stays valid (and shown) until it ends."""
    today = today_of(now)
    at = iso(now)
    with db.transaction():
        row = _get(db, uid)
        rule_set = rules.get(row["kind"])
        terms, holder = terms_of(row), holder_of(row)
        refusals = rule_set.check_renewal(
            terms, holder, ce_records.dates(db, row["id_number"], row["kind"]), today
        )
        if refusals:
            raise CertificateError(refusals)
        validity = rule_set.renewed_validity(terms, holder)
        # the current period stays valid until it ends: the new one follows it (rules.Terms)
        fields = {
            "prev_valid_from": row["valid_from"],
            "prev_valid_until": row["valid_until"],
            "valid_from": validity.valid_from.isoformat(),
            "valid_until": validity.valid_until.isoformat(),
            "ce_due": validity.ce_due.isoformat() if validity.ce_due else None,
            "ce_stage": 1,
            "age_cut": int(validity.age_cut),
            "renewals": int(row["renewals"]) + 1,
            "updated_at": at,
        }
        certificates.update(db, row["id"], fields)
        journal.append(
            db,
            at,
            actor,
            "renew",
            {
                "number": row["number"],
                "from": [row["valid_from"], row["valid_until"]],
                "to": [fields["valid_from"], fields["valid_until"]],
            },
            row["id"],
        )
        return _get(db, uid)


@dataclass(frozen=True)
class ReviewOutcome:
    """One certificate's automatic review."""

    number: str
    passed: bool
    ce_due: str | None
    reason: str | None


def review_certificates(
    db: Database, now: datetime, actor: str = "system", today: date | None = None
) -> list[ReviewOutcome]:
    """系统自动复核: review every certificate whose continuing-education deadline is over (from
    the day after it: a record dated on the deadline day still counts).

    First deadline: a certificate without a record dated from its start to the deadline
    becomes abnormal; one with a record gets the second deadline (one month before expiry,
    ``ce_stage`` 2). Second deadline: the same with a record dated after the first deadline,
    and a certificate that passes has nothing more due (``ce_stage`` 3). Safe to run
    repeatedly (a scheduler or ``examcloud review-certificates`` each day): a reviewed
    deadline is not due again.
    """
    day = today or today_of(now)
    at = iso(now)
    out: list[ReviewOutcome] = []
    for row in certificates.due_for_review(db, day.isoformat()):
        rule_set = rules.get(row["kind"])
        terms = terms_of(row)
        if not rule_set.review_due(terms, day):
            continue
        result = rule_set.review(terms, ce_records.dates(db, row["id_number"], row["kind"]))
        with db.transaction():
            if result.passed:
                due = result.next_ce_due.isoformat() if result.next_ce_due else None
                stage = terms.ce_stage + 1 if due else 3
                certificates.update(
                    db, row["id"], {"ce_stage": stage, "ce_due": due, "updated_at": at}
                )
                journal.append(
                    db,
                    at,
                    actor,
                    "review_passed",
                    {
                        "number": row["number"],
                        "stage": terms.ce_stage,
                        "ce_due": due,
                        "day": day.isoformat(),
                    },
                    row["id"],
                )
                out.append(ReviewOutcome(row["number"], True, due, None))
            else:
                assert result.reason is not None
                reason = result.reason.message_zh
                certificates.update(
                    db, row["id"], {"abnormal": 1, "abnormal_reason": reason, "updated_at": at}
                )
                journal.append(
                    db,
                    at,
                    actor,
                    "review_failed",
                    {
                        "number": row["number"],
                        "stage": terms.ce_stage,
                        "code": result.reason.code,
                        "day": day.isoformat(),
                    },
                    row["id"],
                )
                out.append(ReviewOutcome(row["number"], False, row["ce_due"], reason))
    return out
