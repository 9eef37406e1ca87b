// What the terminal keeps: its id and seat, the candidate's token, the unacknowledged answer
// events, the current question and flags. Everything that matters for "nothing lost" is written
// synchronously, to memory and to the browser's localStorage, before the page reacts to a click.

const PREFIX = "kiosk.";
const ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

// Memory holds the primary copy of every value (as JSON text, so readers get their own copy);
// localStorage is its mirror, there to survive a reload. A blocked or full storage therefore
// never stops answers from going out: the page warns that a reload would lose them instead.
const memory = new Map();
let failed = null; // the reason of the first refused write
const failureListeners = [];

function read(key, fallback) {
  let raw = memory.get(key);
  if (raw === undefined) {
    try {
      raw = localStorage.getItem(PREFIX + key);
    } catch {
      raw = null;
    }
    memory.set(key, raw);
  }
  if (raw === null) return fallback;
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  const raw = value === undefined || value === null ? null : JSON.stringify(value);
  memory.set(key, raw);
  try {
    if (raw === null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, raw);
    return true;
  } catch (e) {
    storageFailed(e);
    return false;
  }
}

function storageFailed(e) {
  if (failed) return;
  failed = String(e?.name || e || "error").slice(0, 100);
  for (const f of failureListeners) f(failed);
}

/** Whether a write to localStorage has failed since the page loaded (the mirror is incomplete). */
export function storageBroken() {
  return failed !== null;
}

/** Call `f(reason)` once localStorage refuses a write (blocked, full, disabled); at once if it has. */
export function onStorageFailure(f) {
  failureListeners.push(f);
  if (failed) f(failed);
}

/** Try a write now, so a blocked storage is known before the first answer. */
export function probeStorage() {
  write("probe", Date.now());
  write("probe", null);
  return failed === null;
}

/** A new terminal id: "T-" and 10 characters without look-alikes (0/O, 1/I). */
export function newTerminalId() {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  return "T-" + Array.from(bytes, (b) => ID_CHARS[b % ID_CHARS.length]).join("");
}

/** The terminal's persistent state; per-terminal keys are namespaced by the terminal id. */
export class TerminalStore {
  constructor(search = location.search) {
    let id = read("terminal_id", null);
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      id = newTerminalId();
      write("terminal_id", id);
    }
    this.terminalId = id;
    const params = new URLSearchParams(search);
    const seat = Number.parseInt(params.get("seat") ?? "", 10);
    if (Number.isInteger(seat) && seat >= 1 && seat <= 9999) write("seat", seat);
    const lang = params.get("lang");
    if (lang === "zh" || lang === "en") write("lang", lang);
  }

  key(name) {
    return `t.${this.terminalId}.${name}`;
  }

  get seat() {
    const s = read("seat", null);
    return Number.isInteger(s) ? s : null;
  }

  get lang() {
    return read("lang", "zh");
  }
  set lang(v) {
    write("lang", v);
  }

  get fontStep() {
    return read("font_step", 1);
  }
  set fontStep(v) {
    write("font_step", v);
  }

  /** The login token and its session, or null. */
  get login() {
    return read(this.key("login"), null);
  }
  set login(v) {
    // Another login on this terminal starts its own count of late answers handed over.
    if (v?.token !== this.login?.token) write(this.key("late_handed"), null);
    write(this.key("login"), v);
  }

  /** Unacknowledged answer events, oldest first: [{seq, qid, value, token}]. */
  get queue() {
    const q = read(this.key("queue"), []);
    return Array.isArray(q) ? q : [];
  }
  set queue(v) {
    write(this.key("queue"), v);
  }

  /** Answers the server refused because the paper had closed, not yet handed over: [{seq, qid, value, token, at_ms}]. */
  get late() {
    const q = read(this.key("late"), []);
    return Array.isArray(q) ? q : [];
  }
  set late(v) {
    write(this.key("late"), v);
  }

  /** How many late answers of the current login the server has acknowledged. */
  get lateHanded() {
    const n = read(this.key("late_handed"), 0);
    return Number.isInteger(n) ? n : 0;
  }
  set lateHanded(v) {
    write(this.key("late_handed"), v);
  }

  /** The highest answer sequence number this terminal has used. */
  get lastSeq() {
    const n = read(this.key("seq"), 0);
    return Number.isInteger(n) ? n : 0;
  }
  set lastSeq(v) {
    write(this.key("seq"), v);
  }

  /** Where the candidate was: {session_id, qid, flags: [qid]}. */
  get place() {
    return read(this.key("place"), null);
  }
  set place(v) {
    write(this.key("place"), v);
  }

  /** Flag changes the server has not acknowledged yet: {qid: {flagged, token}}. */
  get flagQueue() {
    const q = read(this.key("flag_queue"), {});
    return q && typeof q === "object" && !Array.isArray(q) ? q : {};
  }
  set flagQueue(v) {
    write(this.key("flag_queue"), v);
  }

  /** Time warnings already shown for a session: {session_id, shown: [10, 5]}. */
  get warned() {
    return read(this.key("warned"), null);
  }
  set warned(v) {
    write(this.key("warned"), v);
  }

  /** Forget the candidate (a new one may log in here); the answer queue is cleared by its owner. */
  forgetLogin() {
    write(this.key("login"), null);
    write(this.key("place"), null);
    write(this.key("flag_queue"), null);
    write(this.key("warned"), null);
    write(this.key("late_handed"), null);
  }
}
