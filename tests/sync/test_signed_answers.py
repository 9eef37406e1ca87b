"""The site believes only answers signed by the cloud it registered with, for the batch it sent."""

from __future__ import annotations

import hashlib
import json

import pytest

from cloudsync import sealing
from cloudsync.client import CloudClient, CloudError


class Answering(CloudClient):
    """The real client with the network replaced by a recorded answer (its transport is `request`)."""

    def __init__(self, answer: dict, public_key: str) -> None:
        super().__init__("http://127.0.0.1:9", "SITE-A", "s" * 32, public_key)
        self.answer = answer

    def request(self, method: str, path: str, **kw):  # type: ignore[override]
        answer = self.answer

        class Resp:
            def json(self_inner):
                return answer

        self.sent = kw.get("body")
        return Resp()


def signed(key, body: bytes, acks: list) -> dict:
    out = {
        "acks": acks,
        "receipts": [],
        "chain": {"ok": True},
        "request_sha256": hashlib.sha256(body).hexdigest(),
    }
    return sealing.sign_document(out, key)


def body_for(records: list) -> bytes:
    return json.dumps(
        {"site_id": "SITE-A", "batch_id": "", "records": records},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def test_signed_answer_for_this_batch_is_taken() -> None:
    key = sealing.generate_signing_key()
    records = [{"seq": 1, "kind": "journal"}]
    client = Answering(
        signed(key, body_for(records), [{"seq": 1, "status": "stored"}]),
        sealing.public_key_b64(key),
    )
    assert client.push(records)["acks"][0]["status"] == "stored"


@pytest.mark.parametrize("case", ["other_key", "tampered", "other_batch", "unsigned"])
def test_forged_or_misbound_answers_are_refused(case: str) -> None:
    key, other = sealing.generate_signing_key(), sealing.generate_signing_key()
    records = [{"seq": 1, "kind": "journal"}]
    answer = signed(
        other if case == "other_key" else key,
        body_for([{"seq": 2}]) if case == "other_batch" else body_for(records),
        [{"seq": 1, "status": "stored"}],
    )
    if case == "tampered":
        answer["acks"][0]["status"] = "duplicate"
    if case == "unsigned":
        answer.pop("signature")
    client = Answering(answer, sealing.public_key_b64(key))
    with pytest.raises(CloudError) as e:
        client.push(records)
    assert e.value.code == "bad_response_signature"
