"""Candidate login tokens: HMAC-signed, bound to the candidate, the terminal and a login epoch."""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from examsite.engine.errors import ExamError

_FORM = re.compile(r"^(\d{1,12})\.([A-Za-z0-9_-]{1,64})\.(\d{1,9})\.([0-9a-f]{40})$")


def _sig(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:40]


def issue(secret: str, candidate_id: int, terminal_id: str, epoch: int) -> str:
    """A token for one candidate on one terminal; a transfer bumps the epoch and revokes it."""
    body = f"{candidate_id}.{terminal_id}.{epoch}"
    return f"{body}.{_sig(secret, body)}"


def parse(secret: str, token: object) -> tuple[int, str, int]:
    """(candidate id, terminal id, epoch) of a genuine token; ExamError('token_invalid') otherwise."""
    if not isinstance(token, str):
        raise ExamError("token_invalid")
    return _parse(secret, token)


@lru_cache(maxsize=8192)
def _parse(secret: str, token: str) -> tuple[int, str, int]:
    # Every answer carries its token: a genuine one is checked once, then remembered (a refusal
    # raises and is never cached). Revocation is the caller's: the epoch against the roster.
    m = _FORM.match(token)
    if not m:
        raise ExamError("token_invalid")
    cid, tid, epoch, sig = m.groups()
    if not hmac.compare_digest(sig, _sig(secret, f"{cid}.{tid}.{epoch}")):
        raise ExamError("token_invalid")
    return int(cid), tid, int(epoch)
