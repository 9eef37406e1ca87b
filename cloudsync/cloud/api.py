"""The site-facing API (``/api/v1``): every request signed by a registered site (HMAC)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from cloudsync import sealing, signing, wire
from cloudsync.cloud import ingest, publication
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import plans, sites
from cloudsync.cloud.timefmt import local_day_bounds

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, code: str, message: str) -> Response:
    """A JSON error ``{"code", "message"}`` with ``status``."""
    resp = jsonify({"code": code, "message": message})
    resp.status_code = status
    return resp


@bp.before_request
def authenticate_site() -> Response | None:
    """Reject any request that is not signed by a registered site, stale, or replayed."""
    db = get_db()
    site_id = request.headers.get(signing.HEADER_SITE, "")
    site = sites.get(db, site_id) if site_id else None
    if site is None:
        return error(
            401,
            "unknown_site",
            f"站点 {site_id!r} 未在云平台登记，请先登记（site {site_id!r} is not registered; register it first）",
        )
    now = current_app.config["CLOCK"]()
    now_s = int(now.timestamp())
    window = int(current_app.config["REPLAY_WINDOW_S"])
    path = request.full_path if request.query_string else request.path
    try:
        signing.check(
            dict(request.headers),
            site["secret"],
            request.method,
            path,
            request.get_data(),
            now_s,
            window,
        )
    except signing.SignatureError as exc:
        return error(401, exc.code, exc.message)
    nonce = request.headers[signing.HEADER_NONCE]
    if not sites.remember_nonce(db, site_id, nonce, now_s, window):
        return error(
            401,
            "replayed_request",
            "重复的请求（随机数已用过），已拒绝（replayed request: nonce already used; refused）",
        )
    sites.touch(db, site_id, now)
    g.site = site
    g.now = now
    return None


@bp.route("/site")
def site_info() -> Any:
    """Who the cloud thinks the caller is (a signed ping)."""
    return {"site_id": g.site["site_id"], "name": g.site["name"], "now": g.now.isoformat()}


def json_body() -> Any:
    """The request body parsed as JSON, or None when it is not JSON."""
    try:
        return json.loads(request.get_data() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _key() -> Any:
    from cloudsync.cloud.keys import signing_key

    return signing_key(current_app.config["SIGNING_KEY_PATH"])


def _own_plan(plan_id: str) -> Any:
    plan = plans.get(get_db(), plan_id)
    if plan is None or plan["site_id"] != g.site["site_id"]:
        return None
    return plan


@bp.route("/plans")
def list_plans() -> Any:
    """The caller's plans on a China-local date (``?date=YYYY-MM-DD``)."""
    day = request.args.get("date", "")
    try:
        start, end = local_day_bounds(day)
    except ValueError:
        return error(400, "bad_date", "日期应为 YYYY-MM-DD（date must be YYYY-MM-DD）")
    rows = plans.for_site(get_db(), g.site["site_id"], start, end)
    return {"site_id": g.site["site_id"], "date": day, "plans": rows}


@bp.route("/plans/<plan_id>/package")
def plan_package(plan_id: str) -> Any:
    """The signed plan package (roster with photos, sealed paper)."""
    if _own_plan(plan_id) is None:
        return error(404, "unknown_plan", f"本站点没有计划 {plan_id}（no such plan for this site）")
    doc = publication.plan_package(get_db(), _key(), plan_id)
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, mimetype="application/json")


@bp.route("/plans/<plan_id>/release")
def release(plan_id: str) -> Any:
    """The plan's release code, from its start time on (425 before)."""
    if _own_plan(plan_id) is None:
        return error(404, "unknown_plan", f"本站点没有计划 {plan_id}（no such plan for this site）")
    try:
        code = publication.release_code(
            get_db(), plan_id, g.now, int(current_app.config["RELEASE_LEAD_S"])
        )
    except publication.PublishError as exc:
        return error(425, exc.code, exc.message)
    return {"plan_id": plan_id, "release_code": code}


@bp.route("/batches", methods=["POST"])
def push_batch() -> Any:
    """Ingest a batch of outbox records; answer per-record acks, receipts and chain status."""
    batch = json_body()
    try:
        out = ingest.ingest(get_db(), g.site["site_id"], batch, g.now)
    except wire.BatchError as exc:
        return error(400, exc.code, exc.message)
    # Signed and bound to this request: the site marks records stored (and may later purge its
    # copy) only on an answer that provably comes from this cloud for exactly this batch.
    out["request_sha256"] = hashlib.sha256(request.get_data()).hexdigest()
    return sealing.sign_document(out, _key())


@bp.route("/receipts")
def receipts() -> Any:
    """Receipts for every candidate of a plan (``?plan_id=``) from what the cloud holds."""
    plan_id = request.args.get("plan_id", "")
    plan = _own_plan(plan_id)
    if plan is None:
        return error(404, "unknown_plan", f"本站点没有计划 {plan_id}（no such plan for this site）")
    db = get_db()
    tickets = [r["ticket"] for r in plans.roster(db, plan_id, with_photos=False)]
    return {
        "plan_id": plan_id,
        "receipts": [ingest.receipt(db, g.site["site_id"], plan_id, t) for t in tickets],
    }
