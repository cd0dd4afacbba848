r"""A sum kept whole that appears once as ``t`` and once as ``-t`` is factored: the mean
squared Bellman error's gradient is ``2\Phi^\top(\gamma P^\top - I)D(\mathbf{r} + (\gamma P -
I)\Phi\mathbf{w})``, not two terms with the sum written both ways. Checked against central
differences with numpy, sizes distinct per dimension."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = (
    r"\Phi \in \mathbb{R}^{n \times d}; P \in \mathbb{R}^{n \times n}; "
    r"\mathbf{r} \in \mathbb{R}^{n}; D \in \mathbb{S}^{n}; \mathbf{w} \in \mathbb{R}^{d}; \gamma \in \mathbb{R}"
)
BE = (
    r"(\mathbf{r} + \gamma P\Phi\mathbf{w} - \Phi\mathbf{w})^\top D"
    r"(\mathbf{r} + \gamma P\Phi\mathbf{w} - \Phi\mathbf{w})"
)


def test_the_bellman_error_gradient_writes_its_residual_once() -> None:
    out = diff_latex(BE, r"\mathbf{w}", where=WHERE, budget=60)
    assert out.error is None and out.verified, (out.error, out.note)
    assert out.result.count(r"\mathbf{r}") == 1, out.result
    rng = np.random.default_rng(11)
    phi, p = rng.standard_normal((5, 3)), rng.standard_normal((5, 5))
    r, w, g = rng.standard_normal((5, 1)), rng.standard_normal((3, 1)), 0.9
    b = rng.standard_normal((5, 5))
    d = b + b.T

    def f(x: np.ndarray) -> float:
        t = r + g * p @ phi @ x - phi @ x
        return float((t.T @ d @ t)[0, 0])

    want = np.zeros((3, 1))
    for i in range(3):
        step = np.zeros((3, 1))
        step[i] = 1e-6
        want[i] = (f(w + step) - f(w - step)) / 2e-6
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    values = {
        r"\Phi": phi,
        "P": p,
        "r": r,
        "D": d,
        "w": w,
        r"\gamma": np.array([[g]]),
        "I": np.eye(5),
    }
    got = np.asarray(evaluate(row.tree, values))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)
