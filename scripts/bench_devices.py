"""Device benchmarks; prints one JSON line.

face_check_ms_p50: detect + landmarks + descriptor (JPEG decode included) of a 640×480 frame,
in this process pinned to one core (os.sched_setaffinity; `face_check_cpus` says which, null
where the OS cannot pin). faces_per_s: the same through a FacePool with one worker per core
(the pinning is undone first). card_to_data_ms_p50: the simulated reader on a pty at 115200 baud,
every byte paced at the line speed (10 bits a byte, as on a UART), find → select → read →
decoded identity through the serial transport; `--read-delay` adds the SAM's own card-reading
time (0 by default: what is left is the protocol and the wire). genuine_max / impostor_min:
descriptor distances behind the default threshold. Bounded: a fixed number of runs, well under
two minutes on 2 cores; 127.0.0.1 / pty only.

Usage: .venv/bin/python scripts/bench_devices.py [--faces N] [--cards N] [--read-delay S]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageEnhance, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.face.matcher import FaceMatcher, FaceSettings, distance  # noqa: E402
from devices.face.pool import FacePool  # noqa: E402
from devices.idcard.simulator import SimulatedReader  # noqa: E402
from devices.idcard.transport_serial import open_reader  # noqa: E402

FACES = ROOT.parent / "shared" / "data" / "faces"


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def frame_640x480() -> bytes:
    with Image.open(FACES / "obama.jpg") as image:
        rgb = image.convert("RGB")
    # a 4:3 crop around the face, as a desk camera would frame it
    return jpeg(rgb.crop((80, 0, 880, 600)).resize((640, 480)))


def pin_to_one_core() -> tuple[set[int] | None, list[int] | None]:
    """Pin this process to one of its cores; (the previous set, the pinned cores) or Nones."""
    if not hasattr(os, "sched_setaffinity"):  # macOS, Windows: reported as null
        return None, None
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    return before, [core]


def face_figures(runs: int) -> dict[str, Any]:
    matcher = FaceMatcher()
    matcher.load()
    frame = frame_640x480()
    before, pinned = pin_to_one_core()
    try:
        matcher.describe(frame)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = matcher.describe(frame)
            times.append((time.perf_counter() - started) * 1000)
            assert result.ok, result
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)  # the pool's workers must get every core
    workers = os.cpu_count() or 1
    with FacePool(workers=workers, max_queue=runs * 2) as pool:
        for f in [pool.submit_describe(frame) for _ in range(workers)]:
            f.result(timeout=120)  # workers started and warm
        started = time.perf_counter()
        futures = [pool.submit_describe(frame) for _ in range(runs * 2)]
        for f in futures:
            assert f.result(timeout=120).ok
        per_s = len(futures) / (time.perf_counter() - started)
    return {
        "face_check_ms_p50": round(statistics.median(times), 1),
        "face_check_ms_max": round(max(times), 1),
        "face_check_cpus": pinned,
        "faces_per_s": round(per_s, 1),
        "face_workers": workers,
        **threshold_figures(matcher),
    }


def threshold_figures(matcher: FaceMatcher) -> dict[str, float]:
    """Distances of each photo to degraded copies of itself (ID-photo size, JPEG 30, blur, dark,
    grey, mirror) and between different people."""
    descriptors: dict[str, list[float]] = {}
    genuine: list[float] = []
    for name in ("obama", "obama_small", "biden"):
        with Image.open(FACES / f"{name}.jpg") as image:
            rgb = image.convert("RGB")
        base = matcher.describe(jpeg(rgb))
        assert base.descriptor is not None and base.box is not None
        descriptors[name] = base.descriptor
        left, top, right, bottom = base.box
        w, h = right - left, bottom - top
        id_photo = rgb.crop(
            (left - w // 2, top - h * 2 // 3, right + w // 2, bottom + h * 2 // 3)
        ).resize((102, 126))
        variants = [
            id_photo,
            Image.open(io.BytesIO(jpeg(id_photo, 30))),
            rgb.filter(ImageFilter.GaussianBlur(1.5)),
            ImageEnhance.Brightness(rgb).enhance(0.4),
            rgb.convert("L"),
            rgb.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ]
        for variant in variants:
            result = matcher.describe(jpeg(variant))
            if result.descriptor is not None:
                genuine.append(distance(base.descriptor, result.descriptor))
    impostor = [
        distance(descriptors["obama"], descriptors["biden"]),
        distance(descriptors["obama_small"], descriptors["biden"]),
    ]
    return {
        "genuine_max": round(max(genuine), 3),
        "genuine_pairs": len(genuine),
        "impostor_min": round(min(impostor), 3),
        "threshold": FaceSettings().threshold,
    }


def card_figures(runs: int, read_delay: float, baud: int = 115200) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as folder,
        SimulatedReader(
            pty_link=f"{folder}/idcard", baudrate=baud, pace=True, read_delay=read_delay
        ) as sim,
    ):
        reader = open_reader(sim.url)
        try:
            sim.place("wang")
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                result = reader.read_card()
                times.append((time.perf_counter() - started) * 1000)
                assert result is not None and result.identity.name == "王小明"
        finally:
            reader.close()
    return {
        "card_to_data_ms_p50": round(statistics.median(times), 2),
        "card_runs": runs,
        "card_baud": baud,
        "card_read_delay_s": read_delay,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--faces", type=int, default=20, help="face checks per measurement (≤ 200)")
    parser.add_argument("--cards", type=int, default=50, help="card reads (≤ 500)")
    parser.add_argument(
        "--read-delay", type=float, default=0.0, help="seconds the simulated SAM takes to read"
    )
    args = parser.parse_args()
    figures = {
        **face_figures(min(args.faces, 200)),
        **card_figures(min(args.cards, 500), max(0.0, min(args.read_delay, 2.0))),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
