"""USB bulk transport for SAM readers that enumerate as 0400:C35A (``specs/idcard-sam.md`` §2).

Two schemes, chosen by the endpoints the interface exposes:

* four-pipe: header (preamble + LEN) out on 0x02, the rest on 0x06; answers come back the same
  way, header on 0x81 and body on 0x85 (openiDR200);
* single-pipe: the whole frame on the first OUT endpoint, the answer on the first IN endpoint.

The byte pipes sit behind :class:`UsbPipes`, so the scheme logic also runs against the
simulator's pipes in tests. Linux needs libusb-1.0 (the ``libusb-package`` wheel ships one) and a
udev rule for access without root; see ``docs/devices.md``.
"""

from __future__ import annotations

import contextlib
import errno
from typing import Any, Protocol

from devices.errors import DeviceError
from devices.idcard.reader import Reader, ReaderGone

VENDOR_ID = 0x0400
PRODUCT_ID = 0xC35A
FOUR_PIPES = {0x02, 0x06, 0x81, 0x85}
UDEV_RULE = 'SUBSYSTEM=="usb", ATTR{idVendor}=="0400", ATTR{idProduct}=="c35a", MODE="0660", GROUP="plugdev"'


class UsbPipes(Protocol):
    """Bulk endpoints of one interface, by address."""

    addresses: set[int]

    def write(self, address: int, data: bytes, timeout: float) -> None:
        """Bulk write; raise :class:`ReaderGone` when the device vanished."""

    def read(self, address: int, size: int, timeout: float) -> bytes:
        """Bulk read; ``b""`` on timeout; raise :class:`ReaderGone` when the device vanished."""

    def close(self) -> None:
        """Release the interface."""


class UsbTransport:
    """A :class:`~devices.idcard.reader.Transport` over :class:`UsbPipes`."""

    def __init__(self, pipes: UsbPipes, description: str) -> None:
        self._pipes = pipes
        self.description = description
        self.scheme = "four_pipe" if pipes.addresses >= FOUR_PIPES else "single_pipe"
        outs = sorted(a for a in pipes.addresses if not a & 0x80)
        ins = sorted(a for a in pipes.addresses if a & 0x80)
        if self.scheme == "single_pipe" and (not outs or not ins):
            raise DeviceError(
                "usb_reader_unsupported",
                "读卡器的USB接口没有可用的批量端点，请改用串口或更换读卡器",
                "the reader's USB interface has no bulk endpoints; use serial or another reader",
            )
        self._out = outs[0] if outs else 0x02
        self._in = ins[0] if ins else 0x81
        self._header_pending = False

    def send(self, data: bytes) -> None:
        """Write a frame (split across 0x02/0x06 in the four-pipe scheme)."""
        if self.scheme == "four_pipe":
            self._pipes.write(0x02, data[:7], 1.0)
            self._pipes.write(0x06, data[7:], 1.0)
            self._header_pending = True
        else:
            self._pipes.write(self._out, data, 1.0)

    def receive(self, timeout: float) -> bytes:
        """The next chunk of the answer (header pipe first, then body pipe)."""
        if self.scheme == "four_pipe":
            if self._header_pending:
                chunk = self._pipes.read(0x81, 64, timeout)
                if chunk:
                    self._header_pending = False
                return chunk
            return self._pipes.read(0x85, 4096, timeout)
        return self._pipes.read(self._in, 4096, timeout)

    def discard_input(self) -> None:
        """Nothing to do: USB answers are only read after a request."""

    def close(self) -> None:
        """Release the device."""
        self._pipes.close()


def usb_error(exc: Exception, description: str) -> DeviceError:
    """Translate a pyusb error into what the technician should do."""
    code = getattr(exc, "errno", None)
    if code == errno.EACCES:
        return DeviceError(
            "usb_permission",
            "没有权限访问USB读卡器，请安装 docs/devices.md 中的 udev 规则后重新插拔读卡器",
            f"no permission for the USB reader; install the udev rule ({UDEV_RULE}) and replug it",
        )
    if code == errno.EBUSY:
        return DeviceError(
            "usb_busy",
            "USB读卡器被其他程序占用，请关闭厂商读卡软件后重试",
            "the USB reader is in use by another program; close the vendor software and retry",
        )
    if code in (errno.ENODEV, errno.EIO, errno.EPIPE, errno.ENOENT):
        return ReaderGone(description, str(exc))
    return DeviceError("usb_error", f"USB读卡器错误：{exc}", f"USB reader error: {exc}")


