r"""A square root in a sum over entries, ``\sum_{i=1}^{k}\sqrt{(L\mathbf x)_i^2 + \beta}`` (the
smoothed total variation), is read entrywise as the rest of the summand is; it was refused
("cannot read a square root written with entries").  The gradient is checked against central
differences with k = 4 rows of L and n = 3 unknowns."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

TV = r"""Let $L \in \mathbb{R}^{k \times n}$, $\mathbf{x} \in \mathbb{R}^{n}$ and $\beta > 0$.

$$
R(\mathbf{x}) = \sum_{i=1}^{k} \sqrt{(L\mathbf{x})_i^2 + \beta}
$$
"""

RNG = np.random.default_rng(4)
L, X, BETA = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 1)), 0.3


def _penalty(x: np.ndarray) -> float:
    return float(np.sum(np.sqrt((L @ x) ** 2 + BETA)))


def test_a_square_root_over_entries_is_read_entrywise(tmp_path: Path) -> None:
    doc = tmp_path / "tv.md"
    doc.write_text(TV, encoding="utf-8")
    out = diff_in_document(doc, 4, "\\mathbf{x}", budget=30.0)
    assert out.error is None and out.verified, out.error
    h, want = 1e-6, np.zeros((3, 1))
    for i in range(3):
        d = np.zeros((3, 1))
        d[i] = h
        want[i] = (_penalty(X + d) - _penalty(X - d)) / (2 * h)
    got = evaluate(tree(out.result), {"L": L, "x": X, "\\beta": BETA, "1": np.ones((4, 1))})
    assert np.allclose(np.asarray(got, dtype=float), want, rtol=1e-6), out.result
