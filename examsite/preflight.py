"""Pre-flight check for technicians: is the room ready for the exam? Prints what is not.

Checks: terminals seen on the LAN (seat, camera, browser), the ID-card reader, the desk camera,
the face models, the clock against the cloud, free disk for captures and video, and the papers
staged for sessions not yet ended.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from examsite.engine import timing as tm
from examsite.exam import ExamDay
from examsite.store import candidates, sessions, terminals

GB = 1024**3


@dataclass
class Check:
    """One line of the pre-flight: status ok / warn / fail."""

    key: str
    status: str
    title: str
    title_en: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def browser_of(user_agent: str | None) -> str:
    """'Chrome 120' from a user-agent string (what the kiosk runs)."""
    if not user_agent:
        return "未知 unknown"
    for name, pattern in (
        ("Edge", r"Edg/(\d+)"),
        ("Chrome", r"(?:Chrome|Chromium)/(\d+)"),
        ("Firefox", r"Firefox/(\d+)"),
    ):
        m = re.search(pattern, user_agent)
        if m:
            return f"{name} {m.group(1)}"
    return user_agent[:40]


def check_terminals(exam: ExamDay) -> list[Check]:
    """Every terminal seen, with seat, connection, camera and browser."""
    with exam.sitedb.read() as db:
        seen = terminals.all_terminals(db)
    if not seen:
        return [
            Check(
                "terminals",
                "fail",
                "未发现考生终端",
                "No candidate terminals seen",
                "请在每台考生机上打开考点服务器地址（open the site URL on every terminal）",
            )
        ]
    out = []
    online = sum(1 for t in seen if t["connected"])
    out.append(
        Check(
            "terminals",
            "ok" if online else "warn",
            f"考生终端 {online}/{len(seen)} 在线",
            f"Terminals online: {online}/{len(seen)}",
        )
    )
    for t in seen:
        camera = t["camera"] or "unknown"
        detail = (
            f"{'在线' if t['connected'] else '离线'}；摄像头 {camera}；浏览器 {browser_of(t['user_agent'])}；"
            f"IP {t['remote_addr'] or '-'}"
        )
        title = f"终端 {t['id']} 座位 {t['seat'] or '-'}"
        title_en = f"Terminal {t['id']} seat {t['seat'] or '-'}"
        if camera in ("missing", "denied"):
            # no random captures from this seat (002 考场篇(二)7): not a terminal to seat anyone at
            out.append(
                Check(
                    f"terminal:{t['id']}",
                    "fail",
                    f"{title}：摄像头{'未检测到' if camera == 'missing' else '不可用'}",
                    f"{title_en}: camera {camera}",
                    f"{detail}。请接好摄像头并在浏览器中允许使用（见 docs/kiosk.md），或换用其他终端"
                    "（plug in the camera and allow it in the browser, or use another terminal）",
                )
            )
            continue
        if camera == "unknown":
            # the kiosk opens the camera only once a candidate has logged in
            detail += "；摄像头在考生登录后检测（the camera is checked once a candidate logs in）"
        status = "ok" if t["connected"] and camera == "ok" else "warn"
        out.append(Check(f"terminal:{t['id']}", status, title, title_en, detail))
    return out


def check_reader(url: str, running: dict[str, Any] | None) -> Check:
    """The ID-card reader: the server's running desk state, or a probe of the configured port."""
    if not url:
        return Check(
            "idcard",
            "fail",
            "未配置身份证读卡器",
            "No ID-card reader configured",
            "设置 EXAMSITE_IDCARD_READER（如 /dev/ttyUSB0 或 usb:）(set EXAMSITE_IDCARD_READER)",
        )
    if running is not None:
        ok = running.get("state") in ("connected", "card_removed", "read_failed")
        return Check(
            "idcard",
            "ok" if ok else "fail",
            f"读卡器 {url}",
            f"Reader {url}",
            running.get("message", ""),
        )
    from devices.errors import DeviceError
    from devices.idcard.connect import open_configured_reader

    try:
        reader = open_configured_reader(url, probe_timeout=0.5)
        try:
            sam = reader.sam_id()
        finally:
            reader.close()
    except DeviceError as e:
        return Check(
            "idcard", "fail", f"读卡器 {url} 无法使用", f"Reader {url} unusable", e.message
        )
    return Check("idcard", "ok", f"读卡器 {url} 正常", f"Reader {url} answers", f"SAM {sam}")


