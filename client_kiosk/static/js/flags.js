// Flags (标记) are kept on the server too (event `flag`), so that they follow the candidate to
// another terminal after a seat transfer (docs/protocol.md). A change shows at once, is kept in
// local storage until the server acknowledges it, and goes out again after a reconnect. One event
// at a time: the server sees a question's changes in the order they were made.

/** Refusals that mean "not now": keep the change and send it later. */
const KEEP = new Set(["offline", "timeout", "no_hello", "locked", "busy", "storage_error", "internal"]);
/** Of those, the ones worth a retry before the next hello. */
const RETRY = new Set(["timeout", "busy", "storage_error", "internal"]);
const RETRY_MS = 2000;

export class FlagSync {
  /**
   * @param {import("./storage.js").TerminalStore} store
   * @param {import("./link.js").Link} link
   */
  constructor(store, link) {
    this.store = store;
    this.link = link;
    this.sending = false;
    this.retryTimer = null;
  }

  /** The flags to show: the server's, with this login's changes it has not acknowledged on top. */
  merge(serverFlags, token) {
    const flags = new Set(serverFlags || []);
    for (const [qid, change] of Object.entries(this.store.flagQueue)) {
      if (change.token !== token) continue;
      if (change.flagged) flags.add(qid);
      else flags.delete(qid);
    }
    return flags;
  }

  /** The candidate flagged or unflagged a question. */
  set(qid, flagged, token) {
    if (!token) return;
    this.store.flagQueue = { ...this.store.flagQueue, [qid]: { flagged, token } };
    this.flush();
  }

  get pending() {
    return Object.keys(this.store.flagQueue).length;
  }

  /** Send the kept changes, oldest first, one at a time (only while the link is up). */
  async flush() {
    if (this.sending || !this.link.ready) return;
    this.sending = true;
    try {
      for (;;) {
        const first = Object.entries(this.store.flagQueue)[0];
        if (!first) break;
        const [qid, change] = first;
        const ack = await this.link.call("flag", { token: change.token, qid, flagged: change.flagged });
        if (!ack.ok && KEEP.has(ack.code)) {
          if (RETRY.has(ack.code)) {
            clearTimeout(this.retryTimer);
            this.retryTimer = setTimeout(() => this.flush(), RETRY_MS);
          }
          break;
        }
        // Stored, or refused for good (moved, paper closed, not on this paper): done with it,
        // unless the candidate changed it again meanwhile (then that change goes next).
        const { [qid]: now, ...rest } = this.store.flagQueue;
        if (now && now.flagged === change.flagged && now.token === change.token) this.store.flagQueue = rest;
      }
    } finally {
      this.sending = false;
    }
  }
}
