"""`examsite` subcommands of the console: accounts, archive, pre-flight, incident record, demo card."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any


def _app(args: argparse.Namespace) -> Any:
    from examsite.app import create_app

    return create_app({"ASYNC_MODE": "threading"}, instance_path=args.instance)


def cmd_create_user(args: argparse.Namespace) -> int:
    from examsite.app import site_of

    from .accounts import AccountError, create_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码 password: ")
        if getpass.getpass("再次输入 again: ") != password:
            print("两次输入的密码不一致（the passwords differ）", file=sys.stderr)
            return 1
    try:
        uid = create_user(
            site_of(_app(args)).sitedb,
            args.username,
            args.name or args.username,
            args.role,
            password,
            must_change=args.temporary,
            actor="cli",
        )
    except AccountError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"已创建账号 created {args.role} {args.username} (id {uid})")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from examsite import archive
    from examsite.app import site_of
    from examsite.engine.errors import ExamError

    app = _app(args)
    try:
        body = archive.export(
            site_of(app).exam, args.session, app.config["SITE_NAME"], app.config["SITE_ID"]
        )
    except ExamError as e:
        print(f"场次 {args.session} 不存在（no such session）: {e}", file=sys.stderr)
        return 1
    out = Path(args.out or f"archive-{args.session}.zip")
    out.write_bytes(body)
    print(f"档案已导出 archive written: {out} ({len(body)} bytes)")
    return 0


def cmd_verify_archive(args: argparse.Namespace) -> int:
    from examsite import archive

    result = archive.verify(args.file)
    if result.ok:
        print(
            f"档案完整 archive intact: {result.files} files, {result.journal_rows} journal rows, "
            f"session {result.session_id}"
        )
        return 0
    for p in result.problems:
        print(p, file=sys.stderr)
    return 1


def cmd_preflight(args: argparse.Namespace) -> int:
    from examsite import preflight
    from examsite.app import site_of

    app = _app(args)
    exam = site_of(app).exam
    checks = preflight.run(
        exam, dict(app.config), app.instance_path, public_key=preflight.stored_public_key(exam)
    )
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
    else:
        marks = {"ok": "✔", "warn": "⚠", "fail": "✘"}
        for c in checks:
            print(
                f"{marks[c.status]} {c.title} ({c.title_en}){'  ' + c.detail if c.detail else ''}"
            )
        bad, warn = preflight.not_ready(checks), preflight.warnings(checks)
        print(f"\n未就绪 {len(bad)} 项 (not ready: {len(bad)})" if bad else "\n全部就绪 all ready")
        for c in bad:
            print(f"  ✘ {c.title}{'：' + c.detail if c.detail else ''}")
        if warn:
            print(f"另有 {len(warn)} 项提醒，请逐项确认 ({len(warn)} warnings to look at)")
    return 1 if preflight.not_ready(checks) else 0


def cmd_incident_record(args: argparse.Namespace) -> int:
    from examsite.app import site_of

    from . import record

    app = _app(args)
    rec = record.build(site_of(app).exam, args.session, app.config["SITE_NAME"])
    out = Path(args.out or f"incident-record-{args.session}.pdf")
    out.write_bytes(record.pdf(rec))
    print(f"考场情况记录表 incident record: {out}")
    return 0


def cmd_sim_card(args: argparse.Namespace) -> int:
    import time

    from examsite.app import site_of
    from examsite.store import candidates

    from .demo_setup import read_devices
    from .services import simulate_card

    devices = read_devices(Path(args.instance or Path.cwd() / "instance" / "demo"))
    if not devices:
        print(
            "模拟读卡器未运行：请先运行 examsite demo（the simulated reader is not running; "
            "start examsite demo first）",
            file=sys.stderr,
        )
        return 1
    app = _app(argparse.Namespace(instance=args.instance or str(Path.cwd() / "instance" / "demo")))
    with site_of(app).sitedb.read() as db:
        found = candidates.by_ticket(db, args.ticket)
    if not found:
        print(
            f"准考证号 {args.ticket} 不在名单中（ticket not on the roster）; the card of a stranger: "
            "use devices.idcard.simulator send place wang",
            file=sys.stderr,
        )
        return 1
    try:
        reply = simulate_card(devices["control"], found[0], time.sleep)
    except OSError as e:
        print(f"无法连接模拟读卡器（cannot reach the simulator）: {e}", file=sys.stderr)
        return 1
    print(reply)
    return 0 if reply.startswith("ok") else 1


def register(sub: Any) -> None:
    """Add the console's subcommands to the `examsite` parser."""
    s = sub.add_parser("create-user", help="create a console account (first run: --role admin)")
    s.add_argument("--role", required=True, choices=["admin", "technician", "proctor", "patrol"])
    s.add_argument("--username", required=True)
    s.add_argument("--name", help="display name (the real name that signs records)")
    s.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.add_argument(
        "--temporary",
        action="store_true",
        help="an assigned password: the user must change it at first login (004 §5)",
    )
    s.set_defaults(func=cmd_create_user)

    s = sub.add_parser(
        "archive", help="export one session as a zip with a sha256 manifest (一期一档)"
    )
    s.add_argument("--session", required=True)
    s.add_argument("--out", help="zip path (default archive-<session>.zip)")
    s.set_defaults(func=cmd_archive)

    s = sub.add_parser(
        "verify-archive", help="check a session archive's manifest and journal chain"
    )
    s.add_argument("file")
    s.set_defaults(func=cmd_verify_archive)

    s = sub.add_parser("preflight", help="check terminals, reader, cameras, clock, disk, papers")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_preflight)

    s = sub.add_parser("incident-record", help="write the incident record (考场情况记录表) as PDF")
    s.add_argument("--session", required=True)
    s.add_argument("--out")
    s.set_defaults(func=cmd_incident_record)

    s = sub.add_parser("sim-card", help="demo: place a candidate's ID card on the simulated reader")
    s.add_argument("ticket")
    s.set_defaults(func=cmd_sim_card)