def check_camera(spec: str) -> Check:
    """The check-in desk camera gives a still."""
    if not spec:
        return Check(
            "camera",
            "fail",
            "签到台未配置摄像头",
            "No desk camera configured",
            "设置 EXAMSITE_DESK_CAMERA（如 0 或 rtsp://…）(set EXAMSITE_DESK_CAMERA)",
        )
    from devices.camera import open_source
    from devices.errors import DeviceError

    try:
        source = open_source(spec)
        try:
            still = source.still()
        finally:
            source.close()
    except DeviceError as e:
        return Check(
            "camera", "fail", f"摄像头 {spec} 无画面", f"Camera {spec} gives no picture", e.message
        )
    return Check(
        "camera",
        "ok",
        f"签到台摄像头 {spec} 正常",
        f"Desk camera {spec} OK",
        f"{len(still)} bytes JPEG",
    )


def check_face_models() -> Check:
    """dlib's model files are installed."""
    from devices.errors import DeviceError
    from devices.face import models

    try:
        files = models.locate()
    except DeviceError as e:
        return Check("face_models", "fail", "人脸模型缺失", "Face models missing", e.message)
    return Check(
        "face_models", "ok", "人脸模型已安装", "Face models installed", str(files.descriptor.parent)
    )


def check_clock(cloud_url: str, fetch: Callable[[str], str | None] | None = None) -> Check:
    """The server clock against the cloud's `Date` header (offline: cannot measure, a warning)."""

    def head(url: str) -> str | None:
        import requests

        return requests.head(url, timeout=2).headers.get("Date")

    try:
        before = time.time()
        date = (fetch or head)(cloud_url)
        after = time.time()
    except Exception as e:  # any network trouble just means "not measured"
        return Check(
            "clock",
            "warn",
            "无法与省平台对时",
            "Clock not compared with the cloud",
            f"{cloud_url}: {type(e).__name__}；请人工核对服务器时间 {tm.iso(tm.utcnow())}",
        )
    if not date:
        return Check(
            "clock", "warn", "省平台未返回时间", "The cloud sent no Date header", cloud_url
        )
    offset = (before + after) / 2 - email.utils.parsedate_to_datetime(date).timestamp()
    status = "ok" if abs(offset) < 5 else ("warn" if abs(offset) < 60 else "fail")
    return Check(
        "clock",
        status,
        f"时钟偏差 {offset:+.1f} 秒",
        f"Clock offset {offset:+.1f} s",
        "以服务器时间为准，偏差过大请校时（the server clock rules; fix a large offset）",
    )


def check_disk(path: Path, what: str, what_en: str) -> Check:
    """Free space where captures / video go."""
    if not path.exists():
        return Check(
            f"disk:{what_en}", "fail", f"{what}目录不存在", f"{what_en} folder missing", str(path)
        )
    free = shutil.disk_usage(path).free
    status = "ok" if free >= 10 * GB else ("warn" if free >= GB else "fail")
    return Check(
        f"disk:{what_en}",
        status,
        f"{what}可用空间 {free / GB:.1f} GB",
        f"Free space for {what_en}: {free / GB:.1f} GB",
        str(path),
    )


