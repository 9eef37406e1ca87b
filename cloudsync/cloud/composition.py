"""Composing papers: by rule (counts per type and category, score per type) or by hand.

The result is the plain paper of docs/architecture.md. Selection by rule is random but
repeatable: the same seed over the same bank gives the same paper.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TYPES = ("judge", "single", "multi")
TYPE_NAMES = {"judge": "判断题", "single": "单选题", "multi": "多选题"}


class CompositionError(ValueError):
    """A paper cannot be composed as asked; the message says what is missing."""


@dataclass(frozen=True)
class Part:
    """``count`` questions of ``qtype`` (optionally of one ``category``), ``score`` each."""

    qtype: str
    count: int
    score: float
    category: str | None = None

    @classmethod
    def parse(cls, text: str) -> Part:
        """Parse ``TYPE:COUNT:SCORE[:CATEGORY]``, e.g. ``single:40:1`` or ``multi:10:2:法律法规``."""
        bits = text.split(":", 3)
        try:
            qtype, count, score = bits[0], int(bits[1]), float(bits[2])
        except (IndexError, ValueError):
            raise CompositionError(
                f"组卷规则 {text!r} 应写成 类型:题数:每题分[:作业种类]，如 single:40:1"
                f"（rule {text!r} must read TYPE:COUNT:SCORE[:CATEGORY], e.g. single:40:1）"
            ) from None
        if qtype not in TYPES or count <= 0 or score <= 0:
            raise CompositionError(
                f"组卷规则 {text!r}：类型须为 judge/single/multi，题数与分值须为正"
                f"（rule {text!r}: type judge/single/multi, positive count and score）"
            )
        return cls(qtype, count, score, bits[3] if len(bits) > 3 and bits[3] else None)


def _header(meta: Mapping[str, Any]) -> dict[str, Any]:
    for f in ("paper_id", "title", "subject"):
        if not meta.get(f):
            raise CompositionError(f"缺少试卷信息 {f}（paper needs {f}）")
    scoring = meta.get("multi_scoring", "all_or_nothing")
    if scoring not in ("all_or_nothing", "partial"):
        raise CompositionError("multi_scoring 须为 all_or_nothing 或 partial")
    return {
        "paper_id": meta["paper_id"],
        "title": meta["title"],
        "subject": meta["subject"],
        "duration_min": int(meta.get("duration_min", 90)),
        "pass_mark": meta.get("pass_mark", 80),
        "multi_scoring": scoring,
    }


def _question(q: Mapping[str, Any], n: int, score: float) -> dict[str, Any]:
    out = {
        "qid": q["qid"],
        "type": q["type"],
        "stem": q["stem"],
        "options": q["options"],
        "answer": q["answer"],
        "score": int(score) if float(score).is_integer() else score,
        "category": q["category"],
    }
    _ = n
    return out


def _finish(paper: dict[str, Any], questions: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(q["score"] for q in questions)
    if paper["pass_mark"] > total:
        raise CompositionError(
            f"及格分 {paper['pass_mark']} 高于总分 {total}（pass mark above the total score {total}）"
        )
    paper["total_score"] = int(total) if float(total).is_integer() else total
    paper["questions"] = questions
    return paper


def by_rule(
    meta: Mapping[str, Any],
    parts: Sequence[Part],
    pool: Callable[[str | None, str], list[dict[str, Any]]],
    seed: int | str | None = None,
) -> dict[str, Any]:
    """Draw each part's questions at random from ``pool(category, type)``, without repeats."""
    if not parts:
        raise CompositionError("至少需要一条组卷规则（at least one rule is needed）")
    rng = random.Random(seed)
    paper = _header(meta)
    used: set[str] = set()
    chosen: list[dict[str, Any]] = []
    for part in parts:
        candidates = [q for q in pool(part.category, part.qtype) if q["qid"] not in used]
        if len(candidates) < part.count:
            where = f"“{part.category}”的" if part.category else ""
            raise CompositionError(
                f"题库中{where}{TYPE_NAMES[part.qtype]}只有 {len(candidates)} 道，不够 {part.count} 道；请先导入更多题目"
                f"（the bank holds {len(candidates)} {part.qtype} questions"
                f"{' of ' + part.category if part.category else ''}, {part.count} needed; import more）"
            )
        picked = rng.sample(candidates, part.count)
        used.update(q["qid"] for q in picked)
        chosen.extend(_question(q, len(chosen), part.score) for q in picked)
    order = {t: i for i, t in enumerate(TYPES)}
    chosen.sort(key=lambda q: order[q["type"]])  # papers list judge, single, multi
    return _finish(paper, chosen)


def by_hand(
    meta: Mapping[str, Any],
    questions: Sequence[dict[str, Any]],
    scores: Mapping[str, float],
    wanted: Sequence[str],
) -> dict[str, Any]:
    """A paper of exactly the questions ``wanted`` (bank ids), in that order."""
    found = {q["qid"]: q for q in questions}
    missing = [q for q in wanted if q not in found]
    if missing:
        raise CompositionError(
            f"题库中没有这些题：{', '.join(missing[:5])}（not in the bank: {', '.join(missing[:5])}）"
        )
    if len(set(wanted)) != len(wanted):
        raise CompositionError("同一道题选了两次（a question was chosen twice）")
    paper = _header(meta)
    chosen: list[dict[str, Any]] = []
    for qid in wanted:
        q = found[qid]
        if q["type"] not in scores:
            raise CompositionError(
                f"没有给{TYPE_NAMES[q['type']]}设分值（no score given for {q['type']} questions）"
            )
        chosen.append(_question(q, len(chosen), scores[q["type"]]))
    return _finish(paper, chosen)
