"""Certificate rules: pure, table-tested, one rule set per certificate kind in a registry.

A rule set answers: may this person get this certificate today (age, type rules), what is its
validity, when is continuing education due, what is its number, may it be renewed, and what
status does it have on a given day. No I/O: the cloud store feeds it rows and stores answers.

Add a certificate kind by subclassing :class:`RuleSet` (or instantiating it with other
parameters) and calling :func:`register`; see the two sketches at the end of this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from cloudsync.certificates.calendar import add_months, age_on, anniversary

__all__ = [
    "GAS",
    "Company",
    "GasRuleSet",
    "HeldCertificate",
    "Holder",
    "IssueRequest",
    "Refusal",
    "ReviewResult",
    "Role",
    "RuleSet",
    "Terms",
    "Validity",
    "get",
    "kinds",
    "period_end",
    "register",
]


@dataclass(frozen=True)
class Refusal:
    """Why something is refused: a stable code and a bilingual message saying what to do."""

    code: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        """``中文（English）`` as the shared contract writes user-facing messages."""
        return f"{self.message_zh}（{self.message_en}）"

    def as_dict(self) -> dict[str, str]:
        """The ``{"code", "message"}`` form of docs/architecture.md."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Holder:
    """The person a certificate is for; ``sex`` is ``"M"`` or ``"F"``."""

    id_number: str
    name: str
    sex: str
    birth_date: date


@dataclass(frozen=True)
class Company:
    """The employer named on the certificate; ``category`` is its business-category code."""

    company_id: str
    name: str
    category: str | None
    legal_rep_id_number: str | None = None


@dataclass(frozen=True)
class HeldCertificate:
    """A certificate the holder already has and that still counts (not revoked, not expired)."""

    kind: str
    role: str
    company_id: str
    number: str
    holder_is_legal_rep: bool = False


@dataclass(frozen=True)
class IssueRequest:
    """One proposed certificate: who, which role (and work type), for which company, on which day."""

    holder: Holder
    role: str
    company: Company
    on: date
    work_type: str | None = None


@dataclass(frozen=True)
class Role:
    """A certificate type within a kind (e.g. principal person); ``letter`` goes into the number."""

    code: str
    letter: str
    title_zh: str
    title_en: str
    needs_work_type: bool = False


@dataclass(frozen=True)
class Validity:
    """Dates of one validity period; every date is inclusive.

    ``ce_due`` is the continuing-education deadline reviewed automatically (``None`` when the
    period ends first), ``ce_advised`` the day by which the holder is told to finish it, and
    ``age_cut`` says the period was shortened by the age limit.
    """

    valid_from: date
    valid_until: date
    ce_due: date | None
    ce_advised: date | None
    age_cut: bool


@dataclass(frozen=True)
class Terms:
    """What the rules need to know about an issued certificate."""

    valid_from: date
    valid_until: date
    ce_due: date | None
    ce_stage: int = 1
    revoked: bool = False
    abnormal: bool = False
    #: The period a renewal follows: still the valid one until it ends (then ``valid_from``).
    prev_valid_from: date | None = None
    prev_valid_until: date | None = None

    def in_previous_period(self, today: date) -> bool:
        """True while ``today`` lies in the period the renewal follows."""
        return (
            self.prev_valid_from is not None
            and self.prev_valid_until is not None
            and self.prev_valid_from <= today <= self.prev_valid_until
        )

    def period_on(self, today: date) -> tuple[date, date]:
        """The validity period that applies on ``today`` (the previous one until it ends)."""
        if today < self.valid_from and self.in_previous_period(today):
            assert self.prev_valid_from is not None and self.prev_valid_until is not None
            return self.prev_valid_from, self.prev_valid_until
        return self.valid_from, self.valid_until

    def next_period_on(self, today: date) -> tuple[date, date] | None:
        """The renewed period when it has not begun on ``today`` (the previous one applies)."""
        if today < self.valid_from and self.in_previous_period(today):
            return self.valid_from, self.valid_until
        return None


@dataclass(frozen=True)
class ReviewResult:
    """Outcome of the automatic review (系统自动复核) at the continuing-education deadline."""

    passed: bool
    next_ce_due: date | None
    reason: Refusal | None = None


def period_end(start: date, months: int) -> date:
    """Last day of a period of ``months`` starting on ``start`` (inclusive at both ends).

    Five years from 2026-01-15 run to 2031-01-14, so a renewed period starting the next day
    keeps the same anniversaries, and the continuing-education deadline (2 years 6 months,
    2028-07-14) moved on by 2 years 6 months lands exactly on the end of validity (003 §6.5).
    """
    return add_months(start, months) - timedelta(days=1)


