"""Administrators' pages: plans, per-plan reports with export, sites."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template

from cloudsync.cloud import reports
from cloudsync.cloud.auth import login_required
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import plans, sites

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/")
@login_required()
def index() -> Any:
    """Every exam plan, newest first."""
    return render_template("cloud/plans.html", plans=plans.all_plans(get_db()))


@bp.route("/sites", endpoint="sites")
@login_required()
def sites_view() -> Any:
    """Registered sites."""
    return render_template("cloud/sites.html", sites=sites.all_sites(get_db()))


@bp.route("/plans/<plan_id>")
@login_required()
def plan_report(plan_id: str) -> Any:
    """One plan's report: attendance, scores, absentees, violations, captures, incidents, chain."""
    report = reports.plan_report(get_db(), plan_id)
    if report is None:
        return render_template(
            "cloud/message.html", title="无此计划（No such plan）", message=plan_id
        ), 404
    return render_template("cloud/report.html", r=report, gap_text=reports.gap_text)


@bp.route("/plans/<plan_id>/export.<fmt>")
@login_required()
def export(plan_id: str, fmt: str) -> Any:
    """The plan's report as ``xlsx`` or ``csv``."""
    report = reports.plan_report(get_db(), plan_id)
    if report is None or fmt not in ("xlsx", "csv"):
        return render_template(
            "cloud/message.html", title="无此计划（No such plan）", message=plan_id
        ), 404
    if fmt == "csv":
        data, mime = reports.to_csv(report), "text/csv; charset=utf-8"
    else:
        data, mime = reports.to_xlsx(report), XLSX
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = f'attachment; filename="{plan_id}.{fmt}"'
    return resp


@bp.route("/plans/<plan_id>/report.json")
@login_required()
def report_json(plan_id: str) -> Any:
    """The plan's report as JSON."""
    report = reports.plan_report(get_db(), plan_id)
    if report is None:
        return {"code": "unknown_plan", "message": f"没有计划 {plan_id}（no such plan）"}, 404
    return report
