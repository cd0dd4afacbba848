r"""``\max(a, b)`` and ``\min(a, b)`` of two terms of one shape, neither written 0: read as
``a + \max(0, b - a)`` and ``a - \max(0, a - b)`` (the pinball loss of quantile regression,
``\max(\tau r_i, (\tau - 1) r_i)``, the larger of two linear scores); a hinge ``\max(0, …)``
in a sum read with entries; "let $X \in …$ have rows $\mathbf{x}_i^\top$" stacks the family.
Each result evaluated against central differences, with distinct sizes N and d (the kinks,
where the two terms are equal, are met with probability 0 at random points)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

N, D = 7, 3
RNG = np.random.default_rng(38)
X, Y, W = RNG.standard_normal((N, D)), RNG.standard_normal((N, 1)), RNG.standard_normal((D, 1))
A, B = RNG.standard_normal((D, 1)), RNG.standard_normal((D, 1))
TAU = 0.3


def _diff(tmp_path: Path, text: str, line: int) -> str:
    doc = tmp_path / "notes.md"
    doc.write_text(text, encoding="utf-8")
    out = diff_in_document(doc, line, r"\mathbf{w}", budget=60.0)
    assert out.error is None and out.verified and out.kind == "gradient", out.error
    assert out.result is not None
    return out.result


SCORES = r"""Let $\mathbf{a}, \mathbf{b}, \mathbf{w} \in \mathbb{R}^d$.

$$ g(\mathbf{w}) = \max(\mathbf{a}^\top\mathbf{w}, \mathbf{b}^\top\mathbf{w}) $$

$$ h(\mathbf{w}) = \min(\mathbf{a}^\top\mathbf{w}, \mathbf{b}^\top\mathbf{w}) $$
"""


def test_the_larger_and_the_smaller_of_two_scores(tmp_path: Path) -> None:
    values = {"a": A, "b": B, "w": W}
    for line, pick in ((3, np.maximum), (5, np.minimum)):
        got = evaluate(tree(_diff(tmp_path, SCORES, line)), values)

        def score(w: np.ndarray, pick=pick) -> float:  # type: ignore[no-untyped-def]
            return float(pick(A.T @ w, B.T @ w)[0, 0])

        assert np.allclose(got, central_gradient(score, W), rtol=1e-5), line


PINBALL = r"""Samples $\mathbf{x}_i \in \mathbb{R}^{d}$ and responses $y_i$, $i = 1, \dots, N$,
coefficients $\mathbf{w} \in \mathbb{R}^{d}$, and a level $0 < \tau < 1$.

$$ Q(\mathbf{w}) = \sum_{i=1}^{N} \max\left(\tau(y_i - \mathbf{x}_i^\top\mathbf{w}), (\tau - 1)(y_i - \mathbf{x}_i^\top\mathbf{w})\right) $$
"""


def test_the_pinball_loss_summed_over_samples(tmp_path: Path) -> None:
    result = _diff(tmp_path, PINBALL, 4)
    assert r"\tau" in result and r"\mathbb{1}" in result

    def loss(w: np.ndarray) -> float:
        r = Y - X @ w
        return float(np.sum(np.maximum(TAU * r, (TAU - 1) * r)))

    values = {"family:x": X, "family:y": Y, "w": W, "N": N, "\\tau": TAU}
    got = evaluate(tree(result), values)
    assert np.allclose(got, central_gradient(loss, W), rtol=1e-5)


HINGE = r"""Let $X \in \mathbb{R}^{N \times d}$ have rows $\mathbf{x}_i^\top$, labels
$\mathbf{y} \in \{-1,1\}^N$ and $\mathbf{w} \in \mathbb{R}^d$.

$$ H(\mathbf{w}) = \sum_{i=1}^{N} \max\left(0, 1 - y_i\mathbf{x}_i^\top\mathbf{w}\right) $$
"""


def test_a_hinge_summed_over_the_rows_a_matrix_has(tmp_path: Path) -> None:
    labels = np.where(RNG.standard_normal((N, 1)) > 0, 1.0, -1.0)
    result = _diff(tmp_path, HINGE, 4)

    def loss(w: np.ndarray) -> float:
        return float(np.sum(np.maximum(0.0, 1.0 - labels * (X @ w))))

    values = {"family:x": X, "X": X, "family:y": labels, "y": labels, "w": W, "N": N}
    got = evaluate(tree(result), values)
    assert np.allclose(got, central_gradient(loss, W), rtol=1e-5)
