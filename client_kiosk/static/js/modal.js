// One modal dialog at a time (submit confirmation, wrong record, proctor messages), operable by
// keyboard: Tab stays inside, Escape takes the first (cancelling) button.

const $ = (id) => document.getElementById(id);

export class Modal {
  constructor() {
    this.open = false;
    this.buttons = [];
    this.previousFocus = null;
  }

  /**
   * @param {object} spec
   * @param {string} spec.title
   * @param {string} [spec.text]
   * @param {Node[]} [spec.body]
   * @param {{label: string, primary?: boolean, danger?: boolean, focus?: boolean,
   *          action: () => boolean | Promise<boolean>}[]} spec.buttons  action returns true to close
   */
  show({ title, text = "", body = [], buttons }) {
    this.previousFocus = document.activeElement;
    $("modal-title").textContent = title;
    const box = $("modal-body");
    box.replaceChildren();
    if (text) {
      const p = document.createElement("p");
      p.textContent = text;
      box.append(p);
    }
    box.append(...body);
    $("modal-error").textContent = "";
    const actions = $("modal-actions");
    actions.replaceChildren();
    this.buttons = buttons.map((spec) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = spec.primary ? "primary" : spec.danger ? "danger" : "secondary";
      b.textContent = spec.label;
      b.addEventListener("click", async () => {
        for (const other of this.buttons) other.disabled = true;
        let close = false;
        try {
          close = await spec.action();
        } finally {
          for (const other of this.buttons) other.disabled = false;
        }
        if (close) this.close();
      });
      actions.append(b);
      return b;
    });
    $("modal").hidden = false;
    this.open = true;
    const focus = buttons.findIndex((s) => s.focus);
    (this.buttons[focus >= 0 ? focus : this.buttons.length - 1] || actions).focus();
  }

  error(text) {
    $("modal-error").textContent = text;
  }

  close() {
    $("modal").hidden = true;
    this.open = false;
    if (this.previousFocus && this.previousFocus.focus) this.previousFocus.focus();
  }

  /** Keyboard inside the dialog. */
  key(ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      this.buttons[0]?.click();
      return;
    }
    if (ev.key === "Tab") {
      const focusable = [...$("modal").querySelectorAll("button, textarea, input")].filter((e) => !e.disabled);
      if (focusable.length === 0) return;
      const i = focusable.indexOf(document.activeElement);
      const next = ev.shiftKey ? (i <= 0 ? focusable.length - 1 : i - 1) : (i + 1) % focusable.length;
      ev.preventDefault();
      focusable[next].focus();
    }
  }
}
