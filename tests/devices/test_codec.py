"""The SAM codec: recorded frames and synthetic full frames at every split, bad frames, text blocks."""

from __future__ import annotations

import json

import pytest

from devices.idcard import codec
from devices.idcard.codec import (
    Frame,
    FrameBuffer,
    FrameError,
    Identity,
    ProtocolError,
    Response,
    StatusError,
)
from devices.idcard.presets import PRESETS, fake_photo

from .conftest import SHARED

RECORDED = json.loads((SHARED / "idcard" / "sam_frames.json").read_text("utf-8"))


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def frames_of(events: list[Frame | FrameError]) -> list[bytes]:
    return [e.raw for e in events if isinstance(e, Frame)]


def feed_split(data: bytes, at: int) -> list[Frame | FrameError]:
    buffer = FrameBuffer()
    return buffer.feed(data[:at]) + buffer.feed(data[at:])


def card_answer(identity: Identity, fingerprint: bytes | None = None) -> bytes:
    text = codec.encode_identity(identity)
    photo = fake_photo(identity.id_number)
    if fingerprint is None:
        return codec.build_response(0x90, b"\x01\x00\x04\x00" + text + photo)
    lengths = b"\x01\x00\x04\x00" + len(fingerprint).to_bytes(2, "big")
    return codec.build_response(0x90, lengths + text + photo + fingerprint)


COMPLETE = [f for f in RECORDED["frames"] if f["verified"].get("complete")]


@pytest.mark.parametrize("recorded", COMPLETE, ids=[f["meaning"][:40] for f in COMPLETE])
def test_recorded_frames_decode_at_every_split(recorded: dict[str, object]) -> None:
    raw = hexbytes(str(recorded["hex"]))
    for at in range(len(raw) + 1):
        assert frames_of(feed_split(raw, at)) == [raw], at


def test_recorded_truncated_frame_yields_nothing() -> None:
    broken = next(f for f in RECORDED["frames"] if not f["verified"].get("complete"))
    buffer = FrameBuffer()
    assert buffer.feed(hexbytes(broken["hex"])) == []
    assert len(buffer) > 0  # waiting for the rest; the caller's deadline ends the wait


@pytest.mark.parametrize(
    ("name", "request_bytes"),
    [
        ("reset", "AA AA AA 96 69 00 03 10 FF EC"),
        ("status", "AA AA AA 96 69 00 03 11 FF ED"),
        ("sam_id", "AA AA AA 96 69 00 03 12 FF EE"),
        ("find", "AA AA AA 96 69 00 03 20 01 22"),
        ("select", "AA AA AA 96 69 00 03 20 02 21"),
        ("read", "AA AA AA 96 69 00 03 30 01 32"),
        ("read_appended_address", "AA AA AA 96 69 00 03 30 03 30"),
        ("read_mid", "AA AA AA 96 69 00 03 30 05 36"),
        ("read_with_fingerprint", "AA AA AA 96 69 00 03 30 10 23"),
    ],
)
def test_request_frames_match_the_spec(name: str, request_bytes: str) -> None:
    assert getattr(codec, name.upper()) == hexbytes(request_bytes)


def test_requests_built_with_parameters() -> None:
    assert codec.set_baud(115200) == hexbytes("AA AA AA 96 69 00 03 60 00 63")
    assert codec.set_baud(9600) == hexbytes("AA AA AA 96 69 00 03 60 04 67")
    assert codec.set_max_rf_bytes(0x50) == hexbytes("AA AA AA 96 69 00 04 61 FF 50 CA")
    with pytest.raises(ValueError):
        codec.set_baud(4800)


def test_recorded_prefixes_agree_with_synthetic_answers() -> None:
    plain = card_answer(PRESETS["wang"])
    with_fp = card_answer(PRESETS["wang"], bytes(1024))
    prefixes = {p["declared_total_frame_bytes"]: hexbytes(p["hex"]) for p in RECORDED["prefixes"]}
    assert len(plain) == 1295 and plain.startswith(prefixes[1295])
    assert len(with_fp) == 2321 and with_fp.startswith(prefixes[2321])


@pytest.mark.parametrize("fingerprint", [None, b"", bytes(512), bytes(1024)])
def test_synthetic_card_read_at_every_split(fingerprint: bytes | None) -> None:
    raw = card_answer(PRESETS["li"], fingerprint)
    for at in range(len(raw) + 1):
        events = feed_split(raw, at)
        assert frames_of(events) == [raw], at
    read = codec.decode_card_read(Response.from_frame(Frame(raw)))
    assert codec.decode_identity(read.text) == PRESETS["li"]
    assert read.photo == fake_photo(PRESETS["li"].id_number) and len(read.photo) == 1024
    assert read.fingerprint == (fingerprint or None)


