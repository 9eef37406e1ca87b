"""The ``examcloud`` commands (each runs inside the app's context)."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask, current_app

from cloudsync import sealing
from cloudsync.cloud import (
    bank_excel,
    composition,
    ingest,
    publication,
    qti,
    reports,
    roster_import,
)
from cloudsync.cloud.database import get_db, init_db
from cloudsync.cloud.keys import signing_key
from cloudsync.cloud.store import admins, plans, questions, sites
from cloudsync.cloud.timefmt import iso


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
        click.echo(
            f"数据库已就绪，新执行 {len(new)} 步（database ready, {len(new)} steps applied）"
        )


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
    """启动云平台（serve the cloud over HTTP with a threaded WSGI server, plus its daily jobs）."""
    app = _app(ctx)
    with app.app_context():
        init_db()
    from werkzeug.serving import run_simple

    from cloudsync.cloud.jobs import ScheduleError, build_scheduler

    # the composition root: the only place that starts the scheduler's thread
    try:
        scheduler = build_scheduler(app)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    scheduler.start()
    at = app.config["CERT_REVIEW_AT"]
    click.echo(f"证书自动复核：每天 {at}（certificate review daily at {at}, {scheduler.timezone}）")
    click.echo(f"云平台 http://{host}:{port}/admin/ （cloud listening on {host}:{port}）")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        scheduler.shutdown(wait=False)


@click.command("unlock-admin")
@click.argument("username")
@click.pass_context
def unlock_admin(ctx: click.Context, username: str) -> None:
    """解除管理员账号锁定（lift an administrator's lock-out after too many wrong passwords）."""
    with _app(ctx).app_context():
        init_db()
        if not admins.unlock(get_db(), username):
            raise click.ClickException(f"没有用户 {username}（no such user）")
        click.echo(f"已解锁 {username}（{username} unlocked）")


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


def _now() -> Any:
    return current_app.config["CLOCK"]()


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(getattr(exc, "message", str(exc)))


@click.command("import-bank")
@click.argument("xlsx", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_bank(ctx: click.Context, xlsx: str) -> None:
    """导入 Excel 题库（import an Excel question bank in the provincial layout）."""
    with _app(ctx).app_context():
        init_db()
        try:
            report = publication.import_bank(get_db(), xlsx, _now())
        except bank_excel.BankError as exc:
            raise _fail(exc) from None
        _echo_json(report.as_dict())


@click.command("import-qti")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--category", required=True, help="作业种类（category the items belong to）")
@click.pass_context
def import_qti(ctx: click.Context, zip_path: str, category: str) -> None:
    """导入 QTI 2.1 题包（import an IMS QTI 2.1 content package）."""
    with _app(ctx).app_context():
        init_db()
        try:
            with open(zip_path, "rb") as f:
                report = publication.import_qti(get_db(), f.read(), category, _now())
        except qti.QtiError as exc:
            raise _fail(exc) from None
        _echo_json(report.as_dict())


@click.command("list-questions")
@click.option("--category", default=None, help="作业种类（only this category）")
@click.option(
    "--type", "qtype", default=None, type=click.Choice(["judge", "single", "multi"]),
    help="题型（only this type）",
)  # fmt: skip
@click.option(
    "--bank", default=None, type=click.Choice(questions.BANKS),
    help="题库来源：excel 或 qti（only questions imported from Excel or from QTI）",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="JSON（with options and answer）")
@click.pass_context
def list_questions(
    ctx: click.Context, category: str | None, qtype: str | None, bank: str | None, as_json: bool
) -> None:
    """列出题库题目及编号，供手工组卷 --qid（list the bank's questions and their ids）."""
    with _app(ctx).app_context():
        init_db()
        rows = questions.listing(get_db(), category, qtype, bank)
        if as_json:
            keys = ("qid", "category", "type", "stem", "options", "answer", "source")
            _echo_json([{k: r[k] for k in keys} for r in rows])
            return
        for r in rows:
            stem = r["stem"] if len(r["stem"]) <= 40 else r["stem"][:39] + "…"
            click.echo(f"{r['qid']}\t{r['type']}\t{r['category']}\t{stem}")
        click.echo(f"共 {len(rows)} 题（{len(rows)} questions）", err=True)


def _score(text: str) -> tuple[str, float]:
    """``--score multi:2`` → ("multi", 2.0); a clear error for anything else."""
    qtype, _, value = text.partition(":")
    try:
        if qtype not in composition.TYPES:
            raise ValueError(qtype)
        score = float(value)
    except ValueError:
        raise click.ClickException(
            f"分值“{text}”格式应为 题型:分值，题型为 judge/single/multi，如 multi:2"
            f"（--score {text!r} must be type:score with type judge, single or multi, e.g. multi:2）"
        ) from None
    return qtype, score


@click.command("compose-paper")
@click.option("--paper-id", required=True)
@click.option("--title", required=True)
@click.option("--subject", required=True, help="科目（subject）")
@click.option("--duration", "duration_min", default=90, show_default=True, type=int)
@click.option("--pass-mark", default=80.0, show_default=True, type=float)
@click.option(
    "--multi-scoring", default="all_or_nothing", type=click.Choice(["all_or_nothing", "partial"])
)
@click.option(
    "--part", "parts", multiple=True, help="按规则：类型:题数:每题分[:作业种类]，如 single:40:1"
)
@click.option("--qid", "qids", multiple=True, help="手工选题：题目编号（by hand: question ids）")
@click.option("--score", "scores", multiple=True, help="手工选题分值：类型:分值，如 multi:2")
@click.option("--seed", default=None, help="随机种子，可重现（random seed for a repeatable draw）")
@click.pass_context
def compose_paper(
    ctx: click.Context,
    parts: tuple[str, ...],
    qids: tuple[str, ...],
    scores: tuple[str, ...],
    seed: str | None,
    **meta: Any,
) -> None:
    """组卷：按规则或手工（compose a paper by rule or by hand）."""
    with _app(ctx).app_context():
        init_db()
        if bool(parts) == bool(qids):
            raise click.ClickException(
                "请给出 --part（按规则）或 --qid（手工），二选一（give --part or --qid, not both）"
            )
        try:
            score_map = dict(_score(s) for s in scores)
            pm = meta["pass_mark"]
            meta["pass_mark"] = int(pm) if float(pm).is_integer() else pm
            paper = publication.compose_paper(
                get_db(),
                meta,
                _now(),
                parts=[composition.Part.parse(p) for p in parts],
                qids=list(qids),
                scores=score_map,
                seed=seed,
            )
        except (composition.CompositionError, publication.PublishError, ValueError) as exc:
            raise _fail(exc) from None
        _echo_json(
            {k: paper[k] for k in ("paper_id", "title", "total_score", "pass_mark")}
            | {"questions": len(paper["questions"])}
        )


@click.command("create-plan")
@click.option("--plan-id", required=True)
@click.option("--site", "site_id", required=True)
@click.option("--room", required=True, help="考场，如 第1考场（room）")
@click.option(
    "--starts-at", required=True, help="开考时间，如 2026-11-24T09:30+08:00（start time）"
)
@click.option("--paper", "paper_id", required=True)
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), help="名单 .xlsx/.csv")
@click.option(
    "--photos", type=click.Path(exists=True, file_okay=False), help="照片目录（photo folder）"
)
@click.pass_context
def create_plan(ctx: click.Context, roster: str | None, photos: str | None, **kw: Any) -> None:
    """创建考试计划并封存试卷（create an exam plan, sealing its paper）."""
    with _app(ctx).app_context():
        init_db()
        key = signing_key(current_app.config["SIGNING_KEY_PATH"])
        try:
            plan = publication.create_plan(get_db(), key, now=_now(), **kw)
            out: dict[str, Any] = {
                k: plan[k] for k in ("plan_id", "site_id", "room", "starts_at", "paper_sha256")
            }
            if roster:
                out["roster"] = publication.import_roster(
                    get_db(), plan["plan_id"], roster, photos
                ).as_dict()
        except (publication.PublishError, roster_import.RosterError) as exc:
            raise _fail(exc) from None
        _echo_json(out)


