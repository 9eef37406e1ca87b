"""Certificate pages of the cloud: approval queue, certificates, lifecycle, public verification.

Settings (``app.config``, ``EXAMCLOUD_*`` environment variables like every cloud setting):

- ``CERT_ISSUER``: the issuing authority printed on certificates (``山东省住房和城乡建设厅``).
- ``CERT_LINK_KEY_PATH``: Ed25519 key signing verification links
  (``<instance>/certificate_links_ed25519.pem``, created on first use).
- ``CERT_PUBLIC_URL``: base URL printed in QR codes (default: the URL the request came in on).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from cloudsync.certificates import approvals, lifecycle, rules
from cloudsync.certificates.approvals import CertificateError
from cloudsync.certificates.links import LinkError, LinkSigner
from cloudsync.certificates.pdf import FontMissing, render_pdf
from cloudsync.certificates.store import certificates, companies, evidence, journal
from cloudsync.cloud.auth import login_required
from cloudsync.cloud.database import get_db
from cloudsync.cloud.timefmt import iso

bp = Blueprint("certificates", __name__, template_folder="templates")

DEFAULT_ISSUER = "山东省住房和城乡建设厅"


def _now() -> Any:
    return current_app.config["CLOCK"]()


def _issuer() -> str:
    return str(current_app.config.get("CERT_ISSUER") or DEFAULT_ISSUER)


def signer() -> LinkSigner:
    """The app's link signer (key in the instance folder unless configured)."""
    cached = current_app.extensions.get("cert_link_signer")
    if cached is None:
        path = current_app.config.get("CERT_LINK_KEY_PATH") or str(
            Path(current_app.instance_path) / "certificate_links_ed25519.pem"
        )
        cached = current_app.extensions["cert_link_signer"] = LinkSigner.load_or_create(path)
    return cached


def verify_link(uid: str) -> str:
    """The signed public verification link of a certificate."""
    base = current_app.config.get("CERT_PUBLIC_URL") or request.url_root
    return signer().link(str(base), uid)


def _actor() -> str:
    return f"admin:{g.admin['username']}"


def _flash_error(exc: CertificateError) -> None:
    for r in exc.refusals:
        flash(r.message, "error")


# ---- approval queue ---------------------------------------------------------------------------
@bp.route("/certificates/")
@login_required()
def index() -> Any:
    """Plans with passing results, certificates (searchable), companies and CE records."""
    db = get_db()
    text = request.args.get("q", "").strip()
    today = approvals.today_of(_now())
    rows = certificates.search(db, text)
    for r in rows:
        r["status"] = lifecycle.status_of(r, today)
        r["status_zh"] = lifecycle.STATUS_TEXT[r["status"]][0]
    return render_template(
        "certificates/index.html",
        plans=evidence.plans_with_passes(db),
        certificates=rows,
        q=text,
        companies=companies.all_companies(db),
        categories=rules.GAS_CATEGORIES,
        kinds=rules.kinds(),
    )


@bp.route("/certificates/plans/<plan_id>")
@login_required()
def plan_queue(plan_id: str) -> Any:
    """One plan's approval queue: every passing candidate with everything needed to decide."""
    db = get_db()
    plan = evidence.plan(db, plan_id)
    if plan is None:
        return render_template(
            "cloud/message.html", title="无此计划（No such plan）", message=plan_id
        ), 404
    items = approvals.queue(db, plan_id, approvals.today_of(_now()))
    kind = items[0].kind if items else approvals.proposal_for(db, plan["subject"])[0]
    try:
        rule_set = rules.get(kind)
    except KeyError:
        rule_set = rules.GAS
    return render_template(
        "certificates/queue.html",
        plan=plan,
        items=items,
        rule_set=rule_set,
        categories=rules.GAS_CATEGORIES,
    )


@bp.route("/certificates/plans/<plan_id>/approve", methods=["POST"])
@login_required("operator")
def approve(plan_id: str) -> Any:
    """Approve one candidate (审批通过) and issue the certificate."""
    form = request.form
    try:
        cert = approvals.approve(
            get_db(),
            form.get("site_id", ""),
            plan_id,
            form.get("ticket", ""),
            _actor(),
            _now(),
            _issuer(),
            role=form.get("role") or None,
            work_type=form.get("work_type") or None,
        )
    except CertificateError as exc:
        _flash_error(exc)
        return redirect(url_for("certificates.plan_queue", plan_id=plan_id)), 303
    flash(f"已发证 {cert['number']}（certificate {cert['number']} issued）", "ok")
    return redirect(url_for("certificates.plan_queue", plan_id=plan_id)), 303


@bp.route("/certificates/plans/<plan_id>/stop", methods=["POST"])
@login_required("operator")
def stop(plan_id: str) -> Any:
    """Stop one case (终止取证) with a reason."""
    form = request.form
    try:
        approvals.stop(
            get_db(),
            form.get("site_id", ""),
            plan_id,
            form.get("ticket", ""),
            _actor(),
            _now(),
            form.get("reason", ""),
        )
    except CertificateError as exc:
        _flash_error(exc)
    else:
        flash(f"已终止取证 {form.get('ticket')}（case stopped）", "ok")
    return redirect(url_for("certificates.plan_queue", plan_id=plan_id)), 303


@bp.route("/certificates/plans/<plan_id>/bulk-approve", methods=["POST"])
@login_required("operator")
def bulk_approve(plan_id: str) -> Any:
    """Approve every clean, undecided candidate of the plan."""
    issued, left = approvals.bulk_approve(get_db(), plan_id, _actor(), _now(), _issuer())
    flash(
        f"批量发证 {len(issued)} 本；{len(left)} 人需逐一审核（{len(issued)} issued, {len(left)} left for review）",
        "ok",
    )
    return redirect(url_for("certificates.plan_queue", plan_id=plan_id)), 303


