"""USB transport: both pipe schemes over the simulator's pipes, vanishing devices, pyusb errors."""

from __future__ import annotations

import errno

import pytest
import usb.core

from devices.errors import DeviceError
from devices.idcard.presets import PRESETS
from devices.idcard.reader import Reader, ReaderGone
from devices.idcard.simulator import SimulatedCard, SimulatedUsbPipes
from devices.idcard.transport_usb import UDEV_RULE, UsbTransport, open_usb_reader, usb_error


@pytest.mark.parametrize("four_pipe", [True, False])
def test_read_over_both_schemes(four_pipe: bool) -> None:
    card = SimulatedCard()
    pipes = SimulatedUsbPipes(card, four_pipe)
    reader = Reader(UsbTransport(pipes, "usb:sim"), timeout=0.2)
    assert reader.transport.scheme == ("four_pipe" if four_pipe else "single_pipe")  # type: ignore[attr-defined]
    assert reader.read_card() is None
    card.place(PRESETS["hmt"])
    result = reader.read_card()
    assert result is not None and result.identity == PRESETS["hmt"]
    reader.close()
    assert pipes.closed


@pytest.mark.parametrize("four_pipe", [True, False])
def test_device_vanishing_mid_read(four_pipe: bool) -> None:
    card = SimulatedCard()
    card.place(PRESETS["wang"])
    pipes = SimulatedUsbPipes(card, four_pipe)
    reader = Reader(UsbTransport(pipes, "usb:sim"), timeout=0.2)
    reader.find()
    reader.select()
    pipes.vanish_after_reads = 1  # the header arrives, then the device is gone
    with pytest.raises(ReaderGone) as err:
        reader.read()
    assert err.value.code == "reader_disconnected" and "断开" in err.value.message_zh


def test_interface_without_bulk_endpoints() -> None:
    pipes = SimulatedUsbPipes(SimulatedCard(), four_pipe=False)
    pipes.addresses = {0x81}
    with pytest.raises(DeviceError) as err:
        UsbTransport(pipes, "usb:sim")
    assert err.value.code == "usb_reader_unsupported"


@pytest.mark.parametrize(
    ("err_no", "code"),
    [
        (errno.EACCES, "usb_permission"),
        (errno.EBUSY, "usb_busy"),
        (errno.ENODEV, "reader_disconnected"),
        (errno.EIO, "reader_disconnected"),
        (None, "usb_error"),
    ],
)
def test_pyusb_errors_become_advice(err_no: int | None, code: str) -> None:
    error = usb.core.USBError("libusb said no", None, err_no)
    translated = usb_error(error, "usb:0400:c35a")
    assert translated.code == code
    if code == "usb_permission":
        assert "udev" in translated.message_zh and UDEV_RULE in translated.message_en


def test_no_reader_attached() -> None:
    # This machine has no 0400:C35A reader; the error must say so (or that libusb is missing).
    with pytest.raises(DeviceError) as err:
        open_usb_reader()
    assert err.value.code in ("usb_reader_missing", "usb_no_libusb", "usb_error")
    assert "（" in str(err.value)
