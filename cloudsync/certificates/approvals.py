"""The approval queue (制证审批): approve passing candidates, stop cases, bulk-approve clean ones.

Every decision is stored once per result (the first one stands) and journaled in the cloud in
the same transaction as the certificate it issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cloudsync import chain
from cloudsync.certificates import rules
from cloudsync.certificates.assessment import Assessment, assess
from cloudsync.certificates.calendar import birth_date_from_id, sex_from_id
from cloudsync.certificates.links import new_uid
from cloudsync.certificates.rules import Company, HeldCertificate, Holder, IssueRequest, Refusal
from cloudsync.certificates.store import (
    certificates,
    companies,
    counters,
    decisions,
    evidence,
    journal,
)
from cloudsync.cloud.db import Database, Row
from cloudsync.cloud.timefmt import CHINA, iso

__all__ = [
    "CertificateError",
    "QueueItem",
    "approve",
    "bulk_approve",
    "holder_from",
    "proposal_for",
    "queue",
    "stop",
    "today_of",
]


class CertificateError(Exception):
    """An approval or lifecycle step was refused; ``refusals`` say why and what to do."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__("；".join(r.message for r in self.refusals))

    @property
    def code(self) -> str:
        """The first refusal's code."""
        return self.refusals[0].code


def today_of(now: datetime) -> date:
    """The calendar day in China of a cloud clock reading (dates on certificates are local)."""
    return now.astimezone(CHINA).date()


@dataclass
class QueueItem:
    """One passing result on the approval screen."""

    result: Row
    assessment: Assessment
    decision: Row | None
    kind: str
    role: str
    work_type: str | None
    refusals: list[Refusal]

    @property
    def key(self) -> tuple[str, str]:
        """(site_id, ticket): identifies the result within its plan."""
        return self.result["site_id"], self.result["ticket"]

    @property
    def approvable(self) -> bool:
        """Undecided, not void, and the certificate rules allow it."""
        return self.decision is None and not self.assessment.void and not self.refusals

    @property
    def bulk_ok(self) -> bool:
        """Approvable and clean."""
        return self.approvable and self.assessment.clean


_ROLE_WORDS = (
    ("主要负责人", rules.PRINCIPAL),
    ("安全生产管理", rules.SAFETY),
    ("安全管理", rules.SAFETY),
)


def proposal_for(db: Database, subject: str) -> tuple[str, str, str | None]:
    """(kind, role, work type) an exam subject leads to: configured, else read from its name."""
    configured = companies.subject(db, subject)
    if configured:
        return configured["kind"], configured["role"], configured["work_type"]
    for word, role in _ROLE_WORDS:
        if word in subject:
            return "gas", role, None
    for _, (_, work_types) in rules.GAS_CATEGORIES.items():
        for work_type in work_types:
            if work_type in subject:
                return "gas", rules.OPERATIONS, work_type
    return "gas", rules.OPERATIONS, None


_SEX_WORDS = {"M": "M", "男": "M", "男性": "M", "F": "F", "女": "F", "女性": "F"}
_SEX_ZH = {"M": "男", "F": "女"}


def holder_from(result: Row) -> tuple[Holder | None, list[Refusal]]:
    """The holder a result names, or why none can be derived.

    The sex decides the age limit (men 60, women 55), so the roster's sex and the one the ID
    number encodes (17th digit) must agree: when they differ one of the two records is wrong,
    and the administrator corrects it rather than the system guessing which.
    """
    id_number = str(result.get("id_number") or "")
    try:
        birth = birth_date_from_id(id_number)
        id_sex = sex_from_id(id_number)
    except ValueError as exc:
        return None, [
            Refusal(
                "bad_id_number",
                f"身份证号有误：{exc}",
                "the roster's ID number is invalid: correct the roster",
            )
        ]
    given = str(result.get("gender") or "").strip()
    roster_sex = _SEX_WORDS.get(given.upper() if given.isascii() else given)
    if roster_sex is not None and roster_sex != id_sex:
        return None, [
            Refusal(
                "sex_mismatch",
                f"名单性别为“{_SEX_ZH[roster_sex]}”，身份证号 {id_number} 的性别为"
                f"“{_SEX_ZH[id_sex]}”（第17位），两者不符；男女从业年龄上限不同（男60、女55），"
                "请更正名单或身份证号后再审批",
                f"the roster says {'male' if roster_sex == 'M' else 'female'} but ID number "
                f"{id_number} says {'male' if id_sex == 'M' else 'female'} (17th digit); the age "
                "limits differ (men 60, women 55): correct the record, then approve",
            )
        ]
    return Holder(id_number.upper(), str(result.get("name") or ""), id_sex, birth), []


