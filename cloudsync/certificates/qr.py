"""QR codes for verification links (the ``qrcode`` package, rendered through Pillow)."""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["qr_image", "qr_png"]


def qr_image(data: str, box_size: int = 8, border: int = 4) -> Image.Image:
    """A black-on-white QR code image for ``data`` (error correction M, quiet zone kept)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(data: str, box_size: int = 8) -> bytes:
    """The QR code for ``data`` as PNG bytes."""
    buf = io.BytesIO()
    qr_image(data, box_size=box_size).save(buf, format="PNG")
    return buf.getvalue()
