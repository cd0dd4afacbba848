r"""A sum over the entries of a declared vector or matrix is read as the sum of every entry
only where its range is every entry once: ``\sum_{i=1}^n x_i``, ``\sum_i x_i``; a range that
leaves entries out (``\sum_{i=2}^n x_i``) or runs past them (``\sum_{i=0}^n x_i``, n + 1 terms
of an x ∈ ℝⁿ) gets no derivative — ``\mathbf{1}_n`` would be a wrong one.  Each derivative
given is checked against central differences, every dimension of its own size."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded
VEC = r"x \in \mathbb{R}^n"
MAT = r"A \in \mathbb{R}^{n \times m}"


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return np.asarray(evaluate(parsed.tree, values), dtype=float)


@pytest.mark.parametrize(
    "latex, where",
    [
        (r"\sum_{i=2}^n x_i", VEC),  # x_1 left out: the gradient is (0, 1, …, 1)
        (r"\sum_{i=0}^n x_i", VEC),  # n + 1 terms of n entries
        (r"\sum_{i=0}^n x_i^2", VEC),
        (r"\sum_{i=1}^{n-1} x_i^2", VEC),  # x_n left out
        (r"\sum_{i=1}^n \sum_{j=2}^m A_{ij}^2", MAT),  # the first column left out
    ],
)
def test_a_range_that_is_not_every_entry_gets_no_derivative(latex: str, where: str) -> None:
    wrt = "x" if "x" in latex else "A"
    out = diff_latex(latex, wrt, where, budget=BUDGET)
    assert not out.verified, out.result
    assert out.error  # said why, in the document's words
    assert "(Sum" not in out.error and "(BigOp" not in out.error


def test_every_entry_once_is_the_whole_sum() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 1))
    for latex in (r"\sum_{i=1}^n x_i^2", r"\sum_i x_i^2", r"\sum_{i=0}^{n-1} x_i^2"):
        out = diff_latex(latex, "x", VEC, budget=BUDGET)
        if latex.startswith(r"\sum_{i=0}"):  # 0-based: may be read or refused, never wrong
            if not out.verified:
                continue
        assert out.verified, (latex, out.error)
        shown = _value(out.result, {"x": x})
        want = central_gradient(lambda v: float(np.sum(v**2)), x)
        assert np.allclose(shown.reshape(want.shape), want, atol=1e-6), (latex, out.result)


def test_every_entry_of_a_matrix_once_is_the_whole_sum() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=(4, 3))
    out = diff_latex(r"\sum_{i=1}^n \sum_{j=1}^m A_{ij}^2", "A", MAT, budget=BUDGET)
    assert out.verified, out.error
    shown = _value(out.result, {"A": a})
    assert np.allclose(shown, central_gradient(lambda v: float(np.sum(v**2)), a), atol=1e-6)
