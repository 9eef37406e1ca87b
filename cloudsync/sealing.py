"""Sealed paper packages (pure): AES-256-GCM encryption, Ed25519 signature, release-code key.

A paper is encrypted under a random 256-bit paper key. The paper key is wrapped (AES-256-GCM)
under a key derived with scrypt from a human-typeable *release code*, which the cloud publishes
only at the exam's start. The whole envelope is signed with the cloud's Ed25519 key, which the
site pinned at registration. So the day before, a site can check that a package is genuine and
intact (:func:`verify`) but cannot read it; at the start it opens it with the code (:func:`open_sealed`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "examsite-sealed-paper/1"
# Crockford base32 without I, L, O, U: no letters that read as digits when typed from a screen
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LEN = 4
# 2**15 × 8 × 128 B = 32 MiB and ~0.1 s: cheap once per plan, costly for guessing 80-bit codes
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class SealError(Exception):
    """A sealed package is malformed, tampered, wrongly signed or the code is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def new_release_code() -> str:
    """A random release code like ``7K2M-Q9XD-4TRB-HW3N`` (80 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(chars[i : i + CODE_GROUP_LEN] for i in range(0, len(chars), CODE_GROUP_LEN))


def normalize_code(code: str) -> str:
    """Canonical form of a typed code: upper case, no separators, O→0, I/L→1."""
    text = code.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    text = "".join(ch for ch in text if ch not in " -_\u3000")
    bad = sorted({ch for ch in text if ch not in ALPHABET})
    if bad or len(text) != CODE_GROUPS * CODE_GROUP_LEN:
        raise SealError(
            "bad_release_code",
            f"开考码格式不对：应为 {CODE_GROUPS * CODE_GROUP_LEN} 位字母数字（如 7K2M-Q9XD-4TRB-HW3N），请核对后重新输入"
            f"（release code must be {CODE_GROUPS * CODE_GROUP_LEN} letters/digits like "
            "7K2M-Q9XD-4TRB-HW3N; check it and type it again）",
        )
    return text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _kdf(code: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        normalize_code(code).encode("ascii")
    )


def _signed_bytes(env: dict[str, Any]) -> bytes:
    body = {k: v for k, v in env.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def generate_signing_key() -> Ed25519PrivateKey:
    """A new Ed25519 signing key for the cloud."""
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """PEM (PKCS#8, unencrypted) of a signing key, for the cloud's instance folder."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """Load the cloud's signing key from PEM."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SealError("bad_key", "签名密钥不是 Ed25519（signing key is not Ed25519）")
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The public half as base64 of the 32 raw bytes: what a site pins at registration."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64(raw)


def seal(
    paper: dict[str, Any], plan_id: str, release_code: str, signing_key: Ed25519PrivateKey
) -> str:
    """Encrypt and sign ``paper`` for ``plan_id``; return the envelope as a JSON string."""
    paper_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    plain = json.dumps(paper, ensure_ascii=False, sort_keys=True).encode("utf-8")
    aad = f"{FORMAT}|{plan_id}".encode()
    ciphertext = AESGCM(paper_key).encrypt(nonce, plain, aad)
    salt = os.urandom(16)
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(_kdf(release_code, salt)).encrypt(wrap_nonce, paper_key, aad)
    env: dict[str, Any] = {
        "format": FORMAT,
        "plan_id": plan_id,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "wrap_nonce": _b64(wrap_nonce),
        "wrapped_key": _b64(wrapped),
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
        "plain_sha256": hashlib.sha256(plain).hexdigest(),
    }
    env["signature"] = _b64(signing_key.sign(_signed_bytes(env)))
    return json.dumps(env, sort_keys=True, separators=(",", ":"))


def sha256(sealed: str) -> str:
    """Hex SHA-256 of a sealed envelope string (the hash a plan package lists)."""
    return hashlib.sha256(sealed.encode("utf-8")).hexdigest()


def verify(sealed: str, public_key_b64_text: str, plan_id: str | None = None) -> dict[str, Any]:
    """Check an envelope's shape and Ed25519 signature; return it parsed, or raise SealError."""
    try:
        env = json.loads(sealed)
        if not isinstance(env, dict) or env.get("format") != FORMAT:
            raise ValueError("format")
        sig = _unb64(env["signature"])
        for field in ("wrap_nonce", "wrapped_key", "nonce", "ciphertext"):
            _unb64(env[field])
        _unb64(env["kdf"]["salt"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SealError(
            "bad_package",
            f"试卷包格式损坏（{exc}），请重新拉取（sealed paper is malformed: {exc}; pull it again）",
        ) from None
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(public_key_b64_text))
        public.verify(sig, _signed_bytes(env))
    except (InvalidSignature, ValueError):
        raise SealError(
            "bad_signature",
            "试卷包签名无效：内容被篡改或不是本省云平台签发，已拒收；请联系省平台"
            "（sealed paper signature is invalid: tampered with or not signed by the provincial "
            "cloud; refused, contact the cloud administrators）",
        ) from None
    if plan_id is not None and env["plan_id"] != plan_id:
        raise SealError(
            "wrong_plan",
            f"试卷包属于计划 {env['plan_id']}，不是 {plan_id}（package is for plan {env['plan_id']}, not {plan_id}）",
        )
    return dict(env)


def open_sealed(sealed: str, public_key_b64_text: str, release_code: str) -> dict[str, Any]:
    """Verify, then decrypt with the release code; return the paper, or raise SealError."""
    env = verify(sealed, public_key_b64_text)
    aad = f"{FORMAT}|{env['plan_id']}".encode()
    kdf = env["kdf"]
    if (kdf.get("name"), kdf.get("n"), kdf.get("r"), kdf.get("p")) != (
        "scrypt",
        SCRYPT_N,
        SCRYPT_R,
        SCRYPT_P,
    ):
        raise SealError("bad_package", "不支持的密钥派生参数（unsupported KDF parameters）")
    try:
        paper_key = AESGCM(_kdf(release_code, _unb64(kdf["salt"]))).decrypt(
            _unb64(env["wrap_nonce"]), _unb64(env["wrapped_key"]), aad
        )
    except InvalidTag:
        raise SealError(
            "wrong_release_code",
            "开考码不正确，请向省平台或主考核对后重新输入（wrong release code; check it with the cloud and type it again）",
        ) from None
    try:
        plain = AESGCM(paper_key).decrypt(_unb64(env["nonce"]), _unb64(env["ciphertext"]), aad)
    except InvalidTag:
        raise SealError(
            "bad_package", "试卷密文损坏，请重新拉取（paper ciphertext damaged; pull it again）"
        ) from None
    if hashlib.sha256(plain).hexdigest() != env["plain_sha256"]:
        raise SealError("bad_package", "试卷校验值不符（paper checksum mismatch）")
    paper: dict[str, Any] = json.loads(plain)
    return paper


def sign_document(doc: dict[str, Any], signing_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of ``doc`` with ``signature``: Ed25519 over its canonical JSON without that field."""
    out = {k: v for k, v in doc.items() if k != "signature"}
    out["signature"] = _b64(signing_key.sign(_signed_bytes(out)))
    return out


def verify_document(doc: Any, public_key_b64_text: str) -> dict[str, Any]:
    """Check a signed document (a plan package); return it or raise :class:`SealError`."""
    try:
        if not isinstance(doc, dict):
            raise ValueError("not an object")
        sig = _unb64(doc["signature"])
        public = Ed25519PublicKey.from_public_bytes(_unb64(public_key_b64_text))
        public.verify(sig, _signed_bytes(doc))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        raise SealError(
            "bad_signature",
            "计划包签名无效：内容被篡改或不是本省云平台签发，已拒收；请重新拉取或联系省平台"
            "（plan package signature is invalid: tampered with or not from the provincial cloud; "
            "refused, pull again or contact the cloud administrators）",
        ) from None
    return doc