class PyUsbPipes:
    """:class:`UsbPipes` on a pyusb device (interface 0, alternate setting 0)."""

    def __init__(self, device: Any, description: str) -> None:
        import usb.core
        import usb.util

        self._usb = usb
        self._device = device
        self.description = description
        try:
            if device.is_kernel_driver_active(0):
                device.detach_kernel_driver(0)
        except (NotImplementedError, usb.core.USBError):
            pass  # not on Linux, or no kernel driver bound: nothing to detach
        try:
            device.set_configuration()
            interface = device.get_active_configuration()[(0, 0)]
        except usb.core.USBError as exc:
            raise usb_error(exc, description) from exc
        self._endpoints = {e.bEndpointAddress: e for e in interface}
        self.addresses = set(self._endpoints)

    def write(self, address: int, data: bytes, timeout: float) -> None:
        """Bulk write."""
        try:
            self._endpoints[address].write(data, int(timeout * 1000))
        except self._usb.core.USBTimeoutError as exc:
            raise ReaderGone(self.description, "write timed out") from exc
        except self._usb.core.USBError as exc:
            raise usb_error(exc, self.description) from exc

    def read(self, address: int, size: int, timeout: float) -> bytes:
        """Bulk read, ``b""`` on timeout."""
        try:
            return bytes(self._endpoints[address].read(size, max(1, int(timeout * 1000))))
        except self._usb.core.USBTimeoutError:
            return b""
        except self._usb.core.USBError as exc:
            raise usb_error(exc, self.description) from exc

    def close(self) -> None:
        """Release the interface and the device."""
        with contextlib.suppress(self._usb.core.USBError):
            self._usb.util.dispose_resources(self._device)


def _backend() -> Any:
    try:
        import libusb_package

        backend = libusb_package.get_libusb1_backend()
        if backend is not None:
            return backend
    except ImportError:
        pass
    import usb.backend.libusb1

    return usb.backend.libusb1.get_backend()


def open_usb_reader(
    vendor_id: int = VENDOR_ID,
    product_id: int = PRODUCT_ID,
    timeout: float = 1.0,
    read_timeout: float = 3.0,
) -> Reader:
    """Find the USB reader and open it; every failure is a :class:`DeviceError` with advice."""
    description = f"usb:{vendor_id:04x}:{product_id:04x}"
    try:
        import usb.core
    except ImportError as exc:
        raise DeviceError(
            "usb_no_pyusb",
            "未安装 pyusb，请运行 scripts/setup",
            "pyusb is not installed; run scripts/setup",
        ) from exc
    backend = _backend()
    if backend is None:
        raise DeviceError(
            "usb_no_libusb",
            "找不到 libusb-1.0，请安装 libusb-1.0-0（Debian）或 libusb-package",
            "libusb-1.0 not found; install libusb-1.0-0 (Debian) or the libusb-package wheel",
        )
    try:
        device = usb.core.find(idVendor=vendor_id, idProduct=product_id, backend=backend)
    except usb.core.USBError as exc:
        raise usb_error(exc, description) from exc
    if device is None:
        raise DeviceError(
            "usb_reader_missing",
            f"未找到USB身份证读卡器（{vendor_id:04X}:{product_id:04X}），请检查是否插好，"
            "或用 lsusb 查看其编号后在设置中填写",
            f"no USB ID card reader {vendor_id:04X}:{product_id:04X} found; check it is plugged "
            "in, or look up its id with lsusb and set it",
        )
    pipes = PyUsbPipes(device, description)
    return Reader(UsbTransport(pipes, description), timeout=timeout, read_timeout=read_timeout)
