r"""A term beside a sum over samples whose derivative is an identity matrix (score matching's
``-\operatorname{tr}(B)`` by B) was refused: its result ``-I``, read back alone, told no size
("cannot tell the size of `I`").  Read back sized by the square variable, the objective's
gradient is ``\frac1N\sum_i B(\mathbf x_i - \mathbf m)(\mathbf x_i - \mathbf m)^\top - I``,
checked here against central differences (N = 5 samples, d = 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

SCORE = r"""Let $B \in \mathbb{R}^{d \times d}$, $\mathbf{m} \in \mathbb{R}^d$ and samples
$\mathbf{x}_1, \dots, \mathbf{x}_N \in \mathbb{R}^{d}$.

$$
J(B) = \frac{1}{2N}\sum_{i=1}^{N} \|B(\mathbf{x}_i - \mathbf{m})\|^2 - \operatorname{tr}(B)
$$
"""

N, D = 5, 3
RNG = np.random.default_rng(21)
XS, M, B = RNG.standard_normal((N, D, 1)), RNG.standard_normal((D, 1)), RNG.standard_normal((D, D))


def _objective(b: np.ndarray) -> float:
    return sum(float(np.sum((b @ (x - M)) ** 2)) for x in XS) / (2 * N) - float(np.trace(b))


def test_the_identity_beside_a_sum_is_sized_by_the_variable(tmp_path: Path) -> None:
    doc = tmp_path / "score.md"
    doc.write_text(SCORE, encoding="utf-8")
    out = diff_in_document(doc, 5, "B", budget=30.0)
    assert out.error is None and out.verified, out.error
    h, want = 1e-6, np.zeros((D, D))
    for i in range(D):
        for j in range(D):
            step = np.zeros((D, D))
            step[i, j] = h
            want[i, j] = (_objective(B + step) - _objective(B - step)) / (2 * h)
    values = {"family:x": XS, "family-first:x": np.array([[1.0]]), "m": M, "B": B, "N": N}
    values["I"] = np.eye(D)
    got = evaluate(tree(out.result), values)
    assert np.allclose(np.asarray(got, dtype=float), want, rtol=1e-6), out.result
