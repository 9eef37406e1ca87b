// The connection to the site server: Socket.IO namespace /candidate (docs/protocol.md). It
// reconnects by itself, says `hello` (with the token, to resume) after every connect, and turns
// every event into a promise of its acknowledgement, never hanging beyond a timeout.

/* global io */

const PUSHES = [
  "session",
  "time",
  "clock",
  "lock",
  "unlock",
  "collected",
  "message",
  "capture_request",
  "transfer_pending",
];

export class Link {
  /**
   * @param {object} opts
   * @param {() => object} opts.helloPayload  {terminal_id, seat, token}
   * @param {(ack: object) => void} opts.onHello  after every successful hello
   * @param {(state: string) => void} opts.onState  "connecting" | "online" | "offline"
   * @param {(event: string, data: object) => void} opts.onPush
   */
  constructor({ helloPayload, onHello, onState, onPush }) {
    this.helloPayload = helloPayload;
    this.onHello = onHello;
    this.onState = onState;
    this.onPush = onPush;
    this.state = "connecting";
    this.ready = false; // connected and hello acknowledged
    this.socket = null;
    this.helloTimer = null;
  }

  start() {
    this.socket = io("/candidate", {
      // Websocket first (the LAN has no proxies); fall back to long-polling if it is refused.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      // A room of terminals coming back after a server restart should not arrive all at once.
      randomizationFactor: 0.5,
      timeout: 8000,
    });
    this.socket.on("connect", () => this.hello());
    this.socket.on("disconnect", (reason) => {
      this.setReady(false, "offline");
      // The server closed us on purpose (e.g. an oversized message): reconnect anyway.
      if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on("connect_error", () => this.setReady(false, "offline"));
    for (const name of PUSHES) this.socket.on(name, (data) => this.onPush(name, data || {}));
  }

  setReady(ready, state) {
    this.ready = ready;
    if (state !== this.state) {
      this.state = state;
      this.onState(state);
    }
  }

  /** Say hello (again): after a connect, and whenever the server says the state changed. */
  hello() {
    clearTimeout(this.helloTimer);
    if (!this.socket?.connected) return;
    this.socket.timeout(10000).emit("hello", this.helloPayload(), (err, ack) => {
      if (err || !ack || !ack.ok) {
        // No answer or a refusal of a malformed hello: try again shortly.
        this.helloTimer = setTimeout(() => this.hello(), 2000);
        return;
      }
      this.setReady(true, "online");
      this.onHello(ack);
    });
  }

  /**
   * Send one event and resolve with its acknowledgement; {ok: false, code: "offline"|"timeout"}
   * when the server cannot be reached. Never buffers while disconnected (that would reach the
   * server before the next hello).
   */
  call(event, data = {}, timeoutMs = 10000) {
    return new Promise((resolve) => {
      if (!this.socket?.connected || (!this.ready && event !== "hello")) {
        resolve({ ok: false, code: "offline" });
        return;
      }
      this.socket.timeout(timeoutMs).emit(event, data, (err, ack) => {
        if (err) resolve({ ok: false, code: "timeout" });
        else resolve(ack && typeof ack === "object" ? ack : { ok: false, code: "internal" });
      });
    });
  }

  /** Fire-and-forget with an ack we do not wait for (reports). */
  send(event, data) {
    if (this.ready) this.socket.timeout(10000).emit(event, data, () => {});
    return this.ready;
  }
}
