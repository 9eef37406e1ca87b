"""Sealing and request signing (pure), table-driven."""

from __future__ import annotations

import json

import pytest

from cloudsync import sealing, signing


def test_seal_roundtrip_and_typed_code_forms() -> None:
    key = sealing.generate_signing_key()
    pub = sealing.public_key_b64(key)
    code = sealing.new_release_code()
    sealed = sealing.seal({"paper_id": "P", "questions": ["中文"]}, "PLAN-1", code, key)
    assert "中文" not in sealed and "questions" not in sealed
    typed = code.lower().replace("-", " ")
    assert sealing.open_sealed(sealed, pub, typed)["questions"] == ["中文"]
    with pytest.raises(sealing.SealError) as info:
        sealing.verify(sealed, pub, "PLAN-2")
    assert info.value.code == "wrong_plan"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("ciphertext", "AAAA", "bad_signature"),
        ("plan_id", "PLAN-2", "bad_signature"),
        ("signature", "!!", "bad_package"),
        ("format", "x", "bad_package"),
    ],
)
def test_tampered_envelope(field: str, value: str, code: str) -> None:
    key = sealing.generate_signing_key()
    env = json.loads(sealing.seal({"a": 1}, "PLAN-1", sealing.new_release_code(), key))
    env[field] = value
    with pytest.raises(sealing.SealError) as info:
        sealing.verify(json.dumps(env), sealing.public_key_b64(key))
    assert info.value.code == code


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQR!", "ÄBCD-EFGH-JKMN-PQRS"])
def test_malformed_codes_refused(typed: str) -> None:
    with pytest.raises(sealing.SealError) as info:
        sealing.normalize_code(typed)
    assert info.value.code == "bad_release_code"


def test_normalize_reads_lookalikes() -> None:
    assert sealing.normalize_code("o1il-2345-6789-abcd") == "0111234567 89ABCD".replace(" ", "")


SECRET = "s" * 64


def signed(**override: object) -> dict[str, str]:
    h = signing.sign_headers("S1", SECRET, "POST", "/api/v1/batches", b"{}", 1000, nonce="n1")
    h.update({k: str(v) for k, v in override.items()})
    return h


@pytest.mark.parametrize(
    ("headers", "method", "path", "body", "now", "code"),
    [
        ({}, "POST", "/api/v1/batches", b"{}", 1000, "unsigned"),
        (signed(), "POST", "/api/v1/batches", b"{ }", 1000, "bad_signature"),
        (signed(), "GET", "/api/v1/batches", b"{}", 1000, "bad_signature"),
        (signed(), "POST", "/api/v1/batches?x=1", b"{}", 1000, "bad_signature"),
        (signed(), "POST", "/api/v1/batches", b"{}", 1301, "stale_request"),
        (
            signed(**{signing.HEADER_TIMESTAMP: "soon"}),
            "POST",
            "/api/v1/batches",
            b"{}",
            1000,
            "bad_timestamp",
        ),
        (
            signed(**{signing.HEADER_NONCE: "n2"}),
            "POST",
            "/api/v1/batches",
            b"{}",
            1000,
            "bad_signature",
        ),
    ],
)
def test_signature_check_refusals(
    headers: dict[str, str], method: str, path: str, body: bytes, now: int, code: str
) -> None:
    with pytest.raises(signing.SignatureError) as info:
        signing.check(headers, SECRET, method, path, body, now)
    assert info.value.code == code


def test_signature_accepts_within_window() -> None:
    assert signing.check(signed(), SECRET, "POST", "/api/v1/batches", b"{}", 1299) == ("S1", "n1")
