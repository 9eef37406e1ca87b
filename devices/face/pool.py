"""A bounded pool of face worker processes, safe to use from gevent, threads or plain code.

dlib holds the GIL while it computes, so a thread (or a greenlet-backed thread under gevent's
``monkey.patch_all()``) would stall the server. The work therefore runs in separate processes;
each has a feeder thread here that talks to it through pipes with ``select``, which gevent makes
cooperative. Submitting returns a :class:`concurrent.futures.Future` at once, or raises
:class:`Busy` when ``workers + max_queue`` jobs are already waiting.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from devices.errors import DeviceError
from devices.face.matcher import FaceResult, FaceSettings, Verdict

_ROOT = str(Path(__file__).resolve().parents[2])


class Busy(DeviceError):
    """The queue is full; try again shortly."""

    def __init__(self, pending: int) -> None:
        super().__init__(
            "face_busy",
            f"人脸比对排队已满（{pending}个待处理），请稍后重试",
            f"face check queue is full ({pending} waiting); try again shortly",
        )
        self.pending = pending


def _failed(detail: str) -> DeviceError:
    return DeviceError(
        "face_worker_failed",
        f"人脸计算进程异常（{detail}），已自动重启，请重试",
        f"face worker failed ({detail}); it was restarted, try again",
    )


class _Worker:
    """One child process and its pipes."""

    def __init__(
        self, settings: FaceSettings, models_dir: str | None, start_timeout: float
    ) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH", "")) if p)
        env.setdefault("OMP_NUM_THREADS", "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devices.face.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self.pid = self.proc.pid
        kind, value = self.call(("init", settings, models_dir), start_timeout, raw=True)
        if kind != "ready":
            self.kill()
            raise DeviceError(*value)

    def call(self, message: Any, timeout: float, raw: bool = False) -> Any:
        deadline = time.monotonic() + timeout
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(len(body).to_bytes(4, "big") + body, deadline)
        size = int.from_bytes(self._read(4, deadline), "big")
        reply = pickle.loads(self._read(size, deadline))
        if raw:
            return reply
        kind, value = reply
        if kind == "error":
            raise DeviceError(*value)
        return value

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._in, deadline, write=True)
            try:
                view = view[os.write(self._in, view) :]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise _failed(f"pipe closed: {exc}") from exc

    def _read(self, size: int, deadline: float) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            self._wait(self._out, deadline, write=False)
            try:
                chunk = os.read(self._out, size - len(chunks))
            except BlockingIOError:
                continue
            if not chunk:
                raise _failed(f"exit code {self.proc.poll()}")
            chunks += chunk
        return bytes(chunks)

    @staticmethod
    def _wait(fd: int, deadline: float, write: bool) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeviceError(
                "face_timeout",
                "人脸计算超时，请重试",
                "face computation timed out; try again",
            )
        if write:
            select.select([], [fd], [], remaining)
        else:
            select.select([fd], [], [], remaining)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            self.proc.wait(timeout=5)


class FacePool:
    """``workers`` processes computing face checks, with at most ``max_queue`` jobs waiting."""

    def __init__(
        self,
        workers: int = 1,
        max_queue: int = 8,
        settings: FaceSettings | None = None,
        models_dir: str | None = None,
        job_timeout: float = 30.0,
        start_timeout: float = 60.0,
    ) -> None:
        if workers < 1 or max_queue < 0:
            raise ValueError("workers must be ≥ 1 and max_queue ≥ 0")
        self.workers = workers
        self.max_queue = max_queue
        self.settings = settings or FaceSettings()
        self._models_dir = models_dir
        self.job_timeout = job_timeout
        self.start_timeout = start_timeout
        self._jobs: queue.Queue[tuple[Future[Any], str, tuple[Any, ...]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._children: dict[int, _Worker] = {}
        self._threads = [
            threading.Thread(target=self._feed, args=(i,), daemon=True, name=f"face-pool-{i}")
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def pending(self) -> int:
        """Jobs submitted and not finished."""
        return self._pending

    def worker_pids(self) -> list[int]:
        """PIDs of the running worker processes."""
        return [w.pid for w in list(self._children.values())]

    def submit_describe(self, image_bytes: bytes) -> Future[FaceResult]:
        """Queue :meth:`FaceMatcher.describe`; raises :class:`Busy` when full."""
        return self._submit("describe", (image_bytes,))

    def submit_compare(
        self,
        reference: Sequence[float] | bytes,
        image_bytes: bytes,
        threshold: float | None = None,
    ) -> Future[Verdict]:
        """Queue :meth:`FaceMatcher.compare`; raises :class:`Busy` when full."""
        if not isinstance(reference, bytes):
            reference = [float(v) for v in reference]
        return self._submit("compare", (reference, image_bytes, threshold))

    def _submit(self, op: str, args: tuple[Any, ...]) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise DeviceError("face_pool_closed", "人脸比对服务已关闭", "face pool is closed")
            if self._pending >= self.workers + self.max_queue:
                raise Busy(self._pending)
            self._pending += 1
        future: Future[Any] = Future()
        future.add_done_callback(self._done)
        self._jobs.put((future, op, args))
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1

    def _feed(self, index: int) -> None:
        worker: _Worker | None = None
        try:
            worker = self._start(index)
        except DeviceError:
            worker = None  # reported to the first job instead
        while True:
            job = self._jobs.get()
            if job is None:
                break
            future, op, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if worker is None:
                    worker = self._start(index)
                future.set_result(worker.call((op, args), self.job_timeout))
            except DeviceError as exc:
                if exc.code in ("face_worker_failed", "face_timeout") and worker is not None:
                    worker.kill()  # a stuck or dead child is replaced on the next job
                    self._children.pop(index, None)
                    worker = None
                future.set_exception(exc)
            except Exception as exc:
                future.set_exception(exc)
        if worker is not None:
            worker.kill()
            self._children.pop(index, None)

    def _start(self, index: int) -> _Worker:
        worker = _Worker(self.settings, self._models_dir, self.start_timeout)
        self._children[index] = worker
        return worker

    def close(self) -> None:
        """Cancel waiting jobs, stop the workers and wait for them."""
        with self._lock:
            self._closed = True
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> FacePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
