r"""``\operatorname{diag}`` of a square matrix before a factor of its rows is the diagonal
matrix, for the differentiation as for the shape checker: ``\mathbf x^\top
\operatorname{diag}(VV^\top)\mathbf x`` (a factorization machine's self-interactions) is a
quadratic form, ``\operatorname{diag}(C)A\mathbf x`` scales rows; nothing after it, it is the
vector of the diagonal.  Each answer evaluated against central differences, every dimension
a different size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient, tree
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.shapes.check import Checker

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


def _document_answer(
    tmp_path: Path, line: int, wrt: str, values: dict[str, np.ndarray]
) -> tuple[str, np.ndarray]:
    doc = tmp_path / "notes.md"
    doc.write_text(
        r"Let $S \in \mathbb{R}^{m \times m}$, $x \in \mathbb{R}^m$ and "
        r"$D = \operatorname{diag}(S) \in \mathbb{R}^{m \times m}$."
        "\n\n$$ f = x^\\top D x $$\n\nLet $d = \\operatorname{diag}(S)$.\n\n$$ g = x^\\top d $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, line, wrt, budget=20.0)
    assert out.error is None and out.verified, out.error
    assert out.result is not None
    return out.kind or "", np.asarray(evaluate(tree(out.result), values))


def test_a_diagonal_declared_square_is_the_diagonal_matrix_for_diff_as_for_check(
    tmp_path: Path,
) -> None:
    r"""``D = \operatorname{diag}(S) \in \mathbb{R}^{m \times m}``: the check reads D as the
    m×m diagonal matrix (its declaration says so); diff read the vector of S's diagonal
    (``x^\top D x`` then a vector). Both now read the matrix."""
    s, x = RNG.standard_normal((M, M)), RNG.standard_normal((M, 1))
    values = {"S": s, "x": x, "D": np.diag(np.diag(s))}
    kind, got = _document_answer(tmp_path, 3, "x", values)
    want = central_gradient(lambda v: float((v.T @ np.diag(np.diag(s)) @ v)[0, 0]), x)
    assert kind == "gradient" and got.shape == (M, 1) and np.allclose(got, want, rtol=1e-5)
    kind, got = _document_answer(tmp_path, 3, "S", values)
    want = central_gradient(lambda v: float((x.T @ np.diag(np.diag(v)) @ x)[0, 0]), s)
    assert kind == "gradient" and got.shape == (M, M) and np.allclose(got, want, rtol=1e-5)
    # d = diag(S), declared nowhere: the vector of the diagonal, as the check reads it
    kind, got = _document_answer(tmp_path, 7, "x", {**values, "d": np.diag(s).reshape(M, 1)})
    assert kind == "gradient" and np.allclose(got, np.diag(s).reshape(M, 1))
    # and the check finds nothing wrong in it (f a scalar: D the m×m matrix)
    result = Checker().check(str(tmp_path / "notes.md"))
    assert [d.code for d in result.diagnostics] == []
