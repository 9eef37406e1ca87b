"""Request/answer over any transport, and the find → select → read sequence.

A transport moves bytes (serial, USB, a simulator); this module adds framing, deadlines and
clear errors, so the transports stay thin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from devices.errors import DeviceError
from devices.idcard import codec
from devices.idcard.codec import CardData, Frame, FrameBuffer, FrameError, Identity, Response


class Transport(Protocol):
    """Bytes to and from a reader; raises :class:`ReaderGone` when the device vanished."""

    description: str

    def send(self, data: bytes) -> None:
        """Write one request frame."""

    def receive(self, timeout: float) -> bytes:
        """Whatever arrived within ``timeout`` seconds (``b""`` for nothing)."""

    def discard_input(self) -> None:
        """Drop bytes received but not read (a late answer to an earlier request)."""

    def close(self) -> None:
        """Release the device; safe to call twice."""


class ReaderGone(DeviceError):
    """The reader disappeared (unplugged, port closed, USB device vanished)."""

    def __init__(self, description: str, detail: str = "") -> None:
        extra = f"：{detail}" if detail else ""
        super().__init__(
            "reader_disconnected",
            f"读卡器 {description} 已断开{extra}，请检查连接线，插好后会自动重连",
            f"ID card reader {description} disconnected{(': ' + detail) if detail else ''}; "
            "check the cable, it reconnects by itself",
        )


class ReaderTimeout(DeviceError):
    """No valid answer within the deadline: silence, or only garbage."""

    def __init__(self, description: str, timeout: float, garbage: int, errors: list[FrameError]):
        self.garbage = garbage
        self.frame_errors = errors
        if garbage or errors:
            super().__init__(
                "reader_garbage",
                f"读卡器 {description} 应答无法识别（{garbage}字节，{len(errors)}个坏帧），"
                "请检查波特率、连接线，或更换读卡器",
                f"ID card reader {description} answered {garbage} unreadable bytes "
                f"({len(errors)} bad frames); check baud rate and cable, or replace the reader",
            )
        else:
            super().__init__(
                "reader_no_answer",
                f"读卡器 {description} 在{timeout:.1f}秒内无应答，请检查电源和连接线",
                f"ID card reader {description} did not answer within {timeout:.1f} s; "
                "check power and cable",
            )


def exchange(
    transport: Transport,
    request: bytes,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
) -> Response:
    """Send one request and return the first answer that fits it, or raise within ``timeout``.

    Frames that do not fit (an echo of the request, a late answer to an earlier one, a data
    length the request never gets) are skipped and counted as bad frames.
    """
    buffer = FrameBuffer()
    errors: list[FrameError] = []
    transport.discard_input()
    transport.send(request)
    deadline = clock() + timeout
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise ReaderTimeout(
                transport.description, timeout, buffer.discarded + len(buffer), errors
            )
        for event in buffer.feed(transport.receive(remaining)):
            if isinstance(event, Frame):
                answer = _answer(event, request)
                if answer is not None:
                    return answer
                event = FrameError("unexpected_answer", "frame does not fit the request", event.raw)
            errors.append(event)


def _answer(frame: Frame, request: bytes) -> Response | None:
    if frame.raw == request or len(frame.payload) < 3:
        return None  # an echo, or a request-shaped frame: not the reader's answer
    answer = Response.from_frame(frame)
    return answer if codec.answer_fits(request, answer) else None


@dataclass(frozen=True)
class CardRead:
    """One successful read: decoded text plus the raw parts."""

    identity: Identity
    data: CardData


class Reader:
    """The SAM commands over a transport, each with its own deadline."""

    def __init__(
        self,
        transport: Transport,
        timeout: float = 1.0,
        read_timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        # GA 450 allows up to 1 s for a read; allow three before calling it a fault.
        self.read_timeout = read_timeout
        self._clock = clock

    @property
    def description(self) -> str:
        """Where the reader is (port or URL)."""
        return self.transport.description

    def request(self, frame: bytes, timeout: float | None = None) -> Response:
        """One raw exchange."""
        return exchange(
            self.transport, frame, self.timeout if timeout is None else timeout, self._clock
        )

    def status(self) -> None:
        """Ask the SAM whether it is healthy (raises on a failure status)."""
        self.request(codec.STATUS).expect()

    def sam_id(self) -> str:
        """The SAM's serial number."""
        return codec.decode_sam_id(self.request(codec.SAM_ID))

    def find(self) -> bool:
        """True when a card lies on the reader."""
        return codec.decode_find(self.request(codec.FIND))

    def select(self) -> None:
        """Select the card found (needed before every read)."""
        self.request(codec.SELECT).expect()

    def read(self, fingerprint: bool = False) -> CardRead:
        """Read text and photo (and fingerprints) of the selected card."""
        frame = codec.READ_WITH_FINGERPRINT if fingerprint else codec.READ
        data = codec.decode_card_read(self.request(frame, self.read_timeout))
        return CardRead(codec.decode_identity(data.text), data)

    def read_card(self, fingerprint: bool = False) -> CardRead | None:
        """find → select → read; None when no card is on the reader."""
        if not self.find():
            return None
        self.select()
        return self.read(fingerprint)

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()
