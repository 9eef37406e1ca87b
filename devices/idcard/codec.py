"""Sans-I/O codec of the SAM_V ID-card reader protocol (see ``specs/idcard-sam.md`` §1).

Bytes in, typed results out; no ports, no clocks. Frame layout (both directions)::

    AA AA AA 96 69 | LEN_H LEN_L | CMD PARA      | DATA | CHK     host → reader
    AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3   | DATA | CHK     reader → host

``LEN`` counts the bytes after it (checksum included); ``CHK`` is the XOR of everything from
``LEN_H`` to the last data byte.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from devices.errors import DeviceError
from devices.idcard.nations import nation_name

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
# Some readers drop the first sync byte; Sdtusbapi looks only for these four (spec §1.2).
SYNC = b"\xaa\xaa\x96\x69"
HEADER_LEN = 7
# Longest known frame: 30 10 with two fingerprint templates, LEN 0x090A. Anything far beyond is
# line noise that happens to contain a preamble, and waiting for it would stall the reader.
MAX_LEN = 4096
TEXT_LEN = 256
PHOTO_LEN = 1024

SW_OK = 0x90
SW_FOUND = 0x9F
SW_NO_CONTENT = 0x91
SW_NO_CARD = 0x80


def checksum(data: bytes) -> int:
    """XOR of ``data`` (pass LEN..last data byte)."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def build_frame(payload: bytes) -> bytes:
    """A full frame around ``payload`` (CMD PARA DATA or SW1 SW2 SW3 DATA)."""
    length = len(payload) + 1
    if length > MAX_LEN:
        raise ValueError(f"payload too long for one frame: {len(payload)} bytes")
    head = length.to_bytes(2, "big") + payload
    return PREAMBLE + head + bytes([checksum(head)])


def build_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """A host → reader frame."""
    return build_frame(bytes([cmd, para]) + data)


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader → host frame (used by the simulator and tests)."""
    return build_frame(bytes([sw1, sw2, sw3]) + data)


RESET = build_request(0x10, 0xFF)
STATUS = build_request(0x11, 0xFF)
SAM_ID = build_request(0x12, 0xFF)
FIND = build_request(0x20, 0x01)
SELECT = build_request(0x20, 0x02)
READ = build_request(0x30, 0x01)
READ_APPENDED_ADDRESS = build_request(0x30, 0x03)
READ_MID = build_request(0x30, 0x05)
READ_WITH_FINGERPRINT = build_request(0x30, 0x10)

BAUD_RATES = (115200, 57600, 38400, 19200, 9600)


def set_baud(baudrate: int) -> bytes:
    """The 60 0x request that switches the reader's UART speed (vendor pages only, untested)."""
    if baudrate not in BAUD_RATES:
        raise ValueError(f"unsupported baud rate {baudrate}; one of {BAUD_RATES}")
    return build_request(0x60, BAUD_RATES.index(baudrate))


def set_max_rf_bytes(count: int) -> bytes:
    """The 61 FF request that sets the largest RF frame (hev-idcard-reader uses 0x50)."""
    if not 1 <= count <= 255:
        raise ValueError("RF frame size must be 1..255")
    return build_request(0x61, 0xFF, bytes([count]))


@dataclass(frozen=True)
class Frame:
    """One complete, checksum-verified frame in canonical form (5-byte preamble)."""

    raw: bytes

    @property
    def payload(self) -> bytes:
        """The bytes between LEN and CHK."""
        return self.raw[HEADER_LEN:-1]


@dataclass(frozen=True)
class FrameError:
    """Bytes that looked like a frame but were not one; the buffer skipped them and went on."""

    code: str  # "bad_length", "bad_checksum", "false_sync" or "unexpected_answer"
    detail: str
    raw: bytes


