"""The server's garbage-collection policy: no full collection while terminals are at work."""

from __future__ import annotations

import gc
import weakref

from examsite.serve import GarbageCollection
from examsite.store import sessions
from tests.core.conftest import Room


class Node:
    """An object in a reference cycle: only a full collection frees it."""

    def __init__(self) -> None:
        self.me = self


def frozen_cycle() -> weakref.ref[Node]:
    n = Node()
    ref = weakref.ref(n)
    gc.freeze()
    return ref


def test_frozen_garbage_waits_for_a_quiet_moment(room: Room) -> None:
    saved = gc.get_threshold()
    try:
        job = GarbageCollection(room.site, reclaim_s=0)
        assert gc.get_threshold()[2] == 1_000_000  # no automatic full collection
        ref = frozen_cycle()
        job()  # the session is open for check-in: only a young collection, then a freeze
        assert ref() is not None
        assert gc.get_freeze_count() > 0
        with room.site.sitedb.write() as db:
            sessions.update(db, room.session["id"], state="ended")
        job.checked_at = -job.recheck_s  # look at the sessions again now
        job()  # nobody at work: a real full collection, frozen objects included
        assert ref() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