def test_byte_at_a_time_with_junk_and_two_frames() -> None:
    stream = (
        b"\x00\xff\x13junk"
        + codec.build_response(0x80)
        + b"\xaa\x96"
        + card_answer(PRESETS["wang"])
    )
    buffer = FrameBuffer()
    found: list[bytes] = []
    for byte in stream:
        found += frames_of(buffer.feed(bytes([byte])))
    assert len(found) == 2
    assert Response.from_frame(Frame(found[0])).sw3 == 0x80
    assert buffer.discarded == 9


def test_four_byte_preamble_is_accepted_and_normalised() -> None:
    full = codec.build_response(0x9F, bytes(4))
    events = FrameBuffer().feed(b"\x55" + full[1:])
    assert frames_of(events) == [full]


def test_corrupted_frame_is_reported_and_the_next_one_found() -> None:
    good = codec.build_response(0x90)
    bad = bytearray(codec.build_response(0x9F, bytes(4)))
    bad[-2] ^= 0x01
    events = FrameBuffer().feed(bytes(bad) + good)
    assert [type(e).__name__ for e in events] == ["FrameError", "Frame"]
    assert isinstance(events[0], FrameError) and events[0].code == "bad_checksum"


def test_oversized_length_is_rejected_without_waiting() -> None:
    good = codec.build_response(0x80)
    events = FrameBuffer().feed(codec.PREAMBLE + b"\xff\xff\x00\x00" + good)
    assert isinstance(events[0], FrameError) and events[0].code == "bad_length"
    assert frames_of(events) == [good]


def test_undersized_length_is_rejected() -> None:
    events = FrameBuffer().feed(codec.PREAMBLE + b"\x00\x01\x01" + codec.STATUS)
    assert isinstance(events[0], FrameError) and events[0].code == "bad_length"
    assert frames_of(events) == [codec.STATUS]


def test_frame_interleaved_inside_a_truncated_one_is_recovered() -> None:
    long_answer = card_answer(PRESETS["wang"])
    short = codec.build_response(0x80)
    # the reader restarted mid-answer: 300 bytes of a read, then a fresh short answer, then noise
    stream = long_answer[:300] + short + bytes(1000)
    events = FrameBuffer().feed(stream)
    assert frames_of(events) == [short]
    assert any(isinstance(e, FrameError) for e in events)


FALSE_SYNC = b"\x00\xaa\xaa\x96\x69\x00"  # a sync in noise, its length byte borrowed from the frame


@pytest.mark.parametrize(
    "answer",
    [
        codec.build_response(0x80),
        codec.build_response(0x9F, bytes(4)),
        codec.build_response(0x90, bytes(8)),
        card_answer(PRESETS["wang"]),
    ],
    ids=["no_card", "found", "selected", "card_read"],
)
def test_false_sync_does_not_swallow_the_frame_behind_it(answer: bytes) -> None:
    stream = FALSE_SYNC + answer
    for at in range(len(stream) + 1):
        assert frames_of(feed_split(stream, at)) == [answer], at
    byte_by_byte = FrameBuffer()
    events = [e for byte in stream for e in byte_by_byte.feed(bytes([byte]))]
    assert frames_of(events) == [answer]
    assert any(isinstance(e, FrameError) for e in events)


def test_false_sync_is_reported() -> None:
    events = FrameBuffer().feed(FALSE_SYNC + codec.build_response(0x80))
    assert isinstance(events[0], FrameError) and events[0].code == "false_sync"
    assert frames_of(events) == [codec.build_response(0x80)]


def test_truncated_answer_then_a_short_one_needs_no_padding() -> None:
    """The restarted reader's short answer is found at once, at every split, without waiting
    for the truncated answer's declared length to fill up."""
    short = codec.build_response(0x80)
    stream = card_answer(PRESETS["wang"])[:300] + short
    for at in range(len(stream) + 1):
        assert frames_of(feed_split(stream, at)) == [short], at


def _resp(sw3: int, data: bytes = b"") -> Response:
    return Response(0, 0, sw3, data)


