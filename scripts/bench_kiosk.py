#!/usr/bin/env python3
"""Benchmark: the candidate page in real Chromium tabs against the real site server.

    .venv/bin/python scripts/bench_kiosk.py --terminals 5

Stages the demo exam in a temporary instance, starts `examsite serve` (gevent) on 127.0.0.1, opens
one headless Chromium tab per terminal (own browser profile each), walks every candidate through
login → notice → password → identity, starts the exam, and measures in the page:

- `load_ms`: page navigation until the terminal is connected and has said hello;
- `answer_ack_ms`: a key press choosing an answer until the server's ack empties the queue;
- `resume_s`: after `kill -9` of the server (each tab queues one answer meanwhile) and a restart,
  until every tab is back online with an empty queue;
then checks that every answer the pages made is in the database (`lost` must be 0).
Prints one JSON line. Bounded: at most 6 terminals (the demo roster), about a minute.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.kiosk.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.kiosk.terminal_page import (  # noqa: E402
    log_in,
    on_screen,
    open_terminal,
    start_exam,
    stored_answers,
)
from tests.live import LiveServer, stage  # noqa: E402

#: In-page: press nothing, just wait until the answer queue is empty; resolves with the ms waited.
WAIT_EMPTY = """async (t0) => {
  while (window.kiosk.pending > 0) await new Promise(r => setTimeout(r, 2));
  return performance.now() - t0;
}"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--terminals", type=int, default=5)
    a = ap.parse_args()
    if not 1 <= a.terminals <= 6:
        print("--terminals must be 1..6 (the demo roster)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        st = stage(instance)
        env = {"EXAMSITE_PING_INTERVAL_S": "2"}
        server = LiveServer(instance, env=env).start()
        server.staged = st  # type: ignore[attr-defined]
        out: dict[str, object] = {"bench": "kiosk", "terminals": a.terminals}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
                )
                pages, loads = [], []
                for i in range(a.terminals):
                    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
                    ctx.set_default_timeout(30_000)
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    open_terminal(page, server, seat=i + 1)
                    loads.append((time.perf_counter() - t0) * 1000)
                    log_in(page, st["roster"][i], st["password"])
                    on_screen(page, "wait-start")
                    pages.append(page)
                start_exam(server)
                for page in pages:
                    on_screen(page, "exam")
                    page.wait_for_selector("#q-grid button")
                acks: list[float] = []
                for _ in range(8):
                    for page in pages:
                        t0 = page.evaluate("performance.now()")
                        page.keyboard.press("a")
                        acks.append(page.evaluate(WAIT_EMPTY, t0))
                        page.keyboard.press("ArrowRight")
                server.kill()
                for page in pages:
                    page.keyboard.press("a")  # the last question, queued while the server is down
                t0 = time.perf_counter()
                server = LiveServer(instance, port=server.port, env=server.env).start()
                for page in pages:
                    page.wait_for_function(
                        "window.kiosk.online && window.kiosk.pending === 0", timeout=60_000
                    )
                resume = time.perf_counter() - t0
                browser.close()
            lost = sum(
                9 - len(stored_answers(server, c["ticket"])) for c in st["roster"][: a.terminals]
            )
            out.update(
                load_ms_median=round(statistics.median(loads), 1),
                answer_ack_ms_p50=pct(acks, 0.5),
                answer_ack_ms_p95=pct(acks, 0.95),
                answers=len(acks) + a.terminals,
                resume_s=round(resume, 2),
                lost=lost,
            )
        finally:
            server.kill()
    print(json.dumps(out))
    return 0 if out.get("lost") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
