"""A simulated SAM reader that speaks the real protocol on a pty and/or ``socket://host:port``.

Driven by a line protocol, from code (:meth:`SimulatedReader.command`), from stdin, or over a
control TCP port::

    place wang                     place a preset identity (see devices.idcard.presets)
    place {"name": "…", …}         place an identity given as JSON (Identity fields)
    remove                         take the card away
    fail 41 [find|select|read] [n] answer the next n such requests with that status
    fail garbage | fail silent     answer the next request with noise / not at all
    unplug | plug                  drop the link / bring it back (the pty path stays valid)
    status | presets | help

Run it: ``python -m devices.idcard.simulator --pty /tmp/idcard --control 127.0.0.1:7101`` and
drive it with ``python -m devices.idcard.simulator send --control 127.0.0.1:7101 place wang``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import select
import socket
import sys
import termios
import threading
import time
import tty
from collections.abc import Callable
from typing import Any

from devices.idcard import codec
from devices.idcard.codec import FrameBuffer, Identity, Request
from devices.idcard.presets import PRESETS, fake_photo
from devices.idcard.reader import ReaderGone

# SAM serial 05.01-20101117-012345678-123456789 (invented)
_SAM_ID = b"".join(
    n.to_bytes(size, "little")
    for n, size in ((5, 2), (1, 2), (20101117, 4), (12345678, 4), (123456789, 4))
)
COMMANDS = (
    "place <preset>|<json>",
    "remove",
    "fail <hex status> [find|select|read|any] [count]",
    "fail garbage|silent",
    "unplug",
    "plug",
    "status",
    "presets",
    "help",
)
_DEFAULT_FAIL_ON = {0x80: "find", 0x81: "select"}
_BAUD_CONSTANTS = {getattr(termios, f"B{b}"): b for b in (9600, 19200, 38400, 57600, 115200)}


class SimulatedCard:
    """The protocol engine: request frame in, answer frame out (no I/O)."""

    def __init__(self, read_delay: float = 0.0, sleep: Callable[[float], None] = time.sleep):
        self._lock = threading.Lock()
        self.identity: Identity | None = None
        self.photo = b""
        self.selected = False
        self.read_delay = read_delay
        self._sleep = sleep
        self._faults: list[tuple[str, str | int]] = []  # (on, status | "garbage" | "silent")
        self.requests = 0

    def place(self, identity: Identity) -> None:
        """Put a card on the reader."""
        codec.encode_identity(identity)  # refuse what cannot be on a card before placing it
        with self._lock:
            self.identity, self.photo, self.selected = (
                identity,
                fake_photo(identity.id_number),
                False,
            )

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self.identity, self.selected = None, False

    def fail(self, what: str | int, on: str | None = None, count: int = 1) -> None:
        """Queue ``count`` failures: a status byte, ``"garbage"`` or ``"silent"``."""
        if on is None:
            on = _DEFAULT_FAIL_ON.get(what, "read") if isinstance(what, int) else "any"
        with self._lock:
            self._faults.extend([(on, what)] * count)

    def _fault_for(self, kind: str) -> str | int | None:
        for i, (on, what) in enumerate(self._faults):
            if on in (kind, "any"):
                del self._faults[i]
                return what
        return None

    def answer(self, request: Request) -> bytes | None:
        """The answer frame for a request; None means stay silent."""
        kind = {(0x20, 0x01): "find", (0x20, 0x02): "select"}.get((request.cmd, request.para))
        if request.cmd == 0x30:
            kind = "read"
        with self._lock:
            self.requests += 1
            fault = self._fault_for(kind or "other")
            if fault == "silent":
                return None
            if fault == "garbage":
                return bytes(range(0x30, 0x70)) * 3
            if isinstance(fault, int):
                return codec.build_response(fault)
            return self._normal_answer(request, kind)

    def _normal_answer(self, request: Request, kind: str | None) -> bytes:
        ok = codec.build_response
        if kind == "find":
            self.selected = False
            return ok(codec.SW_FOUND, bytes(4)) if self.identity else ok(codec.SW_NO_CARD)
        if kind == "select":
            self.selected = self.identity is not None
            return ok(codec.SW_OK, bytes(8)) if self.selected else ok(0x81)
        if kind == "read":
            return self._read_answer(request.para)
        if request.cmd in (0x10, 0x11, 0x60, 0x61):
            return ok(codec.SW_OK)
        if (request.cmd, request.para) == (0x12, 0xFF):
            return ok(codec.SW_OK, _SAM_ID)
        return ok(0x21)

    def _read_answer(self, para: int) -> bytes:
        ok = codec.build_response
        if self.identity is None or not self.selected:
            return ok(0x41)
        if para == 0x03:
            return ok(codec.SW_NO_CONTENT)
        if para not in (0x01, 0x10):
            return ok(0x21)
        self.selected = False  # the card must be found and selected again for the next read
        if self.read_delay:
            self._sleep(self.read_delay)
        text = codec.encode_identity(self.identity)
        lengths = [len(text), len(self.photo)] + ([0] if para == 0x10 else [])
        head = b"".join(n.to_bytes(2, "big") for n in lengths)
        return ok(codec.SW_OK, head + text + self.photo)

    def state(self) -> dict[str, Any]:
        """What the simulator holds now."""
        with self._lock:
            return {
                "card": self.identity.to_dict() if self.identity else None,
                "pending_faults": [
                    [on, w if isinstance(w, str) else f"{w:02X}"] for on, w in self._faults
                ],
                "requests": self.requests,
            }


class SimulatedUsbPipes:
    """:class:`~devices.idcard.transport_usb.UsbPipes` answered by a :class:`SimulatedCard`.

    ``four_pipe`` exposes 0x02/0x06/0x81/0x85, otherwise one OUT (0x01) and one IN (0x82), read
    in 64-byte packets. :meth:`vanish` makes the device disappear; ``vanish_after_reads`` makes it
    disappear in the middle of an answer.
    """

    def __init__(self, card: SimulatedCard, four_pipe: bool = True) -> None:
        self.card = card
        self.four_pipe = four_pipe
        self.addresses = {0x02, 0x06, 0x81, 0x85} if four_pipe else {0x01, 0x82}
        self._buffer = FrameBuffer()
        self._answer = b""
        self.gone = False
        self.vanish_after_reads: int | None = None
        self.closed = False

    def vanish(self) -> None:
        """Unplug the device."""
        self.gone = True

    def _check(self) -> None:
        if self.gone:
            raise ReaderGone("usb:sim", "No such device (it may have been disconnected)")

    def write(self, address: int, data: bytes, timeout: float) -> None:
        """Take request bytes on an OUT endpoint."""
        self._check()
        if address not in self.addresses or address & 0x80:
            raise ValueError(f"no OUT endpoint {address:#04x}")
        for event in self._buffer.feed(data):
            if isinstance(event, codec.Frame):
                self._answer += self.card.answer(Request.from_frame(event)) or b""

    def read(self, address: int, size: int, timeout: float) -> bytes:
        """Hand out answer bytes: header on 0x81 and body on 0x85, or 64-byte packets."""
        self._check()
        if self.vanish_after_reads is not None:
            if self.vanish_after_reads <= 0:
                self.gone = True
                self._check()
            self.vanish_after_reads -= 1
        # four-pipe: the 7-byte header on 0x81, the rest on 0x85; single pipe: 64-byte packets
        take = (7 if address == 0x81 else size) if self.four_pipe else min(size, 64)
        chunk, self._answer = self._answer[:take], self._answer[take:]
        return chunk

    def close(self) -> None:
        """Release (nothing held)."""
        self.closed = True


def parse_identity(arg: str) -> Identity:
    """A preset name or a JSON object of identity fields."""
    arg = arg.strip()
    if arg in PRESETS:
        return PRESETS[arg]
    if arg.startswith("{"):
        return Identity.from_dict(json.loads(arg))
    raise ValueError(f"unknown preset {arg!r}; presets: {', '.join(PRESETS)} (or a JSON object)")


class SimulatedReader:
    """The engine on real byte streams: a pty (with a stable symlink) and/or a TCP port."""

    def __init__(
        self,
        pty_link: str | None = None,
        tcp: tuple[str, int] | None = None,
        use_pty: bool = True,
        baudrate: int | None = None,
        read_delay: float = 0.0,
        pace: bool = False,
    ) -> None:
        self.card = SimulatedCard(read_delay)
        self.baudrate = baudrate  # when set, a pty at another speed gets noise, like a real UART
        # when set, bytes take as long as on a UART: 10 bits each (start, 8 data, stop) at the
        # line speed (``baudrate``, else the pty's current speed, else 115200 on TCP)
        self.pace = pace
        self._pty_link = pty_link
        self._use_pty = use_pty or pty_link is not None
        self._tcp_addr = tcp
        self._stop = threading.Event()
        self._plugged = threading.Event()
        self._threads: list[threading.Thread] = []
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self.pty_path: str | None = None
        self.tcp_url: str | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> SimulatedReader:
        """Open the pty / TCP port and serve in background threads."""
        if self._tcp_addr is not None:
            self._listener = socket.create_server(self._tcp_addr)
            host, port = self._listener.getsockname()[:2]
            self.tcp_url = f"socket://{host}:{port}"
            self._spawn(self._serve_tcp)
        if self._use_pty:
            self._open_pty()
            self._spawn(self._serve_pty)
        self._plugged.set()
        return self

    def stop(self) -> None:
        """Stop serving and release everything."""
        self._stop.set()
        self._plugged.set()
        self._close_link()
        if self._listener is not None:
            self._listener.close()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._pty_link and os.path.islink(self._pty_link):
            os.unlink(self._pty_link)

    def __enter__(self) -> SimulatedReader:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What to give ``open_reader``: the pty link (or path), else the socket URL."""
        if self._use_pty:
            return self._pty_link or self.pty_path or ""
        return self.tcp_url or ""

    def unplug(self) -> None:
        """Drop the link as an unplugged cable would: the client sees EIO / a closed socket."""
        self._plugged.clear()
        self._close_link()

    def plug(self) -> None:
        """Bring the link back (a new pty behind the same link path)."""
        if self._use_pty:
            self._open_pty()
        self._plugged.set()

    # -- control ------------------------------------------------------------------------------
    def place(self, identity: Identity | str) -> None:
        """Place a card: an :class:`Identity`, a preset name or JSON."""
        self.card.place(parse_identity(identity) if isinstance(identity, str) else identity)

    def remove(self) -> None:
        """Remove the card."""
        self.card.remove()

    def command(self, line: str) -> str:
        """Run one control line; the reply starts with ``ok`` or ``error``."""
        verb, _, rest = line.strip().partition(" ")
        try:
            if verb == "place":
                self.place(rest)
                return f"ok placed {self.card.identity.name if self.card.identity else ''}"
            if verb == "remove":
                self.remove()
                return "ok removed"
            if verb == "fail":
                return self._fail_command(rest.split())
            if verb == "unplug":
                self.unplug()
                return "ok unplugged"
            if verb == "plug":
                self.plug()
                return "ok plugged"
            if verb == "status":
                return "ok " + json.dumps(self.card.state(), ensure_ascii=False)
            if verb == "presets":
                return "ok " + " ".join(PRESETS)
            if verb in ("help", ""):
                return "ok " + " | ".join(COMMANDS)
            return f"error unknown command {verb!r}; try help"
        except (ValueError, KeyError) as exc:
            return f"error {exc}"

    def _fail_command(self, args: list[str]) -> str:
        if not args:
            raise ValueError("fail needs a status (hex, e.g. 41), garbage or silent")
        what: str | int = args[0].lower()
        if what not in ("garbage", "silent"):
            what = int(args[0], 16)
            if not 0 <= what <= 255:
                raise ValueError("status must be one byte")
        on = next((a for a in args[1:] if a in ("find", "select", "read", "any")), None)
        count = next((int(a) for a in args[1:] if a.isdigit()), 1)
        self.card.fail(what, on, count)
        return f"ok failing next {count}"

    # -- serving ------------------------------------------------------------------------------
    def _spawn(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True, name=f"idcard-sim-{target.__name__}")
        thread.start()
        self._threads.append(thread)

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing before a client sets the port up
        self._master, self._slave = master, slave
        self.pty_path = os.ttyname(slave)
        if self._pty_link:
            tmp = f"{self._pty_link}.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(self.pty_path, tmp)
            os.replace(tmp, self._pty_link)

    def _close_link(self) -> None:
        master, slave, self._master, self._slave = self._master, self._slave, None, None
        for fd in (master, slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()

    def _handle(
        self, buffer: FrameBuffer, data: bytes, write: Callable[[bytes], None], noisy: bool
    ) -> None:
        for event in buffer.feed(data):
            if isinstance(event, codec.FrameError):
                write(codec.build_response(0x10 if event.code == "bad_checksum" else 0x11))
                continue
            try:
                answer = self.card.answer(Request.from_frame(event))
            except codec.ProtocolError:
                answer = codec.build_response(0x11)
            if answer is not None:
                write(bytes(b ^ 0x5A for b in answer) if noisy else answer)

    def _serve_pty(self) -> None:
        buffer = FrameBuffer()
        while not self._stop.is_set():
            master = self._master
            if master is None or not self._plugged.is_set():
                self._plugged.wait(0.1)
                buffer.clear()
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(master, 4096)
            except (OSError, ValueError):
                time.sleep(0.05)
                continue
            write = functools.partial(_write_all, master)
            if self.pace:
                baud = self.baudrate or _BAUD_CONSTANTS.get(_line_speed(master), 115200)
                time.sleep(_wire_time(len(data), baud))  # the request's bytes on the line
                write = functools.partial(_paced, write, baud)
            self._handle(buffer, data, write, self._wrong_speed(master))

    def _wrong_speed(self, master: int) -> bool:
        if self.baudrate is None:
            return False
        return _BAUD_CONSTANTS.get(_line_speed(master)) != self.baudrate

    def _serve_tcp(self) -> None:
        assert self._listener is not None
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            if not self._plugged.wait(0.1):
                continue
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self._client = client
            client.settimeout(0.2)
            buffer = FrameBuffer()
            while not self._stop.is_set() and self._client is client:
                try:
                    data = client.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                write: Callable[[bytes], None] = client.sendall
                if self.pace:
                    baud = self.baudrate or 115200
                    time.sleep(_wire_time(len(data), baud))
                    write = functools.partial(_paced, client.sendall, baud)
                with contextlib.suppress(OSError):
                    self._handle(buffer, data, write, False)
            with contextlib.suppress(OSError):
                client.close()


def _line_speed(fd: int) -> int | None:
    try:
        return int(termios.tcgetattr(fd)[4])
    except (termios.error, OSError):
        return None


def _wire_time(count: int, baud: int) -> float:
    """Seconds ``count`` bytes take on a UART at ``baud`` (10 bits a byte)."""
    return count * 10 / baud


def _paced(write: Callable[[bytes], None], baud: int, data: bytes, chunk: int = 32) -> None:
    """Write ``data`` no faster than the line speed allows."""
    started = time.perf_counter()
    for at in range(0, len(data), chunk):
        write(data[at : at + chunk])
        behind = started + _wire_time(min(at + chunk, len(data)), baud) - time.perf_counter()
        if behind > 0:
            time.sleep(behind)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [], 0.5)
            continue
        except OSError:
            return  # the link was unplugged while answering
        view = view[written:]


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def _serve_control(
    sim: SimulatedReader, address: tuple[str, int], ready: Callable[[str], None]
) -> None:
    listener = socket.create_server(address)
    host, port = listener.getsockname()[:2]
    ready(f"{host}:{port}")

    def handle(conn: socket.socket) -> None:
        with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as stream:
            for line in stream:
                if line.strip():
                    stream.write(sim.command(line) + "\n")
                    stream.flush()

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def send_command(control: str, line: str, timeout: float = 5.0) -> str:
    """Send one control line to a running simulator and return its reply."""
    with socket.create_connection(_host_port(control), timeout=timeout) as conn:
        conn.sendall(line.encode("utf-8") + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply.decode("utf-8").strip()


def main(argv: list[str] | None = None) -> int:
    """CLI: serve a simulated reader, or send one command to a running one."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "send":
        parser = argparse.ArgumentParser(
            prog="idcard-sim send", description="send one control line"
        )
        parser.add_argument(
            "--control", required=True, help="HOST:PORT of the simulator's control port"
        )
        parser.add_argument("words", nargs="+", help="e.g. place wang | remove | fail 41")
        args = parser.parse_args(argv[1:])
        try:
            reply = send_command(args.control, " ".join(args.words))
        except OSError as exc:
            print(
                f"error 无法连接模拟读卡器控制端口（cannot reach the simulator control port）: {exc}"
            )
            return 2
        print(reply)
        return 0 if reply.startswith("ok") else 1
    parser = argparse.ArgumentParser(
        prog="idcard-sim", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument(
        "--pty", metavar="LINK", help="symlink path for the pty (stable across unplug/plug)"
    )
    parser.add_argument("--no-pty", action="store_true", help="do not open a pty")
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", help="also serve the protocol on TCP (socket://)"
    )
    parser.add_argument("--control", metavar="HOST:PORT", help="accept control lines on TCP")
    parser.add_argument("--baud", type=int, help="answer only at this line speed (pty)")
    parser.add_argument("--read-delay", type=float, default=0.0, help="seconds a read takes")
    parser.add_argument(
        "--pace", action="store_true", help="send and take bytes at the line speed, like a UART"
    )
    parser.add_argument("--place", metavar="PRESET|JSON", help="card on the reader at start")
    args = parser.parse_args(argv)
    sim = SimulatedReader(
        pty_link=args.pty,
        tcp=_host_port(args.tcp) if args.tcp else None,
        use_pty=not args.no_pty,
        baudrate=args.baud,
        read_delay=args.read_delay,
        pace=args.pace,
    ).start()
    info: dict[str, str | None] = {"pty": sim.url if not args.no_pty else None, "tcp": sim.tcp_url}
    if args.control:
        ready = threading.Event()

        def announce(addr: str) -> None:
            info["control"] = addr
            ready.set()

        threading.Thread(
            target=_serve_control, args=(sim, _host_port(args.control), announce), daemon=True
        ).start()
        ready.wait(5)
    if args.place:
        print(sim.command(f"place {args.place}"), file=sys.stderr)
    print(json.dumps(info), flush=True)
    try:
        for line in sys.stdin:
            if line.strip():
                print(sim.command(line), flush=True)
        while True:  # stdin closed (e.g. started by the demo): keep serving until killed
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
