"""Face matcher on real photos: match, no match, refusals, quality gates, hostile inputs."""

from __future__ import annotations

import dataclasses
import io
import zlib

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from devices.errors import DeviceError
from devices.face import images, models
from devices.face.matcher import (
    SETTINGS_HELP,
    FaceMatcher,
    FaceSettings,
    as_descriptor,
    descriptor_to_bytes,
    distance,
)

from .conftest import FACES, jpeg, png


@pytest.fixture(scope="module")
def references(matcher: FaceMatcher, face_bytes: dict[str, bytes]) -> dict[str, list[float]]:
    out = {}
    for name, data in face_bytes.items():
        result = matcher.describe(data)
        assert result.ok and result.descriptor is not None, (name, result)
        out[name] = result.descriptor
    return out


def test_same_person_matches(
    matcher: FaceMatcher, references: dict[str, list[float]], face_bytes: dict[str, bytes]
) -> None:
    verdict = matcher.compare(references["obama"], face_bytes["obama_small"])
    assert verdict.verdict == "match" and verdict.matched
    assert verdict.distance is not None and verdict.distance < 0.3
    assert verdict.threshold == FaceSettings().threshold
    assert verdict.message_zh == "人脸比对通过"


def test_other_person_does_not_match(
    matcher: FaceMatcher, references: dict[str, list[float]], face_bytes: dict[str, bytes]
) -> None:
    verdict = matcher.compare(references["obama"], face_bytes["biden"])
    assert verdict.verdict == "no_match"
    assert verdict.distance is not None and verdict.distance > 0.7
    assert distance(references["biden"], references["obama_small"]) > 0.7


def test_describe_reports_box_score_and_quality(
    matcher: FaceMatcher, face_bytes: dict[str, bytes]
) -> None:
    result = matcher.describe(face_bytes["obama"])
    assert (result.width, result.height) == (910, 1137)
    assert result.box is not None
    left, top, right, _ = result.box
    assert 250 < left < 450 and 50 < top < 250 and right - left > 200  # in original pixels
    assert result.score is not None and result.score > 1.0
    assert set(result.quality) == {"face_px", "sharpness", "brightness", "contrast"}
    assert result.descriptor is not None and len(result.descriptor) == 128
    assert result.to_dict()["verdict"] == "ok"


def test_no_face(matcher: FaceMatcher, no_face_jpeg: bytes) -> None:
    assert matcher.describe(no_face_jpeg).verdict == "no_face"
    plain = jpeg(Image.new("RGB", (640, 480), (90, 120, 150)))
    result = matcher.describe(plain)
    assert result.verdict == "no_face" and "未检测到人脸" in result.message_zh


def test_two_faces(
    matcher: FaceMatcher, two_faces_jpeg: bytes, references: dict[str, list[float]]
) -> None:
    result = matcher.describe(two_faces_jpeg)
    assert result.verdict == "several_faces" and result.faces == 2
    verdict = matcher.compare(references["obama"], two_faces_jpeg)
    assert verdict.verdict == "several_faces" and verdict.distance is None


def test_grey_rgba_palette_and_16_bit(
    matcher: FaceMatcher, references: dict[str, list[float]]
) -> None:
    with Image.open(FACES / "obama_small.jpg") as image:
        rgb = image.convert("RGB")
    rgba = rgb.convert("RGBA")
    rgba.putalpha(200)
    grey16 = Image.fromarray(
        (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    )
    for label, data in [
        ("grey", png(rgb.convert("L"))),
        ("rgba", png(rgba)),
        ("palette", png(rgb.convert("P"))),
        ("grey16", png(grey16)),
        ("webp", _save(rgb, "WEBP")),
        ("bmp", _save(rgb, "BMP")),
    ]:
        verdict = matcher.compare(references["obama"], data)
        assert verdict.verdict == "match", (label, verdict)


def _save(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + bytes(100), b"GIF89a" + bytes(20)],
    ids=["empty", "text", "jpeg-header-only", "gif-header-only"],
)
def test_not_an_image(matcher: FaceMatcher, data: bytes) -> None:
    result = matcher.describe(data)
    assert result.verdict == "not_an_image" and "图片" in result.message_zh


def test_truncated_jpeg(matcher: FaceMatcher, face_bytes: dict[str, bytes]) -> None:
    result = matcher.describe(face_bytes["obama"][:5000])
    assert result.verdict in ("not_an_image", "no_face")