def check_papers(exam: ExamDay, public_key: str | None) -> list[Check]:
    """Each session not ended: paper present, intact (sha256) and genuine (signature), roster photos."""
    out = []
    with exam.sitedb.read() as db:
        live = sessions.active(db)
        if not live:
            return [
                Check(
                    "papers",
                    "warn",
                    "没有待考场次",
                    "No upcoming sessions",
                    "请先拉取试卷和名单（pull the plans first）",
                )
            ]
        for s in live:
            row = sessions.paper_row(db, s["id"])
            roster = candidates.in_session(db, s["id"])
            without = [c for c in roster if not candidates.photo(db, c["id"])]
            photos = len(roster) - len(without)
            name = f"{s['id']} {s['room']}"
            if row is None:
                out.append(
                    Check(f"paper:{s['id']}", "fail", f"{name}：没有试卷", f"{s['id']}: no paper")
                )
                continue
            if row["content"] is not None:
                status, zh, en = "ok", "试卷已就绪（明文）", "paper ready (plain)"
            else:
                sealed = (
                    row["sealed"]
                    if isinstance(row["sealed"], bytes)
                    else str(row["sealed"]).encode()
                )
                if row["sha256"] and hashlib.sha256(sealed).hexdigest() != row["sha256"]:
                    status, zh, en = (
                        "fail",
                        "密封试卷已损坏（sha256 不符）",
                        "sealed paper damaged (sha256)",
                    )
                elif public_key:
                    from cloudsync import sealing

                    try:
                        sealing.verify(sealed.decode(), public_key)
                        status, zh, en = (
                            "ok",
                            "密封试卷签名有效，待开考解封",
                            "sealed paper genuine; opens at the start",
                        )
                    except sealing.SealError as e:
                        status, zh, en = (
                            "fail",
                            "密封试卷签名无效",
                            f"sealed paper invalid: {e.code}",
                        )
                else:
                    status, zh, en = (
                        "warn",
                        "密封试卷未能验签（考点未登记省平台）",
                        "sealed paper not verified (site not linked)",
                    )
            out.append(
                Check(
                    f"paper:{s['id']}",
                    status,
                    f"{name}：{zh}",
                    f"{s['id']}: {en}",
                    f"考生 {len(roster)} 人，照片 {photos} 张",
                )
            )
            if len(without) > 0:
                out.append(check_photos(s, without))
    return out


def check_photos(session: dict[str, Any], without: list[dict[str, Any]]) -> Check:
    """Candidates with no registered photo: the desk has no face to compare (not ready).

    Whether a stored photo holds a usable face is only known when the desk describes it at the
    first card read (dlib, seconds per photo), so it is not judged here.
    """
    listed = "、".join(f"{c['name']}（{c['ticket']}）" for c in without[:20])
    more = f" 等 {len(without)} 人" if len(without) > 20 else ""
    return Check(
        f"photos:{session['id']}",
        "fail",
        f"{session['id']} {session['room']}：{len(without)} 名考生没有登记照片",
        f"{session['id']}: {len(without)} candidates without a registered photo",
        f"{listed}{more}。签到台无法比对人脸：请在省平台补录照片后重新拉取名单；"
        "否则签到时须由监考员人工核验并填写原因"
        "（add the photos in the cloud and pull the plan again; otherwise the desk needs a "
        "proctor's override with a reason for each）",
    )


def run(
    exam: ExamDay,
    config: dict[str, Any],
    instance_path: str,
    *,
    reader_state: dict[str, Any] | None = None,
    public_key: str | None = None,
    clock_fetch: Callable[[str], str | None] | None = None,
) -> list[Check]:
    """Every check, in the order a technician walks the room."""
    checks = check_terminals(exam)
    checks.append(check_reader(config.get("IDCARD_READER", ""), reader_state))
    checks.append(check_camera(config.get("DESK_CAMERA", "")))
    checks.append(check_face_models())
    checks.append(check_clock(config.get("CLOUD_URL", ""), clock_fetch))
    checks.append(check_disk(Path(instance_path), "抓拍存储", "captures"))
    video = config.get("VIDEO_DIR") or ""
    if video:
        checks.append(check_disk(Path(video), "录像存储", "video"))
    else:
        checks.append(
            Check(
                "disk:video",
                "warn",
                "未配置录像目录",
                "No video folder configured",
                "设置 EXAMSITE_VIDEO_DIR（set EXAMSITE_VIDEO_DIR）",
            )
        )
    checks.extend(check_papers(exam, public_key))
    return checks


def stored_public_key(exam: ExamDay) -> str | None:
    """The cloud's public key pinned at registration, when the sync side has stored it."""
    try:
        from examsite.store import outbox  # the sync engineer's store; absent in older trees
    except ImportError:
        return None
    with exam.sitedb.read() as db:
        try:
            link = outbox.link(db)
        except Exception:
            return None
    return link["public_key"] if link else None


def not_ready(checks: list[Check]) -> list[Check]:
    """The failing checks."""
    return [c for c in checks if c.status == "fail"]


def warnings(checks: list[Check]) -> list[Check]:
    """The checks to look at that do not stop the exam (offline spare terminal, no video folder…)."""
    return [c for c in checks if c.status == "warn"]
