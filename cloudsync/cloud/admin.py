"""Administrators' pages: plans, per-plan reports with export, sites."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from cloudsync.cloud.auth import login_required
from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import plans, sites

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
    """One plan's report (filled in by the reports module)."""
    plan = plans.get(get_db(), plan_id)
    if plan is None:
        return render_template(
            "cloud/message.html", title="无此计划（No such plan）", message=plan_id
        ), 404
    return render_template("cloud/message.html", title=plan_id, message=plan["subject"])
