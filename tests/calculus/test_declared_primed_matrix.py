r"""A primed letter the document declares with a shape its letter's transpose cannot have
(an upstream gradient ``G' \in \mathbb{R}^{2 \times 2}`` beside ``G \in \mathbb{R}^{d \times
d}``) is a letter of its own, as the shape check reads it: the splatting backward pass by Σ
is ``W^\top J^\top G' J W``.  It was read as the transpose of G and the result printed as
``W^\top J^\top G^\top J W`` (verified where d was sampled 2: a wrong derivative).  Checked
against central differences with d = 3, G and G' apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

SPLAT = r"""Let $\Sigma \in \mathbb{R}^{d \times d}$, $G \in \mathbb{R}^{d \times d}$,
$W \in \mathbb{R}^{d \times d}$ and $J \in \mathbb{R}^{2 \times d}$, with an upstream gradient
$G' \in \mathbb{R}^{2 \times 2}$ on the projected covariance.

$$
\ell(\Sigma) = \operatorname{tr}(G'^\top J W \Sigma W^\top J^\top)
$$
"""

RNG = np.random.default_rng(9)
GP, J, W, SIG = (RNG.standard_normal(s) for s in ((2, 2), (2, 3), (3, 3), (3, 3)))


def _loss(sigma: np.ndarray) -> float:
    return float(np.trace(GP.T @ J @ W @ sigma @ W.T @ J.T))


def test_a_declared_primed_matrix_is_its_own_letter(tmp_path: Path) -> None:
    doc = tmp_path / "splat.md"
    doc.write_text(SPLAT, encoding="utf-8")
    out = diff_in_document(doc, 6, "\\Sigma", budget=30.0)
    assert out.error is None and out.verified, out.error
    assert "G'" in out.result
    h, want = 1e-6, np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            d = np.zeros((3, 3))
            d[i, j] = h
            want[i, j] = (_loss(SIG + d) - _loss(SIG - d)) / (2 * h)
    written = out.result.replace("G'", "P")  # (the evaluator's own reading of a prime aside)
    got = evaluate(tree(written), {"P": GP, "J": J, "W": W, "\\Sigma": SIG})
    assert np.allclose(np.asarray(got, dtype=float), want, rtol=1e-6)
