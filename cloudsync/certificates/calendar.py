"""Calendar arithmetic for certificate periods: whole months and years, ages, ID-card birth dates.

The corresponding day follows 《民法典》第二百零二条: a period counted in months or years ends
on the corresponding day of the last month, or on that month's last day where there is no
corresponding day (so 31 Aug + 6 months is 28/29 Feb, and a 29 Feb birthday falls on 28 Feb
in a common year). Certificate periods count their start day, unlike 第二百零一条, so they end
the day before (``rules.period_end``; docs/certificates.md).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

__all__ = [
    "add_months",
    "add_years",
    "age_on",
    "anniversary",
    "birth_date_from_id",
    "sex_from_id",
]

_ID18 = re.compile(r"^\d{17}[\dXx]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The corresponding day ``years`` later; 29 Feb becomes 28 Feb in a common year."""
    return add_months(day, 12 * years)


def anniversary(birth: date, years: int) -> date:
    """The birthday on which a person born on ``birth`` reaches ``years`` of age."""
    return add_years(birth, years)


def age_on(birth: date, day: date) -> int:
    """Age in completed years (周岁) on ``day``; the age is reached on the birthday itself."""
    if day < birth:
        raise ValueError("day before birth")
    years = day.year - birth.year
    if anniversary(birth, years) > day:
        years -= 1
    return years


def _checked_id(id_number: str) -> str:
    value = id_number.strip().upper()
    if not _ID18.match(value):
        raise ValueError(
            "身份证号应为18位（数字，末位可为X），请核对后重新输入"
            "（the ID number must have 18 characters: digits, the last may be X）"
        )
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError(
            "身份证号校验位不正确，请核对后重新输入（the ID number's check digit is wrong）"
        )
    return value


def birth_date_from_id(id_number: str) -> date:
    """Birth date held in an 18-digit resident ID number (GB 11643), check digit verified."""
    value = _checked_id(id_number)
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError(
            "身份证号中的出生日期无效，请核对后重新输入（the ID number holds no valid birth date）"
        ) from None


def sex_from_id(id_number: str) -> str:
    """``"M"`` or ``"F"`` from the ID number's 17th digit (odd: male)."""
    return "M" if int(_checked_id(id_number)[16]) % 2 else "F"


def id_with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit (for test data and demos)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]
