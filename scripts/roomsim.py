"""A simulated exam room for benchmarks and drills: many real python-socketio terminals.

Used by bench_room.py and chaos_kill.py. Everything runs on 127.0.0.1 and is bounded in count
and time. Each worker process drives a slice of the candidates with socketio.AsyncClient; every
terminal keeps its unacknowledged answers and re-sends them after any reconnect, as the kiosk
page does.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CAPTCHA = "LOAD"
START_SPREAD_S = (
    1.5  # terminals spread their paper requests after the start push (docs/protocol.md)
)


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stage_room(
    instance: Path, n: int, *, duration_min: float, submit_after_min: float = 0
) -> dict[str, Any]:
    """A session with `n` invented candidates, all checked in, the demo paper, check-in open."""
    from examsite import demo
    from examsite.app import create_app, site_of
    from examsite.engine.timing import utcnow
    from examsite.store import candidates

    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    exam = site_of(app).exam
    session = demo.demo_session(utcnow(), starts_in_min=5, duration_min=duration_min)
    session.update(
        id="LOAD-1", submit_after_min=submit_after_min, captures_per_candidate=0, late_cut_min=600
    )
    photo = demo.avatar("考", 1)
    roster = [
        {
            "ticket": f"L{i:06d}",
            "name": f"考生{i}",
            "gender": "M" if i % 2 else "F",
            "id_number": demo.id_number("110101", "19900101", i, i % 2 == 1),
            "seat": i,
            "photo": photo,
        }
        for i in range(1, n + 1)
    ]
    exam.stage_session(session, demo.PAPER, roster, actor="bench")
    exam.tick()
    with exam.sitedb.write() as db:
        # one transaction for the whole room: check-in is not what is measured here
        for c in candidates.in_session(db, session["id"]):
            candidates.update(db, c["id"], state="checked_in", checked_in_at=session["starts_at"])
    exam.sitedb.close()
    return {
        "session_id": session["id"],
        "password": session["exam_password"],
        "roster": [(r["name"], r["ticket"]) for r in roster],
    }


def start_server(instance: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`examsite serve` (the real composition root) as a subprocess; waits until it listens."""
    env = {
        **os.environ,
        "EXAMSITE_CAPTCHA_FIXED": CAPTCHA,
        "EXAMSITE_TICK_S": "0.5",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "examsite.cli",
            "--instance",
            str(instance),
            "serve",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not listen within 30 s")


def cli(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run an `examsite` command on the instance, as the technician would."""
    return subprocess.run(
        [sys.executable, "-m", "examsite.cli", "--instance", str(instance), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class SimTerminal:
    """One candidate at one terminal: logs in, waits for the start, answers, re-sends after reconnects."""

    def __init__(
        self, url: str, index: int, name: str, ticket: str, password: str, stats: dict[str, Any]
    ):
        import socketio

        self.url, self.name, self.ticket, self.password = url, name, ticket, password
        self.terminal_id = f"LT-{index}-{secrets.token_hex(3)}"
        self.seat = index
        self.stats = stats
        self.token: str | None = None
        self.seq = 0
        self.unacked: dict[int, dict[str, Any]] = {}
        self.acked: list[int] = []
        self.questions: list[dict[str, Any]] = []
        self.started = asyncio.Event()
        self.ready = asyncio.Event()
        self.collected = asyncio.Event()
        self.resumed_at: float | None = None
        self.lost_connection_at: float | None = None
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=2,
            randomization_factor=0.5,
        )
        self.sio.on("connect", self._on_connect, namespace="/candidate")
        self.sio.on("disconnect", self._on_disconnect, namespace="/candidate")
        self.sio.on("session", self._on_session, namespace="/candidate")
        self.sio.on("collected", self._on_collected, namespace="/candidate")

    async def call(self, event: str, data: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        if self.token:
            data = {**data, "token": self.token}
        return await self.sio.call(event, data, namespace="/candidate", timeout=timeout)  # type: ignore[no-any-return]

    async def connect(self) -> None:
        await self.sio.connect(
            self.url, namespaces=["/candidate"], transports=["websocket"], wait_timeout=30
        )

    async def _on_connect(self) -> None:
        asyncio.get_running_loop().create_task(self._after_connect())

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.lost_connection_at = self.lost_connection_at or time.monotonic()
        self.resumed_at = None

    async def _on_session(self, info: dict[str, Any]) -> None:
        if info.get("state") == "running":
            self.started.set()

    async def _on_collected(self, info: dict[str, Any]) -> None:
        self.stats["collected_at"].append(time.time())  # wall clock: compared with the end time
        self.collected.set()

    async def _after_connect(self) -> None:
        try:
            hello = await self.call("hello", {"terminal_id": self.terminal_id, "seat": self.seat})
            resume = hello.get("resume")
            if resume is None:
                await self._login()
            else:
                if resume.get("exam", {}).get("state") == "running":
                    self.started.set()
            await self._resend()
            self.ready.set()
        except Exception as e:  # a connection cut mid-way: the next connect tries again
            self.stats["errors"].append(f"after_connect: {e!r}"[:200])

    async def _login(self) -> None:
        cap = await self.call("captcha", {})
        ack = await self.call(
            "login",
            {
                "name": self.name,
                "ticket": self.ticket,
                "captcha_id": cap["captcha_id"],
                "captcha": CAPTCHA,
            },
        )
        if not ack.get("ok"):
            raise RuntimeError(f"login {self.ticket}: {ack.get('code')}")
        self.token = ack["token"]
        await self.call("notice_ack", {})
        await self.call("room_password", {"password": self.password})
        ack = await self.call("confirm_identity", {"correct": True})
        if ack.get("stage") == "exam":
            self.started.set()

    async def load_paper(self) -> None:
        await asyncio.sleep(random.uniform(0, START_SPREAD_S))  # as the kiosk page does
        ack = await self.call("paper", {})
        if not ack.get("ok"):
            raise RuntimeError(f"paper {self.ticket}: {ack.get('code')}")
        self.questions = ack["questions"]

    async def _send(self, seq: int) -> bool:
        event = self.unacked[seq]
        sent_at, t0 = time.monotonic(), time.perf_counter()
        try:
            ack = await self.call("answer", event, timeout=10)
        except Exception:
            self.stats["timeouts"] += 1
            return False
        ms = (time.perf_counter() - t0) * 1000
        if ack.get("ok"):
            self.unacked.pop(seq, None)
            self.acked.append(seq)
            self.stats["latencies"].append(ms)
            self.stats["sent_at"].append(round(sent_at, 3))
            if ack.get("dup"):
                self.stats["duplicates_acked"] += 1
            if self.lost_connection_at is not None and self.resumed_at is None:
                self.resumed_at = time.monotonic()
                self.stats["resume_s"].append(self.resumed_at - self.lost_connection_at)
                self.lost_connection_at = None
            return True
        if ack.get("code") in ("busy", "storage_error", "internal"):
            self.stats["retryable"] += 1
            return False
        self.stats["refused"][ack.get("code", "?")] = (
            self.stats["refused"].get(ack.get("code", "?"), 0) + 1
        )
        self.unacked.pop(seq, None)
        return False

    async def submit(self) -> None:
        """Hand in (every terminal of the room at about the same moment: the end of the exam)."""
        t0 = time.perf_counter()
        ack = await self.call("submit", {})
        if ack.get("ok"):
            self.stats["submit_ms"].append((time.perf_counter() - t0) * 1000)
        else:
            key = "submit:" + str(ack.get("code", "?"))
            self.stats["refused"][key] = self.stats["refused"].get(key, 0) + 1

    async def _resend(self) -> None:
        for seq in sorted(self.unacked):
            if not self.sio.connected:
                return
            await self._send(seq)

    async def answer_one(self) -> None:
        q = random.choice(self.questions)
        k = 2 if q["type"] == "multi" else 1
        value = sorted(o["id"] for o in random.sample(q["options"], k))
        self.seq += 1
        self.unacked[self.seq] = {"seq": self.seq, "qid": q["qid"], "value": value}
        self.stats["sent"] += 1
        if self.sio.connected and len(self.unacked) == 1:
            await self._send(self.seq)
        elif self.sio.connected:
            await self._resend()


def new_stats() -> dict[str, Any]:
    return {
        "latencies": [],
        "sent_at": [],
        "submit_ms": [],
        "collected_at": [],
        "sent": 0,
        "timeouts": 0,
        "retryable": 0,
        "refused": {},
        "errors": [],
        "duplicates_acked": 0,
        "resume_s": [],
        "connected": 0,
    }


async def run_slice(spec: dict[str, Any]) -> dict[str, Any]:
    """A worker's whole life: connect its terminals, wait for the start, answer, report."""
    stats = new_stats()
    terms = [
        SimTerminal(spec["url"], i, name, ticket, spec["password"], stats)
        for i, (name, ticket) in spec["slice"]
    ]
    sem = asyncio.Semaphore(50)

    async def connect(t: SimTerminal) -> None:
        async with sem:
            for attempt in range(5):
                try:
                    await t.connect()
                    await asyncio.wait_for(t.ready.wait(), 60)
                    return
                except Exception as e:
                    stats["errors"].append(f"connect {t.ticket}#{attempt}: {e!r}"[:200])
                    await asyncio.sleep(1 + attempt)

    await asyncio.gather(*(connect(t) for t in terms))
    stats["connected"] = sum(1 for t in terms if t.ready.is_set())
    # The load generator's own full garbage collections (hundreds of clients per process) would
    # show up as server latency: keep them out of the measurement as the server does.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    Path(spec["ready_file"]).write_text(str(stats["connected"]))
    live = [t for t in terms if t.ready.is_set()]
    await asyncio.wait_for(asyncio.gather(*(t.started.wait() for t in live)), spec["start_timeout"])
    await asyncio.gather(*(t.load_paper() for t in live), return_exceptions=True)
    stop_at = time.monotonic() + spec["duration"]

    async def answer_loop(t: SimTerminal) -> None:
        await asyncio.sleep(random.uniform(0, spec["interval"]))
        while time.monotonic() < stop_at:
            t0 = time.monotonic()
            if t.questions:
                await t.answer_one()
            await asyncio.sleep(max(0.0, spec["interval"] - (time.monotonic() - t0)))

    lags: list[float] = []

    async def lag_probe() -> None:
        # How late this worker's own event loop runs: a delay the terminals, not the server, add.
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - t0) * 1000 - 10)

    await asyncio.gather(lag_probe(), *(answer_loop(t) for t in live))
    stats["loop_lag_p99_ms"] = percentile(lags, 99)
    # drain: re-send what is still unacknowledged for a bounded time
    drain_until = time.monotonic() + spec.get("drain_s", 20)
    while time.monotonic() < drain_until and any(t.unacked for t in live):
        await asyncio.gather(*(t._resend() for t in live if t.unacked and t.sio.connected))
        await asyncio.sleep(0.5)
    if spec.get("submit"):
        await asyncio.gather(*(t.submit() for t in live), return_exceptions=True)
    elif spec.get("await_collect_s"):
        # the end time comes with nobody handing in: the server collects every paper
        await asyncio.wait(
            [asyncio.create_task(t.collected.wait()) for t in live],
            timeout=spec["await_collect_s"],
        )
    out = {
        **stats,
        "acked": {t.terminal_id: t.acked for t in terms},
        "unacked_left": sum(len(t.unacked) for t in terms),
        "never_resumed": sum(1 for t in live if t.lost_connection_at is not None),
    }
    await asyncio.gather(*(t.sio.disconnect() for t in terms), return_exceptions=True)
    return out