def _company(db: Database, name: str, holder: Holder) -> Company:
    row = companies.get(db, name) if name else None
    if row is None:
        return Company(name, name or "（无）", None)
    return Company(row["name"], row["name"], row["category"], row["legal_rep_id_number"])


def _held(db: Database, holder: Holder, kind: str, today: date) -> list[HeldCertificate]:
    return [
        HeldCertificate(
            kind, r["role"], r["company_name"], r["number"], bool(r["holder_is_legal_rep"])
        )
        for r in certificates.held_by(db, holder.id_number, kind, today.isoformat())
    ]


def _request(
    db: Database, result: Row, kind: str, role: str, work_type: str | None, today: date
) -> tuple[IssueRequest | None, list[Refusal]]:
    holder, refusals = holder_from(result)
    if holder is None:
        return None, refusals
    company = _company(db, str(result.get("company") or ""), holder)
    request = IssueRequest(holder, role, company, today, work_type)
    try:
        rule_set = rules.get(kind)
    except KeyError:
        return request, [
            Refusal("unknown_kind", f"未知证书种类 {kind}", f"unknown certificate kind {kind}")
        ]
    return request, rule_set.check_issue(request, _held(db, holder, kind, today))


def _assess(db: Database, result: Row) -> Assessment:
    chain_status = evidence.chain_status(db, result["site_id"])
    if chain_status is not None:
        # only the gaps next to this plan's rows concern its results
        span = evidence.session_span(db, result["site_id"], result["plan_id"])
        touching = chain.gaps_touching(chain_status["gaps"], span) if span else []
        chain_status = {**chain_status, "gaps": touching}
    return assess(
        result,
        evidence.candidate_journal(db, result["site_id"], result["ticket"]),
        evidence.candidate_captures(db, result["site_id"], result["plan_id"], result["ticket"]),
        chain_status,
    )


def queue(db: Database, plan_id: str, today: date) -> list[QueueItem]:
    """Every passing result of a plan with its assessment, decision and rule refusals."""
    plan = evidence.plan(db, plan_id)
    kind, role, work_type = proposal_for(db, plan["subject"] if plan else "")
    decided = decisions.for_plan(db, plan_id)
    items = []
    for result in evidence.passed_results(db, plan_id):
        _, refusals = _request(db, result, kind, role, work_type, today)
        items.append(
            QueueItem(
                result,
                _assess(db, result),
                decided.get((result["site_id"], result["ticket"])),
                kind,
                role,
                work_type,
                refusals,
            )
        )
    return items


def _decidable(db: Database, site_id: str, plan_id: str, ticket: str) -> Row:
    result = evidence.result(db, site_id, plan_id, ticket)
    if result is None or not result["passed"]:
        raise CertificateError(
            [
                Refusal(
                    "no_passing_result",
                    "没有该考生的合格成绩，不能审批",
                    "no passing result for this candidate",
                )
            ]
        )
    if decisions.get(db, site_id, plan_id, ticket):
        raise CertificateError(
            [
                Refusal(
                    "already_decided",
                    "该考生已审批，不能重复审批",
                    "this candidate was already decided",
                )
            ]
        )
    return result


def holder_lock_name(id_number: str) -> str:
    """The counter row that serializes approvals for one person (by ID number)."""
    return f"holder:{id_number.strip().upper()}"


def _holder_lock(db: Database, site_id: str, plan_id: str, ticket: str) -> str | None:
    result = evidence.result(db, site_id, plan_id, ticket)
    id_number = str(result.get("id_number") or "") if result else ""
    if not id_number:
        return None  # refused below (no result, or no ID number)
    name = holder_lock_name(id_number)
    counters.ensure(db, name)
    return name


