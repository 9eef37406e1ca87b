"""The face worker process: ``python -m devices.face.worker``, driven by :mod:`devices.face.pool`.

Messages on stdin/stdout are a 4-byte big-endian length then a pickle. The pool is the only
peer (a child it started itself), so pickle is safe here. First message: ``("init", settings,
models_dir)``, answered ``("ready", None)``; then ``(op, args)`` answered ``("ok", result)`` or
``("error", (code, message_zh, message_en))``.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any, BinaryIO

from devices.errors import DeviceError


def read_message(stream: BinaryIO) -> Any:
    """One length-prefixed pickle, or None at end of input."""
    head = stream.read(4)
    if len(head) < 4:
        return None
    size = int.from_bytes(head, "big")
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def write_message(stream: BinaryIO, message: Any) -> None:
    """One length-prefixed pickle, flushed."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(body).to_bytes(4, "big") + body)
    stream.flush()


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Answer requests until the input closes."""
    from devices.face.matcher import FaceMatcher

    init = read_message(inp)
    if init is None:
        return
    _, settings, models_dir = init
    matcher = FaceMatcher(settings, models_dir)
    try:
        matcher.load()
    except DeviceError as exc:
        write_message(out, ("error", (exc.code, exc.message_zh, exc.message_en)))
        return
    write_message(out, ("ready", os.getpid()))
    while (request := read_message(inp)) is not None:
        op, args = request
        try:
            if op == "describe":
                result: Any = matcher.describe(*args)
            elif op == "compare":
                result = matcher.compare(*args)
            elif op == "ping":
                result = os.getpid()
            else:
                raise ValueError(f"unknown operation {op!r}")
            write_message(out, ("ok", result))
        except DeviceError as exc:
            write_message(out, ("error", (exc.code, exc.message_zh, exc.message_en)))
        except Exception as exc:  # report, keep serving: one odd input must not kill the worker
            write_message(
                out,
                (
                    "error",
                    ("face_worker_error", f"人脸计算出错：{exc}", f"face worker error: {exc!r}"),
                ),
            )


def main() -> None:
    """Entry point: keep the protocol pipe private so stray prints cannot corrupt it."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
