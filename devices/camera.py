"""Camera frame sources: one JPEG still on request, bounded in size.

:class:`OpenCVSource` reads a local camera index, an RTSP/HTTP stream URL or a video file;
:class:`ImageFolderSource` cycles through the images in a folder (tests and demos).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, UnidentifiedImageError

from devices.errors import DeviceError

MAX_SIDE = 1920
MAX_JPEG_BYTES = 1024 * 1024
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class FrameSource(Protocol):
    """Anything that can hand out a still."""

    def still(self, max_side: int = 640, quality: int = 85) -> bytes:
        """One JPEG, longer side at most ``max_side``."""

    def close(self) -> None:
        """Release the device."""


class CameraError(DeviceError):
    """The camera gave no picture."""


def encode_jpeg(rgb: np.ndarray, max_side: int = 640, quality: int = 85) -> bytes:
    """Shrink an RGB array to ``max_side`` and encode it; lower the quality until ≤ 1 MB."""
    max_side = max(16, min(int(max_side), MAX_SIDE))
    quality = max(20, min(int(quality), 95))
    image = Image.fromarray(rgb).convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    while True:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= MAX_JPEG_BYTES or quality <= 20:
            return out.getvalue()
        quality -= 15


class OpenCVSource:
    """A camera index (``0``), a stream URL (``rtsp://…``, ``http://…``) or a video file."""

    def __init__(self, source: int | str, open_timeout_ms: int = 5000, read_timeout_ms: int = 5000):
        import cv2

        self._cv2 = cv2
        self.source = source
        self._lock = threading.Lock()
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            open_timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            read_timeout_ms,
        ]
        self._capture: Any = cv2.VideoCapture(source, cv2.CAP_ANY, params)
        if not self._capture.isOpened():
            self._capture.release()
            raise CameraError(
                "camera_unavailable",
                f"无法打开摄像头 {source}，请检查连接、编号或地址",
                f"cannot open camera {source}; check the cable, index or URL",
            )

    def still(self, max_side: int = 640, quality: int = 85) -> bytes:
        """The current frame as JPEG (older buffered frames are skipped for live streams)."""
        with self._lock:
            grabbed = self._capture.grab()
            ok, frame = self._capture.retrieve() if grabbed else (False, None)
        if not ok or frame is None:
            raise CameraError(
                "camera_no_frame",
                f"摄像头 {self.source} 没有画面，请检查摄像头或视频流",
                f"camera {self.source} gave no frame; check the camera or stream",
            )
        rgb = self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2RGB)
        return encode_jpeg(rgb, max_side, quality)

    def close(self) -> None:
        """Release the capture."""
        with self._lock:
            self._capture.release()


class ImageFolderSource:
    """Hands out the folder's images in name order, round and round; unreadable files are skipped."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files = (
            sorted(
                p
                for p in self.folder.iterdir()
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
            if self.folder.is_dir()
            else []
        )
        if not self._files:
            raise CameraError(
                "camera_folder_empty",
                f"图片文件夹 {self.folder} 中没有图片（jpg/png/bmp/webp）",
                f"no images (jpg/png/bmp/webp) in folder {self.folder}",
            )
        self._next = 0
        self._lock = threading.Lock()

    def still(self, max_side: int = 640, quality: int = 85) -> bytes:
        """The next readable image as JPEG."""
        for _ in range(len(self._files)):
            with self._lock:
                path = self._files[self._next]
                self._next = (self._next + 1) % len(self._files)
            try:
                with Image.open(path) as image:
                    image.draft("RGB", (max_side, max_side))
                    rgb = np.asarray(image.convert("RGB"))
            except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
                continue
            return encode_jpeg(rgb, max_side, quality)
        raise CameraError(
            "camera_no_frame",
            f"图片文件夹 {self.folder} 中的图片都无法读取",
            f"none of the images in {self.folder} can be read",
        )

    def close(self) -> None:
        """Nothing to release."""


def open_source(spec: str) -> FrameSource:
    """``folder:/path`` → image folder; a number → camera index; anything else → OpenCV URL/file."""
    if spec.startswith("folder:"):
        return ImageFolderSource(spec[len("folder:") :])
    if spec.isdigit():
        return OpenCVSource(int(spec))
    return OpenCVSource(spec)
