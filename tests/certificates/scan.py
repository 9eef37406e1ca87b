"""Scan a QR code the way a phone does: try again at another resolution when a frame fails."""

from __future__ import annotations

import cv2
import numpy as np
import pypdfium2
from PIL import Image


def decode_image(image: Image.Image) -> str | None:
    """The text of the QR code in ``image`` (OpenCV's detectors), or None."""
    bgr = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, points, _ = detector.detectAndDecode(bgr)
        if points is not None and text:
            return str(text)
    return None


def decode_pdf(pdf: bytes) -> str:
    """The QR code's text on the PDF's first page, rendered at a few resolutions in turn."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        for scale in (2, 3, 4, 2.5):
            text = decode_image(document[0].render(scale=scale).to_pil())
            if text:
                return text
    finally:
        document.close()
    raise AssertionError("no QR code could be decoded from the PDF")
