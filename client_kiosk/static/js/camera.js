// The terminal camera: opened once the candidate is known, shown as a small self-view, and used
// for the server's random captures (002 考场篇(二)7). A missing or refused camera is reported to
// the server (the proctor sees it) and never blocks answering.

export const MAX_CAPTURE_BYTES = 512 * 1024;
const MAX_WIDTH = 640;

export class Camera {
  /** @param {(kind: string, detail: string) => void} report  sends a `report` event */
  constructor(report) {
    this.report = report;
    this.stream = null;
    this.video = null;
    this.status = "unknown"; // ok | missing | denied | unknown
    this.opening = null;
    this.onStatus = () => {};
  }

  setStatus(status, detail = "") {
    const changed = status !== this.status;
    this.status = status;
    if (changed) {
      this.report(`camera_${status}`, detail.slice(0, 200));
      this.onStatus(status);
    }
  }

  /** Open the camera (once); resolves with the status. */
  open(video) {
    if (video) this.video = video;
    if (this.stream && this.stream.active) return Promise.resolve(this.status);
    if (!this.opening) this.opening = this._open().finally(() => (this.opening = null));
    return this.opening;
  }

  async _open() {
    if (!navigator.mediaDevices?.getUserMedia) {
      // Not a secure context (plain http to a LAN address) or no camera support: see docs/kiosk.md.
      this.setStatus("missing", "getUserMedia unavailable (insecure origin?)");
      return this.status;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (e) {
      const denied = e && (e.name === "NotAllowedError" || e.name === "SecurityError");
      this.setStatus(denied ? "denied" : "missing", `${e?.name || "Error"}: ${e?.message || ""}`);
      return this.status;
    }
    for (const track of this.stream.getVideoTracks()) {
      track.addEventListener("ended", () => {
        this.stream = null;
        this.setStatus("missing", "camera disconnected");
      });
    }
    if (this.video) {
      this.video.srcObject = this.stream;
      this.video.play().catch(() => {});
    }
    this.setStatus("ok", this.stream.getVideoTracks()[0]?.label || "");
    return this.status;
  }

  async frameReady(timeoutMs) {
    const until = performance.now() + timeoutMs;
    while (this.video.readyState < 2 || this.video.videoWidth === 0) {
      if (performance.now() > until) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** A JPEG still (ArrayBuffer, ≤ 512 KiB) or null when there is no camera. */
  async still() {
    const status = await this.open();
    if (status !== "ok" || !this.video || !(await this.frameReady(4000))) return null;
    let width = Math.min(MAX_WIDTH, this.video.videoWidth);
    for (const quality of [0.85, 0.7, 0.5, 0.5, 0.4]) {
      const height = Math.round((this.video.videoHeight * width) / this.video.videoWidth);
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(this.video, 0, 0, width, height);
      const blob = await new Promise((r) => canvas.toBlob(r, "image/jpeg", quality));
      if (blob && blob.size <= MAX_CAPTURE_BYTES) return blob.arrayBuffer();
      width = Math.round(width * 0.75);
    }
    return null;
  }
}
