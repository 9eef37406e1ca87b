"""Scoring of 判断 (judge), 单选 (single) and 多选 (multi) questions against the paper's key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

QUESTION_TYPES = ("judge", "single", "multi")


def question_score(
    qtype: str,
    key: Iterable[str],
    chosen: Iterable[str],
    score: float,
    multi_scoring: str = "all_or_nothing",
) -> float:
    """Points for one question. Multi is all-or-nothing unless the paper says 'partial'.

    'partial': half the points when a non-empty subset of the key is chosen with no wrong option.
    """
    k, c = set(key), set(chosen)
    if not c:
        return 0.0
    if c == k:
        return float(score)
    if qtype == "multi" and multi_scoring == "partial" and c < k:
        return float(score) / 2
    return 0.0


@dataclass
class Result:
    """A candidate's result on one paper."""

    score: float
    total: float
    passed: bool
    answered: int
    questions: int
    by_type: dict[str, dict[str, float]] = field(default_factory=dict)


def score_paper(paper: Mapping[str, Any], answers: Mapping[str, Sequence[str]]) -> Result:
    """Score every question of `paper` (the plain paper form) against `answers` (qid → option ids)."""
    multi_scoring = paper.get("multi_scoring", "all_or_nothing")
    total = got = 0.0
    answered = 0
    by_type: dict[str, dict[str, float]] = {}
    for q in paper["questions"]:
        chosen = answers.get(q["qid"], [])
        if chosen:
            answered += 1
        pts = question_score(q["type"], q["answer"], chosen, q["score"], multi_scoring)
        t = by_type.setdefault(q["type"], {"score": 0.0, "total": 0.0, "correct": 0})
        t["score"] += pts
        t["total"] += float(q["score"])
        t["correct"] += 1 if pts == float(q["score"]) else 0
        total += float(q["score"])
        got += pts
    got = round(got, 2)
    return Result(
        score=got,
        total=total,
        passed=got >= float(paper["pass_mark"]),
        answered=answered,
        questions=len(paper["questions"]),
        by_type=by_type,
    )


def valid_choice(question: Mapping[str, Any], chosen: Sequence[str]) -> bool:
    """True when `chosen` is a legal answer shape for the question (empty clears it)."""
    ids = {o["id"] for o in question["options"]}
    if len(set(chosen)) != len(chosen) or not set(chosen) <= ids:
        return False
    return question["type"] == "multi" or len(chosen) <= 1