_CE_MISSED = Refusal(
    "continuing_education_missed",
    "证书未按规定时间完成继续教育；证书已不能使用，请办理注销后重新考取",
    "continuing education was not completed in time; the certificate can no longer be used: "
    "revoke it and take the exam again",
)


@dataclass(frozen=True)
class RuleSet:
    """Rules for one certificate kind, parameterised; subclasses add type rules and numbering.

    ``max_age`` maps sex to the age at which validity ends (the day before that birthday);
    ``ce_months`` is the first continuing-education deadline after the start of validity,
    ``ce_advance_months`` how long before it the holder is advised to finish;
    ``second_ce_before_expiry_months``, when set, puts a second reviewed deadline that many
    months before expiry; ``renewal_months`` is the window before expiry in which renewal may be requested.
    """

    code: str
    title_zh: str
    title_en: str
    roles: tuple[Role, ...]
    validity_years: int
    min_age: int | None = 18
    max_age: Mapping[str, int] = field(default_factory=dict)
    ce_months: int | None = None
    ce_advance_months: int = 1
    second_ce_before_expiry_months: int | None = None
    renewal_months: int = 3
    number_prefix: str = "证"

    # ---- roles -------------------------------------------------------------------------
    def role(self, code: str) -> Role:
        """The role with this code, or :class:`KeyError`."""
        for role in self.roles:
            if role.code == code:
                return role
        raise KeyError(code)

    # ---- validity ----------------------------------------------------------------------
    def age_limit_day(self, holder: Holder) -> date | None:
        """The birthday on which the holder reaches the age limit, if the kind has one."""
        limit = self.max_age.get(holder.sex)
        return None if limit is None else anniversary(holder.birth_date, limit)

    def validity(self, holder: Holder, start: date) -> Validity:
        """Validity starting ``start``: ``validity_years`` long, cut by the age limit."""
        until = period_end(start, 12 * self.validity_years)
        cut = False
        limit_day = self.age_limit_day(holder)
        if limit_day is not None and limit_day - timedelta(days=1) < until:
            until, cut = limit_day - timedelta(days=1), True
        ce_due = self.first_ce_due(start, until)
        ce_advised = None if ce_due is None else add_months(ce_due, -self.ce_advance_months)
        return Validity(start, until, ce_due, ce_advised, cut)

    # ---- issue -------------------------------------------------------------------------
    def check_age(self, holder: Holder, on: date) -> list[Refusal]:
        """Age refusals on ``on``: under the minimum age, or at or past the age limit."""
        if on < holder.birth_date:
            return [
                Refusal(
                    "bad_birth_date",
                    "出生日期晚于发证日期，请核对身份证号",
                    "birth date after the issue date: check the ID number",
                )
            ]
        age = age_on(holder.birth_date, on)
        out: list[Refusal] = []
        if self.min_age is not None and age < self.min_age:
            out.append(
                Refusal(
                    "under_age",
                    f"持证人未满{self.min_age}周岁，不能发证",
                    f"the holder is under {self.min_age}: no certificate can be issued",
                )
            )
        limit_day = self.age_limit_day(holder)
        if limit_day is not None and on >= limit_day:
            limit = self.max_age[holder.sex]
            sex_zh = "男性" if holder.sex == "M" else "女性"
            out.append(
                Refusal(
                    "over_age_limit",
                    f"{sex_zh}持证人已满{limit}周岁，超出从业年龄限制，不能发证或延期",
                    f"the holder has reached the age limit ({limit}): no certificate or renewal",
                )
            )
        return out

    def check_types(self, request: IssueRequest, held: Sequence[HeldCertificate]) -> list[Refusal]:
        """Type rules between certificates of this kind; none in the base rule set."""
        return []

    def check_issue(self, request: IssueRequest, held: Iterable[HeldCertificate]) -> list[Refusal]:
        """Every refusal for issuing ``request``; an empty list means it may be issued."""
        try:
            role = self.role(request.role)
        except KeyError:
            return [
                Refusal(
                    "unknown_role",
                    f"证书类型“{request.role}”不属于{self.title_zh}，请重新选择",
                    f"'{request.role}' is not a type of {self.title_en}: choose another",
                )
            ]
        out = self.check_age(request.holder, request.on)
        if role.needs_work_type and not request.work_type:
            out.append(Refusal("work_type_missing", "请选择工种", "choose the work type"))
        if not role.needs_work_type and request.work_type:
            # the title would print the work type: "安全生产管理人员（燃气管网工）" is no certificate
            out.append(
                Refusal(
                    "work_type_not_for_role",
                    f"“{role.title_zh}”证书不设工种，请清空工种“{request.work_type}”后再审批",
                    f"a {role.title_en} certificate has no work type: clear "
                    f"'{request.work_type}' and approve again",
                )
            )
        same_kind = [h for h in held if h.kind == self.code]
        out.extend(self.check_types(request, same_kind))
        return out

    def number(self, request: IssueRequest, serial: int) -> str:
        """Certificate number: prefix, year of issue and a six-digit serial."""
        return f"{self.number_prefix}{request.on.year:04d}{serial:06d}"

    # ---- lifecycle ---------------------------------------------------------------------
    def status_on(self, terms: Terms, today: date) -> str:
        """``revoked``, ``abnormal``, ``expired``, ``pending`` (not started) or ``valid``."""
        if terms.revoked:
            return "revoked"
        if terms.abnormal:
            return "abnormal"
        if today > terms.valid_until:
            return "expired"
        if today < terms.valid_from and not terms.in_previous_period(today):
            return "pending"
        return "valid"

    def first_ce_due(self, valid_from: date, valid_until: date) -> date | None:
        """The first continuing-education deadline of a period, ``None`` when the period ends
        first (then no continuing education is reviewed at all)."""
        if self.ce_months is None:
            return None
        due = period_end(valid_from, self.ce_months)
        return due if due < valid_until else None

    def second_ce_due(self, terms: Terms) -> date | None:
        """The second continuing education's deadline, for the gas kind one month before expiry
        (003 §6.5, "人员必须在证书到期前1个月完成该证书的第二次继续教育考核"); ``None`` when the
        kind has none, the period has no first deadline, or this day does not fall after it (a
        period cut short by age)."""
        first = self.first_ce_due(terms.valid_from, terms.valid_until)
        if first is None or self.second_ce_before_expiry_months is None:
            return None
        due = add_months(terms.valid_until, -self.second_ce_before_expiry_months)
        return due if due > first else None

    def review_due(self, terms: Terms, today: date) -> bool:
        """True when the automatic continuing-education review should run for ``terms``: from
        the day after the deadline (first or second), since a record dated on the deadline day
        still counts."""
        return (
            terms.ce_stage in (1, 2)
            and terms.ce_due is not None
            and not terms.revoked
            and not terms.abnormal
            and today > terms.ce_due
        )

    def review(self, terms: Terms, ce_record_dates: Iterable[date]) -> ReviewResult:
        """Review at the deadline (003 §6.5), the same way at both stages.

        Stage 1: a record dated from the start of validity to the first deadline passes, and
        the deadline moves to the second one (:meth:`second_ce_due`, one month before expiry).
        Stage 2: a record dated after the first deadline up to the second one passes, and
        nothing more is due in this period. Otherwise the certificate becomes abnormal.
        """
        if terms.ce_due is None:
            return ReviewResult(True, None)
        if terms.ce_stage == 1:
            earliest = terms.valid_from
        else:
            first = self.first_ce_due(terms.valid_from, terms.valid_until)
            earliest = first + timedelta(days=1) if first else terms.valid_from
        if any(earliest <= d <= terms.ce_due for d in ce_record_dates):
            return ReviewResult(True, self.second_ce_due(terms) if terms.ce_stage == 1 else None)
        return ReviewResult(False, None, _CE_MISSED)

    def renewal_opens(self, terms: Terms) -> date:
        """First day on which renewal may be requested (three months before expiry)."""
        return add_months(terms.valid_until, -self.renewal_months) + timedelta(days=1)

    def check_renewal(
        self, terms: Terms, holder: Holder, ce_record_dates: Iterable[date], today: date
    ) -> list[Refusal]:
        """Refusals for renewal (延期) on ``today``; an empty list means it may be renewed."""
        status = self.status_on(terms, today)
        if status in ("revoked", "abnormal"):
            return [
                Refusal(
                    f"certificate_{status}",
                    "证书已注销或异常，不能延期，请重新考取"
                    if status == "revoked"
                    else "证书异常，不能延期，请办理注销后重新考取",
                    f"the certificate is {status}: it cannot be renewed",
                )
            ]
        out: list[Refusal] = []
        if today > terms.valid_until:
            out.append(
                Refusal(
                    "renewal_too_late",
                    "证书已过期，不能再申请延期，请重新考取",
                    "the certificate has expired: renewal is no longer possible, take the exam again",
                )
            )
        elif today < self.renewal_opens(terms):
            opens = self.renewal_opens(terms).isoformat()
            out.append(
                Refusal(
                    "renewal_too_early",
                    f"证书到期前三个月内才能申请延期，请于{opens}起申请",
                    f"renewal opens three months before expiry: apply from {opens}",
                )
            )
        # The record must be the second continuing education: dated after the first deadline.
        first_due = self.first_ce_due(terms.valid_from, terms.valid_until)
        earliest = terms.valid_from if first_due is None else first_due + timedelta(days=1)
        if not any(earliest <= d <= today for d in ce_record_dates):
            out.append(
                Refusal(
                    "continuing_education_missing",
                    "系统内没有符合要求的继续教育记录，请先完成继续教育",
                    "no qualifying continuing-education record: complete continuing education first",
                )
            )
        out.extend(self.check_age(holder, terms.valid_until + timedelta(days=1)))
        return out

    def renewed_validity(self, terms: Terms, holder: Holder) -> Validity:
        """The next period: it starts the day after the current one ends, so none is lost."""
        return self.validity(holder, terms.valid_until + timedelta(days=1))


