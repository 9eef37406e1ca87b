"""Frame sources: an image folder and OpenCV on a real video file; bounded JPEG output."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.camera import (
    CameraError,
    ImageFolderSource,
    OpenCVSource,
    ReopeningSource,
    encode_jpeg,
    open_source,
)

from .conftest import FACES


def size_of(jpeg_bytes: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(jpeg_bytes)) as image:
        assert image.format == "JPEG"
        return image.size


def test_folder_source_cycles_and_skips_bad_files(tmp_path: Path) -> None:
    for name in ("obama.jpg", "biden.jpg"):
        (tmp_path / name).write_bytes((FACES / name).read_bytes())
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    (tmp_path / "notes.txt").write_text("ignored")
    source = open_source(f"folder:{tmp_path}")
    assert isinstance(source, ImageFolderSource)
    sizes = [size_of(source.still(max_side=320)) for _ in range(4)]
    assert sizes[0] == sizes[2] and sizes[1] == sizes[3] and sizes[0] != sizes[1]
    assert all(max(s) <= 320 for s in sizes)
    source.close()


def test_folder_source_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as err:
        ImageFolderSource(tmp_path)
    assert err.value.code == "camera_folder_empty"
    (tmp_path / "bad.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(CameraError) as err:
        ImageFolderSource(tmp_path).still()
    assert err.value.code == "camera_no_frame"


def test_output_is_bounded() -> None:
    noise = np.random.default_rng(1).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
    data = encode_jpeg(noise, max_side=10_000, quality=100)
    assert max(size_of(data)) <= 1920 and len(data) <= 1024 * 1024


def _video(path: Path, frames: int, fps: int, size: tuple[int, int] = (640, 480)) -> Path:
    """A real MJPG file whose frame ``i`` is a flat grey of level ``10 + 3 * i``."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 10 + 3 * i, np.uint8))
    writer.release()
    return path


def frame_index(jpeg_bytes: bytes) -> int:
    """Which frame of :func:`_video` a still shows."""
    with Image.open(io.BytesIO(jpeg_bytes)) as image:
        return round((float(np.asarray(image.convert("L")).mean()) - 10) / 3)


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_opencv_source_on_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 20, (640, 480))
    with Image.open(FACES / "obama_small.jpg") as image:
        frame = cv2.cvtColor(np.asarray(image.convert("RGB").resize((640, 480))), cv2.COLOR_RGB2BGR)
    for _ in range(3):
        writer.write(frame)
    writer.release()
    source = open_source(str(path))
    try:
        assert isinstance(source, OpenCVSource)
        assert size_of(source.still(max_side=640)) == (640, 480)
        assert size_of(source.still(max_side=200)) == (200, 150)
        # a file plays like a camera: at its end it is reopened and goes on from the start
        wait_until(lambda: source.reopens >= 2)
        assert size_of(source.still()) == (640, 480)
    finally:
        source.close()
    with pytest.raises(CameraError) as err:
        source.still()
    assert err.value.code == "camera_unavailable"


def test_opencv_still_is_the_latest_frame_not_the_oldest_buffered(tmp_path: Path) -> None:
    """A still taken a second after opening shows what the camera sees then, not frame 0."""
    source = OpenCVSource(str(_video(tmp_path / "live.avi", 60, 20)))
    try:
        time.sleep(1.0)
        first = frame_index(source.still())
        time.sleep(0.5)
        second = frame_index(source.still())
    finally:
        source.close()
    assert first >= 8  # 20 frames/s for 1 s; reading on demand gave frame 0
    assert second > first


def test_opencv_source_survives_a_dropout(tmp_path: Path) -> None:
    path = _video(tmp_path / "cam.avi", 10, 20)  # half a second, then the "camera" drops out
    kept = tmp_path / "kept.avi"
    source = OpenCVSource(str(path), reopen_interval=0.2)
    try:
        path.rename(kept)

        def down() -> bool:
            try:
                source.still()
            except CameraError as e:
                return e.code == "camera_unavailable"
            return False

        wait_until(down)
        with pytest.raises(CameraError) as err:
            source.still()
        assert "重连" in err.value.message_zh  # fails at once while down, and says so
        kept.rename(path)  # plugged back in
        wait_until(lambda: not down())
        assert size_of(source.still()) == (640, 480)
    finally:
        source.close()


GEVENT_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()
    import sys
    import gevent
    from devices.camera import OpenCVSource

    source = OpenCVSource(sys.argv[1])
    ticks = []
    running = True

    def ticker():
        while running:
            ticks.append(1)
            gevent.sleep(0.005)

    g = gevent.spawn(ticker)
    pool = gevent.get_hub().threadpool
    stills = [pool.apply(source.still) for _ in range(5)]
    running = False
    g.join()
    source.close()
    print(all(s[:3] == b"\\xff\\xd8\\xff" for s in stills), len(ticks) > 20)
    """
)


def test_opencv_source_under_gevent_keeps_the_loop_running(tmp_path: Path) -> None:
    """Under monkey-patching the reader is still an OS thread, and a still taken through the
    hub's thread pool (as the desk does) lets other greenlets run meanwhile."""
    video = _video(tmp_path / "slow.avi", 20, 4)  # 4 frames/s: each still waits ~0.25 s
    script = tmp_path / "gevent_camera.py"
    script.write_text(GEVENT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    out = subprocess.run(
        [sys.executable, str(script), str(video)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True True"


def test_missing_camera(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as err:
        open_source(str(tmp_path / "no-such-stream.avi"))
    assert err.value.code == "camera_unavailable" and "摄像头" in err.value.message_zh


def test_reopening_source_opens_a_folder_created_after_the_start(tmp_path: Path) -> None:
    folder = tmp_path / "camera"  # not there yet: the camera "unplugged" at start-up
    now = [100.0]
    source = ReopeningSource(f"folder:{folder}", min_retry_s=2, max_retry_s=5, clock=lambda: now[0])
    assert source.reopen() is False and source.attempts == 1
    state = source.state
    assert state["state"] == "unavailable" and state["code"] == "camera_folder_empty"
    assert "正在自动重试" in state["message"] and "retrying" in state["message_en"]
    with pytest.raises(CameraError) as err:
        source.still()  # inside the back-off: no new attempt
    assert err.value.code == "camera_folder_empty" and source.attempts == 1
    for wait, attempts in ((2, 2), (4, 3), (5, 4), (5, 5)):  # doubling, bounded at 5 s
        now[0] += wait - 0.1
        assert source.reopen() is False and source.attempts == attempts - 1
        now[0] += 0.1
        assert source.reopen() is False and source.attempts == attempts

    folder.mkdir()
    (folder / "face.jpg").write_bytes((FACES / "obama.jpg").read_bytes())
    now[0] += 5
    assert max(size_of(source.still(max_side=320))) == 320  # the camera is back
    assert source.state["state"] == "ok" and source.attempts == 6

    (folder / "face.jpg").unlink()  # gone again: dropped, opened afresh once it returns
    with pytest.raises(CameraError):
        source.still()
    assert source.state["state"] == "unavailable"
    (folder / "again.jpg").write_bytes((FACES / "biden.jpg").read_bytes())
    assert source.still() and source.state["state"] == "ok"
    source.close()