def approve(
    db: Database,
    site_id: str,
    plan_id: str,
    ticket: str,
    actor: str,
    now: datetime,
    issuer: str,
    role: str | None = None,
    work_type: str | None = None,
    bulk: bool = False,
) -> Row:
    """Approve one result and issue its certificate; :class:`CertificateError` when refused.

    The type rules read the holder's certificates, so two approvals for one person (from two
    plans, by two operators) must not both read before either writes: the holder's lock is the
    first statement of the transaction (on InnoDB a later lock would not refresh the snapshot
    taken by an earlier read; on SQLite a reader cannot become a writer after another wrote).
    """
    today = today_of(now)
    lock = _holder_lock(db, site_id, plan_id, ticket)
    with db.transaction():
        if lock is not None:
            counters.bump(db, lock)
        result = _decidable(db, site_id, plan_id, ticket)
        plan = evidence.plan(db, plan_id)
        kind, default_role, default_work_type = proposal_for(db, plan["subject"] if plan else "")
        role = role or default_role
        work_type = work_type or (default_work_type if role == default_role else None)
        assessment = _assess(db, result)
        if assessment.void:
            raise CertificateError(assessment.void)
        if bulk and not assessment.clean:
            raise CertificateError(assessment.flags)
        request, refusals = _request(db, result, kind, role, work_type, today)
        if refusals or request is None:
            raise CertificateError(refusals)
        rule_set = rules.get(kind)
        validity = rule_set.validity(request.holder, today)
        serial = counters.bump(db, f"serial:{kind}:{today.year}")
        at = iso(now)
        row: dict[str, Any] = {
            "uid": new_uid(),
            "number": rule_set.number(request, serial),
            "kind": kind,
            "role": role,
            "work_type": work_type,
            "holder_name": request.holder.name,
            "holder_sex": request.holder.sex,
            "id_number": request.holder.id_number,
            "birth_date": request.holder.birth_date.isoformat(),
            "company_name": request.company.name,
            "company_category": request.company.category,
            "holder_is_legal_rep": int(
                request.company.legal_rep_id_number == request.holder.id_number
            ),
            "valid_from": validity.valid_from.isoformat(),
            "valid_until": validity.valid_until.isoformat(),
            "ce_due": validity.ce_due.isoformat() if validity.ce_due else None,
            "ce_stage": 1,
            "age_cut": int(validity.age_cut),
            "revoked": 0,
            "revoked_reason": None,
            "abnormal": 0,
            "abnormal_reason": None,
            "renewals": 0,
            "issuer": issuer,
            "issued_on": today.isoformat(),
            "site_id": site_id,
            "plan_id": plan_id,
            "ticket": ticket,
            "photo": evidence.roster_photo(db, plan_id, ticket),
            "created_at": at,
            "updated_at": at,
        }
        if not decisions.record(
            db, site_id, plan_id, ticket, "approved", actor, at, assessment.evidence()
        ):
            raise CertificateError(
                [
                    Refusal(
                        "already_decided",
                        "该考生已审批，不能重复审批",
                        "this candidate was already decided",
                    )
                ]
            )
        cert_id = certificates.insert(db, row)
        decisions.set_certificate(db, site_id, plan_id, ticket, cert_id)
        journal.append(
            db,
            at,
            actor,
            "bulk_approve" if bulk else "approve",
            {
                "number": row["number"],
                "role": role,
                "work_type": work_type,
                **assessment.evidence(),
            },
            cert_id,
            site_id,
            plan_id,
            ticket,
        )
        issued = certificates.get(db, cert_id)
        assert issued is not None
        return issued


def stop(
    db: Database, site_id: str, plan_id: str, ticket: str, actor: str, now: datetime, reason: str
) -> None:
    """终止取证: end the case with a reason; no certificate is issued for this result."""
    reason = reason.strip()
    if not reason:
        raise CertificateError(
            [
                Refusal(
                    "reason_required",
                    "终止取证必须填写原因",
                    "stopping a case needs a reason: enter one",
                )
            ]
        )
    at = iso(now)
    with db.transaction():
        result = _decidable(db, site_id, plan_id, ticket)
        assessment = _assess(db, result)
        if not decisions.record(
            db, site_id, plan_id, ticket, "stopped", actor, at, assessment.evidence(), reason
        ):
            raise CertificateError(
                [
                    Refusal(
                        "already_decided",
                        "该考生已审批，不能重复审批",
                        "this candidate was already decided",
                    )
                ]
            )
        journal.append(
            db,
            at,
            actor,
            "stop",
            {"reason": reason, **assessment.evidence()},
            None,
            site_id,
            plan_id,
            ticket,
        )


def bulk_approve(
    db: Database, plan_id: str, actor: str, now: datetime, issuer: str
) -> tuple[list[Row], list[tuple[str, list[str]]]]:
    """Approve every clean, undecided result of a plan, each in its own transaction.

    Returns (certificates issued, [(ticket, refusal codes)] of those left for one-by-one review).
    """
    issued: list[Row] = []
    left: list[tuple[str, list[str]]] = []
    for item in queue(db, plan_id, today_of(now)):
        if item.decision is not None:
            continue
        site_id, ticket = item.key
        if not item.bulk_ok:
            left.append(
                (
                    ticket,
                    [
                        r.code
                        for r in (*item.assessment.void, *item.assessment.flags, *item.refusals)
                    ],
                )
            )
            continue
        try:
            issued.append(approve(db, site_id, plan_id, ticket, actor, now, issuer, bulk=True))
        except CertificateError as exc:  # decided meanwhile, or a held certificate appeared
            left.append((ticket, [r.code for r in exc.refusals]))
    return issued, left
