"""``examsite`` subcommands for the cloud: cloud-link, list-plans, stage, release, push,
sync-status, purge."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def _app(args: argparse.Namespace) -> Any:
    from examsite.app import create_app

    return create_app({"ASYNC_MODE": "threading"}, instance_path=args.instance)


def _bar(plan_id: str, done: int, total: int | None) -> None:
    if total:
        filled = int(30 * done / total)
        sys.stderr.write(
            f"\r{plan_id} [{'#' * filled}{'.' * (30 - filled)}] {done * 100 // total:3d}%"
        )
        if done >= total:
            sys.stderr.write("\n")
    else:
        sys.stderr.write(f"\r{plan_id} {done // 1024} KiB")
    sys.stderr.flush()


def cmd_link(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.engine.timing import iso, utcnow
    from examsite.store import outbox
    from examsite.sync.link import client_for

    app = _app(args)
    sitedb = site_of(app).sitedb
    with sitedb.write() as db:
        outbox.set_link(db, args.url, args.site_id, args.secret, args.public_key, iso(utcnow()))
    if not args.offline:
        try:
            info = client_for(sitedb, retries=0).site_info()
        except Exception as exc:
            print(
                f"已保存，但连接省平台失败：{exc}（saved, but the cloud check failed）",
                file=sys.stderr,
            )
            return 1
        _print({"linked": True, **info})
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    from cloudsync.client import CloudError
    from devices.face.pool import FacePool
    from examsite.app import site_of
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.staging import stage_day

    app = _app(args)
    site = site_of(app)
    # this CLI process owns its own face workers (the server's pool lives in the server)
    with FacePool(workers=int(app.config["FACE_WORKERS"])) as pool:
        try:
            reports = stage_day(
                site.exam, client_for(site.sitedb), args.date, None if args.quiet else _bar, pool
            )
        except (NotLinked, CloudError) as exc:
            print(getattr(exc, "message", str(exc)), file=sys.stderr)
            return 1
    _print(reports)
    for r in reports:
        for p in r.get("photo_problems", []):
            print(f"{r['plan_id']} {p['ticket']} {p['name']}: {p['message']}", file=sys.stderr)
        if r.get("face_check"):
            print(f"{r['plan_id']}: {r['message']}", file=sys.stderr)
    if not reports:
        print(
            f"{args.date} 没有本考点的考试计划（no plans for this site on {args.date}）",
            file=sys.stderr,
        )
    return 0 if all(r["status"] == "ready" for r in reports) else 2


def cmd_list_plans(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.staging import PlanListError, list_day

    try:
        plans = list_day(site_of(_app(args)).sitedb, client_for, args.date)
    except (NotLinked, PlanListError) as exc:
        print(getattr(exc, "message", str(exc)), file=sys.stderr)
        return 1
    _print(plans)
    if not plans:
        print(
            f"{args.date} 没有本考点的考试计划（no plans for this site on {args.date}）",
            file=sys.stderr,
        )
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.sync.link import NotLinked, client_for
    from examsite.sync.release import ReleaseError, fetch_and_open, open_with_code

    sitedb = site_of(_app(args)).sitedb
    try:
        if args.code:
            out = open_with_code(sitedb, args.session, args.code)
        else:
            out = fetch_and_open(sitedb, client_for(sitedb, retries=1), args.session)
    except (ReleaseError, NotLinked) as exc:
        print(getattr(exc, "message", str(exc)), file=sys.stderr)
        return 1
    _print(out)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from examsite.sync.push import push_once

    out = push_once(_app(args))
    _print(out)
    return 0 if out["ok"] else 1


def cmd_status(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.sync.status import status

    _print(status(site_of(_app(args)).sitedb, args.session))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from examsite.app import site_of
    from examsite.engine.timing import iso, utcnow
    from examsite.store import outbox

    sitedb = site_of(_app(args)).sitedb
    if not args.yes:
        print(
            "清除个人数据不可恢复；确认请加 --yes（purging personal data cannot be undone; add --yes）",
            file=sys.stderr,
        )
        return 1
    with sitedb.write() as db:
        report = outbox.purge_report(db, args.session, iso(utcnow()))
    _print(report)
    for r in report["refused"]:
        print(f"{r['ticket']}: {r['message']}", file=sys.stderr)
    return 2 if report["refused"] else 0


def register(sub: Any) -> None:
    """Add the cloud subcommands to ``examsite``."""
    s = sub.add_parser("cloud-link", help="store the site's registration with the provincial cloud")
    s.add_argument("--url", required=True, help="cloud base URL, e.g. http://cloud:8600")
    s.add_argument("--site-id", required=True)
    s.add_argument(
        "--secret", required=True, help="shared secret printed by examcloud register-site"
    )
    s.add_argument("--public-key", required=True, help="the cloud's Ed25519 public key (base64)")
    s.add_argument("--offline", action="store_true", help="do not check the link now")
    s.set_defaults(func=cmd_link)

    s = sub.add_parser(
        "stage", help="pull and verify a date's plans, rosters and sealed papers (拉取试卷)"
    )
    s.add_argument("--date", required=True, help="exam date YYYY-MM-DD (China time)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_stage)

    s = sub.add_parser(
        "list-plans",
        help="list a date's plans at the cloud without pulling them (and which are staged here)",
    )
    s.add_argument("--date", required=True, help="exam date YYYY-MM-DD (China time)")
    s.set_defaults(func=cmd_list_plans)

    s = sub.add_parser(
        "release", help="open a sealed paper: fetch the release code, or --code typed in"
    )
    s.add_argument("--session", required=True)
    s.add_argument("--code", help="release code read out by the cloud (offline path)")
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("push", help="push the outbox to the cloud now")
    s.set_defaults(func=cmd_push)

    s = sub.add_parser("sync-status", help="outbox counts, last push, receipts")
    s.add_argument("--session")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser(
        "purge",
        help="erase personal data of candidates the cloud has receipted (exit 2 if some refused)",
    )
    s.add_argument("--session", required=True)
    s.add_argument("--yes", action="store_true")
    s.set_defaults(func=cmd_purge)