def worker(spec_path: str) -> None:
    """Entry point of a worker process: `python scripts/roomsim.py worker SPEC.json`."""
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("nice"):
        # The load generator yields the CPU to the server under test: on a site the terminals
        # are other machines, here they share the server's two cores.
        os.nice(int(spec["nice"]))
    result = asyncio.run(run_slice(spec))
    Path(spec["result_file"]).write_text(json.dumps(result))


def spawn_workers(
    tmp: Path,
    url: str,
    room: dict[str, Any],
    procs: int,
    *,
    duration: float,
    interval: float,
    start_timeout: float,
    submit: bool,
    nice: int = 0,
    await_collect_s: float = 0,
) -> list[tuple[subprocess.Popen[bytes], Path, Path]]:
    """Split the roster over `procs` worker processes; returns (process, ready file, result file)."""
    indexed = list(enumerate(room["roster"], start=1))
    out = []
    for p in range(procs):
        spec = {
            "url": url,
            "password": room["password"],
            "slice": indexed[p::procs],
            "duration": duration,
            "interval": interval,
            "start_timeout": start_timeout,
            "submit": submit,
            "await_collect_s": await_collect_s,
            "nice": nice,
            "ready_file": str(tmp / f"ready{p}"),
            "result_file": str(tmp / f"result{p}.json"),
        }
        path = tmp / f"spec{p}.json"
        path.write_text(json.dumps(spec, ensure_ascii=False))
        proc = subprocess.Popen(
            [sys.executable, __file__, "worker", str(path)],
            cwd=ROOT,
            stdout=(tmp / f"worker{p}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        out.append((proc, tmp / f"ready{p}", tmp / f"result{p}.json"))
    return out


def lost_answers(db_path: Path, results: list[dict[str, Any]]) -> tuple[int, int]:
    """(acknowledged, acknowledged but not in the database) over all workers' results."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    stored = set(conn.execute("SELECT terminal_id, seq FROM answer_events").fetchall())
    conn.close()
    acked = lost = 0
    for r in results:
        for tid, seqs in r["acked"].items():
            for seq in set(seqs):
                acked += 1
                if (tid, seq) not in stored:
                    lost += 1
    return acked, lost


def p99_by_window(results: list[dict[str, Any]], seconds: float) -> list[float]:
    """p99 acknowledgement latency of each `seconds`-long window from the first answer sent on
    (monotonic time is one clock for all worker processes): shows a tail that comes in bursts."""
    pairs = [p for r in results for p in zip(r["sent_at"], r["latencies"], strict=True)]
    if not pairs:
        return []
    t0 = min(t for t, _ in pairs)
    windows: dict[int, list[float]] = {}
    for t, ms in pairs:
        windows.setdefault(int((t - t0) // seconds), []).append(ms)
    return [percentile(windows[k], 99) for k in sorted(windows)]


def session_end(db_path: Path, session_id: str) -> float:
    """The session's end time for a candidate with nothing on the ledger (epoch seconds)."""
    import sqlite3

    from examsite.engine.timing import Timing, parse_iso

    conn = sqlite3.connect(db_path)
    started, minutes = conn.execute(
        "SELECT started_at, duration_min FROM exam_sessions WHERE id = ?", (session_id,)
    ).fetchone()
    conn.close()
    return Timing(duration_min=minutes).base_end(parse_iso(started)).timestamp()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`, 0 when empty."""
    if not values:
        return 0.0
    s = sorted(values)
    rank = math.ceil(p / 100 * len(s))  # nearest-rank definition
    return round(s[min(len(s) - 1, max(0, rank - 1))], 2)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        worker(sys.argv[2])
    else:
        print(
            "usage: roomsim.py worker SPEC.json (started by bench_room.py / chaos_kill.py)",
            file=sys.stderr,
        )
        sys.exit(2)
