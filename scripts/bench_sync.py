#!/usr/bin/env python3
"""Benchmark: push a generated exam day from a site store to the reference cloud on 127.0.0.1.

    .venv/bin/python scripts/bench_sync.py --candidates 1000 --answers 100 --backend mysql|sqlite

Builds a site instance with one session of N candidates, each with check-in, login, A answers
and submit in the hash-chained journal plus a result; starts `examcloud serve` (a separate
process, so the cloud has its own core) on a fresh database, pushes everything, then marks the
outbox pending and pushes the same day again. Prints one JSON line: candidates, rows, seconds
(first push, fill included), rows_per_s, duplicates (extra rows in the cloud after the second
push: must be 0), second_push_seconds. Bounded: at most 5,000 candidates × 500 answers; the
MySQL database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_site(instance: Path, n: int, answers: int):  # type: ignore[no-untyped-def]
    from examsite.app import create_app, site_of
    from examsite.store import candidates, journal

    app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
    site = site_of(app)
    session = {
        "id": "PLAN-BENCH", "plan_id": "PLAN-BENCH", "site_id": "SITE-BENCH", "room": "第1考场",
        "subject": "燃气经营企业从业人员", "title": "bench", "starts_at": "2026-11-24T01:30:00Z",
        "duration_min": 90, "exam_password": "123456",
    }  # fmt: skip
    paper = {"paper_id": "P-BENCH", "title": "bench", "questions": []}
    roster = [
        {
            "ticket": f"T{i:06d}",
            "name": f"考生{i}",
            "gender": "M",
            "id_number": f"11010519800101{i % 10000:04d}",
            "company": "",
            "seat": i,
        }
        for i in range(1, n + 1)
    ]
    site.exam.stage_session(session, paper, roster, actor="bench")
    with site.sitedb.write() as db:
        for c in candidates.in_session(db, "PLAN-BENCH"):
            t = c["ticket"]
            journal.append(
                db,
                "checkin",
                "proctor:bench",
                {"method": "idcard"},
                session_id="PLAN-BENCH",
                ticket=t,
            )
            journal.append(
                db,
                "login",
                f"candidate:{t}",
                {},
                session_id="PLAN-BENCH",
                ticket=t,
                terminal_id=f"T{c['seat']}",
            )
            for q in range(answers):
                journal.append(db, "answer", f"candidate:{t}", {"qid": f"q{q}", "value": ["A"], "tseq": q + 1},
                               session_id="PLAN-BENCH", ticket=t, terminal_id=f"T{c['seat']}")  # fmt: skip
            journal.append(db, "submit", f"candidate:{t}", {}, session_id="PLAN-BENCH", ticket=t)
            candidates.update(
                db,
                c["id"],
                state="submitted",
                score=85,
                passed=1,
                finished_at="2026-11-24T03:00:00Z",
            )
    return app


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--candidates", type=int, default=1000)
    p.add_argument("--answers", type=int, default=100)
    p.add_argument("--backend", choices=["sqlite", "mysql"], default="sqlite")
    p.add_argument("--batch", type=int, default=2000)
    args = p.parse_args()
    if not (0 < args.candidates <= 5000 and 0 < args.answers <= 500):
        p.error("at most 5,000 candidates and 500 answers each")

    from cloudsync.cloud.db import Database, drop_mysql_database
    from examsite.app import site_of
    from examsite.engine.timing import iso, utcnow
    from examsite.store import outbox
    from examsite.sync import push as sync_push
    from examsite.sync.link import client_for

    tmp = Path(tempfile.mkdtemp(prefix="bench_sync_"))
    db_url = (
        f"mysql://root:@127.0.0.1:3306/examcloud_bench_{secrets.token_hex(4)}"
        if args.backend == "mysql"
        else "sqlite:///" + str(tmp / "cloud.sqlite")
    )
    env = {**os.environ, "EXAMCLOUD_INSTANCE": str(tmp / "cloud"), "EXAMCLOUD_DATABASE": db_url}
    cloud = None
    try:
        reg = subprocess.run([str(BIN / "examcloud"), "register-site", "SITE-BENCH"], env=env,
                             capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
        link = json.loads(reg.stdout)
        port = free_port()
        cloud = subprocess.Popen([str(BIN / "examcloud"), "serve", "--port", str(port)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        app = build_site(tmp / "site", args.candidates, args.answers)
        sitedb = site_of(app).sitedb
        with sitedb.write() as db:
            outbox.set_link(
                db,
                f"http://127.0.0.1:{port}",
                "SITE-BENCH",
                link["secret"],
                link["cloud_public_key"],
                iso(utcnow()),
            )
        client = client_for(sitedb, retries=20, backoff_s=0.25, timeout=120)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.site_info()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        rows = sitedb.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
        t0 = time.perf_counter()
        sync_push.fill(sitedb)
        first = sync_push.push(sitedb, client, batch_size=args.batch)
        seconds = time.perf_counter() - t0
        with sitedb.write() as db:
            db.execute("UPDATE sync_outbox SET status = 'pending'")
        t1 = time.perf_counter()
        second = sync_push.push(sitedb, client, batch_size=args.batch)
        second_s = time.perf_counter() - t1
        records = first["records"]
        cdb = Database(db_url)
        held = cdb.scalar("SELECT COUNT(*) FROM journal") + cdb.scalar(
            "SELECT COUNT(*) FROM results"
        )
        cdb.close()
        print(json.dumps({
            "backend": args.backend, "candidates": args.candidates, "answers": args.answers,
            "rows": rows, "records": records, "batches": first["batches"],
            "seconds": round(seconds, 2), "rows_per_s": round(records / seconds, 1),
            "duplicates": held - records, "second_push_duplicate_acks": second.get("duplicate", 0),
            "second_push_seconds": round(second_s, 2),
        }))  # fmt: skip
        sitedb.close()
        return 0
    finally:
        if cloud is not None:
            cloud.terminate()
            cloud.wait(timeout=10)
        if args.backend == "mysql":
            drop_mysql_database(db_url)


if __name__ == "__main__":
    sys.exit(main())
