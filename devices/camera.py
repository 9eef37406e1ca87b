"""Camera frame sources: one JPEG still on request, bounded in size.

:class:`OpenCVSource` reads a local camera index, an RTSP/HTTP stream URL or a video file;
:class:`ImageFolderSource` cycles through the images in a folder (tests and demos);
:class:`ReopeningSource` holds a configured source that may be missing (unplugged at start-up)
and opens it when it can.
"""

from __future__ import annotations

import _thread
import io
import threading
import time
from collections.abc import Callable
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
    """A camera index (``0``), a stream URL (``rtsp://…``, ``http://…``) or a video file.

    A live camera or stream keeps producing frames whether or not anyone asks; read on demand,
    one ``grab()`` returns the oldest buffered frame, which at the desk can be seconds old and
    show the previous candidate. So a native thread grabs all the time (cheap: no colour
    conversion) and a still is the first frame grabbed *after* the request, decoded on that
    thread. When the capture fails (camera unplugged, stream dropped, end of a file) it is
    reopened every ``reopen_interval`` seconds; a video file therefore plays in a loop at its
    own frame rate, like a camera. :meth:`still` blocks: under gevent call it from the hub's
    thread pool (the thread itself is a real OS thread even under monkey-patching).
    """

    def __init__(
        self,
        source: int | str,
        open_timeout_ms: int = 5000,
        read_timeout_ms: int = 5000,
        reopen_interval: float = 2.0,
    ):
        import cv2

        self._cv2 = cv2
        self.source = source
        self.read_timeout = read_timeout_ms / 1000
        self.reopen_interval = reopen_interval
        self._params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            open_timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            read_timeout_ms,
        ]
        start_thread, self._new_lock = _native()
        self._guard = self._new_lock()
        self._wake = self._new_lock()
        self._wake.acquire()  # released by close() to cut a pause short
        self._exited = self._new_lock()
        self._exited.acquire()  # released by the thread when it has let go of the capture
        self._waiting: list[_StillRequest] = []
        self._closed = False
        self.reopens = 0
        self._capture: Any = self._open()
        if self._capture is None:
            raise self._unavailable()
        self._is_file = isinstance(source, str) and "://" not in source and Path(source).is_file()
        start_thread(self._run, ())

    def _open(self) -> Any:
        capture = self._cv2.VideoCapture(self.source, self._cv2.CAP_ANY, self._params)
        if capture.isOpened():
            return capture
        capture.release()
        return None

    def _unavailable(self) -> CameraError:
        return CameraError(
            "camera_unavailable",
            f"无法打开摄像头 {self.source}，请检查连接、编号或地址",
            f"cannot open camera {self.source}; check the cable, index or URL",
        )

    def _pace(self, capture: Any) -> float:
        """Seconds between grabs: none for a live source (grab waits for the next frame)."""
        if not self._is_file:
            return 0.0
        fps = float(capture.get(self._cv2.CAP_PROP_FPS) or 0)
        return 1 / min(max(fps, 1.0), 60.0) if fps > 0 else 1 / 25

    def _pause(self, seconds: float) -> None:
        if self._wake.acquire(timeout=seconds):
            self._wake.release()  # closing: let every later pause end at once

    def _run(self) -> None:
        capture = self._capture
        pace = self._pace(capture)
        try:
            while not self._closed:
                if capture is None:
                    self._pause(self.reopen_interval)
                    if self._closed:
                        break
                    capture = self._open()
                    if capture is not None:
                        pace = self._pace(capture)
                        with self._guard:
                            self._capture = capture
                            self.reopens += 1
                    continue
                if not capture.grab():
                    capture.release()
                    capture = None
                    with self._guard:
                        self._capture = None
                        waiting, self._waiting = self._waiting, []
                    for request in waiting:
                        request.done.release()  # no frame: still() reports it
                    continue
                with self._guard:
                    waiting, self._waiting = self._waiting, []
                if waiting:
                    ok, frame = capture.retrieve()
                    for request in waiting:
                        request.frame = frame if ok else None
                        request.done.release()
                if pace:
                    self._pause(pace)
        finally:
            if capture is not None:
                capture.release()
            with self._guard:
                self._capture = None
                waiting, self._waiting = self._waiting, []
            for request in waiting:
                request.done.release()
            self._exited.release()

    @property
    def connected(self) -> bool:
        """False while the capture is lost and being reopened."""
        with self._guard:
            return self._capture is not None and not self._closed

    def still(self, max_side: int = 640, quality: int = 85) -> bytes:
        """A frame grabbed after this call began, as JPEG (blocks up to the read timeout)."""
        request = _StillRequest(self._new_lock())
        request.done.acquire()
        with self._guard:
            if self._closed or self._capture is None:
                raise CameraError(
                    "camera_unavailable",
                    f"摄像头 {self.source} 已断开，正在自动重连，请检查连接线或视频流",
                    f"camera {self.source} is disconnected and being reopened; "
                    "check the cable or stream",
                )
            self._waiting.append(request)
        if not request.done.acquire(timeout=self.read_timeout):
            with self._guard:
                if request in self._waiting:
                    self._waiting.remove(request)
        if request.frame is None:
            raise CameraError(
                "camera_no_frame",
                f"摄像头 {self.source} 没有画面，请检查摄像头或视频流",
                f"camera {self.source} gave no frame; check the camera or stream",
            )
        rgb = self._cv2.cvtColor(request.frame, self._cv2.COLOR_BGR2RGB)
        return encode_jpeg(rgb, max_side, quality)

    def close(self) -> None:
        """Stop the reader thread and release the capture (waits up to the read timeout)."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
        self._wake.release()
        self._exited.acquire(timeout=self.read_timeout + 1)


class _StillRequest:
    """One caller of :meth:`OpenCVSource.still` waiting for the next frame."""

    __slots__ = ("done", "frame")

    def __init__(self, done: Any) -> None:
        self.done = done
        self.frame: Any = None


def _native() -> tuple[Callable[..., Any], Callable[[], Any]]:
    """The OS's thread start and lock, also when gevent has patched them into greenlet
    versions: ``cv2`` calls block the whole OS thread, so the camera reader must be a real one,
    and the locks it shares with its callers (hub thread-pool threads) must be real locks."""
    try:
        from gevent import monkey
    except ImportError:
        return _thread.start_new_thread, _thread.allocate_lock
    start, lock = monkey.get_original("_thread", ["start_new_thread", "allocate_lock"])
    return start, lock


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


class ReopeningSource:
    """A configured camera that may be missing: opened when it can be, retried until then.

    A camera unplugged when the server starts (or a stream that is down, an image folder not
    there yet) would otherwise leave the desk without a camera until a restart. Here
    :meth:`reopen` tries ``open_source(spec)`` again once a back-off has passed (``min_retry_s``
    doubling up to ``max_retry_s``), and :meth:`still` does the same first. A source that fails
    a still and cannot heal itself (an image folder; an :class:`OpenCVSource` reopens its own
    capture) is dropped and opened afresh. Opening blocks for at most the source's open timeout:
    call :meth:`reopen` and :meth:`still` off the event loop.
    """

    def __init__(
        self,
        spec: str,
        opener: Callable[[str], FrameSource] | None = None,
        *,
        min_retry_s: float = 2.0,
        max_retry_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self._opener = opener or open_source
        self._min, self._max = min_retry_s, max_retry_s
        self._clock = clock
        self._lock = _native()[1]()  # shared with the hub's pool threads: a real lock
        self._source: FrameSource | None = None
        self._error: DeviceError | None = None
        self._retry_s = min_retry_s
        self._next_try = 0.0
        self.attempts = 0

    @property
    def state(self) -> dict[str, Any]:
        """``{"state": "ok" | "unavailable", "source", "message", "message_en", "attempts"}``."""
        source, error = self._source, self._error
        if source is not None and getattr(source, "connected", True):
            return {
                "state": "ok",
                "source": self.spec,
                "message": f"摄像头 {self.spec} 已连接",
                "message_en": f"camera {self.spec} connected",
                "attempts": self.attempts,
            }
        if source is not None or error is None:  # an OpenCV capture lost, reopening itself
            error = CameraError(
                "camera_unavailable",
                f"摄像头 {self.spec} 已断开，正在自动重连",
                f"camera {self.spec} is disconnected and being reopened",
            )
        return {
            "state": "unavailable",
            "source": self.spec,
            "code": error.code,
            "message": f"{error.message_zh}（正在自动重试）",
            "message_en": f"{error.message_en} (retrying)",
            "attempts": self.attempts,
        }

    def reopen(self) -> bool:
        """Open the source if it is not open and the back-off has passed; True when it is open."""
        with self._lock:
            if self._source is not None:
                return True
            if self._clock() < self._next_try:
                return False
            self.attempts += 1
            try:
                self._source = self._opener(self.spec)
            except DeviceError as e:
                self._error = e
                self._next_try = self._clock() + self._retry_s
                self._retry_s = min(self._retry_s * 2, self._max)
                return False
            self._error = None
            self._retry_s = self._min
            return True

    def still(self, max_side: int = 640, quality: int = 85) -> bytes:
        """A still from the source, opening it first if it is missing (CameraError if it is)."""
        if not self.reopen():
            error = self._error
            raise CameraError(
                error.code if error else "camera_unavailable",
                f"{error.message_zh if error else '摄像头不可用'}（正在自动重试）",
                f"{error.message_en if error else 'camera unavailable'} (retrying)",
            )
        source = self._source
        assert source is not None
        try:
            jpeg = source.still(max_side, quality)
        except DeviceError as e:
            if not hasattr(source, "connected"):  # cannot heal itself: open it afresh next time
                with self._lock:
                    self._source, self._error = None, e
                source.close()
            raise
        return jpeg

    def close(self) -> None:
        """Release the source, if open."""
        with self._lock:
            source, self._source = self._source, None
        if source is not None:
            source.close()
