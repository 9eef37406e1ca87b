"""Request signing between a site and the cloud (pure): HMAC-SHA256 over the request's parts.

The string signed is, one per line: the method, the path with its query string, the timestamp
(integer epoch seconds), a nonce, and the hex SHA-256 of the body. The cloud accepts a request
only inside a replay window around its own clock and only once per nonce (it stores the nonces;
this module only says whether the signature and timestamp are right).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

HEADER_SITE = "X-Exam-Site"
HEADER_TIMESTAMP = "X-Exam-Timestamp"
HEADER_NONCE = "X-Exam-Nonce"
HEADER_SIGNATURE = "X-Exam-Signature"
DEFAULT_WINDOW_S = 300


class SignatureError(Exception):
    """A request's signature is missing, wrong, stale or replayed; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def string_to_sign(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The exact bytes both sides feed to HMAC."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, str(int(timestamp)), nonce, digest]).encode("utf-8")


def signature(secret: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the request under the site's shared secret."""
    msg = string_to_sign(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def sign_headers(
    site_id: str, secret: str, method: str, path: str, body: bytes, now_s: int, nonce: str = ""
) -> dict[str, str]:
    """Headers that authenticate one request (a fresh random nonce unless one is given)."""
    nonce = nonce or secrets.token_hex(16)
    return {
        HEADER_SITE: site_id,
        HEADER_TIMESTAMP: str(int(now_s)),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, now_s, nonce, body),
    }


def check(
    headers: Mapping[str, str],
    secret: str,
    method: str,
    path: str,
    body: bytes,
    now_s: int,
    window_s: int = DEFAULT_WINDOW_S,
) -> tuple[str, str]:
    """Verify a signed request; return (site_id, nonce) or raise :class:`SignatureError`.

    The caller must still make sure the nonce was not seen before within the window.
    """
    site = headers.get(HEADER_SITE, "")
    ts_text = headers.get(HEADER_TIMESTAMP, "")
    nonce = headers.get(HEADER_NONCE, "")
    sig = headers.get(HEADER_SIGNATURE, "")
    if not (site and ts_text and nonce and sig):
        raise SignatureError(
            "unsigned",
            "请求缺少签名头，请用站点客户端发送（request is not signed; use the site client）",
        )
    try:
        ts = int(ts_text)
    except ValueError:
        raise SignatureError(
            "bad_timestamp", "签名时间戳格式错误（signature timestamp is not an integer）"
        ) from None
    if abs(now_s - ts) > window_s:
        raise SignatureError(
            "stale_request",
            f"请求时间与云端相差 {abs(now_s - ts)} 秒，超出 {window_s} 秒；请校准站点服务器时钟"
            f"（request time is {abs(now_s - ts)} s off the cloud clock, over {window_s} s; "
            "fix the site server's clock）",
        )
    if len(nonce) > 64:
        raise SignatureError("bad_nonce", "随机数过长（nonce longer than 64 characters）")
    expected = signature(secret, method, path, ts, nonce, body)
    if not hmac.compare_digest(expected, sig):
        raise SignatureError(
            "bad_signature",
            "请求签名不正确：站点密钥与云端登记不一致，请重新登记站点"
            "（bad request signature: the site's secret does not match the cloud; re-register the site）",
        )
    return site, nonce
