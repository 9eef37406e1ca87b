"""``examcloud`` commands for certificates (listed in ``cloudsync.cloud.commands``)."""

from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask, current_app

from cloudsync.certificates import lifecycle, rules
from cloudsync.certificates.approvals import CertificateError
from cloudsync.certificates.store import companies
from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.timefmt import iso


def _app(ctx: click.Context) -> Flask:
    app: Flask = ctx.find_root().obj
    return app


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD（use YYYY-MM-DD）") from None


@click.command("review-certificates")
@click.option(
    "--today", "today", default=None, help="复核日期 YYYY-MM-DD（default: today in China）"
)
@click.pass_context
def review_certificates(ctx: click.Context, today: str | None) -> None:
    """系统自动复核：继续教育截止日已过的证书（review certificates whose continuing-education deadline is over）."""
    with _app(ctx).app_context():
        init_db()
        outcomes = lifecycle.review_certificates(
            get_db(), current_app.config["CLOCK"](), today=_day(today)
        )
        for o in outcomes:
            click.echo(json.dumps(o.__dict__, ensure_ascii=False))
        failed = sum(1 for o in outcomes if not o.passed)
        click.echo(
            f"复核 {len(outcomes)} 本，异常 {failed} 本（reviewed {len(outcomes)}, {failed} marked abnormal）"
        )


@click.command("certificate-company")
@click.argument("name")
@click.option(
    "--category",
    required=True,
    type=click.Choice(sorted(rules.GAS_CATEGORIES)),
    help="经营类别代码",
)
@click.option(
    "--legal-rep", default=None, help="法定代表人身份证号（legal representative's ID number）"
)
@click.option("--credit-code", default=None, help="统一社会信用代码")
@click.pass_context
def certificate_company(
    ctx: click.Context, name: str, category: str, legal_rep: str | None, credit_code: str | None
) -> None:
    """企业经营类别登记（register a company's business category for certificates）."""
    with _app(ctx).app_context():
        init_db()
        companies.upsert(
            get_db(), name, category, legal_rep, credit_code, iso(current_app.config["CLOCK"]())
        )
        click.echo(f"已登记 {name}：{category}（company registered）")


@click.command("ce-record")
@click.argument("id_number")
@click.argument("completed_on")
@click.option("--kind", default="gas", show_default=True)
@click.option("--note", default="")
@click.pass_context
def ce_record(ctx: click.Context, id_number: str, completed_on: str, kind: str, note: str) -> None:
    """登记继续教育记录（import a continuing-education record）."""
    day = _day(completed_on)
    assert day is not None
    with _app(ctx).app_context():
        init_db()
        try:
            lifecycle.add_ce_record(
                get_db(), id_number, kind, day, "cli", current_app.config["CLOCK"](), note
            )
        except CertificateError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo("已登记（recorded）")


COMMANDS: list[click.Command] = [review_certificates, certificate_company, ce_record]