def test_tiny_image(matcher: FaceMatcher) -> None:
    assert matcher.describe(png(Image.new("RGB", (8, 8)))).verdict == "not_an_image"


def _png_claiming(width: int, height: int) -> bytes:
    """A small valid PNG whose header claims ``width``×``height`` (a decompression bomb)."""
    data = bytearray(png(Image.new("1", (16, 16))))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = crc.to_bytes(4, "big")
    return bytes(data)


def test_huge_images_are_refused_before_decoding(matcher: FaceMatcher) -> None:
    for width, height in [(10_000, 8_000), (100_000, 100_000)]:
        result = matcher.describe(_png_claiming(width, height))
        assert result.verdict == "too_large", (width, height)
        assert "过大" in result.message_zh
    small_limit = FaceMatcher(dataclasses.replace(FaceSettings(), max_bytes=1000))
    assert small_limit.describe(bytes(2000)).verdict == "too_large"


def test_big_but_allowed_image_is_downscaled(matcher: FaceMatcher) -> None:
    with Image.open(FACES / "obama.jpg") as image:
        big = image.convert("RGB").resize((3640, 4548))
    result = matcher.describe(jpeg(big, 80))
    assert result.ok and result.width == 3640
    assert result.box is not None and result.box[2] - result.box[0] > 800


def test_exif_rotation_is_applied(matcher: FaceMatcher, references: dict[str, list[float]]) -> None:
    with Image.open(FACES / "obama_small.jpg") as image:
        turned = image.convert("RGB").rotate(90, expand=True)  # stored sideways…
    exif = Image.Exif()
    exif[0x0112] = 6  # …with the EXIF flag that says "turn 90° clockwise to view"
    out = io.BytesIO()
    turned.save(out, "JPEG", exif=exif)
    result = matcher.describe(out.getvalue())
    assert result.ok and (result.width, result.height) == (320, 240)


def test_quality_gates(matcher: FaceMatcher) -> None:
    with Image.open(FACES / "obama_small.jpg") as image:
        rgb = image.convert("RGB")
    blurred = matcher.describe(jpeg(rgb.filter(ImageFilter.GaussianBlur(3))))
    assert (blurred.verdict, blurred.reason) == ("poor_quality", "blurred")
    dark = matcher.describe(jpeg(ImageEnhance.Brightness(rgb).enhance(0.15)))
    assert (dark.verdict, dark.reason) in {("poor_quality", "too_dark"), ("no_face", "")}
    strict = FaceMatcher(dataclasses.replace(FaceSettings(), min_face_px=200))
    small = strict.describe(jpeg(rgb))
    assert (small.verdict, small.reason) == ("poor_quality", "face_too_small")
    assert small.message_zh == "人脸太小，请靠近摄像头" and small.box is not None


def test_bad_reference(matcher: FaceMatcher, face_bytes: dict[str, bytes]) -> None:
    for reference in ([0.1] * 5, [float("nan")] * 128, b"\x00" * 10):
        verdict = matcher.compare(reference, face_bytes["obama_small"])
        assert verdict.verdict == "bad_reference"


def test_descriptor_blob_round_trip(references: dict[str, list[float]]) -> None:
    blob = descriptor_to_bytes(references["obama"])
    assert len(blob) == 512
    assert distance(blob, references["obama"]) < 1e-5
    assert np.allclose(as_descriptor(blob), references["obama"], atol=1e-6)
    with pytest.raises(ValueError):
        as_descriptor(blob[:-4])


def test_models_are_found_by_path_and_missing_models_are_clear(tmp_path: object) -> None:
    files = models.locate()
    assert (
        files.landmarks.name == "shape_predictor_5_face_landmarks.dat"
        and files.descriptor.is_file()
    )
    with pytest.raises(DeviceError) as err:
        models.locate(str(tmp_path))
    assert err.value.code == "face_models_missing" and "scripts/setup" in err.value.message_zh
    with pytest.raises(DeviceError):
        FaceMatcher(models_dir=str(tmp_path)).describe(jpeg(Image.new("RGB", (64, 64))))


def test_work_image_scale() -> None:
    work = images.load(jpeg(Image.new("RGB", (1280, 960), (10, 20, 30))))
    assert work.rgb.shape == (480, 640, 3) and work.scale == 2.0


def test_every_setting_is_documented() -> None:
    fields = {f.name for f in dataclasses.fields(FaceSettings)}
    assert fields == set(SETTINGS_HELP)
