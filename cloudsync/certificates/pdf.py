"""The e-certificate PDF (reportlab), with a CJK font from a Debian package embedded.

The font comes from ``fonts-wqy-microhei`` (installed by ``scripts/setup``) or another CJK
font already on the machine; nothing is downloaded at run time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from cloudsync.certificates.qr import qr_image

__all__ = ["FONT_CANDIDATES", "CertificateDocument", "FontMissing", "cjk_font", "render_pdf"]

#: CJK fonts tried in order: (path, index inside a .ttc collection).
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
)
_FONT_NAME = "CertCJK"
_SEAL_RED = Color(0.75, 0.1, 0.1)


class FontMissing(RuntimeError):
    """No CJK font is installed, so Chinese text cannot be rendered."""


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one e-certificate; ``id_number`` is already masked."""

    kind_title: str
    role_title: str
    number: str
    holder_name: str
    holder_sex: str
    id_number: str
    company: str
    valid_from: date
    valid_until: date
    issuer: str
    issued_on: date
    verify_url: str
    photo: bytes | None = None
    #: the renewed period, printed while the current one still applies
    next_valid_from: date | None = None
    next_valid_until: date | None = None


def cjk_font(candidates: Sequence[tuple[str, int]] = FONT_CANDIDATES) -> str:
    """Register the first CJK font found with reportlab and return its name."""
    if _FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return _FONT_NAME
    for path, index in candidates:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(_FONT_NAME, path, subfontIndex=index))
            return _FONT_NAME
    raise FontMissing(
        "未找到中文字体，请运行 scripts/setup 安装 fonts-wqy-microhei"
        "（no CJK font found: run scripts/setup, which installs fonts-wqy-microhei）"
    )


def _photo_reader(photo: bytes | None) -> ImageReader | None:
    if not photo:
        return None
    try:
        image = Image.open(io.BytesIO(photo))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # a broken photo must not stop the certificate; the box says so
    return ImageReader(image.convert("RGB"))


def _sex_text(sex: str) -> str:
    return {"M": "男", "F": "女"}.get(sex, sex)


def render_pdf(doc: CertificateDocument) -> bytes:
    """The certificate as PDF bytes: one landscape A4 page."""
    font = cjk_font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle(f"{doc.kind_title} {doc.number}")
    c.setAuthor(doc.issuer)
    c.setSubject(doc.verify_url)

    c.setStrokeColor(_SEAL_RED)
    c.setLineWidth(2)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.6)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    c.setFillColor(black)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 38 * mm, doc.kind_title)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, height - 47 * mm, "（电子证照）")

    # photo, left
    px, py, pw, ph = 30 * mm, height - 110 * mm, 35 * mm, 45 * mm
    c.setStrokeColor(black)
    c.rect(px, py, pw, ph)
    reader = _photo_reader(doc.photo)
    if reader is not None:
        c.drawImage(reader, px, py, pw, ph, preserveAspectRatio=True, anchor="c")
    else:
        c.setFont(font, 10)
        c.drawCentredString(px + pw / 2, py + ph / 2, "无照片")

    rows = [
        ("姓　　名", doc.holder_name),
        ("性　　别", _sex_text(doc.holder_sex)),
        ("身份证号", doc.id_number),
        ("工作单位", doc.company),
        ("证书类型", doc.role_title),
        ("证书编号", doc.number),
        ("有 效 期", f"{doc.valid_from:%Y年%m月%d日} 至 {doc.valid_until:%Y年%m月%d日}"),
        *(
            [
                (
                    "延 期 至",
                    f"{doc.next_valid_from:%Y年%m月%d日} 至 {doc.next_valid_until:%Y年%m月%d日}",
                )
            ]
            if doc.next_valid_from and doc.next_valid_until
            else []
        ),
        ("发证机关", doc.issuer),
        ("发证日期", f"{doc.issued_on:%Y年%m月%d日}"),
    ]
    x_label, x_value, y = 80 * mm, 108 * mm, height - 68 * mm
    for label, value in rows:
        c.setFont(font, 12)
        c.drawString(x_label, y, label)
        c.setFont(font, 12)
        c.drawString(x_value, y, str(value))
        y -= 10 * mm

    # QR, right: large enough to scan from a phone screen or a print
    qr = qr_image(doc.verify_url, box_size=10)
    size = 52 * mm
    qx, qy = width - 30 * mm - size, 30 * mm
    c.drawImage(ImageReader(qr), qx, qy, size, size)
    c.setFont(font, 9)
    c.drawCentredString(qx + size / 2, qy - 5 * mm, "扫码核验证书真伪")

    # seal text, bottom left
    c.setStrokeColor(_SEAL_RED)
    c.setFillColor(_SEAL_RED)
    c.circle(60 * mm, 40 * mm, 18 * mm)
    c.setFont(font, 8 if len(doc.issuer) <= 12 else 7)
    c.drawCentredString(60 * mm, 41 * mm, doc.issuer[:16])
    c.drawCentredString(60 * mm, 35 * mm, "电子证照专用章")
    c.setFillColor(black)
    c.setFont(font, 8)
    c.drawString(
        30 * mm,
        17 * mm,
        "本电子证照与纸质证书具有同等效力；任何形式的再转化版本不具备同等效力。证书状态以扫码核验结果为准。",
    )
    c.showPage()
    c.save()
    return buf.getvalue()
