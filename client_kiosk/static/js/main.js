// The candidate terminal: screens from the waiting screen to hand-in, driven by the server's
// *view* (docs/protocol.md). The server decides the stage; the page draws it, keeps answers safe
// in localStorage, and comes back by itself after a network cut, a server restart or a reload.

import { AnswerQueue } from "./answers.js";
import { Camera } from "./camera.js";
import { formatClock, formatDuration, ServerClock } from "./clock.js";
import { ExamView } from "./exam.js";
import { FlagSync } from "./flags.js";
import { applyTexts, currentLang, serverMessage, setLang, t } from "./i18n.js";
import { Link } from "./link.js";
import { Modal } from "./modal.js";
import { onStorageFailure, probeStorage, storageBroken, TerminalStore } from "./storage.js";

const $ = (id) => document.getElementById(id);

/** Seconds of lost connection before the full-screen "server unreachable" lock. */
const UNREACHABLE_GRACE_MS = { exam: 15000, other: 3000 };
const WARN_MINUTES = [10, 5];
const MAX_PENDING_REPORTS = 50;
const RESYNC_WAITING_MS = 15000;

const store = new TerminalStore();
setLang(store.lang);
const clock = new ServerClock();
const modal = new Modal();

const state = {
  screen: "waiting",
  sessions: [],
  view: null,
  identity: null,
  lock: null, // {reason, message, message_en, note}
  offlineSince: null,
  unreachableDismissed: false,
  transferHint: null,
  lastResync: 0,
  reports: [],
  storageFailure: null, // why localStorage refused a write
  storageReportedFor: undefined, // the login token the last storage report was sent with
  bannerWarn: null, // the time warning (minutes) the exam banner shows, if it shows one
};

const link = new Link({
  helloPayload: () => {
    const login = store.login;
    return { terminal_id: store.terminalId, seat: store.seat, ...(login ? { token: login.token } : {}) };
  },
  onHello,
  onState,
  onPush,
});
const queue = new AnswerQueue(store, link, onQueueChange, onAnswerRefused, clock);
const exam = new ExamView(store, queue, () => store.login?.token);
const flagSync = new FlagSync(store, link);
exam.onFlag = (qid, flagged) => flagSync.set(qid, flagged, store.login?.token);
const camera = new Camera((kind, detail) => report(kind, detail));

// -- screens ---------------------------------------------------------------------------------
function show(screen) {
  state.screen = screen;
  document.body.dataset.screen = screen;
  for (const el of document.querySelectorAll("main > .screen")) el.hidden = el.dataset.screen !== screen;
  // Forms put the cursor in their first field; the exam keeps focus on the page for its keys.
  const first = document.querySelector(`main > .screen[data-screen="${screen}"] form input:not([disabled])`);
  if (first && !modal.open) first.focus();
  else if (screen === "exam" && !modal.open) document.activeElement?.blur?.();
  renderAll();
}

function renderAll() {
  applyTexts();
  $("lang-btn").textContent = t("lang_switch");
  $("seat-no").textContent = store.seat ?? "—";
  $("waiting-seat").textContent = store.seat ?? "—";
  $("terminal-id").textContent = store.terminalId;
  renderConn();
  renderSessions();
  renderIdentity();
  renderWaitFacts();
  renderDone();
  renderTransfer();
  renderLock();
  renderSaveState();
  renderExamWho();
  if (exam.loaded) exam.render();
  renderCamera();
  tick();
}

function renderConn() {
  const el = $("conn");
  el.dataset.state = link.state;
  $("conn-text").textContent = t(`conn_${link.state}`);
  $("to-login").disabled = link.state !== "online";
  const ex = state.view?.exam;
  $("brand-exam").textContent = ex ? `${ex.room} · ${ex.title}` : "";
}

