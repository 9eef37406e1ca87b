"""The composition root: the one place that picks the async mode, patches, starts jobs and serves.

Async mode: gevent, with gevent-websocket for WebSockets (Engine.IO picks it when installed; it
reads each terminal's frames in the connection's own greenlet, where simple-websocket ran a
reader greenlet per terminal: less memory and CPU at 2,000 terminals). Measured with
scripts/bench_room.py (2,000 terminals, 1,000 answers/s, 40 s, same machine, back to back):
gevent p50 5.9 ms, p99 177 ms, 73 % of a core; eventlet (monkey-patched, max_size raised) p50
13.3 ms, p99 436 ms, 77 %. eventlet is also deprecated (EventletDeprecationWarning at start) and
caps connections at 1,024 unless told otherwise. Everything else uses
`socketio.start_background_task` / `socketio.sleep`, so this stays a one-line decision.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from typing import Any

ASYNC_MODE = "gevent"
log = logging.getLogger("examsite")


def patch() -> None:
    """Monkey-patch the standard library for gevent; must run before anything else is imported."""
    import gevent
    from gevent import monkey

    # Every Socket.IO event runs in a greenlet of its own, and by default each one records who
    # spawned it (the spawning stack and tree): 5 % of the server's CPU at 1,000 answers/s
    # (py-spy, scripts/bench_room.py) for a debugging aid nobody reads on exam day.
    gevent.config.track_greenlet_tree = False
    monkey.patch_all()


def start_services(app: Any, scheduler: Any) -> None:
    """Start the answer writer and the scheduled jobs (exam clock, time pushes) of an app."""
    from examsite.app import site_of
    from examsite.extensions import socketio

    site = site_of(app)
    from examsite.store import terminals

    with site.sitedb.write() as db:
        # A server that starts has no terminal connected yet: rows left 'connected' by a crash
        # would make a dead terminal look alive (seat map, transfer downtime). `last_seen` stays:
        # with the last stored answer it bounds when a terminal that never returns was lost.
        terminals.none_connected(db)
    run_blocking = blocking_runner()
    # Slow commits go to the hub's pool (10 threads); a thread of their own (ThreadPool(1))
    # measured worse with bench_room (p99 88 and 302 ms against 45–80 ms). Fast ones stay on
    # the loop (store.db.CommitPlacement).
    site.sitedb.commit_off_the_loop(run_blocking)
    if app.config["ANSWER_PROCESS"]:
        from examsite.writer_process import ChildStore

        child = ChildStore(site.sitedb.path, app.config["TIME_ZONE"], site.writer.store)
        child.start()
        site.writer.store = child
    site.writer.start(socketio.start_background_task)
    site.sitedb.manual_checkpoints()
    watcher = SessionWatcher(site)

    def every(seconds: float, job_id: str, fn: Any) -> None:
        """A periodic job that never runs twice at once; a failure is logged, the job goes on."""

        def run() -> None:
            try:
                fn()
            except Exception:
                log.exception("job %s failed", job_id)

        scheduler.add_job(
            run, "interval", seconds=seconds, id=job_id, max_instances=1, coalesce=True
        )

    def tick() -> None:
        site.emit(site.exam.tick())
        site.emit(watcher.changes())

    def checkpoint() -> None:
        busy, wal_pages, copied = run_blocking(site.sitedb.checkpoint)  # the copying, off the loop
        if not busy and wal_pages == copied and wal_pages >= 1000:
            site.sitedb.restart_wal()  # little left to copy: only rewinds the file

    every(app.config["TICK_S"], "exam_clock", tick)
    every(2, "wal_checkpoint", checkpoint)
    collect = GarbageCollection(site)
    every(collect.period_s, "gc", collect)
    every(app.config["TIME_PUSH_S"], "time_push", site.push_time)
    if app.config["VIDEO_DIR"]:
        from examsite.recordings import scan

        every(
            app.config["VIDEO_SCAN_S"],
            "video_scan",
            lambda: scan(site.sitedb, app.config["VIDEO_DIR"], run_blocking=run_blocking),
        )
    for register in JOB_REGISTRARS:
        register(scheduler, app)
    scheduler.start()


def blocking_runner() -> Any:
    """A function that runs blocking work on a native thread and waits for it cooperatively.

    Under gevent that is the hub's thread pool; in threading mode (tests) a plain call is fine.
    """
    from gevent import get_hub

    return _pool_runner(lambda: get_hub().threadpool)


def dedicated_thread_runner() -> Any:
    """Like `blocking_runner`, but always the same one native thread (a device's own).

    A device's handles (a pyusb interface, a serial port or socket registered with the thread's
    hub) belong to the thread that opened them, and the hub's pool may pick any of its threads.
    """
    from gevent.threadpool import ThreadPool

    return _pool_runner(lambda: ThreadPool(1))


def _pool_runner(pool_of: Any) -> Any:
    from gevent import monkey

    from examsite.store.db import call_directly

    if monkey.is_module_patched("threading"):
        pool = pool_of()
        return lambda fn, *args: pool.apply(fn, args)  # the pool's apply takes args as a tuple
    return call_directly


class GarbageCollection:
    """Keep garbage collections short: no full collection while terminals are at work.

    Measured (scripts/bench_room.py, 2,000 terminals, 1,000 answers/s): every connection keeps
    ~80 objects for as long as it lives, and each idle terminal's waiting greenlet holds frames
    that outlive the young collections. CPython's automatic full collections scanned them all,
    again and again: 20–180 ms pauses, several a minute, the ack-latency tail. So automatic full
    collections are off (`gc.set_threshold`'s third number: never, in practice), and every
    `period_s` a young collection runs and what survived it is moved to the permanent
    generation (`gc.freeze()`), which no collection scans; frozen objects are still freed as
    soon as nothing refers to them. Freezing every 5 s instead of every second made each young
    collection 35–50 ms instead of 15–20 and ack p99 56 ms instead of 35; a full collection
    before each freeze cost as much.

    What a freeze keeps that only a full collection could free (reference cycles that died
    after they were frozen, such as a disconnected terminal's) is reclaimed by a real full
    collection (`gc.unfreeze()` first) at most every `reclaim_s`, and only while no session is
    open for check-in or running, when nobody waits for it.
    """

    def __init__(
        self,
        site: Any,
        *,
        period_s: float = 0.25,
        reclaim_s: float = 600.0,
        recheck_s: float = 5.0,
    ):
        self.site = site
        self.period_s, self.reclaim_s, self.recheck_s = period_s, reclaim_s, recheck_s
        self.reclaimed_at = 0.0
        self.busy, self.checked_at = True, -recheck_s  # looked at on the first run
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, 1_000_000)

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.checked_at >= self.recheck_s:
            self.busy, self.checked_at = self._terminals_at_work(), now
        if not self.busy and now - self.reclaimed_at >= self.reclaim_s:
            gc.unfreeze()
            self.reclaimed_at = now
            gc.collect()
        else:
            gc.collect(1)
        gc.freeze()

    def _terminals_at_work(self) -> bool:
        from examsite.engine.states import SessionState
        from examsite.store import sessions

        with self.site.sitedb.read() as db:
            return any(
                s["state"] in (SessionState.CHECKIN_OPEN, SessionState.RUNNING)
                for s in sessions.active(db)
            )


def _console_devices(scheduler: Any, app: Any) -> None:
    from examsite.console.services import start_devices

    start_devices(scheduler, app)


def _console_logins(scheduler: Any, app: Any) -> None:
    from examsite.console.services import schedule_login_sweep

    schedule_login_sweep(scheduler, app)


def _cloud_push(scheduler: Any, app: Any) -> None:
    from examsite.sync.push import register_jobs

    register_jobs(scheduler, app)


#: Jobs of other packages: functions `(scheduler, app) -> None`.
JOB_REGISTRARS: list[Any] = [_console_devices, _console_logins, _cloud_push]


class SessionWatcher:
    """Notices session changes made by another process (the CLI) and pushes them to terminals."""

    def __init__(self, site: Any):
        self.site = site
        with site.sitedb.read() as db:
            from examsite.store import sessions

            self.seen = sessions.versions(db)

    def changes(self) -> list[Any]:
        from examsite.exam import Push
        from examsite.exam.base import session_room
        from examsite.store import sessions

        with self.site.sitedb.read() as db:
            now = sessions.versions(db)
        out = []
        for sid, version in now.items():
            if self.seen.get(sid) != version:
                out.append(Push("session", self.site.exam.session_info(sid), session_room(sid)))
        self.seen = now
        return out


def serve(
    host: str,
    port: int,
    instance: str | None = None,
    config: dict[str, Any] | None = None,
    on_ready: Any = None,
) -> None:
    """Run the site server until interrupted (call `patch()` first)."""
    from apscheduler.schedulers.gevent import GeventScheduler

    from examsite import wsfast
    from examsite.app import create_app
    from examsite.extensions import socketio

    wsfast.install()  # gevent-websocket's per-byte Python loops in C
    app = create_app({"ASYNC_MODE": ASYNC_MODE, **(config or {})}, instance_path=instance)
    start_services(app, GeventScheduler())
    if on_ready:
        on_ready(app)
    gc.collect()
    # A commit or checkpoint on a native thread needs the GIL to start and to finish; the loop
    # holds it for up to the switch interval (5 ms by default) each time. 0.5 ms measured
    # better with bench_room (p99 537 → 267 ms while commits ran on a thread).
    sys.setswitchinterval(0.0005)
    gc.freeze()  # start-up objects out of the collector's way: full GCs were the latency tail
    log.info("site server on http://%s:%d", host, port)
    import gevent

    hub = gevent.get_hub()
    hub.NOT_ERROR = (*hub.NOT_ERROR, KeyboardInterrupt)  # Ctrl+C is not a crash: no traceback
    try:
        socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=False)
    except KeyboardInterrupt:
        # Every acknowledged answer is committed; the writer process ends with the socket.
        print("\n服务器已停止 / server stopped", file=sys.stderr)