class FrameBuffer:
    """Incremental frame splitter: feed bytes in any split, get frames and errors out.

    Leading junk is skipped (counted in ``discarded``); a frame with an impossible length or a
    wrong checksum is reported as a :class:`FrameError` and the search resumes one byte further,
    so a frame that starts inside a damaged one is still found. A candidate still waiting for
    its declared length is given up (``false_sync``) as soon as a complete, checksum-valid frame
    starts inside it, so noise that looks like a header cannot swallow the answer behind it.
    """

    def __init__(self, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self._max_len = max_len
        self.discarded = 0

    def __len__(self) -> int:
        return len(self._buf)

    def clear(self) -> None:
        """Forget buffered bytes (before a new request, so a late answer cannot be mistaken)."""
        self.discarded += len(self._buf)
        self._buf.clear()

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Add bytes; return every frame (or framing error) completed by them, in order."""
        self._buf += data
        events: list[Frame | FrameError] = []
        buf = self._buf
        while True:
            at = buf.find(SYNC)
            if at < 0:
                # keep a tail that may be the start of the next sync
                keep = next(
                    (
                        n
                        for n in (4, 3, 2, 1)
                        if buf.endswith(PREAMBLE[:n]) or buf.endswith(SYNC[:n])
                    ),
                    0,
                )
                self._drop(len(buf) - keep)
                return events
            self._drop(at - 1 if at > 0 and buf[at - 1] == 0xAA else at)
            start = 1 if buf[0] == 0xAA and buf[1:5] == SYNC else 0  # where SYNC begins
            head_end = start + 4 + 2
            if len(buf) < head_end:
                return events
            length = int.from_bytes(buf[start + 4 : head_end], "big")
            if length < 3 or length > self._max_len:
                events.append(
                    FrameError(
                        "bad_length",
                        f"declared length {length} outside 3..{self._max_len}",
                        bytes(buf[:head_end]),
                    )
                )
                self._drop(start + 1)
                continue
            total = head_end + length
            if len(buf) < total:
                # A false sync in noise can declare a plausible length and would swallow the real
                # answer behind it: if a complete, checksum-valid frame already starts inside the
                # awaited bytes, the candidate was not a frame.
                later = self._complete_frame_after(start + 1)
                if later is None:
                    return events
                events.append(
                    FrameError(
                        "false_sync",
                        f"declared length {length}, but a complete frame starts {later} bytes on",
                        bytes(buf[:later]),
                    )
                )
                self._drop(later)
                continue
            body = bytes(buf[start + 4 : total - 1])
            if checksum(body) != buf[total - 1]:
                events.append(
                    FrameError(
                        "bad_checksum",
                        f"checksum {buf[total - 1]:02X}, computed {checksum(body):02X}",
                        bytes(buf[:total]),
                    )
                )
                self._drop(start + 1)
                continue
            events.append(Frame(PREAMBLE + body + bytes(buf[total - 1 : total])))
            del buf[:total]

    def _complete_frame_after(self, pos: int) -> int | None:
        """Where the first complete, checksum-valid frame at or after ``pos`` starts, if any."""
        buf = self._buf
        at = buf.find(SYNC, pos)
        while at >= 0 and at + 6 <= len(buf):
            length = int.from_bytes(buf[at + 4 : at + 6], "big")
            total = at + 6 + length
            complete = 3 <= length <= self._max_len and total <= len(buf)
            if complete and checksum(bytes(buf[at + 4 : total - 1])) == buf[total - 1]:
                return at
            at = buf.find(SYNC, at + 1)
        return None

    def _drop(self, count: int) -> None:
        if count > 0:
            self.discarded += count
            del self._buf[:count]


@dataclass(frozen=True)
class Status:
    """One SW3 status of the SAM."""

    sw3: int
    code: str
    message_zh: str
    message_en: str


_STATUSES = [
    Status(0x90, "ok", "操作成功", "success"),
    Status(0x9F, "card_found", "寻找证/卡成功", "card found"),
    Status(0x91, "no_content", "证/卡中此项无内容", "the card holds no such item"),
    Status(0x10, "host_checksum_error", "读卡器收到的数据校验和错", "reader got a bad checksum"),
    Status(0x11, "host_length_error", "读卡器收到的数据长度错", "reader got a bad length"),
    Status(0x21, "bad_command", "读卡器收到的命令错误", "reader got an invalid command"),
    Status(0x23, "unauthorised", "越权操作", "unauthorised operation"),
    Status(0x24, "unknown_error", "无法识别的错误", "unrecognised error"),
    Status(0x31, "card_auth_sam_failed", "证/卡认证SAM失败", "card failed to authenticate the SAM"),
    Status(0x32, "sam_auth_card_failed", "SAM认证证/卡失败", "SAM failed to authenticate the card"),
    Status(0x33, "verify_failed", "信息验证错误", "information verification failed"),
    Status(0x40, "unknown_card_type", "无法识别的证/卡类型", "unknown card type"),
    Status(0x41, "read_failed", "读证/卡操作失败", "reading the card failed"),
    Status(0x47, "random_failed", "取随机数失败", "getting a random number failed"),
    Status(0x60, "sam_selftest_failed", "SAM自检失败，不能接受命令", "SAM self-test failed"),
    Status(0x66, "sam_unauthorised", "SAM没有经过授权，无法使用", "SAM is not authorised"),
    Status(0x80, "no_card", "寻找证/卡失败", "no card on the reader"),
    Status(0x81, "select_failed", "选取证/卡失败", "selecting the card failed"),
    Status(0xFF, "link_failure", "通信故障", "communication failure"),
]
STATUSES: dict[int, Status] = {s.sw3: s for s in _STATUSES}

# What the person at the desk should do, by status.
_ADVICE: dict[int, tuple[str, str]] = {
    0x80: ("请把证件放到读卡器上", "place the card on the reader"),
    0x81: ("请把证件放平后重试", "lay the card flat and try again"),
    0x41: ("读卡时证件被移开，请放稳后重试", "the card moved; hold it still and retry"),
    0x40: ("请使用居民身份证、外国人永久居留身份证或港澳台居民居住证", "use a supported ID card"),
    0x31: ("证件可能损坏，请重试或人工核验", "the card may be damaged; retry or check by hand"),
    0x32: ("证件可能损坏，请重试或人工核验", "the card may be damaged; retry or check by hand"),
    0x33: ("证件可能损坏，请重试或人工核验", "the card may be damaged; retry or check by hand"),
    0x60: ("读卡器故障，请重新插拔或更换读卡器", "reader fault: replug or replace it"),
    0x66: ("读卡器未授权，请更换读卡器", "reader not authorised: replace it"),
}


def status_of(sw3: int) -> Status:
    """The status for an SW3 byte (unknown values get a generic entry, never an exception)."""
    return STATUSES.get(
        sw3, Status(sw3, f"status_{sw3:02x}", f"未知状态码 {sw3:02X}", f"unknown status {sw3:02X}")
    )


class StatusError(DeviceError):
    """The reader answered with a failure status."""

    def __init__(self, sw3: int, sw1: int = 0, sw2: int = 0) -> None:
        status = status_of(sw3)
        advice_zh, advice_en = _ADVICE.get(sw3, ("请重试", "try again"))
        super().__init__(
            f"card_{status.code}",
            f"{status.message_zh}（状态码 {sw3:02X}），{advice_zh}",
            f"{status.message_en} (status {sw3:02X}); {advice_en}",
        )
        self.sw1, self.sw2, self.sw3 = sw1, sw2, sw3


class ProtocolError(DeviceError):
    """A well-framed answer whose content makes no sense for the request."""

    def __init__(self, detail_zh: str, detail_en: str) -> None:
        super().__init__(
            "reader_protocol_error",
            f"读卡器应答格式错误：{detail_zh}，请重试或更换读卡器",
            f"malformed reader answer: {detail_en}; retry or replace the reader",
        )


@dataclass(frozen=True)
class Response:
    """A reader → host frame: three status bytes and the data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @classmethod
    def from_frame(cls, frame: Frame) -> Response:
        """Split a frame's payload; a payload shorter than the status bytes is a protocol error."""
        p = frame.payload
        if len(p) < 3:
            raise ProtocolError("应答短于状态字节", "answer shorter than its status bytes")
        return cls(p[0], p[1], p[2], p[3:])

    @property
    def status(self) -> Status:
        """The decoded SW3."""
        return status_of(self.sw3)

    def expect(self, *ok: int) -> Response:
        """Return self when SW3 is one of ``ok`` (default 90), else raise :class:`StatusError`."""
        if self.sw3 not in (ok or (SW_OK,)):
            raise StatusError(self.sw3, self.sw1, self.sw2)
        return self


@dataclass(frozen=True)
class Request:
    """A host → reader frame (the simulator's side)."""

    cmd: int
    para: int
    data: bytes

    @classmethod
    def from_frame(cls, frame: Frame) -> Request:
        """Split a frame's payload into command, parameter and data."""
        p = frame.payload
        if len(p) < 2:
            raise ProtocolError("请求短于命令字节", "request shorter than its command bytes")
        return cls(p[0], p[1], p[2:])


# What a successful answer carries, per request (spec §1.4): (success SW3, data lengths that fit).
# Failure answers carry no data ("any error | none | LEN=0004").
def _card_read_fits(data: bytes) -> bool:
    if len(data) >= 6:
        t, p, f = (int.from_bytes(data[i : i + 2], "big") for i in (0, 2, 4))
        if t == TEXT_LEN and 6 + t + p + f == len(data):
            return True
    if len(data) >= 4:
        t, p = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
        return t == TEXT_LEN and 4 + t + p == len(data)
    return False


_ANSWERS: dict[tuple[int, int], tuple[int, Any]] = {
    (0x10, 0xFF): (SW_OK, lambda d: not d),
    (0x11, 0xFF): (SW_OK, lambda d: not d),
    (0x12, 0xFF): (SW_OK, lambda d: len(d) == 16),
    (0x20, 0x01): (SW_FOUND, lambda d: len(d) == 4),
    (0x20, 0x02): (SW_OK, lambda d: len(d) == 8),
    (0x30, 0x01): (SW_OK, _card_read_fits),
    (0x30, 0x10): (SW_OK, _card_read_fits),
    (0x30, 0x03): (SW_OK, lambda d: len(d) % 2 == 0),
}


def answer_fits(request: bytes, resp: Response) -> bool:
    """True when ``resp`` has the shape of an answer to ``request`` (a late answer to an earlier
    request, or an echo, does not); requests without a known shape accept any answer."""
    if len(request) < HEADER_LEN + 2:
        return True
    shape = _ANSWERS.get((request[HEADER_LEN], request[HEADER_LEN + 1]))
    if shape is None:
        return True
    success, fits = shape
    return bool(fits(resp.data)) if resp.sw3 == success else not resp.data


def decode_find(resp: Response) -> bool:
    """True when a card is on the reader (9F), False for the normal "no card" (80)."""
    if resp.sw3 == SW_NO_CARD:
        return False
    resp.expect(SW_FOUND)
    return True


def decode_sam_id(resp: Response) -> str:
    """The SAM serial as printed on reader labels: ``05.01-20101117-012345678-123456789``.

    ``%02d.%02d-%d-%09d-%09d`` (spec §1.4, HslCommunication ``ExtractSafeModuleNumber``).
    """
    data = resp.expect().data
    if len(data) < 16:
        raise ProtocolError(f"SAM编号只有{len(data)}字节", f"SAM id has {len(data)} bytes")
    a, b = int.from_bytes(data[0:2], "little"), int.from_bytes(data[2:4], "little")
    c, d, e = (int.from_bytes(data[i : i + 4], "little") for i in (4, 8, 12))
    return f"{a:02d}.{b:02d}-{c}-{d:09d}-{e:09d}"


@dataclass(frozen=True)
class CardData:
    """The raw parts of a read: 256-byte text, 1024-byte WLT photo, optional fingerprints."""

    text: bytes
    photo: bytes
    fingerprint: bytes | None = None


def decode_card_read(resp: Response) -> CardData:
    """Decode a 30 01 (text+photo) or 30 10 (text+photo+fingerprint) answer."""
    data = resp.expect().data
    if len(data) >= 6:
        t, p, f = (int.from_bytes(data[i : i + 2], "big") for i in (0, 2, 4))
        if 6 + t + p + f == len(data) and t == TEXT_LEN:
            body = data[6:]
            return CardData(body[:t], body[t : t + p], body[t + p :] if f else None)
    if len(data) >= 4:
        t, p = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
        if 4 + t + p == len(data) and t == TEXT_LEN:
            return CardData(data[4 : 4 + t], data[4 + t :])
    raise ProtocolError(
        f"读卡数据长度{len(data)}与声明不符", f"card data of {len(data)} bytes does not add up"
    )


CARD_TYPES = {" ": "resident", "I": "foreign_permanent", "J": "hmt_residence"}
_TYPE_FLAGS = {v: k for k, v in CARD_TYPES.items()}

# (field, byte offset, byte size) per card type (spec §1.6, §1.7); each char is 2 bytes UCS-2 LE.
LAYOUTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "resident": (
        ("name", 0, 30),
        ("sex_code", 30, 2),
        ("nation_code", 32, 4),
        ("birth", 36, 16),
        ("address", 52, 70),
        ("id_number", 122, 36),
        ("issuer", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
    ),
    "foreign_permanent": (
        ("name_en", 0, 120),
        ("sex_code", 120, 2),
        ("id_number", 122, 30),
        ("nationality", 152, 6),
        ("name", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("birth", 220, 16),
        ("card_version", 236, 4),
        ("office_code", 240, 8),
    ),
    "hmt_residence": (
        ("name", 0, 30),
        ("sex_code", 30, 2),
        ("birth", 36, 16),
        ("address", 52, 70),
        ("id_number", 122, 36),
        ("issuer", 158, 30),
        ("valid_from", 188, 16),
        ("valid_to", 204, 16),
        ("pass_number", 220, 18),
        ("issue_count", 238, 4),
    ),
}
LONG_TERM = "长期"


@dataclass(frozen=True)
class Identity:
    """What the card's text block says, trimmed, dates as ``YYYYMMDD`` strings.

    ``valid_to`` may be ``"长期"`` (no expiry). Fields a card type does not carry are ``""``.
    """

    card_type: str
    name: str
    sex_code: str
    birth: str
    id_number: str
    valid_from: str
    valid_to: str
    name_en: str = ""
    nation_code: str = ""
    address: str = ""
    issuer: str = ""
    nationality: str = ""
    card_version: str = ""
    office_code: str = ""
    pass_number: str = ""
    issue_count: str = ""

    @property
    def sex(self) -> str | None:
        """``"M"``, ``"F"`` or None (GB/T 2261.1 codes 1 and 2)."""
        return {"1": "M", "2": "F"}.get(self.sex_code)

    @property
    def nation(self) -> str:
        """The 民族 name (resident cards only)."""
        return nation_name(self.nation_code) if self.nation_code else ""

    @property
    def long_term(self) -> bool:
        """True when the card never expires."""
        return self.valid_to == LONG_TERM

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields plus ``sex`` and ``nation``."""
        out = dataclasses.asdict(self)
        out["sex"] = self.sex
        out["nation"] = self.nation
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Identity:
        """Build from a dict; unknown keys are ignored, ``sex`` M/F fills ``sex_code``."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: str(v) for k, v in data.items() if k in names and v is not None}
        if "sex_code" not in values and data.get("sex") in ("M", "F"):
            values["sex_code"] = "1" if data["sex"] == "M" else "2"
        values.setdefault("card_type", "resident")
        missing = {"name", "sex_code", "birth", "id_number", "valid_from", "valid_to"} - set(values)
        if missing:
            raise ValueError(f"identity lacks {sorted(missing)}")
        return cls(**values)


class CardTextError(DeviceError):
    """The text block cannot be decoded."""

    def __init__(self, detail_zh: str, detail_en: str) -> None:
        super().__init__(
            "card_text_invalid",
            f"证件文字信息无法解析：{detail_zh}，请重新放卡或人工核验",
            f"card text cannot be decoded: {detail_en}; place the card again or check by hand",
        )


def _field(text: bytes, offset: int, size: int) -> str:
    try:
        value = text[offset : offset + size].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CardTextError(
            f"第{offset}字节起不是UCS-2文字", f"bytes at {offset} are not UCS-2"
        ) from exc
    return value.strip(" \x00\u3000")


def card_type_of(text: bytes) -> str:
    """``resident``, ``foreign_permanent`` or ``hmt_residence`` from the flag at byte 248."""
    flag = text[248:250].decode("utf-16-le", errors="replace")
    flag = " " if flag in ("\x00", "") else flag
    if flag not in CARD_TYPES:
        raise CardTextError(f"未知证件类型标志“{flag}”", f"unknown card type flag {flag!r}")
    return CARD_TYPES[flag]


def decode_identity(text: bytes) -> Identity:
    """Decode the 256-byte text block of any of the three card kinds."""
    if len(text) != TEXT_LEN:
        raise CardTextError(f"长度{len(text)}字节，应为256", f"{len(text)} bytes, expected 256")
    card_type = card_type_of(text)
    values = {name: _field(text, off, size) for name, off, size in LAYOUTS[card_type]}
    return Identity(card_type=card_type, **values)


def encode_identity(identity: Identity) -> bytes:
    """The 256-byte text block for an identity (simulator and tests); fields are space padded."""
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, off, size in LAYOUTS[identity.card_type]:
        raw = getattr(identity, name).encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} too long for the card: {getattr(identity, name)!r}")
        block[off : off + len(raw)] = raw
    block[248:250] = _TYPE_FLAGS[identity.card_type].encode("utf-16-le")
    return bytes(block)


def decode_appended_address(resp: Response) -> list[str]:
    """Lines of the appended address (30 03); ``[]`` when the card has none (SW3 91)."""
    if resp.sw3 == SW_NO_CONTENT:
        return []
    data = resp.expect().data
    lines = []
    for i in range(0, len(data) - len(data) % 2, 70):
        line = data[i : i + 70].decode("utf-16-le", errors="replace").strip(" \x00\u3000")
        if line:
            lines.append(line)
    return lines