# ---- registry ------------------------------------------------------------------------------
_REGISTRY: dict[str, RuleSet] = {}


def register(rule_set: RuleSet) -> RuleSet:
    """Add a rule set under its code (replacing one with the same code) and return it."""
    _REGISTRY[rule_set.code] = rule_set
    return rule_set


def get(code: str) -> RuleSet:
    """The rule set for a certificate kind, or :class:`KeyError` naming the known kinds."""
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"unknown certificate kind {code!r}; known: {sorted(_REGISTRY)}") from None


def kinds() -> list[RuleSet]:
    """Every registered rule set, ordered by code."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


# ---- the gas-industry certificate (003 §5–§6, 000 att.5) ------------------------------------
#: Business categories (企业经营类别) and the work types of operations staff each permits
#: (003 §5 table). The letters are the codes that go into certificate numbers.
GAS_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "G": (
        "管道燃气",
        (
            "燃气管网工",
            "燃气输配场站工",
            "液化天然气储运工",
            "燃气用户检修工",
            "燃气燃烧器具安装维修工",
            "城镇燃气抢修人员",
        ),
    ),
    "P": (
        "瓶装燃气",
        (
            "液化石油气库站工",
            "瓶装燃气送气工",
            "燃气用户检修工",
            "燃气燃烧器具安装维修工",
            "城镇燃气抢修人员",
        ),
    ),
    "J": (
        "燃气汽车加气站",
        ("汽车加气站操作工", "压缩天然气场站工", "液化天然气储运工", "城镇燃气抢修人员"),
    ),
    "T": ("其他", ("燃气燃烧器具安装维修工",)),
}

PRINCIPAL, SAFETY, OPERATIONS = "principal", "safety", "operations"

_GAS_NUMBER = re.compile(
    r"^(?P<province>\w)燃(?P<category>[A-Z])(?P<role>[A-Z])(?P<year>\d{4})(?P<serial>\d{6})$"
)


@dataclass(frozen=True)
class GasRuleSet(RuleSet):
    """燃气经营企业从业人员专业培训考核合格证书: type rules and numbers with the category code."""

    province: str = "鲁"
    categories: Mapping[str, tuple[str, tuple[str, ...]]] = field(
        default_factory=lambda: GAS_CATEGORIES
    )

    KEEPS_NUMBER_ON_CATEGORY_CHANGE: ClassVar[frozenset[str]] = frozenset({OPERATIONS})

    def check_types(self, request: IssueRequest, held: Sequence[HeldCertificate]) -> list[Refusal]:
        """003 §6.1 condition (4) and (6): type exclusivity, category registered and permitting."""
        out: list[Refusal] = []
        company = request.company
        if not company.category or company.category not in self.categories:
            out.append(
                Refusal(
                    "company_category_missing",
                    f"聘用企业“{company.name}”未完成经营类别登记，请企业先登记经营类别",
                    f"the employer '{company.name}' has no registered business category: register it first",
                )
            )
        elif request.role == OPERATIONS and request.work_type:
            allowed = self.categories[company.category][1]
            if request.work_type not in allowed:
                out.append(
                    Refusal(
                        "work_type_not_in_category",
                        f"企业经营类别“{self.categories[company.category][0]}”不包括工种“{request.work_type}”，请核对工种或企业经营类别",
                        f"the employer's business category does not permit the work type '{request.work_type}'",
                    )
                )
        others = [h for h in held if h.role != PRINCIPAL]
        principals = [h for h in held if h.role == PRINCIPAL]
        excl = Refusal(
            "principal_excludes_others",
            "企业主要负责人证书不能与其他任意一类证书同时持有，请先注销现有证书",
            "a principal-person certificate cannot be held with any other type: revoke the existing one first",
        )
        if request.role == PRINCIPAL:
            if others:
                out.append(excl)
            if any(h.company_id == company.company_id for h in principals):
                out.append(
                    Refusal(
                        "duplicate_certificate",
                        "持证人已持有该企业的主要负责人证书",
                        "the holder already has a principal-person certificate for this company",
                    )
                )
            elif principals:
                is_rep = company.legal_rep_id_number == request.holder.id_number
                if not (is_rep and all(h.holder_is_legal_rep for h in principals)):
                    out.append(
                        Refusal(
                            "one_principal_certificate",
                            "除多家企业的法定代表人外，一人只能持有一本主要负责人证书",
                            "only the legal representative of several companies may hold more than one principal-person certificate",
                        )
                    )
        else:
            if principals:
                out.append(excl)
            if any(h.role == request.role for h in others):
                title = self.role(request.role).title_zh
                out.append(
                    Refusal(
                        f"one_{request.role}_certificate",
                        f"{title}证书一人只能持有一本（安全管理人员证书可与一本运行、维护和抢修人员证书同时持有）",
                        f"one {self.role(request.role).title_en} certificate per person",
                    )
                )
        return out

    def number(self, request: IssueRequest, serial: int) -> str:
        """``鲁燃GA2026000001``: province, 燃, category code, role letter, year, serial.

        The reference says only that the number holds the business-category code and that a
        category change re-issues principal and safety-manager certificates with only that
        code changed (003 §5); the rest of the layout is this project's.
        """
        category = request.company.category or "X"
        letter = self.role(request.role).letter
        return f"{self.province}燃{category}{letter}{request.on.year:04d}{serial:06d}"

    def number_parts(self, number: str) -> dict[str, str]:
        """Split a gas certificate number into its fields, or :class:`ValueError`."""
        m = _GAS_NUMBER.match(number)
        if not m:
            raise ValueError(f"证书编号格式不正确（not a gas certificate number）: {number!r}")
        return m.groupdict()

    def after_category_change(
        self, number: str, role: str, work_type: str | None, category: str
    ) -> tuple[str, bool]:
        """(new number, still usable) after the employer's category changes to ``category``.

        Principal and safety-manager certificates are re-issued with the new code; operations
        certificates keep their number and become abnormal when the category no longer
        permits their work type (003 §5).
        """
        if role in self.KEEPS_NUMBER_ON_CATEGORY_CHANGE:
            allowed = self.categories.get(category, ("", ()))[1]
            return number, work_type in allowed
        parts = self.number_parts(number)
        return (
            f"{parts['province']}燃{category}{parts['role']}{parts['year']}{parts['serial']}",
            True,
        )


GAS = register(
    GasRuleSet(
        code="gas",
        title_zh="燃气经营企业从业人员专业培训考核合格证书",
        title_en="Gas business employee training certificate",
        roles=(
            Role(PRINCIPAL, "A", "主要负责人", "principal person"),
            Role(SAFETY, "B", "安全生产管理人员", "safety manager"),
            Role(
                OPERATIONS,
                "C",
                "运行、维护和抢修人员",
                "operations, maintenance and repair",
                needs_work_type=True,
            ),
        ),
        validity_years=5,
        min_age=18,
        max_age={"M": 60, "F": 55},
        ce_months=30,
        ce_advance_months=1,
        second_ce_before_expiry_months=1,
        renewal_months=3,
    )
)

# ---- sketches of other kinds: parameters only, to be completed with their own references ----
#: 特种作业操作证: valid 6 years, reviewed (复审) every 3 years (原国家安监总局令第30号).
SPECIAL_OPERATIONS = register(
    RuleSet(
        code="special_operations",
        title_zh="特种作业操作证",
        title_en="Special operations certificate",
        roles=(
            Role(
                "operator", "T", "特种作业人员", "special operations worker", needs_work_type=True
            ),
        ),
        validity_years=6,
        ce_months=36,
        number_prefix="特",
    )
)

#: 安全生产知识和管理能力考核合格证: valid 3 years (安全生产培训管理办法).
SAFETY_MANAGEMENT = register(
    RuleSet(
        code="safety_management",
        title_zh="安全生产知识和管理能力考核合格证",
        title_en="Work-safety knowledge and management competence certificate",
        roles=(
            Role("principal", "A", "主要负责人", "principal person"),
            Role("manager", "B", "安全生产管理人员", "safety manager"),
        ),
        validity_years=3,
        number_prefix="安",
    )
)
