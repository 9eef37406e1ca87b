"""Citizen ID numbers (GB 11643-1999, ISO 7064 MOD 11-2) and check-in cross-checks.

Cross-checks compare the number with the card's own text (birth date, sex) and the card's
validity with the exam date, as the check-in desk must (``specs/idcard-sam.md`` §3).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from devices.errors import DeviceError
from devices.idcard.codec import LONG_TERM, Identity

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
_OLD_FOREIGN = re.compile(r"^[A-Z]{3}\d{12}$")


def check_char(first17: str) -> str:
    """The 18th character for 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """An 18-character number with a valid check character (for invented test identities)."""
    if len(region) != 6 or not region.isdigit() or not 0 <= sequence <= 999:
        raise ValueError("region must be 6 digits and sequence 0..999")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


class IdNumberError(DeviceError):
    """The number is not a valid GB 11643 number."""


def _bad(code: str, zh: str, en: str) -> IdNumberError:
    return IdNumberError(code, f"{zh}，请核对证件号码", f"{en}; check the ID number")


def parse_date(value: str) -> dt.date | None:
    """``YYYYMMDD`` → date, None when it is not a real date."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-character number and what it encodes."""

    number: str
    region: str
    birth: dt.date
    sex: str  # "M" or "F"


def validate(number: str) -> IdNumber:
    """Check length, characters, birth date and check character; raise :class:`IdNumberError`."""
    value = number.strip().upper()
    if len(value) != 18:
        raise _bad(
            "id_number_length",
            f"证件号码应为18位，实际{len(value)}位",
            f"expected 18 characters, got {len(value)}",
        )
    if not _EIGHTEEN.match(value):
        raise _bad("id_number_chars", "证件号码只能是数字，末位可为X", "only digits, last may be X")
    birth = parse_date(value[6:14])
    if birth is None:
        raise _bad(
            "id_number_birth", "证件号码中的出生日期无效", "the birth date inside is not a date"
        )
    if check_char(value[:17]) != value[17]:
        raise _bad("id_number_checksum", "证件号码校验位错误", "the check character is wrong")
    return IdNumber(value, value[:6], birth, "M" if int(value[16]) % 2 else "F")


def is_valid(number: str) -> bool:
    """True when :func:`validate` accepts the number."""
    try:
        validate(number)
    except IdNumberError:
        return False
    return True


@dataclass(frozen=True)
class Problem:
    """One failed check-in cross-check."""

    code: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        """Chinese first, English in brackets."""
        return f"{self.message_zh}（{self.message_en}）"


def cross_check(identity: Identity, exam_date: dt.date) -> list[Problem]:
    """Everything wrong with a card for an exam on ``exam_date`` (empty list: all good).

    Checks: the number is valid; the birth date and sex encoded in it agree with the text block;
    the card is valid on the exam date (``长期`` never expires).
    """
    problems: list[Problem] = []
    birth = parse_date(identity.birth)
    if birth is None:
        problems.append(
            Problem("birth_invalid", "证件出生日期无效", "birth date on the card is not a date")
        )
    number: IdNumber | None = None
    if identity.card_type == "foreign_permanent" and _OLD_FOREIGN.match(identity.id_number):
        pass  # 2017-format PR number: 3 letters + 12 digits, no check character to verify
    else:
        try:
            number = validate(identity.id_number)
        except IdNumberError as exc:
            problems.append(Problem(exc.code, exc.message_zh, exc.message_en))
    if number is not None:
        if birth is not None and number.birth != birth:
            problems.append(
                Problem(
                    "birth_mismatch",
                    "证件号码与出生日期不一致",
                    "ID number and birth date disagree",
                )
            )
        if identity.sex is not None and number.sex != identity.sex:
            problems.append(
                Problem("sex_mismatch", "证件号码与性别不一致", "ID number and sex disagree")
            )
    start = parse_date(identity.valid_from)
    if start is None:
        problems.append(
            Problem(
                "validity_invalid", "证件有效期起始日期无效", "card validity start is not a date"
            )
        )
    elif exam_date < start:
        problems.append(Problem("card_not_yet_valid", "证件尚未生效", "the card is not valid yet"))
    if identity.valid_to != LONG_TERM:
        end = parse_date(identity.valid_to)
        if end is None:
            problems.append(
                Problem("validity_invalid", "证件有效期截止日期无效", "card expiry is not a date")
            )
        elif exam_date > end:
            problems.append(
                Problem(
                    "card_expired",
                    "证件已过有效期，请使用有效证件",
                    "the card has expired; use a valid card",
                )
            )
    return problems
