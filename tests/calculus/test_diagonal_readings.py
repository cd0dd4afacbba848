r"""``\operatorname{diag}`` of a square matrix before a factor of its rows is the diagonal
matrix, for the differentiation as for the shape checker: ``\mathbf x^\top
\operatorname{diag}(VV^\top)\mathbf x`` (a factorization machine's self-interactions) is a
quadratic form, ``\operatorname{diag}(C)A\mathbf x`` scales rows; nothing after it, it is the
vector of the diagonal.  Each answer evaluated against central differences, every dimension
a different size."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tests.calculus.problem_numerics import central_gradient, tree
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate

N, K, M = 5, 3, 4
WHERE = (
    r"x \in \mathbb{R}^n; V \in \mathbb{R}^{n \times k}; C \in \mathbb{R}^{m \times m}; "
    r"A \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n"
)
RNG = np.random.default_rng(11)
X, V, C, A, B = (RNG.standard_normal(s) for s in ((N, 1), (N, K), (M, M), (M, N), (N, 1)))
VALUES = {"x": X, "V": V, "C": C, "A": A, "b": B}


def _answer(expr: str, kind: str) -> np.ndarray:
    out = diff_latex(expr, "x", WHERE, budget=20.0)
    assert out.error is None and out.verified and out.kind == kind, out.error
    assert out.result is not None
    return np.asarray(evaluate(tree(out.result), VALUES))


def _gradient(f: Callable[[np.ndarray], float]) -> np.ndarray:
    return central_gradient(f, X)


def test_a_quadratic_form_in_the_diagonal_of_a_gram_matrix() -> None:
    d = np.diag(np.diag(V @ V.T))
    want = _gradient(lambda x: float((x.T @ d @ x)[0, 0]))
    got = _answer(r"x^\top \operatorname{diag}(V V^\top)\, x", "gradient")
    assert got.shape == (N, 1) and np.allclose(got, want, rtol=1e-5)


def test_the_diagonal_of_a_square_matrix_scales_the_rows_after_it() -> None:
    d = np.diag(np.diag(C))
    want = _gradient(lambda x: float(np.sum((d @ A @ x) ** 2)))
    got = _answer(r"\|\operatorname{diag}(C) A x\|^2", "gradient")
    assert np.allclose(got, want, rtol=1e-5)


def test_with_nothing_after_it_the_diagonal_stays_a_vector() -> None:
    got = _answer(r"b^\top x \operatorname{diag}(C)", "jacobian")  # x ↦ (bᵀx) diag(C) ∈ ℝᵐ
    assert np.allclose(got, np.diag(C).reshape(M, 1) @ B.T)
