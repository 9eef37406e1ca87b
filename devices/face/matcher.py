"""Face check: one face, good enough to trust, described as a 128-D vector and compared.

Pipeline (``specs/face-verification.md`` §4): dlib's HOG frontal face detector with its score
(HOG once fired on a mission patch, so low-score detections are not faces), the 5-point
landmarks (the 68-point model's training data forbids commercial use), and the ResNet
descriptor. Same person ⇒ Euclidean distance small; see ``docs/devices.md`` for the threshold.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from devices.face import images, models

DESCRIPTOR_SIZE = 128


@dataclass(frozen=True)
class FaceSettings:
    """Every tunable of the face check; ``SETTINGS_HELP`` documents each."""

    threshold: float = 0.5
    min_detection_score: float = 0.3
    min_face_px: int = 40
    min_sharpness: float = 0.01
    min_brightness: float = 40.0
    max_brightness: float = 225.0
    min_contrast: float = 10.0
    work_side: int = images.WORK_SIDE
    max_pixels: int = images.MAX_PIXELS
    max_bytes: int = images.MAX_BYTES


SETTINGS_HELP: dict[str, str] = {
    "threshold": "largest descriptor distance still called the same person",
    "min_detection_score": "HOG detector score below which a detection is not counted as a face",
    "min_face_px": "smallest face width (pixels of the original image) worth describing",
    "min_sharpness": "Laplacian variance / contrast² of the face crop; below: blurred",
    "min_brightness": "mean grey level of the face crop; below: too dark",
    "max_brightness": "mean grey level of the face crop; above: washed out",
    "min_contrast": "standard deviation of the face crop's grey levels; below: flat",
    "work_side": "images are shrunk so their longer side is at most this before detection",
    "max_pixels": "images with more pixels are refused before decoding",
    "max_bytes": "inputs with more bytes are refused before decoding",
}

MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("人脸检测通过", "face accepted"),
    "no_face": (
        "未检测到人脸，请正对摄像头并保持光线充足",
        "no face found; face the camera in good light",
    ),
    "several_faces": (
        "检测到多张人脸，请确保画面中只有考生本人",
        "several faces found; only the candidate may be in the picture",
    ),
    "face_too_small": ("人脸太小，请靠近摄像头", "face too small; come closer to the camera"),
    "blurred": ("图像模糊，请保持不动并擦拭镜头", "image blurred; hold still and clean the lens"),
    "too_dark": ("光线太暗，请打开照明", "too dark; turn on the light"),
    "too_bright": ("光线太亮或逆光，请调整照明", "too bright or backlit; adjust the light"),
    "low_contrast": ("画面对比度太低，请调整照明", "contrast too low; adjust the light"),
    "match": ("人脸比对通过", "face matches"),
    "no_match": ("人脸比对不一致，请人工核验", "face does not match; check by hand"),
    "bad_reference": (
        "参考人脸特征无效，请重新采集登记照片",
        "reference descriptor invalid; capture the registered photo again",
    ),
}


@dataclass(frozen=True)
class FaceResult:
    """What :meth:`FaceMatcher.describe` found.

    ``verdict``: ok, no_face, several_faces, poor_quality, not_an_image or too_large; ``reason``
    narrows poor_quality (face_too_small, blurred, too_dark, too_bright, low_contrast).
    ``box`` is (left, top, right, bottom) in the original image's pixels.
    """

    verdict: str
    message_zh: str
    message_en: str
    reason: str = ""
    descriptor: list[float] | None = None
    box: tuple[int, int, int, int] | None = None
    score: float | None = None
    faces: int = 0
    quality: dict[str, float] = field(default_factory=dict)
    width: int = 0
    height: int = 0

    @property
    def ok(self) -> bool:
        """True when a descriptor was computed."""
        return self.verdict == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Verdict:
    """Result of :meth:`FaceMatcher.compare`: match or no_match, or why no comparison was made."""

    verdict: str
    distance: float | None
    threshold: float
    message_zh: str
    message_en: str
    face: FaceResult | None = None

    @property
    def matched(self) -> bool:
        """True for a match."""
        return self.verdict == "match"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the face's descriptor included)."""
        return dataclasses.asdict(self)


