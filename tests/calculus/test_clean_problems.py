r"""The clean-expression table (``problems_clean.py``) and the table of authors' equations
(``problems_authors.py``) judge the engine: every answer right
(verified, equal to the textbook answer at random points with a different size for every
dimension), none wrong, none refused, and none over 1.5× the textbook's length.

The table first checks itself: every textbook answer against central differences of its
expression.  Figures (times, lengths): ``benchmarks/clean_problems.py [--table authors]``.
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.calculus.problem_judge import Judged, judge
from tests.calculus.problem_numerics import (
    FD_RTOL,
    answer_tree,
    close,
    directional_difference,
    domain,
    evaluate_differential,
    finite_difference,
    function,
    key_of,
    random_direction,
    rng_for,
    sample,
)
from tests.calculus.problems import KINDS, Problem
from tests.calculus.problems_authors import AUTHOR_PROBLEMS
from tests.calculus.problems_clean import CLEAN_PROBLEMS
from texgrad.calculus.evaluate_tree import evaluate

MAX_RATIO = 1.5
PROBLEMS = [*CLEAN_PROBLEMS, *AUTHOR_PROBLEMS]  # (their ids are distinct: BY_ID checks)
BY_ID = {p.id: p for p in PROBLEMS}
ids = [p.id for p in PROBLEMS]


@cache
def judged(problem_id: str) -> Judged:
    return judge(BY_ID[problem_id])


@pytest.mark.parametrize("problem", PROBLEMS, ids=ids)
def test_answer_agrees_with_finite_differences(problem: Problem) -> None:
    wrt = key_of(problem.wrt)
    assert wrt in domain(problem.where).shapes, f"{problem.wrt} is not declared"
    rng = rng_for(problem, 0)
    values = sample(problem, rng)
    if problem.kind == "matrix":
        e = random_direction(values, wrt, rng)
        want = directional_difference(function(problem), values, wrt, e)
        got = evaluate_differential(answer_tree(problem), values, wrt, e)
    else:
        want = finite_difference(problem, values)
        got = evaluate(answer_tree(problem), values)
    ok, why = close(got, want, FD_RTOL)
    assert ok, why


@pytest.mark.parametrize("problem", PROBLEMS, ids=ids)
def test_engine_is_right_and_as_short_as_the_textbook(problem: Problem) -> None:
    j = judged(problem.id)
    assert j.verdict == "right", f"{j.verdict}: {j.why}\n{j.result}"
    assert j.ratio <= MAX_RATIO, f"{j.ratio:.2f}× the textbook: {j.result}"


def test_table_is_broad() -> None:
    assert len(CLEAN_PROBLEMS) >= 60 and len(BY_ID) == len(PROBLEMS)
    counts = {k: sum(p.kind == k for p in CLEAN_PROBLEMS) for k in KINDS}
    assert all(n >= 5 for n in counts.values()), counts
    assert sum(p.expr.startswith("-") for p in CLEAN_PROBLEMS) >= 3


def test_authors_table_is_broad() -> None:
    assert len(AUTHOR_PROBLEMS) >= 25
    assert sum(bool(p.families) for p in AUTHOR_PROBLEMS) >= 8
    assert sum(p.kind == "hessian" for p in AUTHOR_PROBLEMS) >= 4
