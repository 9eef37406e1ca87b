"""The reader service: poll for a card, read it once per placement, survive unplug/replug.

Runs as a plain loop (:meth:`ReaderService.run`) with a pluggable ``sleep`` and
``run_blocking``, so the site server can start it with
``socketio.start_background_task(service.run)``, ``sleep=socketio.sleep`` and a runner that moves
the device I/O (opening, find/select/read, closing) to one native thread: pyusb calls block the
whole OS thread, which under gevent would freeze the server. The callbacks run on the loop's own
thread (the greenlet), after the I/O of each step, so they may use the event loop freely.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devices.errors import DeviceError
from devices.idcard.codec import CardData, Identity
from devices.idcard.reader import Reader, ReaderGone, ReaderTimeout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardEvent:
    """One card placement, read and decoded."""

    identity: Identity
    data: CardData
    card_to_data_ms: float  # from the find that saw the card to the decoded identity
    read_at: str  # UTC ISO-8601 with Z
    reader: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: identity fields, timing, and the WLT photo as base64."""
        return {
            "identity": self.identity.to_dict(),
            "photo_wlt_b64": base64.b64encode(self.data.photo).decode("ascii"),
            "card_to_data_ms": round(self.card_to_data_ms, 1),
            "read_at": self.read_at,
            "reader": self.reader,
        }


@dataclass(frozen=True)
class ReaderStatus:
    """A change the desk should see: connected, disconnected, card_removed, read_failed."""

    state: str
    reader: str
    code: str = ""
    message_zh: str = ""
    message_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """Chinese first, English in brackets."""
        return f"{self.message_zh}（{self.message_en}）" if self.message_zh else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "state": self.state,
            "reader": self.reader,
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            **self.extra,
        }


_PLAIN_MESSAGES = {
    "connected": ("读卡器已连接", "ID card reader connected"),
    "card_removed": ("证件已取走", "card removed"),
}


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ReaderService:
    """Poll ``open_reader()``'s reader and call ``on_card`` once per card placement.

    ``open_reader`` is called again after the reader vanished (unplug, repeated silence), every
    ``reopen_interval`` seconds until it succeeds. A card counts as removed after
    ``absent_after`` "no card" answers in a row, so RF flicker does not produce a second event.
    A failed read is retried on the next polls, up to ``attempts`` times per placement.
    ``run_blocking(fn)`` runs each step's device I/O (default: a plain call); it must always use
    the same thread, since a transport's handles belong to the thread that opened them.
    """

    def __init__(
        self,
        open_reader: Callable[[], Reader],
        on_card: Callable[[CardEvent], None],
        on_status: Callable[[ReaderStatus], None] | None = None,
        *,
        poll_interval: float = 0.2,
        reopen_interval: float = 2.0,
        absent_after: int = 2,
        attempts: int = 3,
        timeouts_before_reconnect: int = 2,
        fingerprint: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.perf_counter,
        name: str = "idcard",
        run_blocking: Callable[..., Any] | None = None,
    ) -> None:
        self._open = open_reader
        self._on_card = on_card
        self._on_status = on_status
        self.poll_interval = poll_interval
        self.reopen_interval = reopen_interval
        self.absent_after = absent_after
        self.attempts = attempts
        self.timeouts_before_reconnect = timeouts_before_reconnect
        self.fingerprint = fingerprint
        self._sleep = sleep
        self._clock = clock
        self.name = name
        self._run_blocking = run_blocking or (lambda fn, *args: fn(*args))
        self._pending: list[tuple[Callable[[Any], None], Any]] = []
        self._stop = threading.Event()
        self.reader: Reader | None = None
        self.present = False
        self._misses = 0
        self._failures = 0
        self._timeouts = 0
        self._last_state = ""
        self.cards_read = 0

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current step."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    def run(self) -> None:
        """Loop until :meth:`stop`: connect, poll, sleep. Never raises for device trouble."""
        try:
            while not self._stop.is_set():
                delay = self.step()
                if not self._stop.is_set():
                    self._sleep(delay)
        finally:
            self._run_blocking(self._disconnect)

    def step(self) -> float:
        """One connect-or-poll step; returns how long to sleep before the next.

        The device I/O goes through ``run_blocking``; the callbacks it produced are then called
        here, on the caller's thread.
        """
        try:
            return float(self._run_blocking(self._step_io))
        finally:
            self._flush()

    def _step_io(self) -> float:
        if self.reader is None:
            try:
                self.reader = self._open()
            except DeviceError as exc:
                self._status("disconnected", exc)
                return self.reopen_interval
            self._timeouts = 0
            self._status("connected")
        try:
            self._poll(self.reader)
        except (ReaderGone, ReaderTimeout) as exc:
            self._timeouts += 1
            if isinstance(exc, ReaderGone) or self._timeouts >= self.timeouts_before_reconnect:
                self._disconnect()
                self._status("disconnected", exc)
                return self.reopen_interval
        except DeviceError as exc:
            self._status("error", exc)
        except Exception as exc:  # a bug in a callback or codec must not end check-in for the day
            log.exception("ID card reader step failed")
            self._status(
                "error", DeviceError("reader_internal_error", "读卡服务内部错误", str(exc))
            )
        return self.poll_interval

    def _poll(self, reader: Reader) -> None:
        started = self._clock()
        if not reader.find():
            self._timeouts = 0
            self._misses += 1
            if self.present and self._misses >= self.absent_after:
                self.present = False
                self._status("card_removed")
            return
        self._timeouts = 0
        self._misses = 0
        if self.present:
            return
        try:
            reader.select()
            result = reader.read(self.fingerprint)
        except (ReaderGone, ReaderTimeout):
            raise
        except DeviceError as exc:
            self._failures += 1
            if self._failures >= self.attempts:
                self.present = True  # give up on this placement; wait for the card to be lifted
                self._failures = 0
            self._status("read_failed", exc)
            return
        self.present = True
        self._failures = 0
        self.cards_read += 1
        event = CardEvent(
            result.identity,
            result.data,
            (self._clock() - started) * 1000,
            _utc_now(),
            reader.description,
        )
        self._pending.append((self._on_card, event))

    def _disconnect(self) -> None:
        reader, self.reader = self.reader, None
        self.present = False
        self._misses = self._failures = 0
        if reader is not None:
            reader.close()

    def _status(self, state: str, error: DeviceError | None = None) -> None:
        description = self.reader.description if self.reader else self.name
        key = f"{state}:{error.code if error else ''}"
        # repeated "still disconnected" would flood the console; report changes only
        if state in ("disconnected", "connected") and key == self._last_state:
            return
        self._last_state = key
        zh, en = _PLAIN_MESSAGES.get(state, ("", ""))
        status = ReaderStatus(
            state,
            description,
            error.code if error else state,
            error.message_zh if error else zh,
            error.message_en if error else en,
        )
        if self._on_status is not None:
            self._pending.append((self._on_status, status))

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for callback, arg in pending:
            try:
                callback(arg)
            except Exception:
                log.exception(
                    "ID card reader callback %s failed", getattr(callback, "__name__", "")
                )
