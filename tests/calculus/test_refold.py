r"""A name the document defines but the loss does not use, written back into the answer
(``calculus.refold``): the logistic-regression Hessian is ``X^\top S X`` where the page
defines ``S = \operatorname{diag}(\mathbf p \odot (\mathbf 1_n - \mathbf p))`` — before the
loss or in the "where" after the Hessian — and the printing polish seen with it: a ones
vector the document writes with its size (``\mathbf 1_n``) keeps that spelling, and a
scalar sum starts with a positive term (``(\alpha - 1)\mathbf y``, not ``(-1 + \alpha)``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

REPO = Path(__file__).resolve().parents[2]
NOTAS = REPO / "tests/documents/notas-logistica-prosa-pt-29/notas.md"  # S in a "where" after

BEFORE = r"""# Logistic regression by Newton's method

Let $X \in \mathbb{R}^{n \times d}$ be the design matrix, $\mathbf y \in \mathbb{R}^n$ the labels and $\mathbf w \in \mathbb{R}^d$ the weights.
Write $\sigma(t) = 1/(1 + e^{-t})$, $\mathbf p = \sigma(X\mathbf w)$ and $S = \operatorname{diag}(\mathbf p \odot (\mathbf 1 - \mathbf p))$.

The loss is
$$L(\mathbf w) = -\mathbf y^\top \log \mathbf p - (\mathbf 1 - \mathbf y)^\top \log(\mathbf 1 - \mathbf p).$$
"""

BLAMED = r"""# Logistic regression

Let $X \in \mathbb{R}^{n \times d}$, $\mathbf y \in \mathbb{R}^n$ and $\mathbf w \in \mathbb{R}^d$.
Write $\sigma(t) = 1/(1 + e^{-t})$ and $\mathbf p = \sigma(X\mathbf w)$.

$$L(\mathbf w) = -\mathbf y^\top \log \mathbf p - (\mathbf 1 - \mathbf y)^\top \log(\mathbf 1 - \mathbf p).$$

A common mistake: $S = \operatorname{diag}(\mathbf p \odot (\mathbf 1 - \mathbf p))$ taken as the Hessian.
Its Hessian is $X^\top D X$ with $D = \operatorname{diag}(\mathbf p \odot (\mathbf 1 - \mathbf p))$.
"""


def _tree(latex: str):  # type: ignore[no-untyped-def]
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return row.tree


def _line(text: str, start: str) -> int:
    return next(i for i, s in enumerate(text.split("\n"), 1) if s.startswith(start))


def _loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    p = 1 / (1 + np.exp(-X @ w))
    return float(-(y.T @ np.log(p) + (1 - y).T @ np.log(1 - p))[0, 0])


def _numeric_hessian(X: np.ndarray, y: np.ndarray, w: np.ndarray, h: float = 1e-4) -> np.ndarray:
    d = w.shape[0]
    H = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            ei, ej = np.zeros_like(w), np.zeros_like(w)
            ei[i], ej[j] = h, h
            H[i, j] = (
                _loss(X, y, w + ei + ej) - _loss(X, y, w + ei - ej)
                - _loss(X, y, w - ei + ej) + _loss(X, y, w - ei - ej)
            ) / (4 * h * h)  # fmt: skip
    return H


def _check_x_s_x(result: str) -> None:
    """``result``, evaluated with S from its definition, is the loss's Hessian (n = 5, d = 3)."""
    rng = np.random.default_rng(3)
    X, w = rng.standard_normal((5, 3)), 0.5 * rng.standard_normal((3, 1))
    y = (rng.random((5, 1)) < 0.5).astype(float)
    p = 1 / (1 + np.exp(-X @ w))
    S = np.diagflat(p * (1 - p))
    got = evaluate(_tree(result), {"X": X, "S": S})
    assert np.allclose(got, _numeric_hessian(X, y, w), atol=1e-5)


def test_the_hessian_is_written_with_the_s_defined_after_it() -> None:
    out = diff_in_document(NOTAS, 9, r"\boldsymbol\theta", budget=60.0, hessian=True)
    assert out.error is None and out.verified and out.kind == "hessian", out.error
    assert out.result == "X^\\top S X"
    assert "not read back" not in out.note  # (S read back by its definition)
    assert out.steps[-1].startswith("= X^\\top S X")
    _check_x_s_x(out.result)


def test_the_hessian_is_written_with_the_s_defined_before_the_loss(tmp_path: Path) -> None:
    doc = tmp_path / "newton.md"
    doc.write_text(BEFORE, encoding="utf-8")
    out = diff_in_document(doc, _line(BEFORE, "$$L("), r"\mathbf w", budget=60.0, hessian=True)
    assert out.error is None and out.verified, out.error
    assert out.result == "X^\\top S X"
    _check_x_s_x(out.result)


def test_a_definition_the_prose_calls_a_mistake_is_passed_over(tmp_path: Path) -> None:
    doc = tmp_path / "blamed.md"
    doc.write_text(BLAMED, encoding="utf-8")
    out = diff_in_document(doc, _line(BLAMED, "$$L("), r"\mathbf w", budget=60.0, hessian=True)
    assert out.error is None and out.verified, out.error
    assert out.result == "X^\\top D X"  # (not the S of the line that calls it a mistake)


