"""Malformed console input gets a clear refusal, never a server error."""

from __future__ import annotations

import io
import json
import zipfile

from flask import Flask

from examsite import archive
from tests.console.conftest import ADMIN_PW, Console, csrf_of, login


def test_message_with_a_bad_candidate_id(proctor: Console, session_id: str) -> None:
    ack = proctor.api("message", session_id=session_id, text="请保持安静", candidate_id="abc")
    assert ack["ok"] is False and ack["code"] == "bad_request"


def test_users_page_with_a_bad_user_id(app: Flask) -> None:
    admin = app.test_client()
    assert login(admin, "admin", ADMIN_PW).status_code == 302
    token = csrf_of(admin.get("/console/users").get_data(as_text=True))
    resp = admin.post("/console/users", data={"op": "unlock", "user_id": "x", "csrf_token": token})
    assert resp.status_code == 400  # the page again, with the refusal, not a server error
    assert "请求格式不正确" in resp.get_data(as_text=True)


def test_archive_with_malformed_manifest_entries() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("journal.jsonl", b'{"seq": "x"}\n')
        zf.writestr("journal_chain.jsonl", b"[1, 2]\n")
        zf.writestr(
            "manifest.json",
            json.dumps(
                {
                    "format": archive.FORMAT,
                    "files": [
                        {"path": "journal.jsonl"},
                        {"path": "journal_chain.jsonl", "sha256": "0", "bytes": 1},
                    ],
                }
            ),
        )
    result = archive.verify(buf.getvalue())
    assert result.problems  # refused with reasons, no exception
