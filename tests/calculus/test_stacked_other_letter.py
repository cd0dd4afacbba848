r"""A family said stacked under one letter ("$X$ stacks the $\mathbf x_i^\top$ as rows") and
summed under another (``\sum_{n=1}^N … \mathbf x_n``): the same matrix, so the sum's matrix
form is given, checked here against finite differences of the sum itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = (
    "We have $N$ pairs with $\\mathbf{x}_i \\in \\mathbb{R}^{d}$; the design matrix "
    "$X \\in \\mathbb{R}^{N \\times d}$ stacks the $\\mathbf{x}_i^\\top$ as rows and "
    "$\\mathbf{y} \\in \\mathbb{R}^{N}$ collects the targets $y_i$. Let $\\mathbf{w} \\in \\mathbb{R}^{d}$.\n"
    "$$J = \\frac{1}{2N}\\sum_{n=1}^{N} (\\mathbf{w}^\\top\\mathbf{x}_n - y_n)^2$$\n"
)


def test_a_sum_under_another_letter_has_the_matrix_form(tmp_path: Path) -> None:
    doc = tmp_path / "risk.md"
    doc.write_text(DOC, encoding="utf-8")
    out = diff_in_document(doc, 2, r"\mathbf{w}")
    assert out.error is None and out.verified, out.error
    assert r"\sum_{n=1}^{N}" in out.result
    assert "".join(out.matrix_form.split()) == r"\frac{X^\top(X\mathbf{w}-\mathbf{y})}{N}"
    rng = np.random.default_rng(11)
    n, d, h = 5, 3, 1e-6
    X, y, w = rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)

    def J(v: np.ndarray) -> float:
        return float(sum((v @ X[k] - y[k]) ** 2 for k in range(n)) / (2 * n))

    fd = np.array([(J(w + h * u) - J(w - h * u)) / (2 * h) for u in np.eye(d)])
    assert np.allclose(fd, X.T @ (X @ w - y) / n, atol=1e-6)