def test_a_parametrisation_by_the_variable_alone_is_not_folded(tmp_path: Path) -> None:
    text = (
        "Let $\\Sigma \\in \\mathbb{R}^{p \\times p}$ be symmetric positive definite, "
        "$\\mathbf x \\in \\mathbb{R}^p$, and write $\\Lambda = \\Sigma^{-1}$.\n\n"
        "$$f(\\Sigma) = \\log\\det\\Sigma + \\mathbf x^\\top\\Sigma^{-1}\\mathbf x$$\n"
    )
    doc = tmp_path / "precision.md"
    doc.write_text(text, encoding="utf-8")
    out = diff_in_document(doc, _line(text, "$$f("), r"\Sigma", budget=60.0)
    assert out.error is None and out.verified, out.error
    assert "\\Lambda" not in out.result and "\\Sigma^{-1}" in out.result


def test_a_ones_vector_keeps_its_written_size() -> None:
    out = diff_in_document(NOTAS, 9, r"\boldsymbol\theta", budget=60.0, hessian=True)
    assert "\\mathbf 1_n - \\mathbf p" in out.steps[-1]  # as notas.md:15 writes it


def test_a_scalar_sum_starts_with_its_positive_term() -> None:
    out = diff_latex(
        r"\frac{\alpha}{2}\mathbf y^\top\mathbf y - \frac12\mathbf y^\top\mathbf y + \mathbf y^\top\mathbf b",
        r"\mathbf y",
        r"\mathbf y \in \mathbb R^n; \mathbf b \in \mathbb R^n; \alpha \in \mathbb R",
        budget=60.0,
    )
    assert out.verified and out.result == "(\\alpha - 1) \\mathbf y + \\mathbf b"
    rng = np.random.default_rng(5)
    y, b = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    got = evaluate(_tree(out.result), {"y": y, "b": b, "\\alpha": np.array([[0.3]])})
    assert np.allclose(got, -0.7 * y + b)


def test_a_known_symmetric_covariance_is_symmetric(tmp_path: Path) -> None:
    """ "a known symmetric positive definite covariance $\\Gamma$" (tex-tikhonov-inverse-30):
    Γ is symmetric, so the weighted misfit's gradient is ``A^\\top\\Gamma^{-1}(A\\mathbf x -
    \\mathbf b)``, not the general ``\\frac12 A^\\top(\\Gamma^{-1} + \\Gamma^{-\\top})(…)``."""
    from texgrad.shapes.check import Checker
    from texgrad.shapes.properties import stated_properties

    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf b \\in \\mathbb{R}^m$ and "
        "$\\mathbf x \\in \\mathbb{R}^n$. The noise has a known symmetric positive definite "
        "covariance $\\Gamma \\in \\mathbb{R}^{m \\times m}$.\n\n"
        "$$f(\\mathbf x) = \\frac{1}{2}(A\\mathbf x - \\mathbf b)^\\top\\Gamma^{-1}(A\\mathbf x - \\mathbf b)$$\n"
    )
    result = Checker().check("doc.md", text=text)
    rows = [r for r in result.rows if r.path == result.path]
    assert {(s.key, s.positive_definite) for s in stated_properties(text, rows)} == {
        ("\\Gamma", True)
    }
    doc = tmp_path / "misfit.md"
    doc.write_text(text, encoding="utf-8")
    out = diff_in_document(doc, _line(text, "$$f("), r"\mathbf x", budget=60.0)
    assert out.verified and out.result == "A^\\top \\Gamma^{-1} (A \\mathbf x - \\mathbf b)"
    rng = np.random.default_rng(8)
    a, b, x = rng.standard_normal((4, 3)), rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    m = rng.standard_normal((4, 4))
    g = m @ m.T + 4 * np.eye(4)
    got = evaluate(_tree(out.result), {"A": a, "b": b, "x": x, "\\Gamma": g})
    assert np.allclose(got, a.T @ np.linalg.solve(g, a @ x - b))


def test_a_variance_written_squared_is_a_variable() -> None:
    r"""``\partial\ell/\partial\sigma^2`` (exam-gls-ridge-30, mdbook-gp-evidence-30): by the
    variance, σ² a positive number of its own, printed back as σ², σ⁴."""
    out = diff_latex(
        r"-\frac{n}{2}\log\sigma^2 - \frac{\mathbf{r}^\top\mathbf{r}}{2\sigma^2}",
        r"\sigma^2",
        r"\mathbf r \in \mathbb R^n",
        budget=60.0,
    )
    assert out.error is None and out.verified, out.error
    assert out.result == r"\frac{\|\mathbf{r}\|_2^2}{2 \sigma^4} - \frac{n}{2 \sigma^2}"
    r, v = np.array([[1.0], [2.0], [-0.5]]), 0.7  # n = 3, σ² = 0.7

    def ell(v: float) -> float:
        return float(-1.5 * np.log(v) - (r.T @ r)[0, 0] / (2 * v))

    want = (ell(v + 1e-6) - ell(v - 1e-6)) / 2e-6
    got = evaluate(
        _tree(out.result), {"r": r, "n": np.array([[3.0]]), "\\sigma": np.array([[v**0.5]])}
    )
    assert np.allclose(got, want, rtol=1e-6)


def test_a_variance_whose_letter_is_written_alone_is_refused() -> None:
    out = diff_latex(r"\log\sigma^2 + \sigma", r"\sigma^2", r"\sigma \in \mathbb R", budget=60.0)
    assert not out.verified and out.error is not None and "only squared" in out.error
