r"""A member the document defines (``p_i = \sigma(\mathbf{w}^\top\mathbf{x}_i)``), named
again in the answer where the engine printed its definition, keeps the answer LaTeX: after
an operator it is its argument in parentheses (``\log(p_i)``), never run on into the
operator's name (``\logp_i``, an undefined command, was printed for the focal loss).
The answer is evaluated against central differences (N, d distinct)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

N, D = 5, 3
RNG = np.random.default_rng(7)
X, W = RNG.standard_normal((N, D)), RNG.standard_normal((D, 1))

FOCAL = r"""Each anchor has a feature $\mathbf{x}_i \in \mathbb{R}^d$, $i = 1, \dots, N$, and
$\mathbf{w} \in \mathbb{R}^d$; with $\sigma(z) = \frac{1}{1 + e^{-z}}$ let
$p_i = \sigma(\mathbf{w}^\top\mathbf{x}_i)$.

$$ F(\mathbf{w}) = -\sum_{i=1}^{N} (1 - p_i)^{2} \log p_i $$
"""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_a_defined_member_after_log_is_named_in_parentheses(tmp_path: Path) -> None:
    doc = tmp_path / "focal.md"
    doc.write_text(FOCAL, encoding="utf-8")
    out = diff_in_document(doc, 5, r"\mathbf{w}", budget=30.0)
    assert out.error is None and out.verified and out.result is not None, out.error
    assert "\\logp" not in out.result and "\\log(p_i)" in out.result

    def loss(w: np.ndarray) -> float:
        p = _sigmoid(X @ w)
        return float(-np.sum((1 - p) ** 2 * np.log(p)))

    p = _sigmoid(X @ W)
    got = evaluate(tree(out.result), {"family:x": X, "family:p": p, "w": W, "N": N})
    assert np.allclose(got, central_gradient(loss, W), rtol=1e-5)
