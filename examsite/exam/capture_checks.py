"""Face checks of the random in-exam captures (002 考场篇(二)7; 004 §3.5.4).

A scheduled job hands each new capture to the `FacePool` (never the event loop), stores the
verdict and distance, journals it, and pushes suspicious ones to the console for review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from devices.errors import DeviceError
from devices.face.pool import Busy, FacePool
from examsite.store import candidates, capture_reviews

from .base import Push
from .day import ExamDay

log = logging.getLogger(__name__)


class CaptureChecker:
    """Checks captures in batches; `reference` gives a candidate's registered descriptor."""

    def __init__(
        self,
        exam: ExamDay,
        pool: FacePool | Any,
        reference: Callable[[int], bytes | None],
        emit: Callable[[list[Push]], None],
        threshold: float = 0.5,
    ):
        self.exam = exam
        self.pool = pool
        self.reference = reference
        self.emit = emit
        self.threshold = threshold

    def run_once(self, limit: int = 20) -> int:
        """Check up to `limit` unchecked captures; returns how many were checked."""
        with self.exam.sitedb.read() as db:
            todo = capture_reviews.unchecked(db, limit)
        done = 0
        for cap in todo:
            try:
                self._check(cap)
                done += 1
            except Busy:
                break  # the desk has priority; the rest waits for the next run
            except Exception:
                log.exception("capture %s could not be checked", cap["request_id"])
        return done

    def _check(self, cap: dict[str, Any]) -> None:
        reference = self.reference(cap["candidate_id"])
        if reference is None:
            verdict, distance = "no_reference", None
        else:
            try:
                result = self.pool.submit_compare(reference, cap["image"], self.threshold).result(
                    30
                )
                verdict, distance = result.verdict, result.distance
            except Busy:
                raise
            except (DeviceError, TimeoutError) as e:
                log.warning("capture %s: face check failed: %s", cap["request_id"], e)
                verdict, distance = "unavailable", None
        with self.exam.sitedb.write() as db:
            capture_reviews.set_verdict(db, cap["request_id"], verdict, distance)
            cand = candidates.get(db, cap["candidate_id"])
            self.exam.journal(
                db,
                "capture_reviewed",
                "system",
                {
                    "request_id": cap["request_id"],
                    "review": "auto",
                    "verdict": verdict,
                    "distance": distance,
                    "threshold": self.threshold,
                },
                cand=cand,
            )
        if verdict != "match":
            self.emit(
                [
                    self.exam.console_push(
                        "capture_suspect",
                        candidate_id=cap["candidate_id"],
                        request_id=cap["request_id"],
                        verdict=verdict,
                        distance=distance,
                    )
                ]
            )
