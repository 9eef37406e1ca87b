"""The console's settings, declared once: (name, default, help), like `examsite.settings`.

Applied by `examsite.console.register` where the app's config does not already name them; each
can also come from an `EXAMSITE_<NAME>` environment variable.
"""

from __future__ import annotations

import os
from typing import Any

from examsite.settings import Setting

CONSOLE_SETTINGS: list[Setting] = [
    Setting("CONSOLE_IDLE_MIN", 30, "Console login expires after this many idle minutes."),
    Setting("CONSOLE_MAX_HOURS", 12, "Console login expires this many hours after it began."),
    Setting("CONSOLE_LOCK_FAILURES", 5, "Wrong passwords in a row before an account is locked."),
    Setting("CONSOLE_LOCK_MIN", 15, "Minutes an account stays locked after too many failures."),
    Setting(
        "IDCARD_READER",
        "",
        "ID-card reader for the check-in desk: a serial port (`/dev/ttyUSB0`), a pty path, "
        "`socket://host:port` (simulator), or a USB reader `usb:` / `usb:VID:PID` (hex, default "
        "0400:C35A); empty: no reader.",
    ),
    Setting(
        "DESK_CAMERA",
        "",
        "Check-in desk camera: an index (`0`), a stream URL, or `folder:/path` (image folder); "
        "empty: no camera.",
    ),
    Setting("FACE_WORKERS", 1, "Face-matching worker processes (dlib holds a core each)."),
    Setting("FACE_THRESHOLD", 0.5, "Largest descriptor distance still called the same person."),
    Setting(
        "RELEASE_FETCH_TIMEOUT_S",
        5.0,
        "开考 with a sealed paper and no typed code: seconds to wait for the cloud's release code.",
    ),
    Setting("CONSOLE_REFRESH_S", 2.0, "How often consoles are told that new answers were stored."),
    Setting("CAPTURE_CHECK_S", 2.0, "How often new in-exam captures are face-checked."),
    Setting(
        "SIM_CONTROL",
        "",
        "Demo only: HOST:PORT of the simulated reader's control port; enables the console's "
        "`模拟刷卡` button.",
    ),
    Setting(
        "VIDEO_DIR", "", "Where room video is recorded (free space is checked by the pre-flight)."
    ),
]


def apply(config: dict[str, Any], environ: dict[str, str] | None = None) -> None:
    """Fill the console settings into an app config: environment first, then the defaults."""
    env = dict(os.environ if environ is None else environ)
    for s in CONSOLE_SETTINGS:
        if s.name in config:
            continue
        raw = env.get(f"EXAMSITE_{s.name}")
        if raw is None:
            config[s.name] = s.default
        elif isinstance(s.default, int | float):
            config[s.name] = type(s.default)(raw)
        else:
            config[s.name] = raw
