#!/usr/bin/env python3
"""Crash drill: kill -9 the site server mid-exam, restart it, and count what was lost.

    .venv/bin/python scripts/chaos_kill.py --candidates 300

Stages a room, starts `examsite serve`, lets N real python-socketio terminals answer, sends
SIGKILL to the server while answers are in flight, starts it again on the same port and
database, and lets the terminals reconnect and re-send what was not acknowledged. Prints one
JSON line: acked, in_db, lost (acknowledged but missing: must be 0), resume_s (from the kill
until every terminal had an answer acknowledged again; target < 10 s). Bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import roomsim


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument(
        "--interval", type=float, default=1.0, help="seconds between a candidate's answers"
    )
    ap.add_argument("--before", type=float, default=8, help="seconds of answering before the kill")
    ap.add_argument(
        "--after", type=float, default=15, help="seconds of answering after the restart"
    )
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if not 1 <= a.candidates <= 2000 or a.before + a.after > 300:
        ap.error("bounded load only: 1–2000 candidates, at most 300 s")

    tmp = Path(tempfile.mkdtemp(prefix="chaos_kill_"))
    instance = tmp / "instance"
    room = roomsim.stage_room(instance, a.candidates, duration_min=60)
    port = roomsim.free_port()
    log = tmp / "server.log"
    server = roomsim.start_server(instance, port, log)
    workers = roomsim.spawn_workers(
        tmp,
        f"http://127.0.0.1:{port}",
        room,
        a.procs,
        duration=a.before + a.after + 12,
        interval=a.interval,
        start_timeout=120,
        submit=False,
    )
    try:
        deadline = time.monotonic() + 180
        while not all(r.exists() for _, r, _ in workers):
            if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p, _, _ in workers):
                raise RuntimeError(f"terminals did not get ready; see {tmp}")
            time.sleep(0.2)
        started = roomsim.cli(
            instance, "start", "--session", room["session_id"], "--actor", "chaos"
        )
        if started.returncode:
            raise RuntimeError(started.stderr)
        time.sleep(a.before)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        killed_at = time.monotonic()
        server = roomsim.start_server(instance, port, log)
        restart_s = time.monotonic() - killed_at
        for p, _, _ in workers:
            p.wait(a.after + 12 + 120)
        results = [json.loads(f.read_text()) for _, _, f in workers if f.exists()]
    finally:
        for p, _, _ in workers:
            if p.poll() is None:
                p.kill()
        server.terminate()
        server.wait(10)
    acked, lost = roomsim.lost_answers(instance / "examsite.sqlite3", results)
    conn = sqlite3.connect(instance / "examsite.sqlite3")
    in_db = conn.execute("SELECT COUNT(*) FROM answer_events").fetchone()[0]
    conn.close()
    resumes = [x for r in results for x in r["resume_s"]]
    never = sum(r["never_resumed"] for r in results)
    out = {
        "candidates": a.candidates,
        "connected": sum(r["connected"] for r in results),
        "acked": acked,
        "in_db": in_db,
        "lost": lost,
        "unacked_left": sum(r["unacked_left"] for r in results),
        "duplicates_acked": sum(r["duplicates_acked"] for r in results),
        "restart_s": round(restart_s, 2),
        "resumed": len(resumes),
        "never_resumed": never,
        "resume_s": round(max(resumes), 2) if resumes and not never else None,
        "resume_p50_s": roomsim.percentile(resumes, 50),
    }
    print(json.dumps(out))
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if lost == 0 and never == 0 and out["resume_s"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
