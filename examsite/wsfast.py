"""gevent-websocket's two per-byte Python loops, done by CPython's C code instead.

gevent-websocket (the WebSocket Engine.IO uses under gevent) unmasks every frame a terminal
sends with a Python loop over its bytes, and checks text frames are UTF-8 with a Python state
machine, twice per message (the frame, then the whole message). At 1,000 answers/s the two
loops were ~10 % of the server's CPU (py-spy, scripts/bench_room.py). Here the unmasking is one
XOR of two big integers and the check is CPython's incremental UTF-8 decoder: the same results
(tests/core/test_wsfast.py), no dependency. `install()` is called by the composition root.
"""

from __future__ import annotations

import codecs
from typing import Any


def unmask(self: Any, payload: bytes | bytearray) -> bytearray:
    """`Header.mask_payload`: XOR the payload with the frame's 4-byte key, repeated."""
    n = len(payload)
    if not n:
        return bytearray()
    key = (bytes(self.mask) * (n // 4 + 1))[:n]
    return bytearray(
        (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
    )


class Utf8Validator:
    """gevent-websocket's validator interface over CPython's incremental UTF-8 decoder.

    `validate` takes the next bytes of one message and returns (valid?, ends on a code point?,
    index in these bytes, index in the message), as the original does; `reset` starts a message.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._total = 0

    def validate(self, ba: bytes | bytearray) -> tuple[bool, bool, int, int]:
        try:
            self._decoder.decode(bytes(ba), False)
        except UnicodeDecodeError as e:
            return False, False, e.start, self._total + e.start
        self._total += len(ba)
        pending = self._decoder.getstate()[0]
        return True, not pending, len(ba), self._total


def install() -> None:
    """Use these in gevent-websocket (idempotent)."""
    from geventwebsocket import websocket

    websocket.Header.mask_payload = unmask
    websocket.Header.unmask_payload = unmask
    websocket.Utf8Validator = Utf8Validator
