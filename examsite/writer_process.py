"""The answer writer in a process of its own: the server's second core stores the answers.

The site server is one Python thread. At 2,000 terminals answering every 2 s, applying and
committing the answer batches took a third of it (py-spy, scripts/bench_room.py), and while a
batch was applied no terminal's message was read: the acknowledgement tail. Here the group
writer (`examsite.store.writer`) hands each batch to a child process over a socket pair; the
child applies it with the same `store_batch` on its own connection to the same SQLite file
(WAL: one writer at a time, readers never blocked), commits, and sends one acknowledgement per
event back. The server acknowledges only what the child reports committed, as before.

If the child dies, hangs or cannot start, the batch is stored in the server's own process
instead: storing is idempotent (a re-sent event is acknowledged again without a second write),
so a batch the child may have committed before it died is stored once. A new child is tried
after `RETRY_S`.

Frames on the socket: a 4-byte big-endian length, then `marshal` of a list of events (or of
acknowledgements): JSON values only, nothing that can run code.
"""

from __future__ import annotations

import argparse
import logging
import marshal
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from examsite.store.writer import Store, store_batch

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 2**20
#: A batch waits at most this long for the child (its busy timeout is 10 s).
REPLY_TIMEOUT_S = 30.0
#: After a failure, batches are stored here for this long before a new child is tried.
RETRY_S = 30.0


def send(sock: socket.socket, obj: Any) -> None:
    """One frame."""
    body = marshal.dumps(obj)
    sock.sendall(HEADER.pack(len(body)) + body)


def receive(sock: socket.socket) -> Any:
    """One frame, or None when the other end has closed."""
    head = _exactly(sock, HEADER.size)
    if head is None:
        return None
    (n,) = HEADER.unpack(head)
    if n > MAX_FRAME:
        raise ValueError(f"frame of {n} bytes")
    body = _exactly(sock, n)
    if body is None:
        raise EOFError("frame cut short")
    return marshal.loads(body)


def _exactly(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 2**20))
        if not chunk:
            if buf:
                raise EOFError("frame cut short")
            return None
        buf += chunk
    return bytes(buf)


class ChildStore:
    """A `GroupWriter.store` that stores each batch in the answer-writer process.

    `local` stores a batch in this process; it is used while no child can be had.
    """

    def __init__(
        self,
        database: str | Path,
        zone: str,
        local: Store,
        *,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        retry_s: float = RETRY_S,
    ):
        self.database, self.zone, self.local = str(database), zone, local
        self.reply_timeout_s, self.retry_s = reply_timeout_s, retry_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.retry_at = 0.0
        self.failures = 0
        self.local_batches = 0

    def start(self) -> None:
        """Start the child now (the first batch need not wait for it)."""
        ours, theirs = socket.socketpair()
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "examsite.writer_process",
                    self.database,
                    "--zone",
                    self.zone,
                    "--fd",
                    str(theirs.fileno()),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.settimeout(self.reply_timeout_s)
        self.sock = ours
        log.info("answer writer process %d started", self.proc.pid)

    def __call__(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.sock is None and time.monotonic() >= self.retry_at:
            try:
                self.start()
            except OSError as e:
                self._failed(f"cannot start: {e}")
        if self.sock is not None:
            try:
                send(self.sock, items)
                out = receive(self.sock)
                if isinstance(out, list) and len(out) == len(items):
                    return out
                self._failed("closed" if out is None else "answered out of step")
            except (OSError, EOFError, ValueError, TypeError) as e:
                self._failed(str(e) or type(e).__name__)
        self.local_batches += 1
        return self.local(items)

    def _failed(self, why: str) -> None:
        self.failures += 1
        self.retry_at = time.monotonic() + self.retry_s
        log.error(
            "answer writer process failed (%s): answers are stored by the server itself, "
            "a new writer process is tried in %.0f s",
            why,
            self.retry_s,
        )
        self.close()

    def close(self) -> None:
        """End the child (it finishes the batch it holds, if any) and forget it."""
        sock, proc = self.sock, self.proc
        self.sock = self.proc = None
        if sock is not None:
            sock.close()
        if proc is not None:
            try:
                proc.wait(timeout=5)  # the child sees the socket close and exits
            except subprocess.TimeoutExpired:
                proc.kill()  # a hung child: its open transaction rolls back
                proc.wait()


def serve_batches(sock: socket.socket, store: Store) -> None:
    """The child's loop: a batch in, its acknowledgements out, until the server goes away."""
    while True:
        try:
            items = receive(sock)
        except (OSError, EOFError, ValueError) as e:
            log.error("answer writer: bad frame from the server (%s); exiting", e)
            return
        if items is None:
            return
        results = store(items)
        try:
            send(sock, results)
        except OSError:
            return  # the server is gone; what was committed is re-sent and acked as duplicate


def main(argv: list[str] | None = None) -> int:
    """The child process: `python -m examsite.writer_process DATABASE --zone Z --fd N`."""
    ap = argparse.ArgumentParser(description="The site server's answer-writer process.")
    ap.add_argument("database")
    ap.add_argument("--zone", default="Asia/Shanghai")
    ap.add_argument("--fd", type=int, required=True)
    a = ap.parse_args(argv)
    # Ctrl-C in the server's terminal reaches the whole process group: the child ends when the
    # server closes the socket, after the batch it holds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s answer-writer %(message)s")

    from examsite.engine.zone import site_zone
    from examsite.exam import ExamDay
    from examsite.store.db import SiteDB

    sock = socket.socket(fileno=a.fd)
    sock.setblocking(True)  # the server's end is a gevent socket: non-blocking, inherited
    sitedb = SiteDB(a.database)
    sitedb.manual_checkpoints()  # the server's checkpoint job copies the WAL, off both loops
    exam = ExamDay.on(sitedb, site_zone(a.zone))
    log.info("answer writer %d on %s", os.getpid(), a.database)
    try:
        serve_batches(sock, lambda items: store_batch(sitedb, exam.apply_event, items))
    finally:
        sitedb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
