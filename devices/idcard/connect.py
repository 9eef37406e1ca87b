"""Which transport a reader setting names, and opening it.

``usb:`` or ``usb:VVVV:PPPP`` (hex vendor and product id, default 0400:C35A) is a USB reader;
anything else is a pyserial URL: ``/dev/ttyUSB0``, ``COM3``, a pty path, ``socket://host:port``,
``loop://``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.errors import DeviceError
from devices.idcard.reader import Reader
from devices.idcard.transport_usb import PRODUCT_ID, VENDOR_ID

_USB = re.compile(r"^usb:(?:(?P<vid>[0-9a-f]{4}):(?P<pid>[0-9a-f]{4}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class ReaderSpec:
    """A parsed reader setting: ``kind`` is ``usb`` or ``serial``."""

    kind: str
    url: str = ""
    vendor_id: int = VENDOR_ID
    product_id: int = PRODUCT_ID

    @property
    def description(self) -> str:
        """How the reader is named in messages."""
        if self.kind == "usb":
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        return self.url


def parse_reader_spec(spec: str) -> ReaderSpec:
    """``usb:`` / ``usb:0400:c35a`` → USB; any other non-empty text → a serial URL."""
    text = spec.strip()
    if text.lower().startswith("usb:"):
        match = _USB.match(text)
        if not match:
            raise DeviceError(
                "reader_setting_invalid",
                f"读卡器设置“{spec}”无效：USB读卡器应写作 usb: 或 usb:厂商号:产品号（如 usb:0400:C35A）",
                f"reader setting {spec!r} invalid: write usb: or usb:VID:PID (e.g. usb:0400:C35A)",
            )
        if match["vid"]:
            return ReaderSpec(
                "usb", vendor_id=int(match["vid"], 16), product_id=int(match["pid"], 16)
            )
        return ReaderSpec("usb")
    if not text:
        raise DeviceError(
            "reader_setting_invalid",
            "未填写读卡器设置，请填写串口（如 /dev/ttyUSB0）或 usb:",
            "no reader set: give a serial port (e.g. /dev/ttyUSB0) or usb:",
        )
    return ReaderSpec("serial", url=text)


def open_configured_reader(spec: str, probe_timeout: float = 0.5) -> Reader:
    """Open the reader a setting names; every failure is a :class:`DeviceError` with advice."""
    parsed = parse_reader_spec(spec)
    if parsed.kind == "usb":
        from devices.idcard.transport_usb import open_usb_reader

        return open_usb_reader(parsed.vendor_id, parsed.product_id)
    from devices.idcard.transport_serial import open_reader

    return open_reader(parsed.url, probe_timeout=probe_timeout)
