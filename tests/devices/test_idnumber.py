"""GB 11643 numbers and the check-in cross-checks, table-driven."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from devices.idcard import idnumber
from devices.idcard.presets import PRESETS

EXAM = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),  # the GB 11643 sample
        ("11010519491231002x", True),
        ("932682198501010017", True),  # NIA's new PR-card samples
        ("911124198108030024", True),
        ("110101199001011234", False),  # popular dummy: check digit should be 7
        ("110101199001011237", True),
        ("11010519491231002", False),
        ("1101051949123100XX", False),
        ("110105194913310021", False),  # month 13
    ],
)
def test_validate(number: str, valid: bool) -> None:
    assert idnumber.is_valid(number) is valid


def test_validate_details_and_errors() -> None:
    parsed = idnumber.validate("11010519491231002X")
    assert parsed.birth == dt.date(1949, 12, 31) and parsed.sex == "F" and parsed.region == "110105"
    with pytest.raises(idnumber.IdNumberError) as err:
        idnumber.validate("110101199001011234")
    assert err.value.code == "id_number_checksum" and "校验位" in str(err.value)
    with pytest.raises(idnumber.IdNumberError) as err:
        idnumber.validate("123")
    assert err.value.code == "id_number_length"


def test_make_id_number() -> None:
    number = idnumber.make_id_number("990101", dt.date(2000, 2, 29), 7)
    assert idnumber.is_valid(number) and number.startswith("99010120000229007")
    with pytest.raises(ValueError):
        idnumber.make_id_number("99", dt.date(2000, 1, 1), 1)


@pytest.mark.parametrize("name", ["wang", "li", "foreigner"])
def test_presets_pass(name: str) -> None:
    assert idnumber.cross_check(PRESETS[name], EXAM) == []


def codes(identity: idnumber.Identity, day: dt.date = EXAM) -> list[str]:
    return [p.code for p in idnumber.cross_check(identity, day)]


@pytest.mark.parametrize(
    ("change", "day", "expected"),
    [
        ({"birth": "19900102"}, EXAM, ["birth_mismatch"]),
        ({"sex_code": "2"}, EXAM, ["sex_mismatch"]),
        ({"sex_code": "9"}, EXAM, []),  # unstated sex: nothing to compare
        ({"valid_to": "20261123"}, EXAM, ["card_expired"]),
        ({"valid_to": "20261124"}, EXAM, []),  # valid through its last day
        ({"valid_from": "20261125"}, EXAM, ["card_not_yet_valid"]),
        ({"valid_to": "长期"}, dt.date(2090, 1, 1), []),
        ({"valid_to": "2026"}, EXAM, ["validity_invalid"]),
        ({"birth": "1990013"}, EXAM, ["birth_invalid"]),
        ({"id_number": "990101199001010110"}, EXAM, ["id_number_checksum"]),
    ],
)
def test_cross_check(change: dict[str, str], day: dt.date, expected: list[str]) -> None:
    assert codes(dataclasses.replace(PRESETS["wang"], **change), day) == expected


def test_expired_and_hmt_presets() -> None:
    assert codes(PRESETS["expired"]) == ["card_expired"]
    assert codes(PRESETS["hmt"]) == ["card_expired"]
    assert codes(PRESETS["hmt"], dt.date(2025, 6, 1)) == []
    problem = idnumber.cross_check(PRESETS["expired"], EXAM)[0]
    assert problem.message.startswith("证件已过有效期")
