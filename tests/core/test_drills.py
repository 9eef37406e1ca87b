"""The crash drill and the load benchmark in small versions: nothing acknowledged is ever lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_script(name: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        cwd=ROOT,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_answer() -> None:
    out = run_script("chaos_kill.py", "--candidates", "40", "--before", "4", "--after", "6")
    assert out["connected"] == 40
    assert out["acked"] > 0
    assert out["lost"] == 0, out
    assert out["never_resumed"] == 0, (
        out
    )  # every terminal got answers acknowledged again after the restart
    assert out["in_db"] >= out["acked"]


@pytest.mark.slow
def test_bench_room_small() -> None:
    out = run_script(
        "bench_room.py",
        "--candidates",
        "20",
        "--duration",
        "3",
        "--interval",
        "0.5",
        "--procs",
        "1",
    )
    for key in (
        "candidates",
        "connected",
        "answers_sent",
        "answers_acked",
        "ack_p50_ms",
        "ack_p99_ms",
        "lost",
        "server_cpu_pct",
        "server_rss_mb",
    ):
        assert key in out
    assert (
        out["connected"] == 20 and out["lost"] == 0 and out["answers_acked"] == out["answers_sent"]
    )
