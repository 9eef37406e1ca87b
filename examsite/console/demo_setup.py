"""The demo's console part: a proctor account, the simulated ID reader and an image-folder camera.

After `examsite demo` stages the demo exam, `prepare` makes the last demo candidate (the one not
pre-checked-in) carry a real face photo (`examsite/demo_assets/demo_face.jpg`, public domain), puts
a mirrored copy of it in the camera folder, creates the account `demo-proctor`, and starts the
simulated reader (`python -m devices.idcard.simulator`) as a child process on 127.0.0.1.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import select
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from examsite.exam import ExamDay
from examsite.store import candidates, users

from .accounts import create_user, generate_password

FACE = Path(__file__).resolve().parent.parent / "demo_assets" / "demo_face.jpg"
DEVICES_FILE = "demo-devices.json"
ACCOUNT_FILE = "demo-console.json"
DEMO_PROCTOR = "demo-proctor"


@dataclass
class ConsoleDemo:
    """What the demo adds: server settings and the lines to print."""

    config: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None


def face_candidate(exam: ExamDay, session_id: str) -> dict[str, Any] | None:
    """The demo candidate who gets the real face photo: the last on the roster."""
    with exam.sitedb.read() as db:
        roster = candidates.in_session(db, session_id)
    return roster[-1] if roster else None


def register_face(exam: ExamDay, candidate_id: int) -> None:
    """Give a candidate the demo face as registered photo (the descriptor is computed at the desk)."""
    with exam.sitedb.write() as db:
        candidates.update(db, candidate_id, photo=FACE.read_bytes(), descriptor=None)


def camera_folder(target: Path) -> Path:
    """An image folder for the desk camera holding a mirrored copy of the demo face."""
    target.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    with Image.open(FACE) as img:
        ImageOps.mirror(img.convert("RGB")).save(out, "JPEG", quality=92)
    (target / "desk-camera.jpg").write_bytes(out.getvalue())
    return target


def ensure_account(exam: ExamDay, instance: Path) -> tuple[str, str]:
    """The demo proctor's user name and password (kept in the instance so `--keep` reprints it)."""
    saved = instance / ACCOUNT_FILE
    with exam.sitedb.read() as db:
        exists = users.by_name(db, DEMO_PROCTOR) is not None
    if exists and saved.is_file():
        data = json.loads(saved.read_text())
        return data["username"], data["password"]
    password = generate_password()
    if exists:
        from .accounts import set_password

        with exam.sitedb.read() as db:
            uid = users.by_name(db, DEMO_PROCTOR)["id"]  # type: ignore[index]
        set_password(exam.sitedb, uid, password, actor="demo")
    else:
        create_user(exam.sitedb, DEMO_PROCTOR, "演示监考员", "proctor", password, actor="demo")
    saved.write_text(json.dumps({"username": DEMO_PROCTOR, "password": password}))
    os.chmod(saved, 0o600)
    return DEMO_PROCTOR, password


def start_simulator(
    instance: Path, timeout: float = 15.0
) -> tuple[dict[str, str], subprocess.Popen[bytes]]:
    """Run the simulated reader on 127.0.0.1 (protocol on TCP, control port); returns its addresses."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devices.idcard.simulator",
            "--no-pty",
            "--tcp",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
        preexec_fn=_die_with_parent,
    )
    atexit.register(stop_simulator, proc)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else b""
    if not line:
        stop_simulator(proc)
        raise RuntimeError("模拟读卡器未能启动（the simulated reader did not start）")
    info = json.loads(line)
    devices = {"tcp": info["tcp"], "control": info["control"]}
    (instance / DEVICES_FILE).write_text(json.dumps(devices))
    return devices, proc


def _die_with_parent() -> None:
    """Linux: the simulator gets SIGTERM when the demo server dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_simulator(proc: subprocess.Popen[bytes]) -> None:
    """End the simulator child."""
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


def read_devices(instance: Path) -> dict[str, str] | None:
    """The running demo's simulator addresses (for `examsite sim-card`)."""
    path = instance / DEVICES_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def prepare(exam: ExamDay, instance: Path, session_id: str, fresh: bool) -> ConsoleDemo:
    """Set up the console part of the demo and say how to use it."""
    demo = ConsoleDemo()
    cand = face_candidate(exam, session_id)
    if cand and fresh:
        register_face(exam, cand["id"])
    folder = camera_folder(instance / "camera")
    username, password = ensure_account(exam, instance)
    devices, demo.process = start_simulator(instance)
    demo.config = {
        "IDCARD_READER": devices["tcp"],
        "DESK_CAMERA": f"folder:{folder}",
        "SIM_CONTROL": devices["control"],
    }
    ticket = cand["ticket"] if cand else "…"
    demo.lines = [
        f"监考员账号 proctor login: {username} / {password}",
        f"签到台 check-in desk: 在“签到台”页点击“模拟刷卡”，或运行 (or run) "
        f"examsite --instance {instance} sim-card {ticket}",
        f"模拟读卡器 simulated reader: {devices['tcp']} (control {devices['control']}); "
        f"摄像头 camera: {folder}",
    ]
    return demo
