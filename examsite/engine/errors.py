"""Stable error codes with Simplified Chinese and English messages that say what to do."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": (
        "请求格式不正确，请刷新页面后重试。",
        "The request is malformed; reload the page and retry.",
    ),
    "payload_too_large": ("数据过大，已拒收。", "The data is too large and was refused."),
    "unknown_event": ("未知操作。", "Unknown event."),
    "no_hello": (
        "终端尚未登记，请刷新页面。",
        "This terminal has not said hello yet; reload the page.",
    ),
    "token_invalid": ("登录凭证无效，请重新登录。", "The login token is invalid; log in again."),
    "token_revoked": (
        "本终端的登录已失效（可能已转移机位），请联系监考员。",
        "This terminal's login was revoked (perhaps moved to another seat); ask the proctor.",
    ),
    "captcha_expired": ("验证码已过期，请刷新验证码。", "The captcha expired; get a new one."),
    "captcha_wrong": ("验证码错误，请重新输入。", "Wrong captcha; try again."),
    "too_many_attempts": (
        "错误次数过多，请稍后再试或联系监考员。",
        "Too many failed attempts; wait a few minutes or ask the proctor.",
    ),
    "not_on_roster": (
        "姓名与准考证号不匹配或不在今日考生名单中，请核对后重试，或联系监考员。",
        "Name and ticket number do not match today's roster; check them or ask the proctor.",
    ),
    "not_checked_in": (
        "您尚未通过入场验证（身份证与人脸核验），请先到签到台签到。",
        "You have not passed check-in (ID card and face); go to the check-in desk first.",
    ),
    "ticket_absent": (
        "开考已超过{late_cut_min}分钟，按规定不得入场，本准考证已作缺考处理。",
        "More than {late_cut_min} minutes after the start: entry is refused and this ticket is marked absent.",
    ),
    "disqualified": ("该考生已被取消考试资格。", "This candidate has been disqualified."),
    "exam_over": ("考试已结束。", "The exam is over."),
    "not_open": (
        "考试尚未开放，请等待监考员指示。",
        "The exam is not open yet; wait for the proctor.",
    ),
    "logged_in_elsewhere": (
        "该考生已在其他终端登录。如需换机，请联系监考员办理转移机位。",
        "This candidate is logged in on another terminal; ask the proctor to move the candidate.",
    ),
    "notice_required": (
        "请先阅读并确认考生须知。",
        "Read and acknowledge the candidate notice first.",
    ),
    "password_wrong": (
        "考试口令错误，请按监考员宣布的口令输入。",
        "Wrong exam password; type the one the proctor announced.",
    ),
    "password_required": ("请先输入当场考试口令。", "Enter the room's exam password first."),
    "identity_required": ("请先确认身份信息。", "Confirm your identity first."),
    "identity_disputed": (
        "您已报告信息有误，请等待监考员处理。",
        "You reported a wrong record; wait for the proctor.",
    ),
    "not_started": (
        "考试尚未开始，请等待监考员发出开考指令。",
        "The exam has not started; wait for the proctor's start.",
    ),
    "collected": (
        "试卷已交卷或已收卷，不能再作答。",
        "The paper has been submitted or collected; no more answers.",
    ),
    "locked": ("终端已锁定，请联系监考员。", "This terminal is locked; ask the proctor."),
    "qid_unknown": ("该题不在您的试卷中。", "That question is not on your paper."),
    "bad_value": ("答案格式不正确。", "The answer is not valid for this question."),
    "seq_conflict": (
        "答案序号重复但内容不同，已拒收，已保存的答案未改变。",
        "A sequence number was reused with a different answer; refused, stored answers unchanged.",
    ),
    "paper_open": (
        "试卷仍在作答中，请按正常答案提交。",
        "The paper is still open; send these as ordinary answers.",
    ),
    "not_locked": (
        "该考生的登录没有被锁定。",
        "This candidate's login is not locked.",
    ),
    "no_late_answers": (
        "该考生没有待处理的结束前离线答案。",
        "This candidate has no pending offline answers made before the end.",
    ),
    "submit_too_early": (
        "开考{submit_after_min}分钟后方可交卷。",
        "You may submit only {submit_after_min} minutes after the start.",
    ),
    "busy": (
        "服务器繁忙，答案仍保存在本机，将自动重发。",
        "The server is busy; your answer is kept on this computer and will be re-sent.",
    ),
    "capture_unknown": ("抓拍请求无效或已过期。", "Unknown or expired capture request."),
    "not_an_image": ("上传的不是有效的JPEG图片。", "The upload is not a valid JPEG image."),
    "transfer_not_pending": (
        "没有待确认的机位转移，请联系监考员。",
        "No seat transfer is pending for you; ask the proctor.",
    ),
    "no_transfer_pending": (
        "该考生没有待确认的机位转移（可能已在新终端确认），请查看考场实况。",
        "This candidate has no pending seat transfer (perhaps already confirmed on the new"
        " terminal); look at the live room.",
    ),
    "bad_transition": (
        "当前状态下不能执行此操作。",
        "That action is not allowed in the current state.",
    ),
    "already_checked_in": (
        "该考生已签到或已在考试中。",
        "This candidate has already checked in or is in the exam.",
    ),
    "checkin_not_open": (
        "签到尚未开始（开考前{checkin_open_min}分钟开放）。",
        "Check-in is not open yet (it opens {checkin_open_min} minutes before the start).",
    ),
    "paper_sealed": (
        "试卷尚未解封，请输入省平台发布的开考解封码。",
        "The paper is still sealed; enter the release code published by the provincial cloud.",
    ),
    "terminal_occupied": (
        "目标终端已有考生在使用，请选择空闲终端。",
        "That terminal is in use; choose a free one.",
    ),
    "one_away": (
        "同一考场同一时间只允许一名考生暂离，请等前一位考生返回。",
        "Only one candidate of a room may be away at a time; wait for the other to return.",
    ),
    "return_needs_check": (
        "考生返回须重新核验准考证和身份证（或由监考员说明理由后放行）。",
        "On return the ticket and ID card must be checked again (or a proctor override with a reason).",
    ),
    "reason_required": ("此操作必须填写理由。", "This action needs a reason."),
    "storage_error": (
        "服务器存储出错（磁盘可能已满），答案仍保存在本机并将自动重发，请通知技术人员。",
        "The server could not store the data (the disk may be full); your answers stay on this computer and will be re-sent. Tell the technician.",
    ),
    "internal": (
        "服务器内部错误，答案未丢失，请稍后重试并告知技术人员。",
        "Internal server error; nothing was lost. Retry shortly and tell the technician.",
    ),
}

#: The same refusals where the session's minutes are not known (e.g. a state-machine refusal):
#: no number rather than a wrong one, since every duration is a per-session setting.
UNTIMED: dict[str, tuple[str, str]] = {
    "ticket_absent": (
        "已超过开考后允许入场的时间，按规定不得入场，本准考证已作缺考处理。",
        "The time allowed for entry after the start has passed: entry is refused and this ticket is marked absent.",
    ),
    "submit_too_early": (
        "尚未到允许交卷的时间，请稍后再交卷。",
        "Submitting is not allowed yet; try again later.",
    ),
    "checkin_not_open": ("签到尚未开始。", "Check-in is not open yet."),
}


class ExamError(Exception):
    """A refusal with a stable code; `detail` carries extra fields for the client."""

    def __init__(self, code: str, detail: dict[str, Any] | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {message(self.code, self.detail)}"

    def as_ack(self) -> dict[str, Any]:
        """The acknowledgement payload a client receives."""
        return error_ack(self.code, **(self.detail or {}))


def minutes(value: float) -> str:
    """A duration setting as people write it: 5, 30, 0.5."""
    return f"{float(value):g}"


def texts(code: str, detail: dict[str, Any] | None = None) -> tuple[str, str]:
    """(中文, English) of a code, with the session's minutes (`*_min` fields of `detail`) filled in."""
    zh, en = MESSAGES.get(code, MESSAGES["internal"])
    if "{" not in zh:
        return zh, en
    fields = {k: minutes(v) for k, v in (detail or {}).items() if k.endswith("_min")}
    try:
        return zh.format_map(fields), en.format_map(fields)
    except KeyError:
        return UNTIMED[code]


def message(code: str, detail: dict[str, Any] | None = None) -> str:
    """'中文（English）' for a code."""
    zh, en = texts(code, detail)
    return f"{zh}（{en}）"


def error_ack(code: str, **detail: Any) -> dict[str, Any]:
    """An error acknowledgement: ok false, the code, and messages in both languages."""
    zh, en = texts(code, detail)
    return {"ok": False, "code": code, "message": zh, "message_en": en, **detail}
