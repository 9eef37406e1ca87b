// The answer queue: every change gets the next sequence number and is written to localStorage
// before it is sent; it leaves the queue only when the server acknowledges it after its commit
// (docs/protocol.md, "Answers are never lost"). After any reconnect the queue is re-sent in order;
// the server acknowledges exact re-sends with `dup: true`.
//
// An answer the server refuses because the paper already closed (`collected`: the network was
// down when the candidate's time ended) is not thrown away: it moves to the *late* list and goes
// out as one `late_answers` batch, each with the page's estimate of the server time when it was
// made. The proctor decides what happens to it; the page forgets it only after the server
// acknowledged the batch.

/** Refusals that mean "not stored, try again in a moment" (keep the event, retry). */
const RETRY = new Set(["busy", "storage_error", "internal", "timeout"]);
/** Refusals that mean "not now": keep the event; it goes out after the next hello (reconnect, unlock). */
const WAIT = new Set(["offline", "no_hello", "locked"]);

const RETRY_MS = 2000;
/** Late-batch refusals after which keeping the answers serves nobody (the paper is void). */
const LATE_DROP = new Set(["disqualified", "token_invalid", "bad_request"]);

export class AnswerQueue {
  /**
   * @param {import("./storage.js").TerminalStore} store
   * @param {import("./link.js").Link} link
   * @param {(queue: AnswerQueue) => void} onChange  called after every change of values or queue
   * @param {(code: string, entry: object) => void} onRefused  a definitive refusal (dropped event)
   * @param {import("./clock.js").ServerClock} clock  stamps each change with the estimated server time
   */
  constructor(store, link, onChange, onRefused, clock) {
    this.store = store;
    this.link = link;
    this.onChange = onChange;
    this.onRefused = onRefused;
    this.clock = clock;
    this.values = new Map();
    this.inFlight = new Set();
    this.lateInFlight = false;
    this.retryTimer = null;
  }

  /** Start from the server's answers and last sequence number, with unacknowledged changes on top. */
  load(serverAnswers, serverLastSeq) {
    this.values = new Map(Object.entries(serverAnswers || {}));
    const seq = Math.max(this.store.lastSeq, Number(serverLastSeq) || 0);
    this.store.lastSeq = seq;
    for (const e of this.store.queue) this.values.set(e.qid, e.value);
    this.onChange(this);
  }

  /** The chosen option ids of a question ([] when unanswered). */
  value(qid) {
    return this.values.get(qid) || [];
  }

  isAnswered(qid) {
    return this.value(qid).length > 0;
  }

  get pending() {
    return this.store.queue.length;
  }

  /** Answers refused as late and not yet handed to the server. */
  get latePending() {
    return this.store.late.length;
  }

  /** Record a change: stored locally first, then sent. */
  set(qid, value, token) {
    const seq = this.store.lastSeq + 1;
    this.store.lastSeq = seq;
    // The server's time by the monotonic clock since the last sync: a late answer's evidence.
    const now = this.clock?.now();
    const entry = { seq, qid, value: [...value].sort(), token, at_ms: now === null || now === undefined ? null : Math.round(now) };
    // An unsent older change of the same question is superseded (the higher seq wins anyway);
    // dropping it keeps the queue short during a long network cut.
    const queue = this.store.queue.filter((e) => e.qid !== qid || this.inFlight.has(e.seq));
    queue.push(entry);
    this.store.queue = queue;
    this.values.set(qid, entry.value);
    this.onChange(this);
    this.flush();
  }

  /** Send every queued event that is not already on its way (only while the link is up). */
  flush() {
    if (!this.link.ready) return;
    this.flushLate();
    for (const entry of this.store.queue) {
      if (this.inFlight.has(entry.seq)) continue;
      this.inFlight.add(entry.seq);
      const { seq, qid, value, token } = entry;
      this.link.call("answer", { token, seq, qid, value }, 15000).then((ack) => this.settle(entry, ack));
    }
    this.onChange(this);
  }

  settle(entry, ack) {
    this.inFlight.delete(entry.seq);
    if (ack && ack.ok) {
      this.remove(entry.seq);
    } else if (RETRY.has(ack?.code)) {
      this.scheduleRetry();
    } else if (ack?.code === "collected") {
      // The paper closed before this reached the server: keep it for the proctor.
      this.remove(entry.seq);
      this.store.late = [...this.store.late, entry];
      this.flushLate();
      this.onRefused("collected", entry);
    } else if (ack?.code === "seq_conflict") {
      // This number was used before with other content (local storage was reset): renumber.
      this.renumber(entry.seq);
      this.flush();
    } else if (!WAIT.has(ack?.code)) {
      // Definitive (token_revoked, bad_value…): the server will never take it.
      this.remove(entry.seq);
      this.onRefused(ack?.code || "unknown", entry);
    }
    this.onChange(this);
  }

  /** Hand the late answers to the server, one batch per login token; forget them once acknowledged. */
  flushLate() {
    if (!this.link.ready || this.lateInFlight) return;
    const late = this.store.late;
    if (late.length === 0) return;
    const token = late[0].token;
    const batch = late.filter((e) => e.token === token);
    this.lateInFlight = true;
    const answers = batch.map(({ seq, qid, value, at_ms }) => ({ seq, qid, value, at_ms: at_ms ?? null }));
    this.link.call("late_answers", { token, answers }, 20000).then((ack) => {
      this.lateInFlight = false;
      const sent = new Set(batch.map((e) => e.seq));
      if (ack && ack.ok) {
        this.store.late = this.store.late.filter((e) => e.token !== token || !sent.has(e.seq));
        this.store.lateHanded = this.store.lateHanded + batch.length;
        this.flushLate();
      } else if (ack?.code === "paper_open") {
        // Still open after all (time was extended): they are ordinary answers again.
        this.store.late = this.store.late.filter((e) => e.token !== token || !sent.has(e.seq));
        this.store.queue = [...this.store.queue, ...batch];
        this.flush();
      } else if (LATE_DROP.has(ack?.code)) {
        this.store.late = this.store.late.filter((e) => e.token !== token || !sent.has(e.seq));
        this.flushLate();
      } else if (RETRY.has(ack?.code)) {
        this.scheduleRetry();
      } else if (!["offline", "timeout"].includes(ack?.code)) {
        // Refused for another reason (token_revoked…): kept, behind the other logins' batches.
        const all = this.store.late;
        this.store.late = [...all.filter((e) => e.token !== token), ...all.filter((e) => e.token === token)];
      }
      // Whatever is kept is tried again after the next hello.
      this.onChange(this);
    });
  }

  renumber(seq) {
    const next = this.store.lastSeq + 1;
    this.store.lastSeq = next;
    this.store.queue = this.store.queue.map((e) => (e.seq === seq ? { ...e, seq: next } : e));
  }

  remove(seq) {
    this.store.queue = this.store.queue.filter((e) => e.seq !== seq);
  }

  scheduleRetry() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, RETRY_MS);
  }

  /** The connection dropped: whatever was on its way is unknown and will be re-sent. */
  connectionLost() {
    this.inFlight.clear();
    this.onChange(this);
  }

  /** Wait until the queue is empty (true) or `ms` passed (false). */
  async drain(ms) {
    const until = performance.now() + ms;
    this.flush();
    while (this.pending > 0 && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      if (this.inFlight.size === 0) this.flush();
    }
    return this.pending === 0;
  }
}
