"""Frame sources: an image folder and OpenCV on a real video file; bounded JPEG output."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.camera import (
    CameraError,
    ImageFolderSource,
    OpenCVSource,
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


def test_opencv_source_on_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5, (640, 480))
    with Image.open(FACES / "obama_small.jpg") as image:
        frame = cv2.cvtColor(np.asarray(image.convert("RGB").resize((640, 480))), cv2.COLOR_RGB2BGR)
    for _ in range(3):
        writer.write(frame)
    writer.release()
    source = OpenCVSource(str(path))
    try:
        assert size_of(source.still(max_side=640)) == (640, 480)
        assert size_of(source.still(max_side=200)) == (200, 150)
        source.still()
        with pytest.raises(CameraError) as err:
            source.still()  # the file has three frames
        assert err.value.code == "camera_no_frame"
    finally:
        source.close()


def test_missing_camera(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as err:
        open_source(str(tmp_path / "no-such-stream.avi"))
    assert err.value.code == "camera_unavailable" and "摄像头" in err.value.message_zh
