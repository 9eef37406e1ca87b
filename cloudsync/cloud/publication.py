"""What administrators publish: banks imported, papers composed, plans sealed, packages built.

Each function takes the database (and the cloud's signing key where it signs) and is what the CLI,
the admin pages and the site API call.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudsync import sealing
from cloudsync.cloud import bank_excel, composition, qti, roster_import
from cloudsync.cloud.db import Database
from cloudsync.cloud.store import papers, plans, questions, sites
from cloudsync.cloud.timefmt import iso, parse_iso

DEFAULT_SETTINGS: dict[str, Any] = {
    "checkin_open_min": 30,
    "late_cut_min": 5,
    "submit_after_min": 30,
    "captures_per_candidate": 3,
    "show_score": False,
}


class PublishError(ValueError):
    """A publishing step was refused; ``code`` is stable and the message bilingual."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _store_questions(
    db: Database, qs: list[dict[str, Any]], now: datetime
) -> tuple[int, list[str]]:
    stored, dupes = 0, []
    with db.transaction():
        for q in qs:
            if questions.add(db, q, q.get("source", ""), now):
                stored += 1
            else:
                dupes.append(q.get("source", q["qid"]))
    return stored, dupes


def import_bank(db: Database, path: str | Path, now: datetime) -> bank_excel.BankReport:
    """Import an Excel bank; already-known questions are listed as duplicates, not re-added."""
    report = bank_excel.read_workbook(path)
    report.stored, dupes = _store_questions(db, report.questions, now)
    report.duplicates.extend(dupes)
    return report


def import_qti(db: Database, data: bytes, category: str, now: datetime) -> qti.QtiReport:
    """Import a QTI 2.1 package's choice items under ``category``."""
    report = qti.read_package(data, category)
    report.stored, report.duplicates = _store_questions(db, report.questions, now)
    return report


def compose_paper(
    db: Database,
    meta: dict[str, Any],
    now: datetime,
    parts: list[composition.Part] | None = None,
    qids: list[str] | None = None,
    scores: dict[str, float] | None = None,
    seed: int | str | None = None,
) -> dict[str, Any]:
    """Compose (by rule when ``parts``, else by hand from ``qids``) and store a paper."""
    if papers.get(db, meta.get("paper_id", "")):
        raise PublishError(
            "paper_exists", f"试卷 {meta['paper_id']} 已存在（paper already exists）"
        )
    if parts:
        paper = composition.by_rule(meta, parts, lambda c, t: questions.pool(db, c, t), seed)
    else:
        wanted = qids or []
        paper = composition.by_hand(meta, questions.by_ids(db, wanted), scores or {}, wanted)
    papers.add(db, paper, now)
    return paper


def create_plan(
    db: Database,
    key: Ed25519PrivateKey,
    *,
    plan_id: str,
    site_id: str,
    room: str,
    starts_at: str,
    paper_id: str,
    now: datetime,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create a plan: seal its paper under a fresh release code; return the plan row."""
    if plans.get(db, plan_id):
        raise PublishError("plan_exists", f"计划 {plan_id} 已存在（plan {plan_id} already exists）")
    if sites.get(db, site_id) is None:
        raise PublishError(
            "unknown_site", f"站点 {site_id} 未登记，请先 register-site（site not registered）"
        )
    paper = papers.get(db, paper_id)
    if paper is None:
        raise PublishError(
            "unknown_paper", f"没有试卷 {paper_id}，请先组卷（no such paper; compose it first）"
        )
    try:
        start = parse_iso(starts_at)
    except ValueError:
        raise PublishError(
            "bad_time",
            f"开考时间 {starts_at!r} 格式应为 2026-11-24T09:30+08:00（start time must be ISO-8601）",
        ) from None
    code = sealing.new_release_code()
    sealed = sealing.seal(paper, plan_id, code, key)
    row = {
        "plan_id": plan_id,
        "site_id": site_id,
        "room": room,
        "subject": paper["subject"],
        "starts_at": iso(start),
        "duration_min": paper["duration_min"],
        "paper_id": paper_id,
        "settings": {**DEFAULT_SETTINGS, **(settings or {})},
        "release_code": code,
        "sealed": sealed,
        "paper_sha256": sealing.sha256(sealed),
    }
    plans.add(db, row, now)
    return row


def import_roster(
    db: Database, plan_id: str, path: str | Path, photos: str | Path | None
) -> roster_import.RosterReport:
    """Replace a plan's roster from a file (rows refused are listed, not stored)."""
    if plans.get(db, plan_id) is None:
        raise PublishError("unknown_plan", f"没有计划 {plan_id}（no such plan）")
    report = roster_import.read_roster(path, photos)
    plans.replace_roster(db, plan_id, report.entries)
    return report


def plan_package(db: Database, key: Ed25519PrivateKey, plan_id: str) -> dict[str, Any] | None:
    """The signed plan package a site pulls (docs/architecture.md), or None for an unknown plan."""
    plan = plans.get(db, plan_id)
    if plan is None:
        return None
    roster = [
        {
            "ticket": r["ticket"],
            "name": r["name"],
            "gender": r["gender"],
            "id_number": r["id_number"],
            "company": r["company"] or "",
            "seat": r["seat"],
            "photo_b64": base64.b64encode(r["photo"]).decode("ascii") if r["photo"] else None,
            "descriptor": r["descriptor"],
        }
        for r in plans.roster(db, plan_id)
    ]
    doc = {
        "plan_id": plan["plan_id"],
        "site_id": plan["site_id"],
        "room": plan["room"],
        "subject": plan["subject"],
        "starts_at": plan["starts_at"],
        "duration_min": plan["duration_min"],
        "paper_id": plan["paper_id"],
        "settings": plan["settings"],
        "roster": roster,
        "paper": {"sealed": plan["sealed"], "sha256": plan["paper_sha256"]},
    }
    return sealing.sign_document(doc, key)


def release_code(db: Database, plan_id: str, now: datetime, lead_s: int = 0) -> str:
    """The plan's release code, only from its start time (less ``lead_s``); else PublishError."""
    plan = plans.get(db, plan_id)
    if plan is None:
        raise PublishError("unknown_plan", f"没有计划 {plan_id}（no such plan）")
    opens = parse_iso(plan["starts_at"]) - timedelta(seconds=lead_s)
    if now < opens:
        raise PublishError(
            "not_yet_released",
            f"开考码将于 {iso(opens)}（UTC）公布，请到开考时间再取（the release code is published at {iso(opens)} UTC）",
        )
    return str(plan["release_code"])
