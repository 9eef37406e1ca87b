"""Table tests for the certificate rules: ages, sexes, birthdays at every edge, type rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cloudsync.certificates import rules
from cloudsync.certificates.calendar import (
    add_months,
    age_on,
    anniversary,
    birth_date_from_id,
    id_with_check_digit,
    sex_from_id,
)
from cloudsync.certificates.rules import (
    GAS,
    Company,
    HeldCertificate,
    Holder,
    IssueRequest,
    Terms,
    period_end,
)

D = date.fromisoformat


def holder(birth: str, sex: str = "M", id_number: str = "ID-1") -> Holder:
    return Holder(id_number=id_number, name="张三", sex=sex, birth_date=D(birth))


# ---- calendar ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-15", 30, "2028-07-15"),
        ("2026-08-31", 30, "2029-02-28"),  # no 31 Feb: month end (民法典 202)
        ("2025-08-31", 30, "2028-02-29"),  # leap year month end
        ("2028-02-29", 60, "2033-02-28"),
        ("2028-02-29", 48, "2032-02-29"),
        ("2031-01-15", -3, "2030-10-15"),
        ("2030-05-31", -3, "2030-02-28"),
        ("2026-12-31", 1, "2027-01-31"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "months", "last", "next_start"),
    [
        # the start day counts: the last day is the day before the corresponding day (民法典 202
        # finds that day; 201 would not count the start day and end on it)
        ("2026-01-15", 60, "2031-01-14", "2031-01-15"),
        ("2026-01-01", 60, "2030-12-31", "2031-01-01"),
        # a validity starting on 29 February: no 29 Feb in 2033, so 28 Feb is the corresponding
        # day (the month end) and the last day is 27 Feb; in a leap year 28 Feb
        ("2028-02-29", 60, "2033-02-27", "2033-02-28"),
        ("2028-02-29", 48, "2032-02-28", "2032-02-29"),
        ("2026-08-31", 6, "2027-02-27", "2027-02-28"),
        ("2026-01-15", 30, "2028-07-14", "2028-07-15"),  # the continuing-education deadline
    ],
)
def test_period_end_counts_the_start_day(
    start: str, months: int, last: str, next_start: str
) -> None:
    end = period_end(D(start), months)
    assert end == D(last) and end + timedelta(days=1) == D(next_start) == add_months(
        D(start), months
    )


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        ("2008-03-10", "2026-03-09", 17),  # day before the 18th birthday
        ("2008-03-10", "2026-03-10", 18),  # the birthday itself
        ("2008-02-29", "2026-02-27", 17),
        ("2008-02-29", "2026-02-28", 18),  # common year: 28 Feb is the anniversary
        ("2008-02-29", "2028-02-28", 19),
        ("2008-02-29", "2028-02-29", 20),  # leap year: the real birthday
        ("1966-12-31", "2026-12-30", 59),
        ("1966-12-31", "2026-12-31", 60),
    ],
)
def test_age_on(birth: str, day: str, age: int) -> None:
    assert age_on(D(birth), D(day)) == age


def test_anniversary_of_leap_day() -> None:
    assert anniversary(D("1972-02-29"), 55) == D("2027-02-28")
    assert anniversary(D("1968-02-29"), 60) == D("2028-02-29")


def test_id_number_birth_date_and_sex() -> None:
    man = id_with_check_digit("11010519800510123")  # 17th digit 3: odd, male
    woman = id_with_check_digit("11010519720229124")
    assert birth_date_from_id(man) == D("1980-05-10")
    assert sex_from_id(man) == "M"
    assert birth_date_from_id(woman) == D("1972-02-29")
    assert sex_from_id(woman) == "F"
    wrong = man[:-1] + ("0" if man[-1] != "0" else "1")
    with pytest.raises(ValueError, match="校验位"):
        birth_date_from_id(wrong)
    with pytest.raises(ValueError, match="18位"):
        birth_date_from_id("12345")
    with pytest.raises(ValueError, match="出生日期"):
        birth_date_from_id(id_with_check_digit("11010519810229123"))  # 1981 is no leap year


# ---- validity --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "sex", "start", "until", "cut", "ce_due", "ce_advised"),
    [
        # young holder: 5 years to the day before the anniversary, continuing education due at
        # the end of 2 years 6 months, advised one month earlier
        ("1980-05-10", "M", "2026-01-15", "2031-01-14", False, "2028-07-14", "2028-06-14"),
        ("1980-05-10", "F", "2026-01-15", "2031-01-14", False, "2028-07-14", "2028-06-14"),
        # man: 60th birthday the day after the 5 years (no cut), on their last day, the day before
        ("1971-03-10", "M", "2026-03-10", "2031-03-09", False, "2028-09-09", "2028-08-09"),
        ("1971-03-09", "M", "2026-03-10", "2031-03-08", True, "2028-09-09", "2028-08-09"),
        ("1971-03-08", "M", "2026-03-10", "2031-03-07", True, "2028-09-09", "2028-08-09"),
        ("1971-03-11", "M", "2026-03-10", "2031-03-09", False, "2028-09-09", "2028-08-09"),
        # woman: the same at 55; a man with her birthday is not cut
        ("1976-03-09", "F", "2026-03-10", "2031-03-08", True, "2028-09-09", "2028-08-09"),
        ("1976-03-10", "F", "2026-03-10", "2031-03-09", False, "2028-09-09", "2028-08-09"),
        ("1976-03-09", "M", "2026-03-10", "2031-03-09", False, "2028-09-09", "2028-08-09"),
        # leap-day births: the 55th birthday in a common year falls on 28 Feb, the 60th in a leap
        # year on 29 Feb
        ("1972-02-29", "F", "2026-01-01", "2027-02-27", True, None, None),
        ("1968-02-29", "M", "2025-06-01", "2028-02-28", True, "2027-11-30", "2027-10-30"),
        # validity starting on 29 Feb and at a month end
        ("1990-07-01", "M", "2028-02-29", "2033-02-27", False, "2030-08-28", "2030-07-28"),
        ("1990-07-01", "F", "2026-08-31", "2031-08-30", False, "2029-02-27", "2029-01-27"),
        # the age limit comes before or on the continuing-education deadline: no review is due
        ("1973-01-01", "F", "2026-01-01", "2027-12-31", True, None, None),
        ("1973-07-01", "F", "2026-01-01", "2028-06-30", True, None, None),
        ("1973-07-02", "F", "2026-01-01", "2028-07-01", True, "2028-06-30", "2028-05-30"),
    ],
)
def test_gas_validity(
    birth: str,
    sex: str,
    start: str,
    until: str,
    cut: bool,
    ce_due: str | None,
    ce_advised: str | None,
) -> None:
    v = GAS.validity(holder(birth, sex), D(start))
    assert v.valid_from == D(start)
    assert v.valid_until == D(until)
    assert v.age_cut is cut
    assert v.ce_due == (D(ce_due) if ce_due else None)
    assert v.ce_advised == (D(ce_advised) if ce_advised else None)


# ---- age on issue ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "sex", "on", "codes"),
    [
        ("2008-03-10", "M", "2026-03-09", ["under_age"]),
        ("2008-03-10", "M", "2026-03-10", []),
        ("2008-03-10", "F", "2026-03-09", ["under_age"]),
        ("2008-03-10", "F", "2026-03-10", []),
        ("2008-02-29", "M", "2026-02-27", ["under_age"]),
        ("2008-02-29", "M", "2026-02-28", []),
        ("2010-02-28", "F", "2028-02-27", ["under_age"]),
        ("2010-02-28", "F", "2028-02-28", []),
        ("1966-05-20", "M", "2026-05-19", []),  # day before the 60th birthday: one day of validity
        ("1966-05-20", "M", "2026-05-20", ["over_age_limit"]),
        ("1966-05-20", "F", "2026-05-19", ["over_age_limit"]),  # a woman of 59 is past 55
        ("1971-05-20", "F", "2026-05-19", []),
        ("1971-05-20", "F", "2026-05-20", ["over_age_limit"]),
        ("1971-05-20", "M", "2026-05-20", []),
        ("1972-02-29", "F", "2027-02-27", []),
        ("1972-02-29", "F", "2027-02-28", ["over_age_limit"]),
        ("1968-02-29", "M", "2028-02-28", []),
        ("1968-02-29", "M", "2028-02-29", ["over_age_limit"]),
        ("2030-01-01", "M", "2026-01-01", ["bad_birth_date"]),
    ],
)
def test_gas_age_on_issue(birth: str, sex: str, on: str, codes: list[str]) -> None:
    assert [r.code for r in GAS.check_age(holder(birth, sex), D(on))] == codes


def test_issue_on_the_last_day_before_the_limit_gives_one_day() -> None:
    v = GAS.validity(holder("1966-05-20", "M"), D("2026-05-19"))
    assert v.valid_from == v.valid_until == D("2026-05-19")
    assert v.age_cut


# ---- type rules ------------------------------------------------------------------------------
GAS_CO = Company("C1", "甲燃气公司", "G", legal_rep_id_number="ID-1")
GAS_CO2 = Company("C2", "乙燃气公司", "P", legal_rep_id_number="ID-1")
OTHER_REP = Company("C3", "丙燃气公司", "G", legal_rep_id_number="ID-9")
NO_CATEGORY = Company("C4", "丁燃气公司", None)


def held(role: str, company: str = "C1", rep: bool = False) -> HeldCertificate:
    return HeldCertificate("gas", role, company, f"N-{role}-{company}", holder_is_legal_rep=rep)


@pytest.mark.parametrize(
    ("role", "work_type", "company", "have", "codes"),
    [
        ("principal", None, GAS_CO, [], []),
        ("safety", None, GAS_CO, [], []),
        ("operations", "燃气管网工", GAS_CO, [], []),
        ("operations", None, GAS_CO, [], ["work_type_missing"]),
        ("safety", "燃气管网工", GAS_CO, [], ["work_type_not_for_role"]),
        ("principal", "燃气管网工", GAS_CO, [], ["work_type_not_for_role"]),
        ("operations", "瓶装燃气送气工", GAS_CO, [], ["work_type_not_in_category"]),
        ("operations", "瓶装燃气送气工", GAS_CO2, [], []),
        ("operations", "燃气燃烧器具安装维修工", Company("C5", "戊公司", "T"), [], []),
        (
            "operations",
            "燃气管网工",
            Company("C5", "戊公司", "T"),
            [],
            ["work_type_not_in_category"],
        ),
        ("safety", None, NO_CATEGORY, [], ["company_category_missing"]),
        ("safety", None, Company("C6", "己公司", "Z"), [], ["company_category_missing"]),
        # principal excludes every other type, both ways
        ("principal", None, GAS_CO, [held("safety")], ["principal_excludes_others"]),
        ("principal", None, GAS_CO, [held("operations")], ["principal_excludes_others"]),
        ("safety", None, GAS_CO, [held("principal")], ["principal_excludes_others"]),
        ("operations", "燃气管网工", GAS_CO, [held("principal")], ["principal_excludes_others"]),
        # one safety-manager and one operations certificate per person, together allowed
        ("safety", None, GAS_CO, [held("safety", "C2")], ["one_safety_certificate"]),
        (
            "operations",
            "燃气管网工",
            GAS_CO,
            [held("operations", "C2")],
            ["one_operations_certificate"],
        ),
        ("safety", None, GAS_CO, [held("operations")], []),
        ("operations", "燃气管网工", GAS_CO, [held("safety")], []),
        (
            "operations",
            "燃气管网工",
            GAS_CO,
            [held("safety"), held("operations")],
            ["one_operations_certificate"],
        ),
        # several principal certificates only for the legal representative of each company
        ("principal", None, GAS_CO, [held("principal", "C2", rep=True)], []),
        ("principal", None, GAS_CO2, [held("principal", "C1", rep=True)], []),
        (
            "principal",
            None,
            GAS_CO,
            [held("principal", "C2", rep=False)],
            ["one_principal_certificate"],
        ),
        (
            "principal",
            None,
            OTHER_REP,
            [held("principal", "C1", rep=True)],
            ["one_principal_certificate"],
        ),
        ("principal", None, GAS_CO, [held("principal", "C1", rep=True)], ["duplicate_certificate"]),
        ("boss", None, GAS_CO, [], ["unknown_role"]),
    ],
)
def test_gas_type_rules(
    role: str,
    work_type: str | None,
    company: Company,
    have: list[HeldCertificate],
    codes: list[str],
) -> None:
    request = IssueRequest(holder("1980-05-10"), role, company, D("2026-11-23"), work_type)
    assert [r.code for r in GAS.check_issue(request, have)] == codes


def test_other_kinds_do_not_count_in_type_rules() -> None:
    other = HeldCertificate("special_operations", "principal", "C1", "X")
    request = IssueRequest(holder("1980-05-10"), "safety", GAS_CO, D("2026-11-23"))
    assert GAS.check_issue(request, [other]) == []


def test_refusals_are_bilingual() -> None:
    request = IssueRequest(holder("2010-01-01"), "safety", NO_CATEGORY, D("2026-11-23"))
    refusals = GAS.check_issue(request, [])
    for r in refusals:
        assert r.message.startswith(r.message_zh) and r.message_en in r.message
        assert set(r.as_dict()) == {"code", "message"}
    assert {r.code for r in refusals} == {"under_age", "company_category_missing"}


# ---- numbers ---------------------------------------------------------------------------------
def test_gas_number_holds_category_code_and_role() -> None:
    request = IssueRequest(holder("1980-05-10"), "safety", GAS_CO2, D("2026-11-23"))
    number = GAS.number(request, 42)
    assert number == "鲁燃PB2026000042"
    assert GAS.number_parts(number) == {
        "province": "鲁",
        "category": "P",
        "role": "B",
        "year": "2026",
        "serial": "000042",
    }
    with pytest.raises(ValueError):
        GAS.number_parts("2026000042")


@pytest.mark.parametrize(
    ("number", "role", "work_type", "category", "expected", "usable"),
    [
        ("鲁燃GA2026000001", "principal", None, "P", "鲁燃PA2026000001", True),
        ("鲁燃GB2026000002", "safety", None, "J", "鲁燃JB2026000002", True),
        ("鲁燃GC2026000003", "operations", "燃气用户检修工", "P", "鲁燃GC2026000003", True),
        ("鲁燃GC2026000004", "operations", "燃气管网工", "P", "鲁燃GC2026000004", False),
    ],
)
def test_category_change(
    number: str, role: str, work_type: str | None, category: str, expected: str, usable: bool
) -> None:
    assert GAS.after_category_change(number, role, work_type, category) == (expected, usable)


# ---- lifecycle -------------------------------------------------------------------------------
TERMS = Terms(valid_from=D("2026-01-15"), valid_until=D("2031-01-14"), ce_due=D("2028-07-14"))


@pytest.mark.parametrize(
    ("terms", "today", "status"),
    [
        (TERMS, "2026-01-14", "pending"),
        (TERMS, "2026-01-15", "valid"),
        (TERMS, "2031-01-14", "valid"),
        (TERMS, "2031-01-15", "expired"),
        (Terms(D("2026-01-15"), D("2031-01-15"), None, abnormal=True), "2028-08-01", "abnormal"),
        (
            Terms(D("2026-01-15"), D("2031-01-15"), None, revoked=True, abnormal=True),
            "2028-08-01",
            "revoked",
        ),
    ],
)
def test_status_on(terms: Terms, today: str, status: str) -> None:
    assert GAS.status_on(terms, D(today)) == status


# renewed on 2030-11-01: the current period runs to 2031-01-14, the next from 2031-01-15
RENEWED = Terms(D("2031-01-15"), D("2036-01-14"), D("2033-07-14"),
                prev_valid_from=D("2026-01-15"), prev_valid_until=D("2031-01-14"))  # fmt: skip


@pytest.mark.parametrize(
    ("today", "status", "period", "following"),
    [
        ("2030-11-02", "valid", ("2026-01-15", "2031-01-14"), ("2031-01-15", "2036-01-14")),
        ("2031-01-14", "valid", ("2026-01-15", "2031-01-14"), ("2031-01-15", "2036-01-14")),
        ("2031-01-15", "valid", ("2031-01-15", "2036-01-14"), None),
        ("2036-01-14", "valid", ("2031-01-15", "2036-01-14"), None),
        ("2036-01-15", "expired", ("2031-01-15", "2036-01-14"), None),
        ("2026-01-14", "pending", ("2031-01-15", "2036-01-14"), None),  # before either
    ],
)
def test_renewed_certificate_stays_valid_until_the_current_period_ends(
    today: str, status: str, period: tuple[str, str], following: tuple[str, str] | None
) -> None:
    assert GAS.status_on(RENEWED, D(today)) == status
    assert RENEWED.period_on(D(today)) == (D(period[0]), D(period[1]))
    after = RENEWED.next_period_on(D(today))
    assert after == (None if following is None else (D(following[0]), D(following[1])))


@pytest.mark.parametrize(
    ("today", "due"),
    # a record dated on the deadline still counts, so the review waits for the day after
    [("2028-07-13", False), ("2028-07-14", False), ("2028-07-15", True), ("2028-09-01", True)],
)
def test_review_due_after_the_deadline(today: str, due: bool) -> None:
    assert GAS.review_due(TERMS, D(today)) is due


def test_review_due_only_once_and_not_for_abnormal() -> None:
    assert not GAS.review_due(
        Terms(TERMS.valid_from, TERMS.valid_until, None, ce_stage=3), D("2031-01-01")
    )
    assert not GAS.review_due(
        Terms(TERMS.valid_from, TERMS.valid_until, TERMS.ce_due, abnormal=True), D("2029-01-01")
    )


@pytest.mark.parametrize(
    ("records", "passed"),
    [
        ([], False),
        (["2026-01-14"], False),  # before the start of validity
        (["2026-01-15"], True),
        (["2028-07-14"], True),  # on the deadline
        (["2028-07-15"], False),  # a day late
        (["2025-12-01", "2028-06-01"], True),
    ],
)
def test_review(records: list[str], passed: bool) -> None:
    result = GAS.review(TERMS, [D(r) for r in records])
    assert result.passed is passed
    if passed:
        # the second deadline: one month before expiry (003 §6.5)
        assert result.next_ce_due == D("2030-12-14") and result.reason is None
    else:
        assert result.reason is not None and result.reason.code == "continuing_education_missed"
        assert "继续教育" in result.reason.message_zh


@pytest.mark.parametrize(
    ("start", "until", "second"),
    [
        ("2026-01-15", "2031-01-14", "2030-12-14"),  # a full period: one month before expiry
        ("2026-04-01", "2031-03-31", "2031-02-28"),  # no 31 Feb: the month's last day
        ("2028-02-29", "2033-02-27", "2033-01-27"),
        # cut by age: the first deadline is 2028-06-30; the second must fall after it
        ("2026-01-01", "2028-08-01", "2028-07-01"),
        ("2026-01-01", "2028-07-31", None),
        ("2026-01-01", "2028-06-30", None),  # the period ends on the first deadline: none
    ],
)
def test_second_ce_due(start: str, until: str, second: str | None) -> None:
    terms = Terms(D(start), D(until), None)
    assert GAS.second_ce_due(terms) == (D(second) if second else None)


STAGE2 = Terms(D("2026-01-15"), D("2031-01-14"), D("2030-12-14"), ce_stage=2)


@pytest.mark.parametrize(
    ("today", "due"),
    [("2030-12-13", False), ("2030-12-14", False), ("2030-12-15", True), ("2031-01-14", True)],
)
def test_second_review_due_after_its_deadline(today: str, due: bool) -> None:
    assert GAS.review_due(STAGE2, D(today)) is due


@pytest.mark.parametrize(
    ("records", "passed"),
    [
        ([], False),
        (["2028-07-14"], False),  # the first continuing education only (on the first deadline)
        (["2028-07-15"], True),  # the day after the first deadline
        (["2030-12-14"], True),  # on the second deadline
        (["2030-12-15"], False),  # a day late
        (["2027-01-01", "2030-12-15"], False),
        (["2027-01-01", "2029-03-01"], True),
    ],
)
def test_second_review(records: list[str], passed: bool) -> None:
    result = GAS.review(STAGE2, [D(r) for r in records])
    assert result.passed is passed and result.next_ce_due is None
    assert (result.reason is None) is passed


RENEWABLE = Terms(D("2026-01-15"), D("2031-01-14"), D("2030-12-14"), ce_stage=2)


@pytest.mark.parametrize(
    ("today", "records", "birth", "sex", "codes"),
    [
        ("2030-10-14", ["2030-09-01"], "1980-05-10", "M", ["renewal_too_early"]),
        ("2030-10-15", ["2030-09-01"], "1980-05-10", "M", []),
        ("2031-01-14", ["2030-09-01"], "1980-05-10", "M", []),
        ("2031-01-15", ["2030-09-01"], "1980-05-10", "M", ["renewal_too_late"]),
        ("2030-12-01", [], "1980-05-10", "M", ["continuing_education_missing"]),
        # only the first continuing education (before the first deadline): not enough
        ("2030-12-01", ["2028-07-14"], "1980-05-10", "M", ["continuing_education_missing"]),
        ("2030-12-01", ["2028-07-15"], "1980-05-10", "M", []),
        ("2030-12-01", ["2030-12-02"], "1980-05-10", "M", ["continuing_education_missing"]),
        # the new period would start on or after the age limit
        ("2030-12-01", ["2030-09-01"], "1971-01-15", "M", ["over_age_limit"]),
        ("2030-12-01", ["2030-09-01"], "1971-01-16", "M", []),
        ("2030-12-01", ["2030-09-01"], "1976-01-15", "F", ["over_age_limit"]),
        ("2030-12-01", ["2030-09-01"], "1976-01-16", "F", []),
    ],
)
def test_check_renewal(
    today: str, records: list[str], birth: str, sex: str, codes: list[str]
) -> None:
    refusals = GAS.check_renewal(RENEWABLE, holder(birth, sex), [D(r) for r in records], D(today))
    assert [r.code for r in refusals] == codes


def test_renewal_of_revoked_or_abnormal_refused() -> None:
    revoked = Terms(RENEWABLE.valid_from, RENEWABLE.valid_until, None, revoked=True)
    abnormal = Terms(RENEWABLE.valid_from, RENEWABLE.valid_until, None, abnormal=True)
    h = holder("1980-05-10")
    assert [r.code for r in GAS.check_renewal(revoked, h, [D("2030-09-01")], D("2030-12-01"))] == [
        "certificate_revoked"
    ]
    assert [r.code for r in GAS.check_renewal(abnormal, h, [D("2030-09-01")], D("2030-12-01"))] == [
        "certificate_abnormal"
    ]


@pytest.mark.parametrize(
    ("birth", "sex", "until", "cut"),
    [
        ("1980-05-10", "M", "2036-01-14", False),
        ("1974-05-10", "M", "2034-05-09", True),
        ("1980-05-10", "F", "2035-05-09", True),
    ],
)
def test_renewed_validity_starts_the_day_after(birth: str, sex: str, until: str, cut: bool) -> None:
    v = GAS.renewed_validity(RENEWABLE, holder(birth, sex))
    assert v.valid_from == D("2031-01-15")
    assert v.valid_until == D(until)
    assert v.age_cut is cut


# ---- registry --------------------------------------------------------------------------------
def test_registry_holds_the_kinds_and_takes_new_ones() -> None:
    codes = [r.code for r in rules.kinds()]
    assert {"gas", "special_operations", "safety_management"} <= set(codes)
    assert rules.get("gas") is GAS
    with pytest.raises(KeyError, match="known"):
        rules.get("nope")
    extra = rules.RuleSet(
        code="test_kind",
        title_zh="测试证",
        title_en="Test certificate",
        roles=(rules.Role("worker", "W", "作业人员", "worker"),),
        validity_years=2,
        number_prefix="测",
    )
    try:
        rules.register(extra)
        assert rules.get("test_kind") is extra
        v = extra.validity(holder("1950-01-01"), D("2026-01-01"))  # no age limit in this kind
        assert v.valid_until == D("2027-12-31") and v.ce_due is None
        req = IssueRequest(holder("1980-01-01"), "worker", GAS_CO, D("2026-03-01"))
        assert extra.check_issue(req, []) == []
        assert extra.number(req, 7) == "测2026000007"
    finally:
        rules._REGISTRY.pop("test_kind", None)


def test_special_operations_sketch() -> None:
    so = rules.get("special_operations")
    v = so.validity(holder("1980-01-01"), D("2026-01-01"))
    assert (v.valid_until, v.ce_due) == (D("2031-12-31"), D("2028-12-31"))
