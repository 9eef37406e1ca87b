"""Administrators' login and logout, and the role check used by the admin views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from cloudsync.cloud.database import get_db
from cloudsync.cloud.store import admins

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

F = TypeVar("F", bound=Callable[..., Any])


@bp.before_app_request
def load_admin() -> None:
    """Put the logged-in administrator (or None) on ``g.admin``."""
    username = session.get("admin")
    g.admin = admins.get(get_db(), username) if username else None


def login_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in administrator, optionally with one of ``roles`` (``admin`` always passes)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.admin is None:
                return redirect(url_for("auth.login", next=request.path))
            if roles and g.admin["role"] != "admin" and g.admin["role"] not in roles:
                return render_template(
                    "cloud/message.html",
                    title="无权限（Forbidden）",
                    message="您的角色不能执行此操作，请联系管理员（your role may not do this; ask an administrator）",
                ), 403
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return wrap


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with username and password."""
    error = None
    if request.method == "POST":
        row = admins.authenticate(
            get_db(), request.form.get("username", ""), request.form.get("password", "")
        )
        if row is None:
            error = "用户名或密码错误（wrong username or password）"
        else:
            session.clear()
            session["admin"] = row["username"]
            target = request.args.get("next", "")
            # only local paths, never an open redirect
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("admin.index")
            return redirect(target)
    return render_template("cloud/login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST", "GET"])
def logout() -> Any:
    """Log out."""
    session.clear()
    return redirect(url_for("auth.login"))
