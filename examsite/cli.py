"""`examsite` command line: serve, demo, and exam-day control on the site database."""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

#: Modules that add subcommands: each has `register(subparsers)`; parsers set `func(args) -> int`.
COMMAND_MODULES: list[str] = ["examsite.sync.cli", "examsite.console.cli"]

DEFAULT_PORT = 5000


def _app(args: argparse.Namespace) -> Any:
    from examsite.app import create_app

    return create_app({"ASYNC_MODE": "threading"}, instance_path=args.instance)


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def cmd_serve(args: argparse.Namespace) -> int:
    from examsite import serve

    serve.patch()
    serve.serve(args.host, args.port, args.instance)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Fresh demo instance, demo exam staged, most candidates checked in, then serve."""
    from examsite import serve

    serve.patch()
    from examsite import demo
    from examsite.app import create_app, site_of
    from examsite.engine.timing import utcnow
    from examsite.extensions import socketio

    instance = Path(args.instance or Path.cwd() / "instance" / "demo")
    if instance.exists() and not args.keep:
        shutil.rmtree(instance)
    app = create_app({"ASYNC_MODE": serve.ASYNC_MODE}, instance_path=str(instance))
    exam = site_of(app).exam
    with exam.sitedb.read() as db:
        from examsite.store import sessions

        fresh = sessions.get(db, demo.DEMO_SESSION) is None
    if fresh:
        session = demo.demo_session(utcnow(), duration_min=args.duration)
        roster = demo.demo_roster()
        exam.stage_session(session, demo.PAPER, roster, actor="demo")
        exam.tick()  # opens check-in (the session starts in 10 minutes)
        with exam.sitedb.read() as db:
            from examsite.store import candidates

            cands = candidates.in_session(db, demo.DEMO_SESSION)
        for c in cands[:-1]:
            exam.check_in(
                c["id"],
                "demo",
                {"method": "demo"},
                override_reason="演示：预先签到 demo pre-check-in",
            )
    with exam.sitedb.read() as db:
        from examsite.store import candidates, sessions

        staged = sessions.get(db, demo.DEMO_SESSION)
        cands = candidates.in_session(db, demo.DEMO_SESSION)
    assert staged is not None
    session = staged
    from examsite.console import demo_setup

    console_demo = demo_setup.prepare(exam, instance, demo.DEMO_SESSION, fresh)
    base = f"http://{args.host}:{args.port}"
    lines = [
        "",
        "=== 考点服务器演示 / exam-site demo ===",
        f"考生终端 candidate page : {base}/?seat=1   (seat=1…6)",
        f"监考台   supervisor console: {base}/console",
        f"考试口令 room exam password: {session['exam_password']}",
        "考生 candidates (姓名 name / 准考证号 ticket / 状态 state):",
        *[f"  {c['name']}  {c['ticket']}  seat {c['seat']}  {c['state']}" for c in cands],
    ]
    if args.auto_start and session["state"] != "running":
        lines.append(
            f"开考 start: automatic in {args.auto_start:g} s (or: .venv/bin/examsite --instance {instance} "
            f"start --session {demo.DEMO_SESSION})"
        )
    lines += console_demo.lines
    lines.append("Ctrl+C 停止 stops the server.\n")

    def ready(app: Any) -> None:
        print("\n".join(lines), flush=True)
        if args.auto_start and session["state"] != "running":

            def auto_start() -> None:
                socketio.sleep(args.auto_start)
                try:
                    site_of(app).emit(exam.start(demo.DEMO_SESSION, "demo").pushes)
                    print("演示考试已开考 demo exam started", flush=True)
                except Exception as e:  # already started from the console
                    print(f"auto-start skipped: {e}", flush=True)

            socketio.start_background_task(auto_start)

    serve.serve(args.host, args.port, str(instance), config=console_demo.config, on_ready=ready)
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.store import candidates, sessions

    site = site_of(_app(args))
    with site.sitedb.read() as db:
        out = []
        for s in sessions.all_sessions(db):
            counts: dict[str, int] = {}
            for c in candidates.in_session(db, s["id"]):
                counts[c["state"]] = counts.get(c["state"], 0) + 1
            out.append(
                {
                    "id": s["id"],
                    "title": s["title"],
                    "room": s["room"],
                    "state": s["state"],
                    "starts_at": s["starts_at"],
                    "exam_password": s["exam_password"],
                    "candidates": counts,
                }
            )
    _print(out)
    return 0


def _control(args: argparse.Namespace, action: str) -> int:
    from examsite.app import site_of
    from examsite.engine.errors import ExamError

    exam = site_of(_app(args)).exam
    try:
        if action == "checkin":
            with exam.sitedb.read() as db:
                from examsite.store import candidates

                found = candidates.by_ticket(db, args.ticket)
            if args.session:
                found = [c for c in found if c["session_id"] == args.session]
            if not found:
                print(
                    f"准考证号 {args.ticket} 不在名单中 (ticket not on any roster)", file=sys.stderr
                )
                return 1
            if len(found) > 1:
                ids = ", ".join(c["session_id"] for c in found)
                print(
                    f"准考证号 {args.ticket} 在多个场次中：{ids}；请用 --session 指定"
                    f" (the ticket is on several sessions' rosters: name one with --session)",
                    file=sys.stderr,
                )
                return 1
            out = exam.check_in(
                found[0]["id"], f"cli:{args.actor}", {"method": "cli"}, override_reason=args.reason
            )
        else:
            out = getattr(exam, action)(args.session, f"cli:{args.actor}")
    except ExamError as e:
        print(str(e), file=sys.stderr)
        return 1
    _print(out.ack)
    return 0


def cmd_verify_journal(args: argparse.Namespace) -> int:
    from cloudsync.chain import verify
    from examsite.app import site_of
    from examsite.store import journal

    site = site_of(_app(args))
    with site.sitedb.read() as db:
        after, prev, total = 0, "0" * 64, 0
        while True:
            batch = journal.rows(db, after=after, limit=5000)
            if not batch:
                break
            ok, bad = verify(batch, prev)
            if not ok:
                print(
                    f"日志哈希链在第 {bad} 条断开 (journal hash chain broken at seq {bad})",
                    file=sys.stderr,
                )
                return 1
            after, prev, total = batch[-1]["seq"], batch[-1]["hash"], total + len(batch)
    print(f"日志完整 journal intact: {total} rows")
    return 0


def cmd_scan_video(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.recordings import scan

    app = _app(args)
    folder = args.dir or app.config["VIDEO_DIR"]
    if not folder:
        print(
            "请用 --dir 指定录像目录，或设置 VIDEO_DIR（give --dir or set VIDEO_DIR）",
            file=sys.stderr,
        )
        return 1
    out = scan(site_of(app).sitedb, folder)
    _print(out)
    return 1 if out.get("error") else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (a test checks each is documented)."""
    p = argparse.ArgumentParser(prog="examsite", description="考点服务器 exam-centre site server")
    p.add_argument("--instance", help="instance folder (database, config.py); default ./instance")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the site server (Socket.IO, candidate page, console)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("demo", help="run the server with a fresh built-in demo exam")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument(
        "--auto-start", type=float, default=120, help="start the exam after N seconds (0: never)"
    )
    s.add_argument("--duration", type=float, default=60, help="exam duration in minutes")
    s.add_argument("--keep", action="store_true", help="keep the previous demo database")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("sessions", help="list exam sessions with candidate counts by state")
    s.set_defaults(func=cmd_sessions)

    for action, text in (
        ("open_checkin", "open check-in of a session"),
        ("start", "start a session (开考)"),
        ("end", "end a session and collect every paper (结束考试)"),
    ):
        s = sub.add_parser(action.replace("_", "-"), help=text)
        s.add_argument("--session", required=True)
        s.add_argument("--actor", default="technician")
        s.set_defaults(func=lambda a, action=action: _control(a, action))

    s = sub.add_parser(
        "checkin", help="mark a candidate checked in without the desk (reason required)"
    )
    s.add_argument("--ticket", required=True)
    s.add_argument("--session", help="the session, when the ticket is on several rosters")
    s.add_argument("--reason", required=True, help="why the check-in desk was bypassed")
    s.add_argument("--actor", default="technician")
    s.set_defaults(func=lambda a: _control(a, "checkin"))

    s = sub.add_parser("scan-video", help="index finished video segments (metadata only)")
    s.add_argument("--dir", help="recordings folder (default: the VIDEO_DIR setting)")
    s.set_defaults(func=cmd_scan_video)

    s = sub.add_parser("verify-journal", help="check the journal's hash chain")
    s.set_defaults(func=cmd_verify_journal)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `examsite` command."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