function renderSessions() {
  const box = $("waiting-sessions");
  box.replaceChildren();
  if (link.state === "online" && state.sessions.length === 0) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = t("waiting_no_session");
    box.append(p);
  }
  for (const s of state.sessions) {
    const item = document.createElement("div");
    item.className = "session-item";
    const title = document.createElement("b");
    title.textContent = s.title;
    const room = document.createElement("span");
    room.textContent = `${t("room")}：${s.room}`;
    const starts = document.createElement("span");
    starts.textContent = `${t("session_starts")}：${formatClock(s.starts_at_ms, true, clock.utcOffsetMin)}`;
    item.append(title, room, starts);
    box.append(item);
  }
}

function identityBlock(identity) {
  const wrap = document.createDocumentFragment();
  if (!identity) return wrap;
  const img = document.createElement("img");
  img.alt = t("photo");
  if (identity.photo) img.src = identity.photo;
  const dl = document.createElement("dl");
  const rows = [
    ["name", identity.name],
    ["gender", currentLang() === "en" ? { M: "Male", F: "Female" }[identity.gender] || identity.gender : identity.gender_label],
    ["ticket", identity.ticket],
    ["id_number", identity.id_number_masked],
    ["subject", identity.subject],
    ["seat", identity.seat ?? "—"],
  ];
  for (const [key, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = value ?? "";
    dd.dataset.field = key;
    dl.append(dt, dd);
  }
  wrap.append(img, dl);
  return wrap;
}

function renderIdentity() {
  $("identity-box").replaceChildren(identityBlock(state.identity));
  $("disputed-identity").replaceChildren(identityBlock(state.identity));
}

function facts(el, rows) {
  el.replaceChildren();
  for (const [label, value, cls] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (cls) dd.className = cls;
    el.append(dt, dd);
  }
}

function renderWaitFacts() {
  const v = state.view;
  if (!v?.exam) return;
  facts($("wait-facts"), [
    [t("name"), v.candidate?.name ?? ""],
    [t("ticket"), v.candidate?.ticket ?? ""],
    [t("subject"), v.exam.subject],
    [t("room"), v.exam.room],
    [t("starts_at"), formatClock(v.exam.starts_at_ms, true, clock.utcOffsetMin)],
    [t("duration"), `${v.exam.duration_min} ${t("minutes")}`],
  ]);
}

function renderDone() {
  const v = state.view;
  if (!v || v.stage !== "done") return;
  const submitted = v.lock?.reason === "submitted";
  $("done-title").textContent = submitted ? t("done_submitted") : t("done_collected");
  const r = v.result || {};
  const rows = [
    [t("name"), v.candidate?.name ?? ""],
    [t("ticket"), v.candidate?.ticket ?? ""],
    [t("done_answered"), `${r.answered ?? 0} / ${r.total ?? 0}`],
  ];
  if (r.score !== undefined && r.score !== null) {
    rows.push([t("done_score"), t("score_pts", { s: r.score })]);
    if (r.passed !== undefined)
      rows.push(["", r.passed ? t("done_passed") : t("done_failed"), r.passed ? "passed" : "failed"]);
  }
  facts($("done-facts"), rows);
  // Answers made offline that reached the server only after the end: kept for the proctor.
  const handed = store.lateHanded;
  const waiting = queue.latePending;
  const late = $("done-late");
  late.hidden = !handed && !waiting;
  late.textContent = waiting ? t("done_late_waiting", { n: waiting + handed }) : t("done_late_handed", { n: handed });
}

function renderTransfer() {
  $("transfer-hint").textContent = t("transfer_hint", { hint: state.transferHint ?? "····" });
}

function renderExamWho() {
  const c = state.view?.candidate;
  const box = $("exam-who");
  box.replaceChildren();
  if (!c) return;
  const name = document.createElement("b");
  name.textContent = c.name;
  const rest = document.createElement("span");
  rest.textContent = `${t("ticket")} ${c.ticket}　${t("seat")} ${store.seat ?? c.seat ?? "—"}`;
  box.append(name, rest);
}

function onQueueChange() {
  renderSaveState();
  if (state.screen === "done") renderDone();
}

function renderSaveState() {
  const el = $("save-state");
  const n = queue.pending;
  let s = "saved";
  if (n > 0) s = link.ready ? "saving" : "offline";
  el.dataset.state = s;
  el.textContent = s === "saved" ? t("saved") : s === "saving" ? t("saving", { n }) : t("unsaved_offline", { n });
  if (state.lock?.reason === "unreachable") $("lock-queue").textContent = n ? t("lock_unreachable_queue", { n }) : "";
}

function renderCamera() {
  const status = camera.status;
  const card = document.querySelector(".camera-card");
  card.dataset.status = status;
  $("camera-state").textContent = status === "unknown" ? "" : t(`camera_${status}`);
}

// -- locks -----------------------------------------------------------------------------------
const ICON_LOCK =
  '<svg viewBox="0 0 24 24" width="72" height="72" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"><rect x="4.5" y="10.5" width="15" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/><circle cx="12" cy="15.5" r="1.3" fill="currentColor"/></svg>';
const ICON_WARNING =
  '<svg viewBox="0 0 24 24" width="72" height="72" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M12 3 2.5 20h19Z"/><path d="M12 9.5v5"/><circle cx="12" cy="17.3" r="0.9" fill="currentColor"/></svg>';

const LOCK_TITLES = {
  away: "lock_away_title",
  moved: "lock_moved_title",
  disqualified: "lock_disqualified_title",
  unreachable: "lock_unreachable_title",
};

function setLock(lock) {
  state.lock = lock;
  renderLock();
}

function renderLock() {
  const lock = state.lock;
  const box = $("lock");
  box.hidden = !lock;
  if (!lock) return;
  box.dataset.reason = lock.reason;
  // Inline SVG: no emoji font is needed (Windows 7 terminals and Linux test machines lack one).
  $("lock-icon").innerHTML = lock.reason === "unreachable" ? ICON_WARNING : ICON_LOCK;
  $("lock-title").textContent = t(LOCK_TITLES[lock.reason] || "lock_title");
  $("lock-message").textContent =
    lock.reason === "unreachable" ? t("lock_unreachable") : serverMessage(lock);
  $("lock-note").textContent = lock.note || "";
  $("lock-queue").textContent = "";
  const action = $("lock-action");
  action.hidden = true;
  if (lock.reason === "unreachable" && state.screen === "exam") {
    action.hidden = false;
    action.textContent = t("lock_unreachable_continue");
    action.onclick = () => {
      state.unreachableDismissed = true;
      setLock(null);
    };
    renderSaveState();
  } else if (lock.reason === "moved" || lock.reason === "disqualified") {
    action.hidden = false;
    action.textContent = t("back_home");
    action.onclick = () => {
      store.forgetLogin();
      state.view = null;
      setLock(null);
      show("waiting");
    };
  }
  if (!action.hidden) action.focus();
}

// -- the server's view ---------------------------------------------------------------------------
async function applyView(view, extra = {}) {
  state.view = view;
  clock.apply(view.clock);
  if (view.identity) state.identity = view.identity;
  if (state.lock && state.lock.reason !== "unreachable") setLock(null);
  switch (view.stage) {
    case "notice":
      show("notice");
      noticeScrolled();
      break;
    case "password":
      show("password");
      break;
    case "confirm":
      show("confirm");
      break;
    case "disputed":
      show("disputed");
      break;
    case "waiting":
      show("wait-start");
      break;
    case "exam":
      await enterExam(extra);
      break;
    case "locked":
      setLock(view.lock || { reason: "other" });
      break;
    case "done":
      exam.frozen = true;
      show("done");
      break;
    default:
      show("waiting");
  }
  startCamera();
}

async function enterExam(extra) {
  const login = store.login;
  if (!exam.loaded || exam.sessionId !== login?.session_id) {
    const ack = await link.call("paper", { token: login?.token });
    if (!ack.ok) {
      if (!handleCommonRefusal(ack)) toast(serverMessage(ack), "danger");
      return;
    }
    clock.apply(ack.clock);
    exam.frozen = false;
    queue.load(ack.answers, ack.last_seq);
    const flags = ack.flags ? flagSync.merge(ack.flags, login.token) : null;
    exam.load(login.session_id, login.ticket, ack.questions, flags);
  } else if (extra.answers) {
    queue.load(extra.answers, extra.last_seq);
    if (extra.flags) exam.setFlags(flagSync.merge(extra.flags, login?.token));
  }
  exam.frozen = false;
  show("exam");
  queue.flush();
  flagSync.flush();
}

/** Refusals every screen treats the same way; true when handled. */
function handleCommonRefusal(ack) {
  switch (ack.code) {
    case "token_revoked":
      setLock({ reason: "moved", message: ack.message, message_en: ack.message_en });
      return true;
    case "token_invalid":
      store.forgetLogin();
      state.view = null;
      show("waiting");
      toast(serverMessage(ack), "danger");
      return true;
    case "collected":
    case "disqualified":
    case "locked":
    case "not_started":
      resync();
      return true;
    case "offline":
      toast(t("not_connected"), "danger");
      return true;
    case "timeout":
      toast(t("request_timeout"), "danger");
      return true;
    default:
      return false;
  }
}

/** Ask the server where we stand (hello with the token). */
function resync() {
  state.lastResync = performance.now();
  link.hello();
}

// -- connection ----------------------------------------------------------------------------------
function onHello(ack) {
  clock.sync(ack.server_time_ms, ack.utc_offset_min);
  state.sessions = ack.sessions || [];
  state.offlineSince = null;
  state.unreachableDismissed = false;
  if (state.lock?.reason === "unreachable") setLock(null);
  if (ack.resume) {
    const { answers, flags, last_seq: lastSeq, session_id: sessionId, capture_requests: captureRequests = [], ...view } =
      ack.resume;
    if (store.login && sessionId) store.login = { ...store.login, session_id: sessionId };
    applyView(view, { answers, flags, last_seq: lastSeq });
    // asked for while this page was away (a reload, a restart): taken now
    for (const requestId of captureRequests) capture(requestId);
  } else if (ack.resume_error) {
    if (ack.resume_error.code === "token_revoked") {
      setLock({ reason: "moved", message: ack.resume_error.message, message_en: ack.resume_error.message_en });
    } else {
      store.forgetLogin();
      state.view = null;
      if (!["login", "transfer"].includes(state.screen)) show("waiting");
    }
  } else if (!["login", "transfer"].includes(state.screen)) {
    show("waiting");
  }
  queue.flush();
  flagSync.flush();
  flushReports();
  reportStorage();
  renderAll();
}

function onState(s) {
  if (s === "offline") {
    queue.connectionLost();
    if (state.offlineSince === null) state.offlineSince = performance.now();
  }
  renderConn();
  renderSaveState();
}

const START_SPREAD_MS = 1500;

function onPush(event, data) {
  switch (event) {
    case "time":
      clock.sync(data.server_time_ms, data.utc_offset_min);
      break;
    case "clock":
      clock.apply(data);
      break;
    case "session":
      // Spread the start: a whole site's terminals asking for their papers in the same instant
      // would hold up the answers of those already writing (docs/protocol.md).
      setTimeout(resync, data && data.state === "running" ? Math.random() * START_SPREAD_MS : 0);
      break;
    case "unlock":
      resync();
      break;
    case "lock":
      setLock(data);
      break;
    case "collected": {
      const { result, ...lock } = data;
      exam.frozen = true;
      state.view = { ...(state.view || {}), stage: "done", lock, result };
      setLock(null);
      show("done");
      break;
    }
    case "message":
      modal.show({
        title: t("message_title"),
        text: data.text || "",
        buttons: [{ label: t("ok"), primary: true, action: () => true }],
      });
      break;
    case "capture_request":
      capture(data.request_id);
      break;
    case "transfer_pending":
      state.transferHint = data.ticket_hint || null;
      show("transfer");
      break;
  }
}

function onAnswerRefused(code) {
  if (code === "token_revoked" || code === "token_invalid" || code === "collected" || code === "disqualified")
    handleCommonRefusal({ code });
}

// -- reports and camera ----------------------------------------------------------------------------
function report(kind, detail = "") {
  const token = store.login?.token;
  const payload = { kind, detail: String(detail).slice(0, 200), ...(token ? { token } : {}) };
  if (!link.send("report", payload)) {
    state.reports.push(payload);
    if (state.reports.length > MAX_PENDING_REPORTS) state.reports.shift();
  }
}

/** The browser's storage refused a write: warn on every screen and tell the proctor (once per login). */
function storageWarning(reason) {
  state.storageFailure = reason;
  $("storage-warning").hidden = false;
  reportStorage();
}

function reportStorage() {
  if (!storageBroken()) return;
  const token = store.login?.token ?? null;
  if (state.storageReportedFor === token) return;
  state.storageReportedFor = token;
  report("storage_unavailable", state.storageFailure || "");
}

function flushReports() {
  const pending = state.reports.splice(0);
  for (const p of pending) link.send("report", { ...p, token: store.login?.token ?? p.token });
}

function startCamera() {
  if (!store.login) return;
  camera.onStatus = renderCamera;
  camera.open($("camera-view")).then(renderCamera);
}

async function capture(requestId) {
  const image = await camera.still();
  renderCamera();
  if (!image) {
    report(`camera_${camera.status === "ok" ? "missing" : camera.status}`, `capture ${requestId}: no image`);
    return;
  }
  const ack = await link.call("capture", { token: store.login?.token, request_id: requestId, image }, 20000);
  if (!ack.ok && (ack.code === "offline" || ack.code === "timeout")) {
    // Try once more after the next reconnect; a capture request is only worth a short wait.
    setTimeout(() => capture(requestId), 5000);
  }
}

// -- clock tick ------------------------------------------------------------------------------------
function tick() {
  const now = clock.now();
  $("waiting-clock").textContent = formatClock(now, false, clock.utcOffsetMin);
  $("wait-clock").textContent = formatClock(now, false, clock.utcOffsetMin);
  if (state.offlineSince !== null && store.login && state.screen !== "done" && !state.unreachableDismissed) {
    const grace = state.screen === "exam" ? UNREACHABLE_GRACE_MS.exam : UNREACHABLE_GRACE_MS.other;
    if (performance.now() - state.offlineSince > grace && (!state.lock || state.lock.reason === "unreachable")) {
      if (!state.lock) setLock({ reason: "unreachable" });
    }
  }
  if (state.screen === "exam") tickExam();
  // Safety net for a missed `session` push: screens that wait on the proctor ask now and then.
  if ((state.screen === "wait-start" || state.screen === "disputed") && link.ready && performance.now() - state.lastResync > RESYNC_WAITING_MS)
    resync();
}

function tickExam() {
  const left = clock.remaining();
  const timer = $("exam-timer");
  $("timer-value").textContent = left === null ? "--:--" : formatDuration(left);
  timer.dataset.level = left === null ? "ok" : left <= 5 * 60000 ? "danger" : left <= 10 * 60000 ? "warn" : "ok";
  const untilSubmit = clock.untilSubmit();
  const btn = $("submit-btn");
  const canSubmit = untilSubmit !== null && untilSubmit <= 0 && !exam.frozen;
  btn.disabled = !canSubmit;
  $("submit-why").textContent =
    untilSubmit === null || untilSubmit > 0
      ? t("submit_wait", { m: state.view?.exam?.submit_after_min ?? 30, t: formatDuration(untilSubmit ?? 0) })
      : "";
  if (left !== null) warn(left);
  if (left === 0) {
    if (!exam.frozen) {
      exam.frozen = true;
      exam.render();
      banner(t("time_up"), "danger");
    }
    // The server collects at the end; if its push was missed, ask where we stand.
    if (link.ready && performance.now() - state.lastResync > 5000) resync();
  }
}

function warn(left) {
  const sid = state.view?.exam?.session_id;
  const seen = store.warned?.session_id === sid ? store.warned.shown : [];
  // A proctor's extension (or credited downtime) took the time back above a threshold: that
  // warning is armed again and fires once more when the time falls below it again.
  const armed = seen.filter((m) => left <= m * 60000);
  if (armed.length !== seen.length) {
    store.warned = { session_id: sid, shown: armed };
    if (state.bannerWarn !== null && !armed.includes(state.bannerWarn)) {
      if (armed.length) warnBanner(Math.min(...armed));
      else hideBanner();
    }
  }
  const due = WARN_MINUTES.filter((m) => left <= m * 60000 && left > 0 && !armed.includes(m));
  if (due.length === 0) return;
  const m = Math.min(...due);
  store.warned = { session_id: sid, shown: [...armed, ...due] };
  warnBanner(m);
  toast(t(m === 5 ? "warn_5" : "warn_10"), m === 5 ? "danger" : "warn", 8000);
}

/** The banner of the m-minute warning. */
function warnBanner(m) {
  banner(t(m === 5 ? "warn_5" : "warn_10"), m === 5 ? "danger" : "warn");
  state.bannerWarn = m;
}

function banner(text, level) {
  const el = $("exam-banner");
  el.hidden = false;
  el.dataset.level = level;
  el.textContent = text;
  state.bannerWarn = null;
}

function hideBanner() {
  $("exam-banner").hidden = true;
  state.bannerWarn = null;
}

let toastTimer = null;
function toast(text, level = "info", ms = 5000) {
  const el = $("toast");
  el.textContent = text;
  el.dataset.level = level;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), ms);
}

