"""The face pool: results from worker processes, bounded queue, restarts, and gevent friendliness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devices.errors import DeviceError
from devices.face.pool import Busy, FacePool

from .conftest import FACES


def test_describe_and_compare_in_a_worker(
    pool: FacePool, face_bytes: dict[str, bytes], no_face_jpeg: bytes
) -> None:
    reference = pool.submit_describe(face_bytes["obama"]).result(timeout=60)
    assert reference.ok and reference.descriptor is not None
    same = pool.submit_compare(reference.descriptor, face_bytes["obama_small"]).result(timeout=60)
    other = pool.submit_compare(reference.descriptor, face_bytes["biden"]).result(timeout=60)
    none = pool.submit_compare(reference.descriptor, no_face_jpeg).result(timeout=60)
    assert (same.verdict, other.verdict, none.verdict) == ("match", "no_match", "no_face")
    assert pool.worker_pids() and os.getpid() not in pool.worker_pids()
    assert pool.submit_describe(b"junk").result(timeout=60).verdict == "not_an_image"


def test_queue_is_bounded(face_bytes: dict[str, bytes]) -> None:
    with FacePool(workers=1, max_queue=1) as small:
        # capacity is workers + max_queue = 2; a large image keeps the first job busy meanwhile
        first = small.submit_describe(face_bytes["biden"])
        second = small.submit_describe(face_bytes["biden"])
        with pytest.raises(Busy) as err:
            small.submit_describe(face_bytes["biden"])
        assert err.value.code == "face_busy" and "稍后重试" in err.value.message_zh
        assert first.result(timeout=60).ok and second.result(timeout=60).ok
        assert small.pending == 0
        assert small.submit_describe(face_bytes["obama_small"]).result(timeout=60).ok
    with pytest.raises(DeviceError) as closed:
        small.submit_describe(face_bytes["obama_small"])
    assert closed.value.code == "face_pool_closed"


def test_killed_worker_is_replaced(pool: FacePool, face_bytes: dict[str, bytes]) -> None:
    assert pool.submit_describe(face_bytes["obama_small"]).result(timeout=60).ok
    (pid,) = pool.worker_pids()
    os.kill(pid, signal.SIGKILL)
    failed = pool.submit_describe(face_bytes["obama_small"])
    with pytest.raises(DeviceError) as err:
        failed.result(timeout=60)
    assert err.value.code == "face_worker_failed"
    assert pool.submit_describe(face_bytes["obama_small"]).result(timeout=60).ok
    assert pool.worker_pids() != [pid]


def test_missing_models_reach_the_caller(tmp_path: Path, face_bytes: dict[str, bytes]) -> None:
    with FacePool(workers=1, max_queue=1, models_dir=str(tmp_path)) as broken:
        with pytest.raises(DeviceError) as err:
            broken.submit_describe(face_bytes["obama_small"]).result(timeout=60)
        assert err.value.code == "face_models_missing"


GEVENT_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import sys
    import gevent
    from devices.face.pool import FacePool

    data = open(sys.argv[1], "rb").read()
    pool = FacePool(workers=1, max_queue=4)
    futures = [pool.submit_describe(data) for _ in range(3)]
    ticks = []

    def ticker():
        while not all(f.done() for f in futures):
            ticks.append(sum(f.done() for f in futures))
            gevent.sleep(0.001)

    g = gevent.spawn(ticker)
    verdicts = [f.result(timeout=120).verdict for f in futures]
    g.join()
    pool.close()
    # other greenlets ran while faces were computed: ticks seen with 0, 1 and 2 jobs done
    print(verdicts, sorted(set(ticks)))
    """
)


@pytest.mark.slow
def test_pool_keeps_gevent_responsive(tmp_path: Path) -> None:
    script = tmp_path / "gevent_pool.py"
    script.write_text(GEVENT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    out = subprocess.run(
        [sys.executable, str(script), str(FACES / "obama_small.jpg")],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['ok', 'ok', 'ok'] [0, 1, 2]"
