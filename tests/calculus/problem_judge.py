r"""One problem's verdict: the engine's result against the textbook answer at random points.

Shared by ``test_clean_problems.py`` (both tables) and ``benchmarks/clean_problems.py``.  A result is

- *right*: verified, of the expected kind, equal to the answer at every point (for a
  matrix-valued function its differential in a random direction; a Kronecker form against
  central differences);
- *wrong*: shown as verified yet different from the answer — the one outcome that must
  never happen;
- *not verified*: a result the engine itself does not vouch for;
- *refused*: an error instead of a result;
- *unchecked*: verified, but the result cannot be evaluated here to compare.

and measured: its length over the textbook answer's (:func:`problem_numerics.length`, the
result's "where t₀ = …" and the answer's abbreviations counted in), and the seconds of the
whole ``diff_latex`` call (verification included).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from tests.calculus.problem_numerics import (
    EXACT_RTOL,
    FD_RTOL,
    answer_length,
    answer_tree,
    answer_value,
    close,
    evaluate_differential,
    evaluate_engine,
    function,
    has_differential,
    key_of,
    length,
    random_direction,
    rng_for,
    sample_with_sizes,
    tree,
)
from tests.calculus.problems import Problem
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.sampling import finite_difference_jacobian

POINTS = 2
# The seconds each problem may take (tests/calculus/test_problems.py, test_heldout_style.py
# too).  The engine's default, 5 s on the wall clock, decided results under a loaded CI
# machine: names-batchnorm-x, 0.4 s of CPU time, took 2.5 s on the wall clock with other
# engineers' tests beside it.  What these tests claim is the result, not its speed (the
# seconds are recorded), and a runaway still ends.
BUDGET = 60.0


@dataclass(frozen=True)
class Judged:
    verdict: str  # "right" | "wrong" | "not verified" | "refused" | "unchecked"
    why: str
    ratio: float  # len(result) / len(textbook answer); inf without a result
    seconds: float
    result: str


def _ratio(problem: Problem, out: Any) -> float:
    text = out.differential if problem.kind == "matrix" else out.result
    if not text:
        return math.inf
    where = sum(length(w) for w in out.where)
    return (length(text) + where) / answer_length(problem)


def disagreement(problem: Problem, out: Any) -> str | None:
    """Why the result differs from the answer at some point (None: it agrees); also the
    check of ``test_problems.py``."""
    got_tree = tree(out.result)
    wrt = key_of(problem.wrt)
    for k in range(POINTS):
        rng = rng_for(problem, 100 + k)
        values, sizes = sample_with_sizes(problem, rng)
        if problem.kind != "matrix":
            got = evaluate_engine(got_tree, problem, values, sizes, where=out.where)
            ok, why = close(got, answer_value(problem, values), EXACT_RTOL)
        elif has_differential(got_tree):
            e = random_direction(values, wrt, rng)
            got = evaluate_engine(got_tree, problem, values, sizes, where=out.where, direction=e)
            ok, why = close(got, evaluate_differential(answer_tree(problem), values, wrt, e), 1e-6)
        else:  # ∂vec F / ∂vec X (a Kronecker form)
            want = finite_difference_jacobian(function(problem), values, wrt)
            got = evaluate_engine(got_tree, problem, values, sizes, where=out.where)
            ok, why = close(got, want, FD_RTOL)
        if not ok:
            return f"at point {k}: {why.splitlines()[0]}"
    return None


def judge(problem: Problem) -> Judged:
    from texgrad.calculus.api import diff_latex

    start = time.perf_counter()
    try:
        out = diff_latex(
            problem.expr,
            problem.wrt,
            where=problem.where,
            hessian=problem.kind == "hessian",
            budget=BUDGET,
        )
    except Exception as e:  # noqa: BLE001 - a crash is a verdict too
        return Judged("refused", f"crash: {e!r}", math.inf, time.perf_counter() - start, "")
    seconds = time.perf_counter() - start
    if out.error is not None:
        return Judged("refused", out.error, math.inf, seconds, "")
    ratio = _ratio(problem, out)
    try:
        why = disagreement(problem, out)
    except EvaluationError as e:
        verdict = "unchecked" if out.verified else "not verified"
        return Judged(verdict, f"cannot evaluate: {e.message}", ratio, seconds, out.result)
    if not out.verified:
        return Judged("not verified", why or "(agrees)", ratio, seconds, out.result)
    if why is not None:
        return Judged("wrong", why, ratio, seconds, out.result)
    if out.kind != problem.kind:
        return Judged(
            "wrong", f"kind {out.kind!r}, not {problem.kind!r}", ratio, seconds, out.result
        )
    return Judged("right", "", ratio, seconds, out.result)
