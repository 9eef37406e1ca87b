"""Serial transport (RS-232 or USB-serial bridge) opened by URL through pyserial.

``/dev/ttyUSB0``, ``COM3``, ``loop://``, ``socket://127.0.0.1:7000`` and a simulator's pty all
work. The reader is probed at 115200 baud first and 9600 second: most SAM modules default to
115200 but some builds (CVR-100 family) ship at 9600 (``specs/idcard-sam.md`` §1.1).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Sequence
from typing import Any

import serial

from devices.errors import DeviceError
from devices.idcard import codec
from devices.idcard.reader import Reader, ReaderGone, ReaderTimeout, exchange

PROBE_BAUDRATES = (115200, 9600)

# What a vanished port raises: pyserial's own error, the OS error, or (tcdrain on a pty whose
# other end closed) termios.error, which is not an OSError.
_LINK_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, TypeError)
try:
    import termios

    _LINK_ERRORS += (termios.error,)
except ImportError:  # Windows
    pass


class SerialTransport:
    """A pyserial port as a :class:`~devices.idcard.reader.Transport`."""

    # Any: pyserial's stubs type serial_for_url() as SerialBase, which lacks in_waiting & co.
    def __init__(self, port: Any, description: str) -> None:
        self._port = port
        self.description = description

    @property
    def baudrate(self) -> int:
        """The current line speed."""
        return int(self._port.baudrate)

    @baudrate.setter
    def baudrate(self, value: int) -> None:
        self._port.baudrate = value

    def send(self, data: bytes) -> None:
        """Write a frame."""
        try:
            self._port.write(data)
            self._port.flush()
        except _LINK_ERRORS as exc:
            raise ReaderGone(self.description, str(exc)) from exc

    def receive(self, timeout: float) -> bytes:
        """Block up to ``timeout`` for the first byte, then take whatever else is waiting."""
        try:
            self._port.timeout = max(timeout, 0.001)
            first = self._port.read(1)
            if not first:
                return b""
            waiting = self._port.in_waiting
            return first + (self._port.read(waiting) if waiting else b"")
        except _LINK_ERRORS as exc:
            raise ReaderGone(self.description, str(exc)) from exc

    def discard_input(self) -> None:
        """Drop stale bytes."""
        try:
            self._port.reset_input_buffer()
        except _LINK_ERRORS as exc:
            raise ReaderGone(self.description, str(exc)) from exc

    def close(self) -> None:
        """Close the port (idempotent)."""
        # pyserial's socket:// close() shuts the socket down first and, when the peer has already
        # gone (ENOTCONN), swallows the error and drops the socket without closing it: keep a
        # reference and close it here so no descriptor leaks.
        sock = getattr(self._port, "_socket", None)
        with contextlib.suppress(*_LINK_ERRORS):
            self._port.close()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


def open_port(url: str, baudrate: int = PROBE_BAUDRATES[0]) -> SerialTransport:
    """Open ``url`` without probing; raise a :class:`DeviceError` that says what to do."""
    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.1, write_timeout=2.0)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise _open_error(url, exc) from exc
    return SerialTransport(port, url)


def _open_error(url: str, exc: Exception) -> DeviceError:
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code == errno.EACCES or "Permission denied" in text:
        return DeviceError(
            "reader_permission",
            f"没有权限打开读卡器串口 {url}，请把运行用户加入 dialout 组后重新登录",
            f"no permission to open {url}; add the user to the dialout group and log in again",
        )
    if code in (errno.ENOENT, errno.ENODEV) or "No such file" in text or "could not open" in text:
        return DeviceError(
            "reader_port_missing",
            f"找不到读卡器串口 {url}，请检查读卡器是否插好、端口名是否正确",
            f"serial port {url} not found; check the reader is plugged in and the port name",
        )
    return DeviceError(
        "reader_port_error",
        f"无法打开读卡器串口 {url}：{text}",
        f"cannot open serial port {url}: {text}",
    )


def open_reader(
    url: str,
    baudrates: Sequence[int] = PROBE_BAUDRATES,
    probe_timeout: float = 0.5,
    timeout: float = 1.0,
    read_timeout: float = 3.0,
) -> Reader:
    """Open ``url`` and find the baud rate at which the SAM answers the status request."""
    transport = open_port(url, baudrates[0])
    last: DeviceError | None = None
    for baudrate in baudrates:
        try:
            transport.baudrate = baudrate
            exchange(transport, codec.STATUS, probe_timeout).expect()
        except ReaderTimeout as exc:
            last = exc
            continue
        except DeviceError:
            transport.close()
            raise
        return Reader(transport, timeout=timeout, read_timeout=read_timeout)
    transport.close()
    tried = "/".join(str(b) for b in baudrates)
    raise DeviceError(
        "reader_not_responding",
        f"串口 {url} 上的读卡器在 {tried} 波特率下均无正确应答，请确认这是身份证读卡器并检查电源"
        f"（{last.message_zh if last else ''}）",
        f"no ID card reader answered on {url} at {tried} baud; check it is an ID card reader "
        f"and powered ({last.message_en if last else ''})",
    )