@click.command("import-roster")
@click.argument("plan_id")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--photos", type=click.Path(exists=True, file_okay=False), help="照片目录（photo folder）"
)
@click.pass_context
def import_roster(ctx: click.Context, plan_id: str, roster: str, photos: str | None) -> None:
    """导入考生名单与照片（import a plan's roster with photos; replaces the previous one）."""
    with _app(ctx).app_context():
        init_db()
        try:
            report = publication.import_roster(get_db(), plan_id, roster, photos)
        except (publication.PublishError, roster_import.RosterError) as exc:
            raise _fail(exc) from None
        _echo_json(report.as_dict())


@click.command("list-plans")
@click.option("--site", "site_id", default=None)
@click.pass_context
def list_plans(ctx: click.Context, site_id: str | None) -> None:
    """列出考试计划（list exam plans）."""
    with _app(ctx).app_context():
        init_db()
        rows = plans.all_plans(get_db())
        _echo_json([r for r in rows if site_id in (None, r["site_id"])])


@click.command("release-code")
@click.argument("plan_id")
@click.pass_context
def release_code(ctx: click.Context, plan_id: str) -> None:
    """开考后显示开考码，供离线考点电话告知（show the release code from the start time on）."""
    with _app(ctx).app_context():
        init_db()
        try:
            code = publication.release_code(
                get_db(), plan_id, _now(), int(current_app.config["RELEASE_LEAD_S"])
            )
        except publication.PublishError as exc:
            raise _fail(exc) from None
        click.echo(code)


@click.command("verify-chain")
@click.argument("site_id")
@click.pass_context
def verify_chain(ctx: click.Context, site_id: str) -> None:
    """重新校验站点日志哈希链（re-verify a site's journal hash chain）."""
    with _app(ctx).app_context():
        init_db()
        _echo_json(ingest.verify_site_chain(get_db(), site_id, iso(_now())))


@click.command("export")
@click.argument("plan_id")
@click.option("--format", "fmt", default="xlsx", type=click.Choice(["xlsx", "csv"]))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
@click.pass_context
def export(ctx: click.Context, plan_id: str, fmt: str, output: str) -> None:
    """导出计划成绩（export a plan's results to Excel or CSV）."""
    with _app(ctx).app_context():
        report = reports.plan_report(get_db(), plan_id)
        if report is None:
            raise click.ClickException(f"没有计划 {plan_id}（no such plan）")
        data = reports.to_xlsx(report) if fmt == "xlsx" else reports.to_csv(report)
        with open(output, "wb") as f:
            f.write(data)
        click.echo(output)


COMMANDS: list[click.Command] = [
    init_db_cmd, create_admin, unlock_admin, serve, register_site, import_bank, import_qti,
    list_questions, compose_paper,
    create_plan, import_roster, list_plans, release_code, verify_chain, export,
]  # fmt: skip
COMMANDS += __import__("cloudsync.certificates.commands", fromlist=["COMMANDS"]).COMMANDS  # issue 7
