r"""A function the document defines on numbers, applied to entries in index notation
(``\sum_{i,j} h(a_{ij}) x_j`` with ``h(r) = \sqrt{\delta^2 + r^2} - \delta``): applied to each
entry, as the matrix reader applies it to each entry of a vector, and differentiated through
its definition.  Each answer is checked against central differences of the formula computed
here by hand, with distinct sizes (n = 3 rows, m = 4 columns)."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = r"""\documentclass{article}
\begin{document}
For $\delta > 0$ define $h(r) = \sqrt{\delta^2 + r^2} - \delta$. With $\mathbf{x} \in \mathbb{R}^m$,
$A \in \mathbb{R}^{n \times m}$,
\[ G = \sum_{i=1}^{n} \sum_{j=1}^{m} h(a_{ij}) x_j \]
\end{document}
"""
LINE = 5


def _h(r: np.ndarray, delta: float) -> np.ndarray:
    return np.sqrt(delta**2 + r**2) - delta


def _dh(r: np.ndarray, delta: float) -> np.ndarray:
    return r / np.sqrt(delta**2 + r**2)


def _central(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        out[idx] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def _point() -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(29)
    return rng.standard_normal((3, 4)), rng.standard_normal(4), 0.7


def test_a_defined_function_of_entries_by_the_vector() -> None:
    out = diff_in_document("notes.tex", LINE, r"\mathbf{x}", text=DOC, budget=60)
    assert out.error is None and out.verified, out.error
    assert "".join(out.result.split()) == r"h(A)^\top\mathbf{1}"
    a, x, delta = _point()  # the result h(A)^T 1, against differences of the formula
    numeric = _central(lambda v: float(np.sum(_h(a, delta) @ v)), x)
    np.testing.assert_allclose(_h(a, delta).T @ np.ones(3), numeric, rtol=1e-6, atol=1e-8)


def test_a_defined_function_of_entries_by_the_matrix() -> None:
    out = diff_in_document("notes.tex", LINE, "A", text=DOC, budget=60)
    assert out.error is None and out.verified, out.error
    assert "".join(out.result.split()) == r"(\mathbf{1}\mathbf{x}^\top)\odoth'(A)"
    a, x, delta = _point()  # (1 x^T) ⊙ h'(A), against differences of the formula
    numeric = _central(lambda m: float(np.sum(_h(m, delta) @ x)), a)
    np.testing.assert_allclose(np.outer(np.ones(3), x) * _dh(a, delta), numeric, rtol=1e-6)


ROWS = r"""\documentclass{article}
\begin{document}
For $\delta > 0$ define $h(r) = \sqrt{\delta^2 + r^2} - \delta$. With $A \in \mathbb{R}^{m \times d}$,
$\mathbf{b} \in \mathbb{R}^m$, $\mathbf{w} \in \mathbb{R}^d$ and rows $\mathbf{a}_j^\top$ of $A$,
\[ H(\mathbf{w}) = \sum_{j=1}^{m} h(\mathbf{a}_j^\top\mathbf{w} - b_j) \]
\end{document}
"""


def test_rows_named_without_the_size_a_sum_over_them() -> None:
    r""" "and rows $\mathbf{a}_j^\top$ of $A$" (no "the") sizes the family by A's rows."""
    out = diff_in_document("notes.tex", 5, r"\mathbf{w}", text=ROWS, budget=60)
    assert out.error is None and out.verified, out.error
    assert (
        "".join(out.result.split())
        == r"\sum_{j=1}^{m}h'(\mathbf{a}_j^\top\mathbf{w}-b_j)\mathbf{a}_j"
    )
    rng = np.random.default_rng(7)
    a, b, w, delta = (
        rng.standard_normal((4, 3)),
        rng.standard_normal(4),
        rng.standard_normal(3),
        0.5,
    )
    numeric = _central(lambda v: float(np.sum(_h(a @ v - b, delta))), w)
    np.testing.assert_allclose(a.T @ _dh(a @ w - b, delta), numeric, rtol=1e-6)
