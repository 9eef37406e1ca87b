#!/usr/bin/env python
"""Benchmark: ID card placed on the (simulated) reader → check-in desk decision ready.

Real parts on 127.0.0.1: the SAM simulator on TCP, the serial transport (socket://), the
ReaderService, an image-folder camera, the dlib FacePool, a real SQLite file. Bounded: 5 reads.
Prints one JSON line (target from DESIGN.md: < 1.5 s per read).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.camera import ImageFolderSource  # noqa: E402
from devices.face.pool import FacePool  # noqa: E402
from devices.idcard.service import ReaderService  # noqa: E402
from devices.idcard.simulator import SimulatedReader  # noqa: E402
from devices.idcard.transport_serial import open_reader  # noqa: E402
from examsite.app import create_app, site_of  # noqa: E402
from examsite.console import demo_setup  # noqa: E402
from examsite.exam.desk import CheckinDesk, identity_for  # noqa: E402
from tests.live import stage  # noqa: E402

READS = 5


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        info = stage(instance, check_in=0)
        app = create_app({"ASYNC_MODE": "threading"}, instance_path=str(instance))
        exam = site_of(app).exam
        cand = demo_setup.face_candidate(exam, info["session"]["id"])
        assert cand is not None
        demo_setup.register_face(exam, cand["id"])
        folder = demo_setup.camera_folder(instance / "camera")
        done = threading.Event()
        with (
            FacePool(workers=1) as pool,
            SimulatedReader(tcp=("127.0.0.1", 0), use_pty=False) as sim,
        ):
            desk = CheckinDesk(
                exam, lambda pushes: None, camera=ImageFolderSource(folder), pool=pool
            )
            desk.reference(cand["id"])  # the descriptor is computed once, before exam day

            def on_card(event: object) -> None:
                desk.on_card(event)
                done.set()

            service = ReaderService(
                lambda: open_reader(sim.tcp_url or ""), on_card, poll_interval=0.1
            )
            threading.Thread(target=service.run, daemon=True).start()
            times = []
            for _ in range(READS):
                done.clear()
                started = time.perf_counter()
                sim.place(identity_for(cand))
                if not done.wait(10):
                    raise SystemExit("no card read within 10 s")
                times.append(time.perf_counter() - started)
                sim.remove()
                time.sleep(0.4)
            service.stop()
        site_of(app).sitedb.close()
    print(
        json.dumps(
            {
                "bench": "desk_card_to_decision",
                "reads": READS,
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "target_s": 1.5,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
