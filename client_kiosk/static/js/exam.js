// The exam screen: one question at a time, the numbered answer sheet, flags, font size and full
// keyboard operation. Answers go through the AnswerQueue; the clock and submit live in main.js.

import { t } from "./i18n.js";

const FONT_STEPS = [16, 18, 20, 23, 26, 30];
const LETTERS = "ABCDEFGH";
const TYPE_KEYS = { judge: "type_judge", single: "type_single", multi: "type_multi" };

const $ = (id) => document.getElementById(id);

export class ExamView {
  /**
   * @param {import("./storage.js").TerminalStore} store
   * @param {import("./answers.js").AnswerQueue} queue
   * @param {() => string} token  the current login token
   */
  constructor(store, queue, token) {
    this.store = store;
    this.queue = queue;
    this.token = token;
    this.questions = [];
    this.sessionId = null;
    this.index = 0;
    this.flags = new Set();
    this.frozen = false; // time is up: no more changes
    this.onSubmit = () => {};
    this.onFlag = (_qid, _flagged) => {}; // a flag changed: kept on the server too
    this.applyFont();
    $("q-prev").addEventListener("click", () => this.go(this.index - 1));
    $("q-next").addEventListener("click", () => this.go(this.index + 1));
    $("q-flag-btn").addEventListener("click", () => this.toggleFlag());
    $("font-down").addEventListener("click", () => this.font(-1));
    $("font-up").addEventListener("click", () => this.font(1));
  }

  /**
   * A paper arrived (candidate order); return to where this candidate was. `flags`: the server's
   * flags with unacknowledged changes on top (null: only what this terminal kept).
   */
  load(sessionId, ticket, questions, flags = null) {
    this.sessionId = sessionId;
    this.questions = questions;
    const place = this.store.place;
    const mine = place && place.session_id === sessionId && place.ticket === ticket;
    this.ticket = ticket;
    this.flags = new Set(flags ?? (mine ? place.flags || [] : []));
    const at = mine ? questions.findIndex((q) => q.qid === place.qid) : -1;
    this.index = at >= 0 ? at : 0;
    this.render();
  }

  get loaded() {
    return this.questions.length > 0;
  }

  get current() {
    return this.questions[this.index];
  }

  savePlace() {
    if (!this.current) return;
    this.store.place = {
      session_id: this.sessionId,
      ticket: this.ticket,
      qid: this.current.qid,
      flags: [...this.flags],
    };
  }

  go(i) {
    if (i < 0 || i >= this.questions.length) return;
    this.index = i;
    this.savePlace();
    this.render();
  }

  /** The flags as the server knows them after a resume (with unacknowledged changes on top). */
  setFlags(flags) {
    this.flags = new Set(flags);
    this.savePlace();
    this.render();
  }

  toggleFlag() {
    const q = this.current;
    if (!q) return;
    if (this.flags.has(q.qid)) this.flags.delete(q.qid);
    else this.flags.add(q.qid);
    this.savePlace();
    this.render();
    this.onFlag(q.qid, this.flags.has(q.qid));
  }

  font(delta) {
    const step = Math.max(0, Math.min(FONT_STEPS.length - 1, this.store.fontStep + delta));
    this.store.fontStep = step;
    this.applyFont();
  }

  applyFont() {
    const step = Math.max(0, Math.min(FONT_STEPS.length - 1, Number(this.store.fontStep) || 0));
    document.documentElement.style.setProperty("--q-size", `${FONT_STEPS[step]}px`);
  }

  /** Choose (radio) or toggle (checkbox) the option shown at position `pos`. */
  choose(pos) {
    const q = this.current;
    if (!q || this.frozen || pos < 0 || pos >= q.options.length) return;
    const id = q.options[pos].id;
    const now = this.queue.value(q.qid);
    let next;
    if (q.type === "multi") next = now.includes(id) ? now.filter((x) => x !== id) : [...now, id];
    else next = [id];
    if (q.type !== "multi" && now.length === 1 && now[0] === id) return;
    this.queue.set(q.qid, next, this.token());
    this.renderOptions();
    this.renderGrid();
  }

  unanswered() {
    return this.questions.map((q, i) => [q, i]).filter(([q]) => !this.queue.isAnswered(q.qid));
  }

  flagged() {
    return this.questions.map((q, i) => [q, i]).filter(([q]) => this.flags.has(q.qid));
  }