// -- screen actions --------------------------------------------------------------------------------
function busy(button, on) {
  if (button) button.disabled = on;
}

async function refreshCaptcha() {
  const ack = await link.call("captcha", {});
  if (ack.ok) {
    $("captcha-img").src = ack.image;
    $("captcha-img").dataset.id = ack.captcha_id;
  } else {
    $("login-error").textContent = ack.code === "offline" ? t("not_connected") : serverMessage(ack);
  }
}

function goLogin() {
  if (link.state !== "online") return;
  $("login-error").textContent = "";
  show("login");
  $("login-name").focus();
  refreshCaptcha();
}

async function submitLogin(ev) {
  ev.preventDefault();
  const name = $("login-name").value.trim();
  const ticket = $("login-ticket").value.trim();
  const captcha = $("login-captcha").value.trim();
  const missing = !name ? "name" : !ticket ? "ticket" : !captcha ? "captcha" : null;
  if (missing) {
    $("login-error").textContent = t("required_field", { f: t(missing) });
    $(`login-${missing}`).focus();
    return;
  }
  const button = $("login-submit");
  busy(button, true);
  const ack = await link.call("login", { name, ticket, captcha, captcha_id: $("captcha-img").dataset.id });
  busy(button, false);
  if (!ack.ok) {
    if (ack.code === "logged_in_elsewhere" && ack.transfer_pending) {
      state.transferHint = ticket.slice(-4);
      $("transfer-ticket").value = ticket;
      show("transfer");
      return;
    }
    let msg = ack.code === "offline" ? t("not_connected") : serverMessage(ack);
    if (ack.retry_after_s) msg += ` (${ack.retry_after_s} s)`;
    $("login-error").textContent = msg;
    $("login-captcha").value = "";
    refreshCaptcha();
    $(ack.code?.startsWith("captcha") ? "login-captcha" : "login-name").focus();
    return;
  }
  const { token, session_id: sessionId, ok: _ok, ...view } = ack;
  store.login = { token, session_id: sessionId, ticket: view.candidate?.ticket ?? ticket, name };
  reportStorage();
  $("login-form").reset();
  applyView(view);
}

