"""Scoring and per-candidate order."""

from __future__ import annotations

import pytest

from examsite.demo import PAPER
from examsite.engine.scoring import question_score, score_paper, valid_choice
from examsite.engine.shuffle import candidate_paper


@pytest.mark.parametrize(
    ("qtype", "key", "chosen", "mode", "points"),
    [
        ("judge", ["A"], ["A"], "all_or_nothing", 1),
        ("judge", ["A"], ["B"], "all_or_nothing", 0),
        ("judge", ["A"], [], "all_or_nothing", 0),
        ("single", ["C"], ["C"], "all_or_nothing", 1),
        ("single", ["C"], ["A"], "all_or_nothing", 0),
        ("multi", ["A", "B", "D"], ["D", "B", "A"], "all_or_nothing", 1),  # order does not matter
        ("multi", ["A", "B", "D"], ["A", "B"], "all_or_nothing", 0),
        ("multi", ["A", "B", "D"], ["A", "B", "C", "D"], "all_or_nothing", 0),
        ("multi", ["A", "B", "D"], ["A", "B"], "partial", 0.5),
        ("multi", ["A", "B", "D"], ["A", "C"], "partial", 0),  # a wrong option scores nothing
        ("multi", ["A", "B", "D"], ["A", "B", "D"], "partial", 1),
        ("single", ["C"], ["C"], "partial", 1),
    ],
)
def test_question_score(qtype, key, chosen, mode, points) -> None:
    assert question_score(qtype, key, chosen, 1, mode) == points


def test_paper_score_and_pass_mark() -> None:
    perfect = {q["qid"]: q["answer"] for q in PAPER["questions"]}
    r = score_paper(PAPER, perfect)
    assert (r.score, r.total, r.passed, r.answered) == (10, 10, True, 9)
    few = {"j1": ["B"], "j2": ["A"], "s1": ["A"], "m1": ["A", "B", "D"]}  # 1+1+1+1.5 = 4.5
    r = score_paper(PAPER, few)
    assert (r.score, r.passed, r.answered) == (4.5, False, 4)
    assert r.by_type["multi"] == {"score": 1.5, "total": 3.0, "correct": 1}
    at_mark = {**few, "j3": ["B"], "s2": ["B"]}  # 6.5 ≥ 6
    assert score_paper(PAPER, at_mark).passed


@pytest.mark.parametrize(
    ("qid", "chosen", "ok"),
    [
        ("s1", ["A"], True),
        ("s1", ["A", "B"], False),
        ("s1", [], True),
        ("s1", ["Z"], False),
        ("m1", ["A", "B"], True),
        ("m1", ["A", "A"], False),
        ("j1", ["A", "B"], False),
    ],
)
def test_valid_choice(qid, chosen, ok) -> None:
    q = next(q for q in PAPER["questions"] if q["qid"] == qid)
    assert valid_choice(q, chosen) is ok


def test_shuffle_reproducible_grouped_and_keyless() -> None:
    a, b = candidate_paper(PAPER, 42), candidate_paper(PAPER, 42)
    assert a == b
    assert [q["type"] for q in a] == ["judge"] * 3 + ["single"] * 4 + ["multi"] * 2
    assert all("answer" not in q for q in a)
    orders = {tuple(q["qid"] for q in candidate_paper(PAPER, seed)) for seed in range(20)}
    assert len(orders) > 1
    for q in candidate_paper(PAPER, 7):
        original = next(o for o in PAPER["questions"] if o["qid"] == q["qid"])
        assert sorted(o["id"] for o in q["options"]) == sorted(o["id"] for o in original["options"])
        if q["type"] == "judge":
            assert [o["text"] for o in q["options"]] == ["正确", "错误"]
