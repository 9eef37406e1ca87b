"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

import json
from typing import Any

from flask_socketio import SocketIO

socketio = SocketIO()


def _bounded_int(digits: str) -> int:
    # Engine.IO's own guard: an integer of thousands of digits costs quadratic time to parse.
    if len(digits) > 100:
        raise ValueError("Integer is too large")
    return int(digits)


class WireJSON:
    """The JSON of Socket.IO packets: Engine.IO's module, with its decoder built once.

    Engine.IO's `loads` passes `parse_int` on every call, which makes `json.loads` build a new
    decoder per packet (1.5 % of the server's CPU at 1,000 answers/s, py-spy).
    """

    _decoder = json.JSONDecoder(parse_int=_bounded_int)
    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(s: str | bytes) -> Any:
        if isinstance(s, bytes):
            s = s.decode("utf-8")
        return WireJSON._decoder.decode(s)
