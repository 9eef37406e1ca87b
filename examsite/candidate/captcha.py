"""Server-made captcha images (no external service): four characters on a noisy PNG."""

from __future__ import annotations

import base64
import io
import secrets
import threading
import time

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)
TTL_S = 300


class Captchas:
    """Issued captchas kept in memory for five minutes, each usable once."""

    def __init__(self, fixed: str | None = None) -> None:
        self.fixed = fixed
        self._issued: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self) -> tuple[str, str]:
        """A new captcha: (id, PNG data URL)."""
        text = self.fixed or "".join(secrets.choice(ALPHABET) for _ in range(4))
        cid = secrets.token_urlsafe(12)
        now = time.monotonic()
        with self._lock:
            self._issued = {k: v for k, v in self._issued.items() if v[1] > now}
            self._issued[cid] = (text, now + TTL_S)
        return cid, "data:image/png;base64," + base64.b64encode(render(text)).decode()

    def check(self, cid: object, answer: object) -> str | None:
        """None if right; 'captcha_expired' or 'captcha_wrong' otherwise. The captcha is used up either way."""
        with self._lock:
            entry = self._issued.pop(cid, None) if isinstance(cid, str) else None
        if entry is None or entry[1] < time.monotonic():
            return "captcha_expired"
        if not isinstance(answer, str) or answer.strip().upper() != entry[0]:
            return "captcha_wrong"
        return None


def render(text: str) -> bytes:
    """Draw `text` as a 120×44 PNG with jitter, lines and a light blur."""
    rng = secrets.SystemRandom()
    img = Image.new("RGB", (120, 44), (245, 247, 250))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=28)
    for i, ch in enumerate(text):
        colour = (rng.randint(0, 90), rng.randint(0, 90), rng.randint(60, 150))
        draw.text(
            (10 + i * 26 + rng.randint(-3, 3), 6 + rng.randint(-4, 4)), ch, font=font, fill=colour
        )
    for _ in range(5):
        draw.line(
            [(rng.randint(0, 120), rng.randint(0, 44)), (rng.randint(0, 120), rng.randint(0, 44))],
            fill=(rng.randint(120, 200),) * 3,
            width=1,
        )
    img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