function noticeScrolled() {
  const box = $("notice-text");
  const end = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  if (end) $("notice-agree").disabled = false;
}

async function stepCall(event, payload, errorId, button) {
  busy(button, true);
  const ack = await link.call(event, { token: store.login?.token, ...payload });
  busy(button, false);
  if (ack.ok) {
    $(errorId).textContent = "";
    const { ok: _ok, ...view } = ack;
    await applyView(view);
    return ack;
  }
  if (!handleCommonRefusal(ack)) $(errorId).textContent = serverMessage(ack);
  return ack;
}

function disputeDialog() {
  const note = document.createElement("textarea");
  note.maxLength = 500;
  note.id = "dispute-note";
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = t("dispute_hint");
  modal.show({
    title: t("dispute_title"),
    body: [hint, note],
    buttons: [
      { label: t("cancel"), action: () => true },
      {
        label: t("dispute_send"),
        danger: true,
        action: async () => {
          const ack = await stepCall("confirm_identity", { correct: false, note: note.value.slice(0, 500) }, "confirm-error");
          if (!ack.ok) modal.error(serverMessage(ack));
          return ack.ok;
        },
      },
    ],
  });
  note.focus();
}

async function submitPaper() {
  const missing = exam.unanswered();
  const flagged = exam.flagged();
  const body = [];
  const p = document.createElement("p");
  const n = exam.questions.length;
  p.textContent = missing.length ? t("submit_confirm_some", { k: missing.length, n }) : t("submit_confirm_all", { n });
  body.push(p);
  const list = (items) => {
    const box = document.createElement("div");
    box.className = "qlist";
    for (const [, i] of items) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(i + 1);
      b.addEventListener("click", () => {
        modal.close();
        exam.go(i);
      });
      box.append(b);
    }
    return box;
  };
  if (missing.length) body.push(list(missing));
  if (flagged.length) {
    const f = document.createElement("p");
    f.textContent = t("submit_confirm_flagged");
    body.push(f, list(flagged));
  }
  modal.show({
    title: t("submit_confirm_title"),
    body,
    buttons: [
      { label: t("submit_back"), action: () => true, focus: true },
      {
        label: t("submit_confirm_go"),
        primary: true,
        action: async () => {
          // Every answer must be on the server before the paper closes.
          modal.error(t("submit_flushing"));
          if (!(await queue.drain(10000))) {
            modal.error(t("submit_not_flushed"));
            return false;
          }
          const ack = await link.call("submit", { token: store.login?.token });
          if (!ack.ok) {
            modal.error(serverMessage(ack) + (ack.allowed_at ? ` (${ack.allowed_at})` : ""));
            return false;
          }
          const { ok: _ok, already: _a, ...view } = ack;
          applyView(view);
          return true;
        },
      },
    ],
  });
}

