"""Turn untrusted image bytes into a bounded RGB array, or a clear refusal.

Handles what cameras, phones and roster exports send: JPEG/PNG/BMP/WebP/GIF, EXIF rotation,
RGBA (composited on white), grey, palette and 16-bit images; refuses what is not an image or
too big to decode safely, before decoding it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50 MP phone photo still decodes in well under a second
WORK_SIDE = 640  # the face pipeline runs at this size: faster, and enough for a 150 px chip


class ImageRefused(Exception):
    """The bytes cannot be used; ``verdict`` is ``not_an_image`` or ``too_large``."""

    def __init__(self, verdict: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh}（{message_en}）")
        self.verdict = verdict
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class WorkImage:
    """The decoded image at work size, and the factor back to the original's pixels."""

    rgb: np.ndarray  # uint8, H×W×3, C-contiguous
    scale: float  # original pixels per work pixel
    width: int  # original size
    height: int


def _not_image(detail_en: str) -> ImageRefused:
    return ImageRefused(
        "not_an_image",
        "文件不是可识别的图片，请上传 JPEG 或 PNG 照片",
        f"not a readable image ({detail_en}); send a JPEG or PNG photo",
    )


def _too_large(detail_zh: str, detail_en: str) -> ImageRefused:
    return ImageRefused(
        "too_large",
        f"图片过大（{detail_zh}），请上传不超过 {MAX_PIXELS // 1_000_000} 百万像素的照片",
        f"image too large ({detail_en}); send a photo of at most {MAX_PIXELS // 1_000_000} megapixels",
    )


def load(
    data: bytes,
    work_side: int = WORK_SIDE,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> WorkImage:
    """Decode, orient, convert to RGB and shrink so the longer side is at most ``work_side``."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise _not_image("empty input")
    if len(data) > max_bytes:
        raise _too_large(f"{len(data) // 1024} KB", f"{len(data) // 1024} KB")
    with warnings.catch_warnings():
        # Pillow warns (and at twice the limit raises) on decompression bombs; both are refusals
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(bytes(data)))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large("像素数超限", "pixel count over the limit") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _not_image(type(exc).__name__) from exc
        width, height = image.size
        if width * height > max_pixels:
            raise _too_large(f"{width}×{height}", f"{width}×{height}")
        if width < 16 or height < 16:
            raise _not_image(f"only {width}×{height} pixels")
        try:
            image.draft("RGB", (work_side, work_side))  # JPEG: decode at reduced scale, much faster
            image.load()
            decoded_w = image.size[0]
            oriented = ImageOps.exif_transpose(image) or image
            rgb = _to_rgb(oriented)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large("像素数超限", "pixel count over the limit") from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise _not_image(f"damaged: {exc}") from exc
    if oriented.size[0] != decoded_w:  # EXIF rotated by 90°: the original's sides swap
        width, height = height, width
    if max(rgb.size) > work_side:
        rgb.thumbnail((work_side, work_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    array = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    return WorkImage(array, width / rgb.size[0], width, height)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        span = high - low or 1.0
        return Image.fromarray(((values - low) * (255.0 / span)).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
