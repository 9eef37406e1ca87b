"""The ``examcloud`` commands (each runs inside the app's context)."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask, current_app

from cloudsync import sealing
from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.keys import signing_key
from cloudsync.cloud.store import admins, sites


def _app(ctx: click.Context) -> Flask:
    app: Flask = ctx.find_root().obj
    return app


def _echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@click.command("init-db")
@click.pass_context
def init_db_cmd(ctx: click.Context) -> None:
    """建库/升级（create or upgrade the database schema）."""
    with _app(ctx).app_context():
        new = init_db()
        signing_key(current_app.config["SIGNING_KEY_PATH"])
        click.echo(f"数据库已就绪，新执行 {len(new)} 步（database ready, {len(new)} steps applied）")


@click.command("create-admin")
@click.argument("username")
@click.option("--role", default="admin", type=click.Choice(admins.ROLES))
@click.password_option(envvar="EXAMCLOUD_ADMIN_PASSWORD")
@click.pass_context
def create_admin(ctx: click.Context, username: str, role: str, password: str) -> None:
    """创建管理员（create an administrator account）."""
    with _app(ctx).app_context():
        init_db()
        try:
            admins.create(get_db(), username, password, role)
        except admins.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"已创建 {username}（{role}）（created {username} as {role}）")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8600, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """启动云平台（serve the cloud over HTTP with a threaded WSGI server）."""
    app = _app(ctx)
    with app.app_context():
        init_db()
    from werkzeug.serving import run_simple

    click.echo(f"云平台 http://{host}:{port}/admin/ （cloud listening on {host}:{port}）")
    run_simple(host, port, app, threaded=True)


@click.command("register-site")
@click.argument("site_id")
@click.option("--name", default="", help="站点名称（site name）")
@click.pass_context
def register_site(ctx: click.Context, site_id: str, name: str) -> None:
    """登记站点，输出站点密钥与云端公钥（register a site; prints its secret and the cloud key）."""
    with _app(ctx).app_context():
        init_db()
        site = sites.register(get_db(), site_id, name or site_id, current_app.config["CLOCK"]())
        key = signing_key(current_app.config["SIGNING_KEY_PATH"])
        _echo_json(
            {
                "site_id": site["site_id"],
                "secret": site["secret"],
                "cloud_public_key": sealing.public_key_b64(key),
            }
        )


COMMANDS: list[click.Command] = [init_db_cmd, create_admin, serve, register_site]
