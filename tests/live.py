"""A real site server in a subprocess on 127.0.0.1, with a staged exam: for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import socketio

from examsite import demo
from examsite.app import create_app, site_of
from examsite.engine.timing import utcnow
from examsite.store import candidates

CAPTCHA = "TEST"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stage(
    instance: Path,
    *,
    starts_in_min: float = 10,
    duration_min: float = 60,
    submit_after_min: float = 30,
    late_cut_min: float = 5,
    check_in: int | None = None,
    captures: int = 0,
    show_score: int = 1,
) -> dict[str, Any]:
    """Create an instance with the demo paper and roster; check in the first `check_in` candidates (all by default)."""
    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    exam = site_of(app).exam
    session = demo.demo_session(utcnow(), starts_in_min=starts_in_min, duration_min=duration_min)
    session.update(
        submit_after_min=submit_after_min,
        late_cut_min=late_cut_min,
        captures_per_candidate=captures,
        show_score=show_score,
    )
    exam.stage_session(session, demo.PAPER, demo.demo_roster(), actor="test")
    exam.tick()
    with exam.sitedb.read() as db:
        roster = candidates.in_session(db, session["id"])
    for c in roster[: len(roster) if check_in is None else check_in]:
        exam.check_in(c["id"], "test", {"method": "test"})
    exam.sitedb.close()
    return {"session": session, "roster": roster, "password": session["exam_password"]}


class LiveServer:
    """`examsite serve` as a subprocess (gevent, the real composition root)."""

    def __init__(self, instance: Path, port: int | None = None, env: dict[str, str] | None = None):
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "EXAMSITE_CAPTCHA_FIXED": CAPTCHA,
            "EXAMSITE_TICK_S": "0.25",
            "EXAMSITE_TIME_PUSH_S": "2",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = instance / "server.log"

    def start(self) -> LiveServer:
        """Start and wait until the port answers (at most 20 s)."""
        self.instance.mkdir(parents=True, exist_ok=True)
        out = self._out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "examsite.cli",
                "--instance",
                str(self.instance),
                "serve",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 20 s")

    def kill(self, sig: int = 9) -> None:
        """Stop the server (SIGKILL by default: nothing is flushed on the way out)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        if getattr(self, "_out", None):
            self._out.close()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an `examsite` command against the same instance (as a technician would)."""
        return subprocess.run(
            [sys.executable, "-m", "examsite.cli", "--instance", str(self.instance), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


class Terminal:
    """A candidate terminal made of a real python-socketio client."""

    def __init__(self, url: str, terminal_id: str, seat: int | None = None):
        self.url, self.terminal_id, self.seat = url, terminal_id, seat
        self.sio = socketio.Client(reconnection=False)
        self.pushes: list[tuple[str, Any]] = []
        self.token: str | None = None
        self.sio.on("*", self._on_push, namespace="/candidate")

    def _on_push(self, event: str, data: Any = None) -> None:
        self.pushes.append((event, data))

    def connect(self) -> dict[str, Any]:
        self.sio.connect(
            self.url, namespaces=["/candidate"], transports=["websocket"], wait_timeout=10
        )
        return self.call(
            "hello", {"terminal_id": self.terminal_id, "seat": self.seat, "token": self.token}
        )

    def call(self, event: str, data: Any = None, timeout: float = 20) -> dict[str, Any]:
        payload = dict(data) if isinstance(data, dict) else data
        if isinstance(payload, dict) and self.token and "token" not in payload:
            payload["token"] = self.token
        return self.sio.call(event, payload, namespace="/candidate", timeout=timeout)  # type: ignore[no-any-return]

    def login(self, name: str, ticket: str) -> dict[str, Any]:
        cap = self.call("captcha", {})
        ack = self.call(
            "login",
            {"name": name, "ticket": ticket, "captcha_id": cap["captcha_id"], "captcha": CAPTCHA},
        )
        if ack.get("ok"):
            self.token = ack["token"]
        return ack

    def through_to_confirm(self, name: str, ticket: str, password: str) -> dict[str, Any]:
        """login → notice → room password → confirm identity; returns the last ack."""
        for step in (
            lambda: self.login(name, ticket),
            lambda: self.call("notice_ack", {}),
            lambda: self.call("room_password", {"password": password}),
            lambda: self.call("confirm_identity", {"correct": True}),
        ):
            ack = step()
            if not ack.get("ok"):
                return ack
        return ack

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def wait_for(predicate: Any, timeout: float = 15, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met in {timeout} s")