@pytest.mark.parametrize(
    ("request_frame", "answer", "fits"),
    [
        (codec.FIND, _resp(0x9F, bytes(4)), True),
        (codec.FIND, _resp(0x80), True),
        (codec.FIND, _resp(0x9F), False),
        (codec.FIND, _resp(0x90, bytes(8)), False),  # a late select answer
        (codec.FIND, Response.from_frame(Frame(card_answer(PRESETS["li"]))), False),  # late read
        (codec.SELECT, _resp(0x90, bytes(8)), True),
        (codec.SELECT, _resp(0x81), True),
        (codec.SELECT, _resp(0x9F, bytes(4)), False),  # a late find answer
        (codec.READ, Response.from_frame(Frame(card_answer(PRESETS["li"]))), True),
        (codec.READ, _resp(0x41), True),
        (codec.READ, _resp(0x90, bytes(8)), False),
        (codec.READ, _resp(0x90, b"\x01\x00\x04\x00" + bytes(100)), False),
        (
            codec.READ_WITH_FINGERPRINT,
            Response.from_frame(Frame(card_answer(PRESETS["li"], bytes(512)))),
            True,
        ),
        (codec.STATUS, _resp(0x90), True),
        (codec.STATUS, _resp(0x9F, bytes(4)), False),
        (codec.RESET, _resp(0x90), True),
        (codec.SAM_ID, _resp(0x90, bytes(16)), True),
        (codec.SAM_ID, _resp(0x90), False),
        (codec.READ_APPENDED_ADDRESS, _resp(0x91), True),
        (codec.READ_APPENDED_ADDRESS, _resp(0x90, bytes(70)), True),
        (codec.READ_MID, _resp(0x90, bytes(3)), True),  # no known shape: anything goes
    ],
)
def test_answer_shapes_fit_their_request(
    request_frame: bytes, answer: Response, fits: bool
) -> None:
    assert codec.answer_fits(request_frame, answer) is fits


def test_building_an_oversized_frame_is_refused() -> None:
    with pytest.raises(ValueError):
        codec.build_frame(bytes(codec.MAX_LEN + 1))


def test_status_table_covers_the_spec() -> None:
    for sw3 in (0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41,
                0x47, 0x60, 0x66, 0x80, 0x81, 0xFF):  # fmt: skip
        assert sw3 in codec.STATUSES
    assert codec.status_of(0x77).code == "status_77"
    for code in RECORDED["status_codes_listed_as_failures_by_qiwenming_IDCardDemo"]:
        err = StatusError(int(code, 16))
        assert err.code.startswith("card_") and "（" in str(err)


def test_find_and_errors() -> None:
    def resp(hex_text: str) -> Response:
        return Response.from_frame(Frame(hexbytes(hex_text)))

    assert codec.decode_find(resp("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")) is True
    assert codec.decode_find(resp("AA AA AA 96 69 00 04 00 00 80 84")) is False
    with pytest.raises(StatusError) as err:
        codec.decode_find(resp("AA AA AA 96 69 00 04 00 00 31 35"))
    assert err.value.sw3 == 0x31 and err.value.code == "card_card_auth_sam_failed"
    with pytest.raises(StatusError) as err:
        resp("AA AA AA 96 69 00 04 00 00 81 85").expect()
    assert "选取" in err.value.message_zh


def test_response_shorter_than_status_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        Response.from_frame(Frame(codec.FIND))


def test_card_read_with_inconsistent_lengths() -> None:
    bad = Response(0, 0, 0x90, b"\x01\x00\x04\x00" + bytes(100))
    with pytest.raises(ProtocolError):
        codec.decode_card_read(bad)


def test_sam_id() -> None:
    data = b"".join(
        n.to_bytes(s, "little") for n, s in ((5, 2), (1, 2), (20101117, 4), (7, 4), (9, 4))
    )
    assert codec.decode_sam_id(Response(0, 0, 0x90, data)) == "05.01-20101117-000000007-000000009"
    with pytest.raises(ProtocolError):
        codec.decode_sam_id(Response(0, 0, 0x90, bytes(3)))


@pytest.mark.parametrize("name", list(PRESETS))
def test_text_block_round_trip(name: str) -> None:
    identity = PRESETS[name]
    block = codec.encode_identity(identity)
    assert len(block) == 256
    assert codec.decode_identity(block) == identity


def test_text_block_fields_at_spec_offsets() -> None:
    block = codec.encode_identity(PRESETS["wang"])
    assert block[0:6].decode("utf-16-le") == "王小明"
    assert block[122:158].decode("utf-16-le") == PRESETS["wang"].id_number
    assert block[248:250] == b" \x00"
    li = codec.decode_identity(codec.encode_identity(PRESETS["li"]))
    assert li.valid_to == "长期" and li.long_term and li.sex == "F" and li.nation == "回"


