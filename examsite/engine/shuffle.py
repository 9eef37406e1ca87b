"""Per-candidate question and option order, reproducible from a seed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .scoring import QUESTION_TYPES


def candidate_paper(paper: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
    """The paper as one candidate sees it, without the key.

    Questions stay grouped by type (判断, 单选, 多选, as printed papers are) and are shuffled within
    each group; options of choice questions are shuffled, 正确/错误 keep their order. Option ids
    are the original ones, so answers are stored against the paper's identities.
    """
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for qtype in QUESTION_TYPES:
        group = [q for q in paper["questions"] if q["type"] == qtype]
        rng.shuffle(group)
        for q in group:
            options = [dict(o) for o in q["options"]]
            if qtype != "judge":
                rng.shuffle(options)
            out.append(
                {
                    "qid": q["qid"],
                    "type": qtype,
                    "stem": q["stem"],
                    "options": options,
                    "score": q["score"],
                }
            )
    return out
