"""docs/protocol.md names every refusal code a terminal can get, and odd event names get an ack."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from examsite.engine.errors import MESSAGES
from examsite.engine.states import REFUSAL_BY_STATE
from tests.core.conftest import Room

ROOT = Path(__file__).resolve().parents[2]
#: Where the codes a terminal can be answered with are raised.
SOURCES = [
    *sorted((ROOT / "examsite" / "candidate").glob("*.py")),
    ROOT / "examsite" / "exam" / "terminal.py",
    ROOT / "examsite" / "exam" / "late.py",
    ROOT / "examsite" / "exam" / "base.py",
    ROOT / "examsite" / "store" / "answers.py",
    ROOT / "examsite" / "store" / "writer.py",
    ROOT / "examsite" / "tokens.py",
]
#: The rules the terminal operations call (check-in's rules belong to the desk).
TERMINAL_RULES = ("check_login", "check_answering", "check_submit")
RAISED = re.compile(r'(?:ExamError|error_ack)\(\s*"([a-z_]+)"|return "(captcha_[a-z_]+)"')


def raised_codes() -> set[str]:
    texts = [path.read_text(encoding="utf-8") for path in SOURCES]
    rules = (ROOT / "examsite" / "engine" / "rules.py").read_text(encoding="utf-8")
    texts += [
        ast.get_source_segment(rules, node) or ""
        for node in ast.parse(rules).body
        if isinstance(node, ast.FunctionDef) and node.name in TERMINAL_RULES
    ]
    codes: set[str] = set()
    for text in texts:
        for m in RAISED.finditer(text):
            codes.add(m[1] or m[2])
    return codes | set(REFUSAL_BY_STATE.values()) | {"bad_transition"}


def test_every_code_a_terminal_can_get_is_in_protocol_md() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    codes = raised_codes()
    assert {"terminal_occupied", "identity_required", "paper_sealed", "no_hello"} <= codes
    missing = sorted(c for c in codes if f"`{c}`" not in doc)
    assert not missing, f"refusal codes missing from docs/protocol.md: {missing}"
    # ... and each has its messages in both languages.
    assert not sorted(c for c in codes if c not in MESSAGES)


def test_an_event_name_that_is_not_a_string_gets_an_error_ack(room: Room) -> None:
    c = room.client("T-1", seat=1)
    for name in (5, None, {"x": 1}):
        ack = c.emit(name, {}, namespace="/candidate", callback=True)
        assert ack["ok"] is False and ack["code"] == "unknown_event"
    assert room.call(c, "time", {})["ok"]  # the connection still serves
