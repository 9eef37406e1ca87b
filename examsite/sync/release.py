"""Opening a sealed paper at the start: with the code fetched from the cloud, or typed in."""

from __future__ import annotations

from typing import Any

from cloudsync import sealing
from cloudsync.client import CloudClient, CloudError
from examsite.store import journal, outbox, sessions
from examsite.store.db import SiteDB


class ReleaseError(Exception):
    """The paper could not be opened; ``code`` is stable, ``message`` bilingual."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def open_with_code(
    sitedb: SiteDB, session_id: str, code: str, actor: str = "technician"
) -> dict[str, Any]:
    """Open the session's sealed paper with a release code (typed by the proctor or fetched);
    the opening is journaled."""
    with sitedb.read() as db:
        row = sessions.paper_row(db, session_id)
        link = outbox.link(db)
    if row is None or row["sealed"] is None:
        raise ReleaseError(
            "no_sealed_paper", "该场次没有密封试卷（no sealed paper for this session）"
        )
    if row["content"] is not None:
        return {"session_id": session_id, "opened": True, "already": True}
    if link is None:
        raise ReleaseError(
            "not_linked", "本考点未登记省平台，无法校验试卷（site not linked; cannot verify）"
        )
    sealed = row["sealed"].decode("utf-8") if isinstance(row["sealed"], bytes) else row["sealed"]
    try:
        paper = sealing.open_sealed(sealed, link["public_key"], code)
    except sealing.SealError as exc:
        raise ReleaseError(exc.code, exc.message) from None
    with sitedb.write() as db:
        sessions.open_paper(db, session_id, paper)
        journal.append(
            db,
            "paper_opened",
            actor,
            {"paper_id": paper.get("paper_id"), "questions": len(paper["questions"])},
            session_id=session_id,
        )
    return {"session_id": session_id, "opened": True, "questions": len(paper["questions"])}


def fetch_and_open(
    sitedb: SiteDB, client: CloudClient, session_id: str, actor: str = "technician"
) -> dict[str, Any]:
    """Fetch the release code from the cloud (online path) and open the paper."""
    try:
        code = client.fetch_release_code(session_id)
    except CloudError as exc:
        raise ReleaseError(exc.code, exc.message) from None
    if code is None:
        raise ReleaseError(
            "not_yet_released",
            "省平台尚未公布开考码（开考时间未到）（the cloud has not published the release code yet）",
        )
    return open_with_code(sitedb, session_id, code, actor)
