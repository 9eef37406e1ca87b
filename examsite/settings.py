"""Every setting of the site server, declared once: (name, default, help). A test checks the docs cover them."""

from __future__ import annotations

import os
from typing import Any, NamedTuple


class Setting(NamedTuple):
    name: str
    default: Any
    help: str


SETTINGS: list[Setting] = [
    Setting(
        "DATABASE", None, "Path of the site SQLite file; default `<instance>/examsite.sqlite3`."
    ),
    Setting("SITE_NAME", "示范考点", "Name of the exam site shown on terminals and records."),
    Setting("SITE_ID", "SITE-DEMO", "The site's id at the provincial cloud."),
    Setting(
        "ASYNC_MODE",
        None,
        "Socket.IO async mode; the composition root sets `gevent`, tests use `threading`.",
    ),
    Setting(
        "MAX_EVENT_BYTES",
        1_000_000,
        "Largest Socket.IO message accepted (a capture JPEG is at most 512 KiB).",
    ),
    Setting(
        "PING_INTERVAL_S", 25, "Engine.IO ping interval: how fast a vanished terminal is noticed."
    ),
    Setting(
        "TICK_S",
        1.0,
        "Period of the exam clock job (check-in opening, late cut, auto-collect, captures).",
    ),
    Setting("TIME_PUSH_S", 60.0, "How often running sessions get the server time pushed."),
    Setting(
        "ANSWER_PROCESS",
        True,
        "`serve`: store answers in a process of their own (the second core); off: in the server's.",
    ),
    Setting("LANGUAGE", "zh", "Default language of pages: `zh` or `en`."),
    Setting(
        "TIME_ZONE",
        "Asia/Shanghai",
        "The site's time zone (IANA name or `UTC+8`): terminals show wall-clock times in it.",
    ),
    Setting("CLOUD_URL", "http://127.0.0.1:5100", "Base URL of the provincial cloud."),
    Setting(
        "CAPTCHA_FIXED",
        None,
        "Drills and load tests only: every captcha has this text. Never set on exam day.",
    ),
    Setting("SECRET_KEY", None, "Flask secret key; generated and kept in the database when unset."),
    Setting("SYNC_INTERVAL_S", 30, "How often the outbox is pushed to the provincial cloud."),
    Setting("SYNC_BATCH", 2000, "Records per signed push batch."),
    Setting(
        "SYNC_RETRIES", 3, "Retries of a failed push request (with back-off) before the next run."
    ),
    Setting(
        "SYNC_CAPTURE_IMAGES",
        False,
        "Push capture images too (not only their metadata); the purge keeps images never pushed.",
    ),
]

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def defaults() -> dict[str, Any]:
    """Every setting at its default."""
    return {s.name: s.default for s in SETTINGS}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings given as `EXAMSITE_<NAME>` environment variables (numbers converted by the default's type)."""
    environ = dict(os.environ if environ is None else environ)
    out: dict[str, Any] = {}
    for s in SETTINGS:
        raw = environ.get(f"EXAMSITE_{s.name}")
        if raw is None:
            continue
        if isinstance(s.default, bool):  # before int: bool("0") would be True
            out[s.name] = _flag(f"EXAMSITE_{s.name}", raw)
        elif isinstance(s.default, int | float):
            out[s.name] = type(s.default)(raw)
        else:
            out[s.name] = raw
    return out


def _flag(variable: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        f"环境变量 {variable}={raw!r} 无效，请写 1 或 0"
        f"（{variable} must be 1/true/yes/on or 0/false/no/off）"
    )
