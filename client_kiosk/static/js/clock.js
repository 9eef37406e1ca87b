// The server owns the clock. The page keeps the last server time it heard and how long ago that
// was by the monotonic performance clock, so a wrong or changed terminal clock changes nothing.

/** China Standard Time (UTC+8), the site zone's default (setting TIME_ZONE). */
export const DEFAULT_UTC_OFFSET_MIN = 480;

export class ServerClock {
  constructor() {
    this.baseServer = null;
    this.basePerf = 0;
    this.endsAt = null;
    this.submitAllowedAt = null;
    // The site's zone, not the terminal's: a terminal set to the wrong zone still shows the
    // server's wall time. China Standard Time until the server says otherwise.
    this.utcOffsetMin = DEFAULT_UTC_OFFSET_MIN;
  }

  /** A server time stamp just received (`time`, `hello`: server_time_ms and utc_offset_min). */
  sync(serverTimeMs, utcOffsetMin) {
    if (Number.isInteger(utcOffsetMin)) this.utcOffsetMin = utcOffsetMin;
    if (typeof serverTimeMs !== "number") return;
    this.baseServer = serverTimeMs;
    this.basePerf = performance.now();
  }

  /** A `clock` object of the protocol: server time, the candidate's end, when submit opens. */
  apply(clock) {
    if (!clock) return;
    this.sync(clock.server_time_ms, clock.utc_offset_min);
    if ("ends_at_ms" in clock) this.endsAt = clock.ends_at_ms;
    if ("submit_allowed_at_ms" in clock) this.submitAllowedAt = clock.submit_allowed_at_ms;
  }

  get known() {
    return this.baseServer !== null;
  }

  /** The server's time now (epoch ms), or null before the first sync. */
  now() {
    if (this.baseServer === null) return null;
    return this.baseServer + (performance.now() - this.basePerf);
  }

  /** Milliseconds until the candidate's end, or null when unknown. */
  remaining() {
    const now = this.now();
    if (now === null || this.endsAt === null) return null;
    return Math.max(0, this.endsAt - now);
  }

  /** Milliseconds until submitting is allowed (0 when allowed), or null when unknown. */
  untilSubmit() {
    const now = this.now();
    if (now === null || this.submitAllowedAt === null) return null;
    return Math.max(0, this.submitAllowedAt - now);
  }
}

/** 1:05:09 or 05:09. */
export function formatDuration(ms) {
  const s = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * Wall time of an epoch-ms instant in the site's zone, given as minutes east of UTC: the
 * terminal's own zone is never used (it may be set wrong).
 */
export function formatClock(ms, withDate = false, utcOffsetMin = DEFAULT_UTC_OFFSET_MIN) {
  if (ms === null || ms === undefined) return "--:--:--";
  // Shift the instant by the offset and read it as UTC: the fields are the site's wall time.
  const d = new Date(ms + utcOffsetMin * 60000);
  const p = (n) => String(n).padStart(2, "0");
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return withDate ? `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${time}` : time;
}
