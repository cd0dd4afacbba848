r"""A sum over part of the entries (``\sum_{i=2}^n v_i^2``): said plainly, with what to write
instead, and what it says to write is differentiated (checked here by central differences,
n = 5)."""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = r"\mathbf{v} \in \mathbb{R}^n"


def test_a_sum_over_part_of_the_entries_says_what_to_write() -> None:
    out = diff_latex(r"\sum_{i=2}^n v_i^2", r"\mathbf{v}", where=WHERE)
    assert out.error is not None and not out.verified
    assert "runs over part of the entries" in out.error
    assert "write it from 1" not in out.error  # (that would be another sum)
    assert r"(\mathbf{e}_1^\top\mathbf{v})^2" in out.error


def test_what_it_says_to_write_is_differentiated() -> None:
    out = diff_latex(
        r"\sum_{i=1}^n v_i^2 - (\mathbf{e}_1^\top\mathbf{v})^2",
        r"\mathbf{v}",
        where=WHERE + r"; \mathbf{e}_1 \in \mathbb{R}^n",
    )
    assert out.error is None and out.verified, out.error
    v, e1 = np.random.default_rng(8).standard_normal((5, 1)), np.eye(5)[:, :1]
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    got = np.asarray(evaluate(row.tree, {"v": v, "e_{1}": e1}), dtype=float)
    want = central_gradient(lambda x: float(np.sum(x[1:] ** 2)), v)
    assert np.allclose(got, want, atol=1e-6)
