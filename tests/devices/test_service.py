"""The reader service against the simulator: one event per placement, faults, unplug/replug."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devices.idcard.presets import PRESETS
from devices.idcard.reader import Reader
from devices.idcard.service import CardEvent, ReaderService, ReaderStatus
from devices.idcard.simulator import SimulatedCard, SimulatedReader, SimulatedUsbPipes
from devices.idcard.transport_serial import open_reader
from devices.idcard.transport_usb import UsbTransport

WAIT = 10.0  # upper bound for an expected event; normally it arrives within a few polls


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, CardEvent | ReaderStatus]] = queue.Queue()

    def on_card(self, event: CardEvent) -> None:
        self.events.put(("card", event))

    def on_status(self, status: ReaderStatus) -> None:
        self.events.put((status.state, status))

    def next(self, kind: str) -> CardEvent | ReaderStatus:
        """Skip to the next event of ``kind``; a card event while waiting for something else fails."""
        while True:
            got_kind, event = self.events.get(timeout=WAIT)
            if got_kind == kind:
                return event
            assert got_kind != "card", f"unexpected card event while waiting for {kind}"

    def cards_pending(self) -> list[CardEvent]:
        cards = []
        while not self.events.empty():
            kind, event = self.events.get_nowait()
            if kind == "card":
                assert isinstance(event, CardEvent)
                cards.append(event)
        return cards


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatedReader]:
    with SimulatedReader(pty_link=str(tmp_path / "idcard")) as reader:
        yield reader


def start(service: ReaderService) -> threading.Thread:
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    return thread


def test_one_event_per_placement_and_replug(sim: SimulatedReader) -> None:
    rec = Recorder()
    service = ReaderService(
        lambda: open_reader(sim.url, probe_timeout=0.3, timeout=0.5),
        rec.on_card,
        rec.on_status,
        poll_interval=0.02,
        reopen_interval=0.05,
    )
    thread = start(service)
    try:
        assert rec.next("connected").state == "connected"
        sim.place("wang")
        event = rec.next("card")
        assert isinstance(event, CardEvent)
        assert event.identity == PRESETS["wang"] and event.card_to_data_ms > 0
        assert event.to_dict()["identity"]["sex"] == "M" and event.read_at.endswith("Z")
        # the card stays on the reader for many polls: still one event
        polled = sim.card.requests
        while sim.card.requests < polled + 10:
            threading.Event().wait(0.01)
        assert rec.cards_pending() == []
        sim.remove()
        rec.next("card_removed")
        sim.place("li")
        second = rec.next("card")
        assert isinstance(second, CardEvent) and second.identity.name == "李华"
        sim.unplug()
        status = rec.next("disconnected")
        assert isinstance(status, ReaderStatus) and status.code in (
            "reader_disconnected",
            "reader_not_responding",
        )
        sim.plug()
        rec.next("connected")
        third = rec.next("card")  # the card is still there: a new connection reads it again
        assert isinstance(third, CardEvent) and third.identity.name == "李华"
    finally:
        service.stop()
        thread.join(timeout=WAIT)
    assert not thread.is_alive() and service.reader is None


def test_failed_read_is_retried_then_given_up(sim: SimulatedReader) -> None:
    rec = Recorder()
    service = ReaderService(
        lambda: open_reader(sim.url), rec.on_card, rec.on_status, poll_interval=0.01, attempts=2
    )
    sim.place("wang")
    sim.command("fail 41 read 1")
    thread = start(service)
    try:
        failed = rec.next("read_failed")
        assert isinstance(failed, ReaderStatus) and failed.code == "card_read_failed"
        assert "证件" in failed.message
        assert isinstance(rec.next("card"), CardEvent)
        # two failures in a row: the placement is given up until the card is lifted
        sim.remove()
        rec.next("card_removed")
        sim.command("fail 41 read 2")
        sim.place("li")
        rec.next("read_failed")
        rec.next("read_failed")
        polled = sim.card.requests
        while sim.card.requests < polled + 10:
            threading.Event().wait(0.01)
        assert rec.cards_pending() == []
    finally:
        service.stop()
        thread.join(timeout=WAIT)


def test_step_by_step_with_a_callback_that_raises() -> None:
    card = SimulatedCard()
    pipes = SimulatedUsbPipes(card)
    statuses: list[str] = []

    def broken_on_card(event: CardEvent) -> None:
        raise RuntimeError("bug in the site's handler")

    service = ReaderService(
        lambda: Reader(UsbTransport(pipes, "usb:sim"), timeout=0.1),
        broken_on_card,
        lambda s: statuses.append(s.state),
        sleep=lambda _: None,
    )
    assert service.step() == service.poll_interval
    card.place(PRESETS["wang"])
    service.step()
    assert service.cards_read == 1 and service.present
    pipes.vanish()
    assert service.step() == service.reopen_interval
    assert statuses == ["connected", "disconnected"]


def test_unopenable_reader_reports_once_and_keeps_trying() -> None:
    statuses: list[ReaderStatus] = []
    attempts = []

    def opener() -> Reader:
        attempts.append(1)
        return open_reader("/dev/ttyNOSUCHREADER")

    service = ReaderService(opener, lambda e: None, statuses.append, sleep=lambda _: None)
    for _ in range(3):
        service.step()
    assert len(attempts) == 3
    assert [s.code for s in statuses] == ["reader_port_missing"]
    assert statuses[0].to_dict()["message"].startswith("找不到读卡器串口")


def test_device_io_goes_through_run_blocking_and_callbacks_stay_on_the_loop(
    sim: SimulatedReader,
) -> None:
    """Open/find/read run on the runner's one native thread; on_card and on_status on the
    service's own thread (under gevent: the greenlet, so the desk may use the event loop)."""
    io_threads: set[int] = set()
    callback_threads: set[int] = set()
    rec = Recorder()

    def opener() -> Reader:
        io_threads.add(threading.get_ident())
        return open_reader(sim.url)

    def on_card(event: CardEvent) -> None:
        callback_threads.add(threading.get_ident())
        rec.on_card(event)

    def on_status(status: ReaderStatus) -> None:
        callback_threads.add(threading.get_ident())
        rec.on_status(status)

    with ThreadPoolExecutor(1) as native:

        def runner(fn: Callable[..., Any], *args: Any) -> Any:
            def run() -> Any:
                io_threads.add(threading.get_ident())
                return fn(*args)

            return native.submit(run).result()

        service = ReaderService(opener, on_card, on_status, poll_interval=0.01, run_blocking=runner)
        thread = start(service)
        try:
            rec.next("connected")
            sim.place(PRESETS["li"])
            event = rec.next("card")
            assert isinstance(event, CardEvent) and event.identity.name == PRESETS["li"].name
        finally:
            service.stop()
            thread.join(WAIT)
    assert len(io_threads) == 1 and callback_threads == {thread.ident}
    assert thread.ident not in io_threads


