"""The faster unmasking and UTF-8 check given to gevent-websocket give the same results."""

from __future__ import annotations

import random

from geventwebsocket.utf8validator import Utf8Validator as Original

from examsite.wsfast import Utf8Validator, unmask


class Frame:
    def __init__(self, mask: bytes):
        self.mask = mask


def test_unmasking_is_the_per_byte_xor() -> None:
    rng = random.Random(7)
    for n in [0, 1, 3, 4, 5, 125, 126, 1000, 65536]:
        key = bytes(rng.randrange(256) for _ in range(4))
        payload = bytes(rng.randrange(256) for _ in range(n))
        expected = bytearray(b ^ key[i % 4] for i, b in enumerate(payload))
        assert unmask(Frame(key), payload) == expected
        assert unmask(Frame(key), unmask(Frame(key), payload)) == payload
    assert unmask(Frame(b"\x00\x00\x00\x00"), b"\x00\x00\x01") == b"\x00\x00\x01"  # zeros kept


def test_the_utf8_check_agrees_with_gevent_websockets_own() -> None:
    text = "答题 ✓ 判断/单选/多选 🚒".encode()
    cases = [
        [text],
        [text[:2], text[2:]],  # a character split between two frames
        [b"\xff"],
        [b"ok", b"\xc3\x28"],
        [b"\xed\xa0\x80"],  # a surrogate: not UTF-8
        [b"\xe5\x88"],  # a message that stops inside a character
        [b""],
    ]
    for frames in cases:
        ours, theirs = Utf8Validator(), Original()
        for f in frames:
            a, b = ours.validate(f), theirs.validate(bytearray(f))
            assert a[:2] == b[:2], (frames, a, b)
            if not a[0]:
                break
        ours.reset()
        assert ours.validate(text) == (True, True, len(text), len(text))
