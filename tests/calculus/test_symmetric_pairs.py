r"""A sum of matrix terms symmetric in pairs (``Σ^{-1}xμ^\top Σ^{-1}`` beside its transpose
``Σ^{-1}μx^\top Σ^{-1}``) stays symmetric term by term, as the textbook writes the Gaussian
and Student-t scatter gradients: ``\frac12Σ^{-1} - \frac12Σ^{-1}(x - μ)(x - μ)^\top Σ^{-1}``,
not ``\frac12Σ^{-1}(I + (x(μ - x)^\top + μ(x - μ)^\top)Σ^{-1})`` — which it was where the
document's macros made the names short (``\vx``, ``\vmu``).  Checked against central
differences (p = 3)."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = r"""\documentclass{article}
\newcommand{\vx}{\mathbf{x}}
\newcommand{\vmu}{\boldsymbol{\mu}}
\begin{document}
Location $\vmu \in \mathbb{R}^p$, scatter $\Sigma \in \mathbb{R}^{p \times p}$ (symmetric positive definite), $\vx \in \mathbb{R}^p$, $\nu > 0$.
\[ \ell = \frac{1}{2}\log\det\Sigma + \frac{\nu + p}{2}\log\left(1 + \frac{1}{\nu}(\vx - \vmu)^\top\Sigma^{-1}(\vx - \vmu)\right) \]
\end{document}
"""


def test_the_student_t_scatter_gradient_keeps_its_symmetric_terms() -> None:
    out = diff_in_document("notes.tex", 6, r"\Sigma", text=DOC, budget=60)
    assert out.error is None and out.verified, out.error
    assert "".join(out.result.split()) == (
        r"\frac{1}{2}\Sigma^{-1}-\frac{(p+\nu)\Sigma^{-1}(\vx-\vmu)(\vx-\vmu)^\top\Sigma^{-1}}"
        r"{2\left(1+\frac{(\vx-\vmu)^\top\Sigma^{-1}(\vx-\vmu)}{\nu}\right)\nu}"
    )
    rng = np.random.default_rng(11)
    b = rng.standard_normal((3, 3))
    sigma = b @ b.T + 3 * np.eye(3)
    x, mu, nu, p = rng.standard_normal(3), rng.standard_normal(3), 2.5, 3

    def f(s: np.ndarray) -> float:
        r = x - mu
        q = float(r @ np.linalg.solve(s, r))
        return 0.5 * float(np.linalg.slogdet(s)[1]) + (nu + p) / 2 * np.log(1 + q / nu)

    numeric = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            step = np.zeros((3, 3))
            step[i, j] = 1e-6
            numeric[i, j] = (f(sigma + step) - f(sigma - step)) / 2e-6
    inv, r = np.linalg.inv(sigma), (x - mu)[:, None]
    q = float((r.T @ inv @ r)[0, 0])
    want = 0.5 * inv - (p + nu) * inv @ r @ r.T @ inv / (2 * (1 + q / nu) * nu)
    np.testing.assert_allclose(want, numeric, rtol=1e-5, atol=1e-8)