GEVENT_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()
    import sys
    import time
    import gevent
    from devices.idcard.connect import open_configured_reader
    from devices.idcard.service import ReaderService
    from examsite.serve import dedicated_thread_runner

    cards, gaps = [], []
    service = ReaderService(
        lambda: open_configured_reader(sys.argv[1]),
        lambda e: cards.append(e.identity.name),
        poll_interval=0.05,
        sleep=gevent.sleep,
        run_blocking=dedicated_thread_runner(),
    )
    task = gevent.spawn(service.run)
    last = time.perf_counter()
    while len(cards) < 1 and time.perf_counter() - last < 30:
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        gevent.sleep(0.005)
    service.stop()
    task.join(10)
    print(cards, max(gaps) < 0.25, len(gaps) > 20)
    """
)


def test_service_under_gevent_with_its_own_native_thread(tmp_path: Path) -> None:
    """The composition's set-up (monkey-patched gevent, `dedicated_thread_runner`) reads a card
    whose read takes 0.4 s while other greenlets keep running."""
    script = tmp_path / "gevent_reader.py"
    script.write_text(GEVENT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    with SimulatedReader(tcp=("127.0.0.1", 0), use_pty=False, read_delay=0.4) as slow:
        slow.place(PRESETS["wang"])
        out = subprocess.run(
            [sys.executable, str(script), slow.url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"['{PRESETS['wang'].name}'] True True"
