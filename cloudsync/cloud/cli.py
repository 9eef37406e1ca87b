"""``examcloud``: the reference provincial cloud's command line.

Every command takes ``--instance`` (the instance folder) and ``--database`` (overrides
``EXAMCLOUD_DATABASE``; e.g. ``mysql://root:@127.0.0.1:3306/examcloud``) before the command name.
Commands live in :mod:`cloudsync.cloud.commands`; to add one, add a click command there and list it
in ``COMMANDS``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask

from cloudsync.cloud import create_app


def build_app(instance: str | None, database: str | None) -> Flask:
    """The cloud app for the CLI's options (environment settings apply)."""
    if instance:
        os.environ["EXAMCLOUD_INSTANCE"] = instance
    app = create_app()
    if database:
        app.config["DATABASE"] = database
    return app


@click.group(help="省级考试云平台（reference provincial exam cloud）")
@click.option("--instance", envvar="EXAMCLOUD_INSTANCE", help="实例目录（instance folder）")
@click.option("--database", help="数据库地址（database URL: sqlite:///file or mysql://…）")
@click.pass_context
def cli(ctx: click.Context, instance: str | None, database: str | None) -> None:
    """Create the app once for whichever command runs."""
    ctx.obj = build_app(instance, database)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``examcloud`` script."""
    from cloudsync.cloud.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="examcloud")
