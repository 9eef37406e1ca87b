"""Console words in Simplified Chinese and English, and refusals as JSON."""

from __future__ import annotations

from typing import Any

from examsite.engine.errors import ExamError, texts

#: Refusals the console adds to the exam engine's codes.
CONSOLE_MESSAGES: dict[str, tuple[str, str]] = {
    "login_required": (
        "登录已过期或尚未登录，请重新登录监考台。",
        "Your console login has expired or is missing; log in again.",
    ),
    "password_change_required": (
        "请先修改管理员分配给您的初始密码（监考台 → 修改密码）。",
        "Change the password the administrator gave you first (console → Change password).",
    ),
    "csrf_failed": (
        "页面已过期（安全校验失败），请刷新页面后重试。",
        "The page has expired (security token missing or wrong); reload it and retry.",
    ),
    "forbidden": (
        "您的账号角色无权执行此操作，请联系监考员或考点管理员。",
        "Your role may not do this; ask a proctor or the site administrator.",
    ),
    "already_decided": (
        "这次刷卡已经处理过，请让考生重新刷卡。",
        "This card read was already decided; place the card again.",
    ),
    "desk_not_running": (
        "签到台设备未启动（读卡器/摄像头），请检查设置或运行预检。",
        "The check-in desk devices are not running; check the settings or run the pre-flight.",
    ),
    "no_session": ("没有可用的考试场次。", "There is no exam session."),
    "release_code_required": (
        "试卷已加密，且未能从省平台自动获取开考解封码：请输入省考试中心公布的开考解封码后再点开考。",
        "The paper is sealed and the release code could not be fetched from the provincial cloud: "
        "type the release code announced by the provincial exam centre, then start again.",
    ),
    "no_cloud_key": (
        "本考点尚未登记省平台公钥，无法验证试卷包，请技术人员先完成考点注册。",
        "The cloud's public key is not registered at this site; the technician must register the site first.",
    ),
    "sim_unavailable": (
        "模拟读卡器未运行（仅演示模式可用）。",
        "The simulated reader is not running (demo mode only).",
    ),
    "bad_seconds": (
        "延长时间应为1–120分钟。",
        "An extension is between 1 and 120 minutes.",
    ),
}


def refusal(code: str, **detail: Any) -> dict[str, Any]:
    """`{"ok": false, "code", "message", "message_en", …}` for a console or exam code."""
    zh, en = CONSOLE_MESSAGES.get(code) or texts(code, detail)
    return {"ok": False, "code": code, "message": zh, "message_en": en, **detail}


def from_exam_error(e: ExamError) -> dict[str, Any]:
    """An ExamError as a console refusal (console codes included)."""
    detail = {k: v for k, v in (e.detail or {}).items() if k not in ("ok", "code")}
    return refusal(e.code, **detail)


STATE_LABELS: dict[str, tuple[str, str]] = {
    "expected": ("待签到", "expected"),
    "checked_in": ("已签到", "checked in"),
    "logged_in": ("已登录", "logged in"),
    "confirmed": ("已确认待开考", "confirmed"),
    "answering": ("答题中", "answering"),
    "away": ("暂离", "away"),
    "submitted": ("已交卷", "submitted"),
    "collected": ("已收卷", "collected"),
    "absent": ("缺考", "absent"),
    "disqualified": ("取消资格", "disqualified"),
}
SESSION_LABELS: dict[str, tuple[str, str]] = {
    "staged": ("已备考", "staged"),
    "checkin_open": ("签到中", "check-in open"),
    "running": ("考试中", "running"),
    "ended": ("已结束", "ended"),
}
ALERT_LABELS: dict[str, tuple[str, str]] = {
    "face_mismatch": ("人脸不符", "face mismatch"),
    "camera_missing": ("摄像头异常", "camera missing"),
    "left_page": ("离开页面", "left the page"),
    "disputed": ("信息有误待处理", "identity disputed"),
    "offline": ("终端断线", "terminal offline"),
    "transfer_pending": ("待确认转移", "transfer pending"),
    "storage_unavailable": ("终端本机暂存不可用", "terminal storage unavailable"),
    "late_answers": ("有结束后送达的离线答案", "offline answers arrived after the end"),
    "login_locked": ("登录已锁定（多次输错）", "login locked (too many wrong tries)"),
}