  render() {
    const q = this.current;
    if (!q) return;
    $("q-number").textContent = t("question_of", { i: this.index + 1, n: this.questions.length });
    $("q-type").textContent = t(TYPE_KEYS[q.type] || "type_single");
    $("q-score").textContent = q.score !== undefined ? t("score_pts", { s: q.score }) : "";
    $("q-flag").hidden = !this.flags.has(q.qid);
    const stem = $("q-stem");
    stem.textContent = q.stem;
    if (q.type === "multi") {
      const hint = document.createElement("span");
      hint.className = "q-multi-hint";
      hint.textContent = " " + t("multi_hint");
      stem.append(hint);
    }
    const flagBtn = $("q-flag-btn");
    flagBtn.setAttribute("aria-pressed", String(this.flags.has(q.qid)));
    flagBtn.textContent = this.flags.has(q.qid) ? t("unflag") : t("flag");
    $("q-prev").disabled = this.index === 0;
    $("q-next").disabled = this.index >= this.questions.length - 1;
    this.renderOptions(true);
    this.renderGrid();
  }

  renderOptions(rebuild = false) {
    const q = this.current;
    const box = $("q-options");
    const chosen = this.queue.value(q.qid);
    if (rebuild || box.dataset.qid !== q.qid) {
      box.replaceChildren();
      box.dataset.qid = q.qid;
      box.setAttribute("aria-label", q.stem);
      q.options.forEach((opt, pos) => {
        // A clickable row holding an inert input: the queue decides the state and the input only
        // mirrors it (a real label/input pair would toggle by itself before the queue knows).
        const label = document.createElement("div");
        label.className = "option";
        label.tabIndex = 0;
        label.setAttribute("role", q.type === "multi" ? "checkbox" : "radio");
        label.addEventListener("click", () => this.choose(pos));
        label.addEventListener("keydown", (ev) => {
          if (ev.key === " ") {
            ev.preventDefault();
            this.choose(pos);
          }
        });
        const input = document.createElement("input");
        input.type = q.type === "multi" ? "checkbox" : "radio";
        input.name = `q-${q.qid}`;
        input.value = opt.id;
        input.tabIndex = -1;
        input.setAttribute("aria-hidden", "true");
        const letter = document.createElement("span");
        letter.className = "letter";
        letter.textContent = LETTERS[pos];
        const text = document.createElement("span");
        text.className = "text";
        text.textContent = opt.text;
        label.append(input, letter, text);
        box.append(label);
      });
    }
    for (const label of box.children) {
      const input = label.querySelector("input");
      const on = chosen.includes(input.value);
      input.checked = on;
      input.disabled = this.frozen;
      label.classList.toggle("chosen", on);
      label.setAttribute("aria-checked", String(on));
    }
  }

  renderGrid() {
    const grid = $("q-grid");
    if (grid.childElementCount !== this.questions.length) {
      grid.replaceChildren();
      this.questions.forEach((q, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = String(i + 1);
        b.dataset.index = String(i);
        b.addEventListener("click", () => this.go(i));
        grid.append(b);
      });
    }
    this.questions.forEach((q, i) => {
      const b = grid.children[i];
      const answered = this.queue.isAnswered(q.qid);
      const flagged = this.flags.has(q.qid);
      b.className = [answered ? "answered" : "", flagged ? "flagged" : "", i === this.index ? "current" : ""]
        .filter(Boolean)
        .join(" ");
      b.title = `${i + 1} ${t(TYPE_KEYS[q.type] || "type_single")}${answered ? ` · ${t("legend_answered")}` : ""}${flagged ? ` · ${t("legend_flagged")}` : ""}`;
      b.setAttribute("aria-current", i === this.index ? "true" : "false");
    });
  }

  /** Keyboard: letters/digits choose, arrows move, M flags, Enter goes on. True when handled. */
  key(ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return false;
    const k = ev.key;
    if (k === "ArrowLeft" || k === "ArrowUp" || k === "PageUp") {
      this.go(this.index - 1);
      return true;
    }
    if (k === "ArrowRight" || k === "ArrowDown" || k === "PageDown") {
      this.go(this.index + 1);
      return true;
    }
    if (k === "Enter" && !(ev.target instanceof HTMLButtonElement)) {
      this.go(this.index + 1);
      return true;
    }
    if (k === "m" || k === "M") {
      this.toggleFlag();
      return true;
    }
    const upper = k.length === 1 ? k.toUpperCase() : "";
    if (upper && LETTERS.includes(upper)) {
      this.choose(LETTERS.indexOf(upper));
      return true;
    }
    if (/^[1-8]$/.test(k)) {
      this.choose(Number(k) - 1);
      return true;
    }
    return false;
  }
}
