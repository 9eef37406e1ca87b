"""The serial transport against the simulator on a pty and socket://, and bad readers."""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from devices.errors import DeviceError
from devices.idcard import codec
from devices.idcard.presets import PRESETS
from devices.idcard.reader import ReaderGone, ReaderTimeout, exchange
from devices.idcard.simulator import SimulatedReader
from devices.idcard.transport_serial import SerialTransport, open_port, open_reader


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedReader]:
    with SimulatedReader(pty_link=str(tmp_path / "idcard"), tcp=("127.0.0.1", 0)) as reader:
        yield reader


def test_read_card_over_pty(sim: SimulatedReader) -> None:
    reader = open_reader(sim.url)
    try:
        assert reader.transport.baudrate == 115200  # type: ignore[attr-defined]
        assert reader.read_card() is None
        sim.place("wang")
        result = reader.read_card()
        assert result is not None and result.identity == PRESETS["wang"]
        assert len(result.data.photo) == 1024
        assert reader.sam_id() == "05.01-20101117-012345678-123456789"
        reader.status()
        fp = reader.read_card(fingerprint=True)
        assert fp is not None and fp.data.fingerprint is None  # 30 10 answered with FLEN 0
    finally:
        reader.close()


def test_read_card_over_socket_url(sim: SimulatedReader) -> None:
    assert sim.tcp_url is not None
    sim.place("foreigner")
    reader = open_reader(sim.tcp_url)
    try:
        result = reader.read_card()
        assert result is not None and result.identity.name_en == "TEST, EXAMPLE PERSON"
    finally:
        reader.close()


def test_probe_falls_back_to_9600(tmp_path: Path) -> None:
    with SimulatedReader(baudrate=9600) as slow:
        slow.place("li")
        reader = open_reader(slow.url)
        try:
            assert reader.transport.baudrate == 9600  # type: ignore[attr-defined]
            result = reader.read_card()
            assert result is not None and result.identity.name == "李华"
        finally:
            reader.close()


def test_reader_answering_at_an_unprobed_speed_is_a_clear_error() -> None:
    with SimulatedReader(baudrate=38400) as odd:
        with pytest.raises(DeviceError) as err:
            open_reader(odd.url, probe_timeout=0.3)
        assert err.value.code == "reader_not_responding"
        assert "115200/9600" in err.value.message_zh


def test_silent_port() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        with pytest.raises(DeviceError) as err:
            open_reader(os.ttyname(slave), probe_timeout=0.2)
        assert err.value.code == "reader_not_responding"
        assert "无应答" in err.value.message_zh
    finally:
        os.close(master)
        os.close(slave)


def test_missing_port_and_loop_url() -> None:
    with pytest.raises(DeviceError) as err:
        open_reader("/dev/ttyNOSUCHREADER")
    assert err.value.code == "reader_port_missing"
    # loop:// echoes the request: a frame, but not an answer; it is skipped, never taken for one
    with pytest.raises(DeviceError) as err:
        open_reader("loop://")
    assert err.value.code == "reader_not_responding" and "坏帧" in err.value.message_zh


def test_transport_over_loop_url() -> None:
    transport = open_port("loop://")
    try:
        answer = codec.build_response(0x80)
        transport.send(answer[:5])
        transport.send(answer[5:])
        got = b""
        while len(got) < len(answer):
            chunk = transport.receive(0.5)
            assert chunk
            got += chunk
        assert got == answer
        assert transport.receive(0.01) == b""
    finally:
        transport.close()
        transport.close()


def test_faults_and_unplug(sim: SimulatedReader) -> None:
    reader = open_reader(sim.url, timeout=0.3)
    try:
        sim.place("wang")
        assert sim.command("fail 41") == "ok failing next 1"
        with pytest.raises(codec.StatusError) as status:
            reader.read_card()
        assert status.value.sw3 == 0x41
        sim.command("fail garbage find")
        with pytest.raises(ReaderTimeout) as timeout:
            reader.find()
        assert timeout.value.code == "reader_garbage"
        sim.command("fail silent")
        with pytest.raises(ReaderTimeout) as timeout:
            reader.find()
        assert timeout.value.code == "reader_no_answer"
        assert reader.find() is True
        sim.unplug()
        with pytest.raises(ReaderGone):
            reader.find()
    finally:
        reader.close()
    sim.plug()
    again = open_reader(sim.url)
    try:
        assert again.find() is True
    finally:
        again.close()


def test_socket_reader_that_goes_away(sim: SimulatedReader) -> None:
    assert sim.tcp_url is not None
    reader = open_reader(sim.tcp_url, timeout=0.3)
    try:
        sim.unplug()
        with pytest.raises((ReaderGone, ReaderTimeout)):
            reader.find()
    finally:
        reader.close()


def test_serial_transport_wraps_any_pyserial_port() -> None:
    port = serial.serial_for_url("loop://", timeout=0.1)
    transport = SerialTransport(port, "loop")
    transport.close()
    with pytest.raises(ReaderGone):
        transport.send(b"x")


def test_exchange_skips_an_echo_and_a_late_answer() -> None:
    """A late read answer (to a request that timed out) and the echoed request arrive before
    the find answer: exchange() returns the find answer, not the first well-formed frame."""
    master, slave = os.openpty()
    tty.setraw(slave)
    transport = open_port(os.ttyname(slave))
    try:
        late = codec.build_response(0x90, b"\x01\x00\x04\x00" + bytes(1280))

        def reader_side() -> None:
            got = b""
            while not got.endswith(codec.FIND):
                got += os.read(master, 64)
            os.write(master, late + codec.FIND + codec.build_response(0x9F, bytes(4)))

        helper = threading.Thread(target=reader_side)
        helper.start()
        answer = exchange(transport, codec.FIND, 5.0)
        helper.join(5)
        assert (answer.sw3, answer.data) == (0x9F, bytes(4))
    finally:
        transport.close()
        os.close(master)


def test_paced_simulator_takes_as_long_as_a_uart(tmp_path: Path) -> None:
    """With ``pace`` the simulator moves bytes at the line speed: find + select + read of a
    1295-byte answer at 115200 baud need at least 1359 bytes × 10 bits on the wire."""
    with SimulatedReader(pty_link=str(tmp_path / "paced"), baudrate=115200, pace=True) as paced:
        reader = open_reader(paced.url)
        try:
            paced.place(PRESETS["wang"])
            started = time.perf_counter()
            result = reader.read_card()
            took = time.perf_counter() - started
        finally:
            reader.close()
    assert result is not None and result.identity.name == PRESETS["wang"].name
    wire = (3 * 10 + 15 + 19 + 1295) * 10 / 115200
    assert took >= wire * 0.95, (took, wire)
