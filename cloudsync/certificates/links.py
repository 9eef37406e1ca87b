"""Signed verification links: the cloud signs each certificate's public id with Ed25519.

A link is ``<base>/verify/<uid>?s=<signature>``. The signature covers a fixed label and the
uid, so a link cannot be made up for another certificate, and anyone holding the cloud's public
key (a scanning app, the verification page) can check a link without a database.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["LinkError", "LinkSigner", "LinkVerifier", "new_uid", "split_link"]

_LABEL = b"examcloud-certificate-verify/v1\n"
_UID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class LinkError(ValueError):
    """A verification link that is malformed or whose signature does not verify."""


def new_uid() -> str:
    """A fresh public id for a certificate: 16 random bytes, URL-safe, unguessable."""
    return secrets.token_urlsafe(16)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkVerifier:
    """Checks link signatures with the cloud's public key."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key

    def public_pem(self) -> str:
        """The public key as PEM, for publishing to scanning apps."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verify(self, uid: str, signature: str) -> None:
        """Raise :class:`LinkError` unless ``signature`` is the cloud's signature of ``uid``."""
        if not _UID.match(uid or ""):
            raise LinkError("验证链接格式不正确（malformed verification link）")
        try:
            raw = _unb64(signature or "")
        except (ValueError, TypeError):
            raise LinkError("验证链接签名格式不正确（malformed signature）") from None
        if len(raw) != 64:
            raise LinkError("验证链接签名格式不正确（malformed signature）")
        try:
            self.public_key.verify(raw, _LABEL + uid.encode("ascii"))
        except InvalidSignature:
            raise LinkError(
                "验证链接签名无效，证书可能被篡改，请以发证机关查询结果为准"
                "（the link's signature is invalid: the link was altered）"
            ) from None

    def verify_url(self, url: str) -> str:
        """Check a whole link and return the certificate uid it names."""
        uid, signature = split_link(url)
        self.verify(uid, signature)
        return uid


class LinkSigner(LinkVerifier):
    """Signs verification links; holds the private key, which never leaves the cloud."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        super().__init__(private_key.public_key())
        self._private_key = private_key

    @classmethod
    def generate(cls) -> LinkSigner:
        """A signer with a new random key (tests, first start)."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> LinkSigner:
        """The signer whose PEM key is at ``path``, creating it (mode 0600) on first use."""
        p = Path(path)
        if p.exists():
            key = serialization.load_pem_private_key(p.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{p} 不是 Ed25519 私钥（{p} is not an Ed25519 private key）")
            return cls(key)
        key = Ed25519PrivateKey.generate()
        p.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return cls(key)

    def sign(self, uid: str) -> str:
        """The signature of ``uid``, URL-safe base64 without padding."""
        if not _UID.match(uid):
            raise ValueError(f"bad certificate uid {uid!r}")
        return _b64(self._private_key.sign(_LABEL + uid.encode("ascii")))

    def link(self, base_url: str, uid: str) -> str:
        """The full verification link for ``uid`` under ``base_url``."""
        return f"{base_url.rstrip('/')}/verify/{uid}?s={self.sign(uid)}"


def split_link(url: str) -> tuple[str, str]:
    """(uid, signature) from a verification link, or :class:`LinkError`."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[-2] != "verify":
        raise LinkError("不是证书验证链接（not a certificate verification link）")
    signature = parse_qs(parts.query).get("s", [""])[0]
    return segments[-1], signature