// -- keyboard, focus and visibility -------------------------------------------------------------------
function onKey(ev) {
  if (modal.open) {
    modal.key(ev);
    return;
  }
  if (state.lock) {
    // Nothing behind a lock may be operated.
    if (ev.key === "Tab" || ev.key === "Enter" || ev.key === " ") {
      if (document.activeElement !== $("lock-action") || $("lock-action").hidden) ev.preventDefault();
    }
    return;
  }
  if (state.screen === "exam") {
    if (ev.target?.matches?.("textarea, input:not([type=radio]):not([type=checkbox])")) return;
    if (exam.key(ev)) ev.preventDefault();
    return;
  }
  if (state.screen === "waiting" && ev.key === "Enter") {
    ev.preventDefault();
    goLogin();
  }
}

function watchLeaving() {
  window.addEventListener("blur", () => report("blur", state.screen));
  window.addEventListener("focus", () => report("focus", state.screen));
  document.addEventListener("visibilitychange", () =>
    report(document.visibilityState === "hidden" ? "hidden" : "visible", state.screen),
  );
  // Kiosk hardening: no context menu, no drag-out, no printing or saving the page.
  document.addEventListener("contextmenu", (ev) => ev.preventDefault());
  document.addEventListener("dragstart", (ev) => ev.preventDefault());
  document.addEventListener("keydown", (ev) => {
    const k = ev.key.toLowerCase();
    if ((ev.ctrlKey || ev.metaKey) && ["p", "s", "u", "o"].includes(k)) ev.preventDefault();
  });
  // A pulled cable is noticed at once instead of after the ping timeout.
  window.addEventListener("offline", () => link.socket?.io?.engine?.close());
  window.addEventListener("online", () => {
    if (!link.socket?.connected) link.socket?.connect();
  });
}

