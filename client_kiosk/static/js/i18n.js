// Page texts in Simplified Chinese (default) and English. Server messages come in both languages
// already (`message` / `message_en`); everything the page itself says is here.

export const TEXTS = {
  zh: {
    app_title: "考生终端",
    lang_switch: "English",
    seat: "座位号",
    terminal: "终端",
    conn_online: "已连接服务器",
    conn_connecting: "正在连接服务器…",
    conn_offline: "未连接服务器",
    waiting_title: "欢迎参加考试",
    waiting_hint: "请对号入座，将身份证和准考证放在桌面左上角，等待监考员指示后登录。",
    waiting_no_session: "今日暂无开放的考试场次，请等待监考员指示。",
    waiting_start_login: "考生登录",
    session_starts: "开考时间",
    room: "考场",
    login_title: "考生登录",
    name: "姓名",
    ticket: "准考证号",
    captcha: "验证码",
    captcha_refresh: "换一张",
    captcha_alt: "验证码图片，点击更换",
    login_button: "登录",
    back: "返回",
    back_home: "返回终端首页",
    notice_title: "考生须知",
    notice_scroll_hint: "请阅读至末尾后勾选确认。",
    notice_agree: "我已认真阅读并将遵守以上考生须知",
    next: "下一步",
    password_title: "当场考试口令",
    password_hint: "请输入监考员在考场宣布的考试口令。",
    password_label: "考试口令",
    confirm_title: "核对身份信息",
    confirm_hint: "请仔细核对以下信息与本人照片。如有错误，请点击“信息有误”并举手示意监考员。",
    gender: "性别",
    id_number: "身份证号",
    subject: "考核科目",
    photo: "照片",
    confirm_ok: "信息无误，确认",
    confirm_wrong: "信息有误",
    dispute_title: "报告信息有误",
    dispute_hint: "请简要说明哪项信息有误（可不填），提交后请举手示意监考员。",
    dispute_send: "提交并通知监考员",
    cancel: "取消",
    disputed_title: "已通知监考员",
    disputed_hint: "您报告了信息有误，监考员将现场登记处理。请举手示意并在座位上等待。",
    disputed_recheck: "监考员已处理，重新核对",
    wait_start_title: "等待开考",
    wait_start_hint: "身份已确认。请等待监考员发出开考指令，开考后将自动进入答题页面。",
    server_time: "服务器时间",
    starts_at: "计划开考",
    duration: "考试时长",
    minutes: "分钟",
    remaining: "剩余时间",
    saved: "答案已保存",
    storage_unavailable: "本机暂存不可用：请勿刷新或关闭页面，答案仍在发送到服务器；请举手告知监考员。",
    saving: "正在保存 {n} 条",
    unsaved_offline: "网络中断，{n} 条答案暂存本机",
    question_of: "第 {i} 题 / 共 {n} 题",
    type_judge: "判断题",
    type_single: "单选题",
    type_multi: "多选题",
    multi_hint: "（多选，选出全部正确答案）",
    score_pts: "{s} 分",
    prev: "上一题",
    next_q: "下一题",
    flag: "标记",
    unflag: "取消标记",
    submit: "交卷",
    grid_title: "答题卡",
    legend_answered: "已答",
    legend_unanswered: "未答",
    legend_flagged: "标记",
    legend_current: "当前",
    font_size: "字号",
    keys_help: "键盘：A–H 或 1–8 选择答案　←/→ 上一题/下一题　M 标记　Enter 下一题",
    submit_wait: "开考 {m} 分钟后方可交卷（还需 {t}）",
    submit_confirm_title: "确认交卷",
    submit_confirm_all: "您已回答全部 {n} 道题。交卷后不能再修改答案。",
    submit_confirm_some: "您还有 {k} 道题未作答（共 {n} 题）：",
    submit_confirm_flagged: "标记待查的题：",
    submit_confirm_go: "确认交卷",
    submit_back: "返回检查",
    submit_flushing: "正在上传答案，请稍候…",
    submit_not_flushed: "仍有答案未上传到服务器，暂不能交卷。请稍候，网络恢复后会自动上传。",
    warn_10: "距考试结束还有 10 分钟，请抓紧时间并检查未答题目。",
    warn_5: "距考试结束还有 5 分钟，时间到系统将自动收卷。",
    time_up: "考试时间到，正在收卷…",
    done_submitted: "您已交卷",
    done_collected: "考试时间到，系统已自动收卷",
    done_answered: "已答题数",
    done_score: "成绩",
    done_passed: "合格",
    done_failed: "不合格",
    done_leave: "请带好身份证和准考证，安静有序离开考场。",
    done_late_handed: "网络中断期间作答的 {n} 条答案在收卷后才送达，已完整保存并交给监考员处理。",
    done_late_waiting: "网络中断期间作答的 {n} 条答案在收卷后才送达，已保存在本机，正在交给监考员，请勿关闭计算机。",
    lock_title: "终端已锁定",
    lock_unreachable_title: "与服务器的连接中断",
    lock_unreachable: "正在自动重新连接…您的答案已安全保存在本机，请勿关闭或重启计算机，请举手示意监考员。",
    lock_unreachable_continue: "继续作答（答案暂存本机）",
    lock_unreachable_queue: "本机暂存未上传答案：{n} 条",
    lock_moved_title: "已转移机位",
    lock_away_title: "暂时离开",
    lock_disqualified_title: "已取消考试资格",
    transfer_title: "确认转移机位",
    transfer_hint: "监考员已将准考证尾号 {hint} 的考生转移到本终端。请输入准考证号和当场考试口令确认。",
    transfer_go: "确认转移",
    message_title: "监考员消息",
    ok: "知道了",
    camera_ok: "摄像头正常",
    camera_missing: "未检测到摄像头",
    camera_denied: "摄像头不可用",
    not_connected: "未连接服务器，请稍候再试；如持续无法连接，请举手示意监考员。",
    request_timeout: "服务器无响应，请稍候重试。",
    required_field: "请填写{f}。",
    notice_html: `
<h3>一、考场纪律</h3>
<ol>
<li>自觉服从考场工作人员管理，不得以任何理由妨碍工作人员履行职责，不得扰乱考场秩序。</li>
<li>对号入座，不得随意调换座位。入座后将身份证件和准考证放在考桌左上角，以备监考人员检查。</li>
<li>包、书籍、资料、手机、计算器等物品须放在指定存放处；通讯工具、电子设备应全部关闭。</li>
<li>按登录页面要求填写姓名、准考证号、验证码登录考核系统，阅读本须知，输入当场考试口令，并仔细核对姓名、性别、准考证号、身份证号、考核科目及本人照片。信息有误应举手示意，听从监考人员安排现场登记处理。</li>
<li>监考人员发出开始考核指令后方可答题。迟到5分钟以上不得入场，开考后拒不登录的视为缺考。</li>
<li>考核开始30分钟后方可交卷离开考场。到达考核结束时间，系统将自动收卷，请按提示安静退场。</li>
<li>保持安静，禁止交头接耳、大声喧哗，不准吸烟或吃东西。涉及试题的疑问不得向监考人员询问。</li>
<li>考核机出现故障时请举手示意，由监考人员处理。严禁故意关机、自行重新启动计算机或其他恶意操作。</li>
<li>如需上厕所，应举手示意，经允许后由工作人员陪同出入（同一时间同一考场只允许一名考生暂离），返回时须出示准考证及身份证件并重新安检。</li>
</ol>
<h3>二、答题说明</h3>
<ol>
<li>试题分为判断题、单选题、多选题。每次显示一题，可用“上一题/下一题”或右侧答题卡切换，也可以使用键盘操作。</li>
<li>每次选择都会立即保存。网络短暂中断时，答案暂存在本机，恢复后自动上传，请勿关闭计算机或浏览器。</li>
<li>剩余时间以考点服务器时间为准，距结束10分钟和5分钟时将提醒。</li>
<li>考试期间系统将随机拍摄考生照片，请保持面部正对摄像头，不得遮挡摄像头。</li>
<li>切换窗口、离开考试页面等行为会被记录并报告监考员。</li>
</ol>
<h3>三、违纪处理</h3>
<p>夹带、抄袭、交头接耳、窃视他人屏幕、抄录试题、使用通讯设备、擅自离开考场、替考、恶意操作考核机、扰乱考核秩序等行为，由监考人员如实记录，按规定处理；作弊者取消考试资格，成绩作废。</p>
<p class="notice-end">—— 须知完 ——</p>`,
  },
  en: {
    app_title: "Candidate terminal",
    lang_switch: "中文",
    seat: "Seat",
    terminal: "Terminal",
    conn_online: "Connected to the server",
    conn_connecting: "Connecting to the server…",
    conn_offline: "Not connected",
    waiting_title: "Welcome to the exam",
    waiting_hint: "Sit at your seat, put your ID card and admission ticket at the top left of the desk, and log in when the proctor says so.",
    waiting_no_session: "No exam session is open today; wait for the proctor.",
    waiting_start_login: "Candidate login",
    session_starts: "Starts at",
    room: "Room",
    login_title: "Candidate login",
    name: "Name",
    ticket: "Admission ticket no.",
    captcha: "Captcha",
    captcha_refresh: "New image",
    captcha_alt: "Captcha image, click for a new one",
    login_button: "Log in",
    back: "Back",
    back_home: "Back to the start screen",
    notice_title: "Candidate notice",
    notice_scroll_hint: "Read to the end, then tick the box.",
    notice_agree: "I have read the candidate notice and will follow it",
    next: "Next",
    password_title: "Room exam password",
    password_hint: "Type the exam password the proctor announced in the room.",
    password_label: "Exam password",
    confirm_title: "Check your identity",
    confirm_hint: "Check the record and the photo. If anything is wrong, press “Record is wrong” and raise your hand.",
    gender: "Gender",
    id_number: "ID number",
    subject: "Subject",
    photo: "Photo",
    confirm_ok: "The record is correct",
    confirm_wrong: "Record is wrong",
    dispute_title: "Report a wrong record",
    dispute_hint: "Say briefly what is wrong (optional), send, then raise your hand.",
    dispute_send: "Send and alert the proctor",
    cancel: "Cancel",
    disputed_title: "The proctor was alerted",
    disputed_hint: "You reported a wrong record; the proctor will register it on the spot. Raise your hand and wait at your seat.",
    disputed_recheck: "The proctor fixed it: check again",
    wait_start_title: "Waiting for the start",
    wait_start_hint: "Identity confirmed. Wait for the proctor's start; the questions appear by themselves.",
    server_time: "Server time",
    starts_at: "Scheduled start",
    duration: "Duration",
    minutes: "min",
    remaining: "Time left",
    saved: "Answers saved",
    storage_unavailable: "This computer cannot keep answers locally: do not reload or close the page; answers are still being sent to the server. Raise your hand and tell the proctor.",
    saving: "Saving {n}",
    unsaved_offline: "Offline: {n} answer(s) kept on this computer",
    question_of: "Question {i} of {n}",
    type_judge: "True / false",
    type_single: "Single choice",
    type_multi: "Multiple choice",
    multi_hint: "(choose every correct option)",
    score_pts: "{s} pt",
    prev: "Previous",
    next_q: "Next",
    flag: "Flag",
    unflag: "Unflag",
    submit: "Submit",
    grid_title: "Answer sheet",
    legend_answered: "Answered",
    legend_unanswered: "Unanswered",
    legend_flagged: "Flagged",
    legend_current: "Current",
    font_size: "Text size",
    keys_help: "Keys: A–H or 1–8 choose · ←/→ previous/next · M flag · Enter next",
    submit_wait: "You may submit {m} minutes after the start ({t} to go)",
    submit_confirm_title: "Submit the paper?",
    submit_confirm_all: "You answered all {n} questions. Answers cannot be changed after submitting.",
    submit_confirm_some: "{k} of {n} questions are unanswered:",
    submit_confirm_flagged: "Flagged questions:",
    submit_confirm_go: "Submit",
    submit_back: "Go back and check",
    submit_flushing: "Uploading answers, please wait…",
    submit_not_flushed: "Some answers have not reached the server yet, so you cannot submit now. They are uploaded as soon as the network is back.",
    warn_10: "10 minutes left: check your unanswered questions.",
    warn_5: "5 minutes left: the paper is collected automatically at the end.",
    time_up: "Time is up; collecting the paper…",
    done_submitted: "You have submitted",
    done_collected: "Time is up: the paper was collected",
    done_answered: "Answered",
    done_score: "Score",
    done_passed: "Pass",
    done_failed: "Fail",
    done_leave: "Take your ID card and ticket and leave the room quietly.",
    done_late_handed: "{n} answer(s) made during the network cut arrived after the paper was collected: kept in full and handed to the proctor.",
    done_late_waiting: "{n} answer(s) made during the network cut arrived after the paper was collected: kept on this computer and being handed to the proctor. Do not switch it off.",
    lock_title: "Terminal locked",
    lock_unreachable_title: "Connection to the server lost",
    lock_unreachable: "Reconnecting by itself… Your answers are safe on this computer. Do not switch off or restart the computer; raise your hand.",
    lock_unreachable_continue: "Keep answering (kept on this computer)",
    lock_unreachable_queue: "Answers waiting to upload: {n}",
    lock_moved_title: "Moved to another terminal",
    lock_away_title: "Temporarily away",
    lock_disqualified_title: "Disqualified",
    transfer_title: "Confirm the seat transfer",
    transfer_hint: "The proctor moved the candidate with ticket ending {hint} to this terminal. Type the ticket number and the room's exam password to confirm.",
    transfer_go: "Confirm transfer",
    message_title: "Message from the proctor",
    ok: "OK",
    camera_ok: "Camera working",
    camera_missing: "No camera found",
    camera_denied: "Camera unavailable",
    not_connected: "Not connected to the server; try again shortly, and raise your hand if it persists.",
    request_timeout: "The server did not answer; try again.",
    required_field: "Enter the {f}.",
    notice_html: `
<h3>1. Room rules</h3>
<ol>
<li>Follow the staff's instructions; do not obstruct them or disturb the room.</li>
<li>Sit at your own seat. Put your ID card and admission ticket at the top left of the desk.</li>
<li>Bags, books, papers, phones and calculators go to the storage place; switch off every device.</li>
<li>Log in with your name, ticket number and the captcha, read this notice, type the room's exam password, and check your name, gender, ticket, ID number, subject and photo. If anything is wrong, raise your hand.</li>
<li>Answer only after the proctor's start. More than 5 minutes late: no entry; not logging in after the start counts as absent.</li>
<li>You may submit and leave 30 minutes after the start. At the end time the system collects every paper.</li>
<li>Keep quiet; no talking, smoking or eating. Do not ask the proctor about the questions.</li>
<li>If the computer fails, raise your hand. Never switch it off or restart it yourself.</li>
<li>To go to the toilet, raise your hand; staff accompany you (one candidate out at a time) and check your ticket and ID on return.</li>
</ol>
<h3>2. Answering</h3>
<ol>
<li>Questions are true/false, single choice and multiple choice, one at a time; move with Previous/Next, the answer sheet, or the keyboard.</li>
<li>Every choice is saved at once. During a network cut answers stay on this computer and are uploaded later: do not switch it off.</li>
<li>The time left comes from the exam server; you are warned at 10 and 5 minutes.</li>
<li>The system takes random photos during the exam: keep your face to the camera and do not cover it.</li>
<li>Leaving the exam page or switching windows is recorded and reported to the proctor.</li>
</ol>
<h3>3. Misconduct</h3>
<p>Cribbing, copying, talking, looking at other screens, copying questions, using devices, leaving without permission, impersonation, damaging the computer or disturbing the room are recorded by the proctor; cheating cancels the qualification and the score.</p>
<p class="notice-end">— end of the notice —</p>`,
  },
};

let lang = "zh";

/** Current language code ("zh" or "en"). */
export function currentLang() {
  return lang;
}

/** Switch language; callers re-render. */
export function setLang(code) {
  lang = code === "en" ? "en" : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

/** A page text with {placeholders} filled in. */
export function t(key, vars = {}) {
  const table = TEXTS[lang];
  let s = table[key] ?? TEXTS.zh[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** The message of a server refusal in the current language. */
export function serverMessage(ack) {
  if (!ack) return t("request_timeout");
  if (lang === "en") return ack.message_en || ack.message || ack.code || "";
  return ack.message || ack.message_en || ack.code || "";
}

/** Fill every element carrying data-i18n / data-i18n-placeholder / data-i18n-title. */
export function applyTexts(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-html]")) el.innerHTML = t(el.dataset.i18nHtml);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]"))
    el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-alt]")) el.alt = t(el.dataset.i18nAlt);
}
