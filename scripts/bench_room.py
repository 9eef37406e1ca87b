#!/usr/bin/env python3
"""Benchmark: N simulated candidates on the real site server, answering at a steady rate.

    .venv/bin/python scripts/bench_room.py --candidates 2000 --duration 60 --interval 2

Stages a room of N invented candidates in a temporary instance, starts `examsite serve` (gevent,
the real composition root) on 127.0.0.1, drives N real python-socketio clients from several
worker processes (login → notice → password → confirm → wait for the start → answer one
question every INTERVAL seconds for DURATION seconds → submit), then checks every acknowledged
answer is in the database. Prints one JSON line. Bounded: at most 5,000 candidates, 600 s.

The end of the exam is measured too: `submit_*` (every terminal hands in at the same moment) or,
with `--end collect`, `collected_after_end_*_s` (nobody hands in; the end time comes soon after
the answering and the server collects every paper: seconds from the end time to the `collected`
push at each terminal).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
import roomsim


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--candidates", type=int, default=2000)
    ap.add_argument("--duration", type=float, default=60, help="seconds of answering")
    ap.add_argument(
        "--interval", type=float, default=2.0, help="seconds between a candidate's answers"
    )
    ap.add_argument("--procs", type=int, default=4, help="client worker processes")
    ap.add_argument(
        "--client-nice",
        type=int,
        default=10,
        help="niceness of the client processes (0: compete with the server on equal terms)",
    )
    ap.add_argument(
        "--end",
        choices=("submit", "collect"),
        default="submit",
        help="how the exam ends: every terminal hands in, or the end time comes and the server "
        "collects every paper",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary instance")
    a = ap.parse_args()
    if not 1 <= a.candidates <= 5000 or not 1 <= a.duration <= 600 or a.interval < 0.1:
        ap.error("bounded load only: 1–5000 candidates, 1–600 s, interval ≥ 0.1 s")

    tmp = Path(tempfile.mkdtemp(prefix="bench_room_"))
    instance = tmp / "instance"
    t0 = time.monotonic()
    # collect: the end time comes soon after the answering (the paper requests spread over
    # START_SPREAD_S, then DURATION of answering); submit: it is far away
    margin_s = 10 if a.end == "collect" else 30 * 60
    room = roomsim.stage_room(instance, a.candidates, duration_min=(a.duration + margin_s) / 60)
    port = roomsim.free_port()
    server = roomsim.start_server(instance, port, tmp / "server.log")
    ps = psutil.Process(server.pid)
    staged_s = time.monotonic() - t0
    workers = roomsim.spawn_workers(
        tmp,
        f"http://127.0.0.1:{port}",
        room,
        a.procs,
        duration=a.duration,
        interval=a.interval,
        start_timeout=120,
        submit=a.end == "submit",
        await_collect_s=60 if a.end == "collect" else 0,
        nice=a.client_nice,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not all(r.exists() for _, r, _ in workers):
            if any(p.poll() not in (None, 0) for p, _, _ in workers):
                raise RuntimeError("a worker died; see " + str(tmp))
            time.sleep(0.2)
        connected = sum(int(r.read_text() or 0) for _, r, _ in workers if r.exists())
        login_s = time.monotonic() - t0 - staged_s
        started = roomsim.cli(
            instance, "start", "--session", room["session_id"], "--actor", "bench"
        )
        if started.returncode:
            raise RuntimeError(started.stderr)
        tree = [ps, *ps.children(recursive=True)]  # the server and its answer-writer process
        cpu0, w0 = [t.cpu_times() for t in tree], time.monotonic()
        rss_peak = 0.0
        while any(p.poll() is None for p, _, _ in workers):
            rss_peak = max(rss_peak, sum(t.memory_info().rss for t in tree) / 2**20)
            time.sleep(0.5)
            if time.monotonic() - w0 > a.duration + 180:
                raise RuntimeError("workers did not finish in time")
        cpu1, w1 = [t.cpu_times() for t in tree], time.monotonic()
        results = [json.loads(f.read_text()) for _, _, f in workers if f.exists()]
    finally:
        for p, _, _ in workers:
            if p.poll() is None:
                p.kill()
        server.terminate()
        server.wait(10)
    lat = [x for r in results for x in r["latencies"]]
    handed_in = [x for r in results for x in r["submit_ms"]]
    ends_at = roomsim.session_end(instance / "examsite.sqlite3", room["session_id"])
    collect_s = [t - ends_at for r in results for t in r["collected_at"]]
    by_window = roomsim.p99_by_window(results, 10)
    acked, lost = roomsim.lost_answers(instance / "examsite.sqlite3", results)
    busy = [(b.user + b.system) - (a.user + a.system) for a, b in zip(cpu0, cpu1, strict=True)]
    out = {
        "candidates": a.candidates,
        "connected": connected,
        "answers_sent": sum(r["sent"] for r in results),
        "answers_acked": acked,
        "ack_p50_ms": roomsim.percentile(lat, 50),
        "ack_p99_ms": roomsim.percentile(lat, 99),
        "ack_max_ms": round(max(lat), 2) if lat else 0,
        "lost": lost,
        "ack_p99_ms_by_10s": by_window,
        "refused": {k: v for r in results for k, v in r["refused"].items()},
        "timeouts": sum(r["timeouts"] for r in results),
        "submitted": len(handed_in),
        "submit_p50_ms": roomsim.percentile(handed_in, 50),
        "submit_max_ms": round(max(handed_in), 1) if handed_in else 0,
        "collected": len(collect_s),
        "collected_after_end_p50_s": round(roomsim.percentile(collect_s, 50), 2),
        "collected_after_end_max_s": round(max(collect_s), 2) if collect_s else 0,
        "server_cpu_pct": round(100 * sum(busy) / (w1 - w0), 1),
        "server_loop_cpu_pct": round(100 * busy[0] / (w1 - w0), 1),
        "server_rss_mb": round(rss_peak, 1),
        "login_phase_s": round(login_s, 1),
        "answer_rate_per_s": round(len(lat) / a.duration, 1),
        "duration_s": a.duration,
        "interval_s": a.interval,
        "client_procs": a.procs,
        "client_nice": a.client_nice,
        "client_loop_lag_p99_ms": max((r.get("loop_lag_p99_ms", 0) for r in results), default=0),
    }
    print(json.dumps(out))
    if not a.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