// -- wiring ------------------------------------------------------------------------------------------------
function wire() {
  $("lang-btn").addEventListener("click", () => {
    setLang(currentLang() === "zh" ? "en" : "zh");
    store.lang = currentLang();
    renderAll();
  });
  $("to-login").addEventListener("click", goLogin);
  $("login-back").addEventListener("click", () => show("waiting"));
  $("login-form").addEventListener("submit", submitLogin);
  $("captcha-refresh").addEventListener("click", refreshCaptcha);
  $("captcha-img").addEventListener("click", refreshCaptcha);
  $("notice-text").addEventListener("scroll", noticeScrolled);
  $("notice-agree").addEventListener("change", () => ($("notice-next").disabled = !$("notice-agree").checked));
  $("notice-next").addEventListener("click", () => stepCall("notice_ack", {}, "notice-error", $("notice-next")));
  $("password-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const password = $("room-password").value.trim();
    if (!password) {
      $("password-error").textContent = t("required_field", { f: t("password_label") });
      return;
    }
    stepCall("room_password", { password }, "password-error").then((ack) => {
      if (!ack.ok) $("room-password").select();
      else $("room-password").value = "";
    });
  });
  $("confirm-ok").addEventListener("click", () =>
    stepCall("confirm_identity", { correct: true }, "confirm-error", $("confirm-ok")),
  );
  $("confirm-wrong").addEventListener("click", disputeDialog);
  // Once the proctor has corrected and resolved the record the server's stage is `confirm` again.
  $("disputed-recheck").addEventListener("click", resync);
  $("submit-btn").addEventListener("click", () => {
    if (!$("submit-btn").disabled) submitPaper();
  });
  $("transfer-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ticket = $("transfer-ticket").value.trim();
    const password = $("transfer-password").value.trim();
    const ack = await link.call("transfer_confirm", { ticket, password });
    if (!ack.ok) {
      $("transfer-error").textContent = serverMessage(ack);
      return;
    }
    const { token, session_id: sessionId, ok: _ok, ...view } = ack;
    store.login = { token, session_id: sessionId, ticket: view.candidate?.ticket ?? ticket, name: view.candidate?.name };
    $("transfer-form").reset();
    applyView(view);
  });
  $("transfer-back").addEventListener("click", () => show("waiting"));
  document.addEventListener("keydown", onKey);
  watchLeaving();
}

wire();
onStorageFailure(storageWarning);
probeStorage();
renderAll();
show("waiting");
link.start();
setInterval(tick, 250);
// The offline shell (docs/kiosk.md): a reload during an outage still shows this page and its
// "server unreachable" screen. Needs a secure origin (127.0.0.1, HTTPS, or the kiosk flag
// --unsafely-treat-insecure-origin-as-secure); without one the page works as before.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/kiosk-sw.js", { scope: "/" }).catch(() => {});
}
// Exposed for tests and for a technician's console: read-only facts about this terminal.
window.kiosk = {
  terminalId: store.terminalId,
  get screen() {
    return state.screen;
  },
  get pending() {
    return queue.pending;
  },
  get online() {
    return link.ready;
  },
  get storageBroken() {
    return storageBroken();
  },
};