# ---- certificates -----------------------------------------------------------------------------
@bp.route("/certificates/c/<uid>")
@login_required()
def detail(uid: str) -> Any:
    """One certificate for administrators: status, dates, journal, actions."""
    db = get_db()
    row = certificates.by_uid(db, uid)
    if row is None:
        return render_template(
            "cloud/message.html", title="无此证书（No such certificate）", message=uid
        ), 404
    today = approvals.today_of(_now())
    view = lifecycle.public_view(row, today)
    return render_template(
        "certificates/detail.html",
        cert=row,
        view=view,
        reason=lifecycle.admin_reason(row),
        ce=lifecycle.ce_schedule(row),
        link=verify_link(uid),
        entries=journal.entries(db, row["id"]),
        renewal_opens=rules.get(row["kind"]).renewal_opens(lifecycle.terms_of(row)).isoformat(),
    )


@bp.route("/certificates/c/<uid>.pdf")
@login_required()
def pdf(uid: str) -> Any:
    """The e-certificate PDF."""
    db = get_db()
    row = certificates.by_uid(db, uid)
    if row is None:
        return render_template(
            "cloud/message.html", title="无此证书（No such certificate）", message=uid
        ), 404
    try:
        data = render_pdf(
            lifecycle.document(
                row,
                certificates.photo(db, row["id"]),
                verify_link(uid),
                approvals.today_of(_now()),
            )
        )
    except FontMissing as exc:
        return render_template(
            "cloud/message.html", title="缺少字体（Font missing）", message=str(exc)
        ), 500
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=certificate-{row['id']}.pdf"},
    )


@bp.route("/certificates/c/<uid>/revoke", methods=["POST"])
@login_required("operator")
def revoke(uid: str) -> Any:
    """注销 with a reason."""
    try:
        lifecycle.revoke(get_db(), uid, _actor(), _now(), request.form.get("reason", ""))
    except CertificateError as exc:
        _flash_error(exc)
    else:
        flash("证书已注销（certificate revoked）", "ok")
    return redirect(url_for("certificates.detail", uid=uid)), 303


@bp.route("/certificates/c/<uid>/renew", methods=["POST"])
@login_required("operator")
def renew(uid: str) -> Any:
    """延期 within the three months before expiry, with a continuing-education record."""
    try:
        row = lifecycle.renew(get_db(), uid, _actor(), _now())
    except CertificateError as exc:
        _flash_error(exc)
    else:
        flash(f"已延期至 {row['valid_until']}（renewed until {row['valid_until']}）", "ok")
    return redirect(url_for("certificates.detail", uid=uid)), 303


@bp.route("/certificates/ce-records", methods=["POST"])
@login_required("operator")
def add_ce_record() -> Any:
    """Import one continuing-education record."""
    form = request.form
    try:
        day = date.fromisoformat(form.get("completed_on", ""))
    except ValueError:
        flash("完成日期格式应为 YYYY-MM-DD（the date must be YYYY-MM-DD）", "error")
        return redirect(url_for("certificates.index")), 303
    try:
        lifecycle.add_ce_record(
            get_db(),
            form.get("id_number", ""),
            form.get("kind", "gas"),
            day,
            _actor(),
            _now(),
            form.get("note", ""),
        )
    except CertificateError as exc:
        _flash_error(exc)
    else:
        flash("继续教育记录已登记（continuing-education record stored）", "ok")
    return redirect(url_for("certificates.index")), 303


@bp.route("/certificates/companies", methods=["POST"])
@login_required("operator")
def save_company() -> Any:
    """Register a company's business category and legal representative."""
    form = request.form
    name = form.get("name", "").strip()
    category = form.get("category", "").strip() or None
    if not name or (category and category not in rules.GAS_CATEGORIES):
        flash(
            "请填写企业名称并选择经营类别（enter the company name and choose a category）", "error"
        )
    else:
        companies.upsert(
            get_db(),
            name,
            category,
            form.get("legal_rep_id_number", "").strip().upper() or None,
            form.get("credit_code", "").strip() or None,
            iso(_now()),
        )
        flash(f"已登记 {name}（company saved）", "ok")
    return redirect(url_for("certificates.index")), 303


# ---- public verification ----------------------------------------------------------------------
@bp.route("/verify/<uid>")
def verify(uid: str) -> Any:
    """Public page behind the QR code: the certificate's status, nothing more than it prints."""
    want_json = request.args.get("format") == "json"
    try:
        signer().verify(uid, request.args.get("s", ""))
    except LinkError as exc:
        if want_json:
            return jsonify({"code": "bad_link", "message": str(exc)}), 400
        return render_template("certificates/verify.html", error=str(exc), view=None), 400
    row = certificates.by_uid(get_db(), uid)
    if row is None:
        message = "未找到该证书，请向发证机关核实（no such certificate: ask the issuing authority）"
        if want_json:
            return jsonify({"code": "not_found", "message": message}), 404
        return render_template("certificates/verify.html", error=message, view=None), 404
    view = lifecycle.public_view(row, approvals.today_of(_now()))
    if want_json:
        return jsonify(view)
    return render_template("certificates/verify.html", error=None, view=view)


@bp.route("/verify/public-key.pem")
def public_key() -> Any:
    """The key that verification links are signed with, for scanning apps."""
    return Response(signer().public_pem(), mimetype="application/x-pem-file")
