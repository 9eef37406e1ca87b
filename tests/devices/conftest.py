"""Shared fixtures of the devices tests: test material from ../shared/data, one matcher, one pool."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from devices.face.matcher import FaceMatcher
from devices.face.pool import FacePool

SHARED = Path(__file__).parents[2].parent / "shared" / "data"
FACES = SHARED / "faces"


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    """Encode a PIL image as JPEG bytes."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    """Encode a PIL image as PNG bytes (keeps alpha, grey, 16-bit)."""
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def face_bytes() -> dict[str, bytes]:
    """obama, obama_small and biden as the original JPEG bytes."""
    return {
        name: (FACES / f"{name}.jpg").read_bytes() for name in ("obama", "obama_small", "biden")
    }


@pytest.fixture(scope="session")
def no_face_jpeg() -> bytes:
    """The lower part of obama.jpg: suit and flag, no face."""
    with Image.open(FACES / "obama.jpg") as image:
        return jpeg(image.crop((0, 600, image.width, image.height)))


@pytest.fixture(scope="session")
def two_faces_jpeg() -> bytes:
    """obama_small and a crop of biden pasted side by side."""
    with Image.open(FACES / "obama_small.jpg") as left, Image.open(FACES / "biden.jpg") as right:
        face = right.crop((330, 80, 870, 650)).resize((240, 254))
        canvas = Image.new("RGB", (600, 260), (128, 128, 128))
        canvas.paste(left.convert("RGB"), (0, 10))
        canvas.paste(face.convert("RGB"), (350, 3))
        return jpeg(canvas)


@pytest.fixture(scope="session")
def matcher() -> FaceMatcher:
    """One matcher per test session: loading the models takes about a second."""
    m = FaceMatcher()
    m.load()
    return m


@pytest.fixture(scope="session")
def pool() -> Iterator[FacePool]:
    """One worker process for the whole session."""
    p = FacePool(workers=1, max_queue=4)
    yield p
    p.close()