def test_foreign_and_hmt_cards() -> None:
    foreign = codec.decode_identity(codec.encode_identity(PRESETS["foreigner"]))
    assert foreign.card_type == "foreign_permanent"
    assert foreign.name_en == "TEST, EXAMPLE PERSON" and foreign.nationality == "CAN"
    assert codec.encode_identity(PRESETS["foreigner"])[248:250].decode("utf-16-le") == "I"
    hmt = codec.decode_identity(codec.encode_identity(PRESETS["hmt"]))
    assert hmt.card_type == "hmt_residence" and hmt.pass_number == "H99000001"
    assert hmt.issue_count == "01"


def hand_built_block(fields: list[tuple[int, int, str]]) -> bytes:
    """A 256-byte text block with ``(offset, size, text)`` placed by hand, space padded."""
    block = bytearray(" ".encode("utf-16-le") * 128)
    for offset, size, text in fields:
        raw = text.encode("utf-16-le")
        assert len(raw) <= size
        block[offset : offset + len(raw)] = raw
    return bytes(block)


# spec §1.7, offsets and sizes copied from its tables (not from codec.LAYOUTS)
FOREIGN_AT_SPEC_OFFSETS = [
    (0, 120, "SMITH, JANE EXAMPLE"),
    (120, 2, "2"),
    (122, 30, "CAN990012345678"),
    (152, 6, "CAN"),
    (158, 30, "史密斯"),
    (188, 16, "20200315"),
    (204, 16, "20300314"),
    (220, 16, "19850704"),
    (236, 4, "02"),
    (240, 8, "1100"),
    (248, 2, "I"),
]
HMT_AT_SPEC_OFFSETS = [
    (0, 30, "陈测试"),
    (30, 2, "1"),
    (36, 16, "19920229"),
    (52, 70, "香港特别行政区测试道1号"),
    (122, 36, "990000199202290019"),  # invented (region 99), valid check character
    (158, 30, "演示市公安局"),
    (188, 16, "20210101"),
    (204, 16, "20260101"),
    (220, 18, "H60012345"),
    (238, 4, "03"),
    (248, 2, "J"),
]


def test_foreign_permanent_card_at_spec_offsets() -> None:
    block = hand_built_block(FOREIGN_AT_SPEC_OFFSETS)
    card = codec.decode_identity(block)
    assert card.card_type == "foreign_permanent"
    assert (card.name_en, card.sex, card.id_number, card.nationality, card.name) == (
        "SMITH, JANE EXAMPLE", "F", "CAN990012345678", "CAN", "史密斯",
    )  # fmt: skip
    assert (card.valid_from, card.valid_to, card.birth) == ("20200315", "20300314", "19850704")
    assert (card.card_version, card.office_code) == ("02", "1100")
    assert codec.encode_identity(card) == block  # and the simulator writes the same bytes


def test_hmt_residence_permit_at_spec_offsets() -> None:
    block = hand_built_block(HMT_AT_SPEC_OFFSETS)
    card = codec.decode_identity(block)
    assert card.card_type == "hmt_residence"
    assert (card.name, card.sex, card.birth, card.id_number) == (
        "陈测试", "M", "19920229", "990000199202290019",
    )  # fmt: skip
    assert (card.address, card.issuer) == ("香港特别行政区测试道1号", "演示市公安局")
    assert (card.valid_from, card.valid_to) == ("20210101", "20260101")
    assert (card.pass_number, card.issue_count) == ("H60012345", "03")
    assert card.nation_code == ""  # the nation slot (32, 4) is unused on 'J' cards
    assert codec.encode_identity(card) == block


def test_text_block_errors() -> None:
    with pytest.raises(codec.CardTextError):
        codec.decode_identity(bytes(100))
    block = bytearray(codec.encode_identity(PRESETS["wang"]))
    block[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(codec.CardTextError) as err:
        codec.decode_identity(bytes(block))
    assert err.value.code == "card_text_invalid"
    block = bytearray(codec.encode_identity(PRESETS["wang"]))
    block[0:2] = b"\x00\xd8"  # lone surrogate
    with pytest.raises(codec.CardTextError):
        codec.decode_identity(bytes(block))


def test_identity_from_dict() -> None:
    identity = Identity.from_dict(
        {
            "name": "张测试",
            "sex": "F",
            "birth": "20000101",
            "id_number": "X",
            "valid_from": "20200101",
            "valid_to": "长期",
            "photo": "ignored",
        }
    )
    assert identity.sex_code == "2" and identity.card_type == "resident"
    with pytest.raises(ValueError):
        Identity.from_dict({"name": "无号码"})


def test_appended_address() -> None:
    assert codec.decode_appended_address(Response(0, 0, 0x91, b"")) == []
    data = "测试路5号".ljust(35).encode("utf-16-le") + " ".ljust(35).encode("utf-16-le")
    assert codec.decode_appended_address(Response(0, 0, 0x90, data)) == ["测试路5号"]