def as_descriptor(value: Sequence[float] | bytes | np.ndarray) -> np.ndarray:
    """A float64 vector of 128 finite values from a list, a float32 blob or an array."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) != DESCRIPTOR_SIZE * 4:
            raise ValueError(f"descriptor blob must be {DESCRIPTOR_SIZE * 4} bytes, got {len(raw)}")
        vector = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    else:
        vector = np.asarray(value, dtype=np.float64).reshape(-1)
    if vector.shape != (DESCRIPTOR_SIZE,) or not np.all(np.isfinite(vector)):
        raise ValueError(f"descriptor must be {DESCRIPTOR_SIZE} finite numbers")
    return vector


def descriptor_to_bytes(value: Sequence[float] | np.ndarray) -> bytes:
    """128 little-endian float32 values (512 bytes), for a BLOB column."""
    return as_descriptor(value).astype("<f4").tobytes()


def distance(
    a: Sequence[float] | bytes | np.ndarray, b: Sequence[float] | bytes | np.ndarray
) -> float:
    """Euclidean distance between two descriptors."""
    return float(np.linalg.norm(as_descriptor(a) - as_descriptor(b)))


def _result(verdict: str, reason: str, values: dict[str, Any]) -> FaceResult:
    zh, en = MESSAGES[reason or verdict]
    return FaceResult(verdict, zh, en, reason, **values)


class FaceMatcher:
    """Loads dlib's models once (lazily, thread-safe) and checks faces. CPU-heavy: run it in a
    :class:`~devices.face.pool.FacePool`, never on the event loop."""

    def __init__(self, settings: FaceSettings | None = None, models_dir: str | None = None) -> None:
        self.settings = settings or FaceSettings()
        self._models_dir = models_dir
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, Any] | None = None

    def load(self) -> None:
        """Load the models now (otherwise on first use)."""
        self._models()

    def _models(self) -> tuple[Any, Any, Any]:
        with self._lock:
            if self._loaded is None:
                import dlib

                files = models.locate(self._models_dir)
                self._loaded = (
                    dlib.get_frontal_face_detector(),
                    dlib.shape_predictor(str(files.landmarks)),
                    dlib.face_recognition_model_v1(str(files.descriptor)),
                )
            return self._loaded

    def describe(self, image_bytes: bytes) -> FaceResult:
        """Check one image and compute its descriptor when it shows exactly one good face."""
        s = self.settings
        try:
            work = images.load(image_bytes, s.work_side, s.max_bytes, s.max_pixels)
        except images.ImageRefused as refused:
            return FaceResult(refused.verdict, refused.message_zh, refused.message_en)
        detector, landmarks, encoder = self._models()
        rgb = work.rgb
        size = {"width": work.width, "height": work.height}
        faces: list[tuple[Any, float]] = []
        # HOG's smallest window is 80 px; upsampling finds smaller faces at 4× the cost, so it
        # is only tried when the plain pass found nothing (and twice for thumbnail-sized input).
        for upsample in (0, 1, 2) if max(rgb.shape[:2]) <= 200 else (0, 1):
            rects, scores, _ = detector.run(rgb, upsample, 0.0)
            faces = [
                (r, float(sc))
                for r, sc in zip(rects, scores, strict=True)
                if sc >= s.min_detection_score
            ]
            if faces:
                break
        if not faces:
            return _result("no_face", "", size)
        if len(faces) > 1:
            return _result("several_faces", "", {"faces": len(faces), **size})
        rect, score = faces[0]
        box = tuple(
            round(v * work.scale) for v in (rect.left(), rect.top(), rect.right(), rect.bottom())
        )
        quality = self._quality(rgb, rect)
        quality["face_px"] = float(round(rect.width() * work.scale))
        common = {"box": box, "score": round(score, 3), "faces": 1, "quality": quality, **size}
        reason = self._quality_problem(quality)
        if reason:
            return _result("poor_quality", reason, common)
        shape = landmarks(rgb, rect)
        vector = encoder.compute_face_descriptor(rgb, shape)
        return _result("ok", "", {"descriptor": [float(v) for v in vector], **common})

    @staticmethod
    def _quality(rgb: np.ndarray, rect: Any) -> dict[str, float]:
        height, width = rgb.shape[:2]
        top, bottom = max(rect.top(), 0), min(rect.bottom(), height)
        left, right = max(rect.left(), 0), min(rect.right(), width)
        grey = cv2.cvtColor(rgb[top:bottom, left:right], cv2.COLOR_RGB2GRAY)
        # compare faces at one size so sharpness does not depend on how big the face is
        crop = cv2.resize(grey, (128, 128), interpolation=cv2.INTER_AREA)
        contrast = float(crop.std())
        laplacian = float(cv2.Laplacian(crop, cv2.CV_64F).var())
        # divided by contrast² so a dim but sharp face is not called blurred
        sharpness = laplacian / max(contrast * contrast, 1.0)
        return {
            "sharpness": round(sharpness, 4),
            "brightness": round(float(crop.mean()), 1),
            "contrast": round(contrast, 1),
        }

    def _quality_problem(self, quality: dict[str, float]) -> str:
        s = self.settings
        if quality["face_px"] < s.min_face_px:
            return "face_too_small"
        if quality["brightness"] < s.min_brightness:
            return "too_dark"
        if quality["brightness"] > s.max_brightness:
            return "too_bright"
        if quality["contrast"] < s.min_contrast:
            return "low_contrast"
        if quality["sharpness"] < s.min_sharpness:
            return "blurred"
        return ""

    def compare(
        self,
        reference: Sequence[float] | bytes | np.ndarray,
        image_bytes: bytes,
        threshold: float | None = None,
    ) -> Verdict:
        """Describe ``image_bytes`` and compare it with a stored reference descriptor."""
        limit = self.settings.threshold if threshold is None else threshold
        try:
            ref = as_descriptor(reference)
        except (ValueError, TypeError):
            zh, en = MESSAGES["bad_reference"]
            return Verdict("bad_reference", None, limit, zh, en)
        face = self.describe(image_bytes)
        if not face.ok or face.descriptor is None:
            return Verdict(face.verdict, None, limit, face.message_zh, face.message_en, face)
        gap = float(np.linalg.norm(ref - np.asarray(face.descriptor)))
        verdict = "match" if gap <= limit else "no_match"
        zh, en = MESSAGES[verdict]
        return Verdict(verdict, round(gap, 4), limit, zh, en, face)
