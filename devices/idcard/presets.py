"""Invented identities for tests and demos.

Every number is built with :func:`make_id_number` on a region code starting with ``99``, which
no province uses, so none of them can be a real person's number. The photo is a fake WLT blob
(right header, deterministic filler): the real WLT codec is proprietary.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from devices.idcard.codec import PHOTO_LEN, Identity
from devices.idcard.idnumber import make_id_number


def fake_photo(seed: str) -> bytes:
    """1024 bytes starting like a WLT file ("WL", 102×126) and filled from ``seed``."""
    head = b"WLf\x00~\x002\x00\x00\xff"
    filler = b""
    counter = 0
    while len(head) + len(filler) < PHOTO_LEN:
        filler += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return (head + filler)[:PHOTO_LEN]


PRESETS: dict[str, Identity] = {
    "wang": Identity(
        card_type="resident",
        name="王小明",
        sex_code="1",
        nation_code="01",
        birth="19900101",
        address="测试省示例市演示区考试路1号",
        id_number=make_id_number("990101", dt.date(1990, 1, 1), 11),
        issuer="示例市公安局演示分局",
        valid_from="20200101",
        valid_to="20400101",
    ),
    "li": Identity(
        card_type="resident",
        name="李华",
        sex_code="2",
        nation_code="03",
        birth="19851231",
        address="测试省示例市演示区考试路2号",
        id_number=make_id_number("990102", dt.date(1985, 12, 31), 22),
        issuer="示例市公安局演示分局",
        valid_from="20150601",
        valid_to="长期",
    ),
    "expired": Identity(
        card_type="resident",
        name="赵过期",
        sex_code="1",
        nation_code="01",
        birth="19700505",
        address="测试省示例市演示区考试路3号",
        id_number=make_id_number("990103", dt.date(1970, 5, 5), 33),
        issuer="示例市公安局演示分局",
        valid_from="20000101",
        valid_to="20200101",
    ),
    "foreigner": Identity(
        card_type="foreign_permanent",
        name="测试",
        name_en="TEST, EXAMPLE PERSON",
        sex_code="1",
        nationality="CAN",
        birth="19810803",
        # 2017-format PR card: 15 characters, no check digit; province 99 is unused
        id_number="CAN990019810803",
        valid_from="20230101",
        valid_to="20330101",
        card_version="05",
        office_code="9900",
    ),
    "hmt": Identity(
        card_type="hmt_residence",
        name="陈居民",
        sex_code="2",
        birth="19950315",
        address="测试省示例市演示区考试路4号",
        id_number=make_id_number("990000", dt.date(1995, 3, 15), 44),
        issuer="示例市公安局",
        valid_from="20210101",
        valid_to="20260101",
        pass_number="H99000001",
        issue_count="01",
    ),
}