#: Page words: key → (中文, English).
WORDS: dict[str, tuple[str, str]] = {
    "app": ("监考台", "Supervisor console"),
    "room": ("考场实况", "Live room"),
    "desk": ("签到台", "Check-in desk"),
    "control": ("考试控制", "Exam control"),
    "captures": ("抓拍核查", "Captures"),
    "violations": ("违纪处理", "Violations"),
    "record": ("考场情况记录表", "Incident record"),
    "archive": ("一期一档", "Session archive"),
    "preflight": ("考前预检", "Pre-flight"),
    "sync": ("云端同步", "Cloud sync"),
    "users": ("账号管理", "Accounts"),
    "logout": ("退出", "Log out"),
    "login": ("登录", "Log in"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "session": ("场次", "Session"),
    "expected": ("应考", "Expected"),
    "checked_in": ("已签到", "Checked in"),
    "logged_in": ("已登录", "Logged in"),
    "answering": ("答题中", "Answering"),
    "submitted": ("已交卷", "Submitted"),
    "absent": ("缺考", "Absent"),
    "seat": ("座位", "Seat"),
    "name": ("姓名", "Name"),
    "ticket": ("准考证号", "Ticket"),
    "id_number": ("身份证号", "ID number"),
    "state": ("状态", "State"),
    "answered": ("已答", "Answered"),
    "last_answer": ("最后作答", "Last answer"),
    "alerts": ("提醒", "Alerts"),
    "all": ("全部", "All"),
    "alerts_only": ("只看有提醒的", "Alerts only"),
    "search": ("搜索姓名/准考证号", "Search name/ticket"),
    "open_checkin": ("开放签到", "Open check-in"),
    "start": ("开考", "Start"),
    "end": ("结束考试（收卷）", "End exam (collect all)"),
    "release_code": ("开考解封码", "Release code"),
    "release_code_hint": (
        "联网时可留空，开考时自动从省平台获取",
        "leave blank when online: fetched from the provincial cloud at the start",
    ),
    "exam_password": ("当场考试口令", "Room exam password"),
    "broadcast": ("发送通知", "Broadcast"),
    "extend": ("延长时间", "Extend time"),
    "minutes": ("分钟", "minutes"),
    "reason": ("理由", "Reason"),
    "everyone": ("全体考生", "Everyone"),
    "transfer": ("转移机位", "Seat transfer"),
    "free_terminal": ("空闲终端", "Free terminal"),
    "cancel_transfer": ("撤销转移（回原终端）", "Cancel transfer (back to the old terminal)"),
    "cancel_transfer_hint": (
        "考生尚未在新终端确认：原终端解锁，考生在原终端重新输入考试口令后继续，停机时间补足",
        "Not yet confirmed on the new terminal: the old terminal unlocks, the candidate types the"
        " room password there again and goes on; the downtime is credited",
    ),
    "leave": ("暂离", "Temporary leave"),
    "come_back": ("返回（人工放行）", "Return (override)"),
    "violation": ("记录违纪", "Record violation"),
    "category": ("违纪情形", "Category"),
    "conduct": ("违纪情节", "Conduct"),
    "handling": ("处理", "Handling"),
    "proctor": ("监考员", "Proctor"),
    "patrol": ("巡考员", "Patrol"),
    "admit": ("准予入场", "Admit"),
    "refuse": ("拒绝入场", "Refuse"),
    "sim_card": ("模拟刷卡", "Simulate card"),
    "desk_camera": ("摄像头", "Camera"),
    "registered_photo": ("登记照片", "Registered photo"),
    "camera_still": ("现场抓拍", "Camera still"),
    "face": ("人脸比对", "Face check"),
    "distance": ("距离", "distance"),
    "threshold": ("阈值", "threshold"),
    "id_checks": ("证件核验", "ID checks"),
    "waiting_card": (
        "请考生将身份证放在读卡器上",
        "Ask the candidate to place the ID card on the reader",
    ),
    "ok": ("通过", "OK"),
    "suspect": ("可疑", "Suspect"),
    "confirm_ok": ("确认本人", "Confirm OK"),
    "mark_suspect": ("标记可疑", "Mark suspect"),
    "note": ("备注", "Note"),
    "add_note": ("添加其他情况", "Add other event"),
    "print": ("打印", "Print"),
    "pdf": ("下载PDF", "Download PDF"),
    "download_archive": ("导出本场档案（zip）", "Export session archive (zip)"),
    "verify_archive": ("校验档案", "Verify archive"),
    "save": ("保存", "Save"),
    "submit": ("提交", "Submit"),
    "message": ("通知内容", "Message"),
    "time_span": ("考试时间", "Exam time"),
    "place": ("考试地点", "Place"),
    "actual": ("实考", "Actual"),
    "events": ("考场情况记录", "Events"),
    "absentees": ("缺考人员记录", "Absentees"),
    "signatures": ("签名", "Signatures"),
    "resolve_dispute": ("已现场登记更正", "Registered on the spot"),
    "unlock_login": ("解除登录锁定", "Lift the login lock"),
    "accept_late_answers": (
        "采纳结束前作答的离线答案并重新计分",
        "Accept the offline answers made before the end and re-score",
    ),
    "no_captures": ("暂无需要核查的抓拍", "No captures to review"),
    "role": ("角色", "Role"),
    "display_name": ("姓名", "Display name"),
    "create_user": ("新建账号", "Create account"),
    "unlock": ("解锁", "Unlock"),
    "change_password": ("修改密码", "Change password"),
    "current_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "new_password_again": ("再次输入新密码", "New password again"),
    "must_change_password": ("需修改初始密码", "must change password"),
    "temporary_password": (
        "首次登录须修改密码",
        "Must change it at first login",
    ),
    "run_checks": ("重新检查", "Check again"),
    "demo_mode": ("演示模式", "Demo mode"),
    "connected": ("在线", "online"),
    "disconnected": ("离线", "offline"),
    "reader": ("读卡器", "Reader"),
    "camera": ("摄像头", "Camera"),
    "live": ("实时", "live"),
}
