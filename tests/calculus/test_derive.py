r"""The pipeline for one variable (:mod:`texgrad.calculus.derive`): each kind of result, and
what cannot be done said so."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex


def test_jacobian_layouts() -> None:
    where = r"W \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n"
    num = diff_latex(r"\sigma(Wx)", "x", where)
    den = diff_latex(r"\sigma(Wx)", "x", where, layout="denominator")
    assert num.kind == den.kind == "jacobian"
    assert num.verified and den.verified
    assert num.shape == "ℝ^{m×n}" and den.shape == "ℝ^{n×m}"
    assert (num.layout, den.layout) == ("numerator", "denominator")


def test_hessian_of_a_quadratic() -> None:
    out = diff_latex(
        r"x^\top A x", "x", r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n", hessian=True
    )
    assert out.kind == "hessian" and out.verified
    assert out.result == r"A + A^\top"


@pytest.mark.parametrize(
    ("expr", "where", "message"),
    [
        (r"\foo(x)", r"x \in \mathbb{R}^n", "cannot differentiate"),
        (r"y^\top x", r"x \in \mathbb{R}^n", "the shape of `y` is unknown"),
        (r"\int_0^1 x", r"x \in \mathbb{R}^n", r"`\int` (an integral) is not supported"),
        (r"x_i^2", r"x \in \mathbb{R}^n", "entry"),
        (r"\|X\|_2", r"X \in \mathbb{R}^{m \times n}", "spectral"),
        (r"\|x\|_\infty", r"x \in \mathbb{R}^n", "cannot differentiate the norm"),
        (r"\operatorname{tr}(A X^k)", r"A, X \in \mathbb{R}^{n \times n}", "symbolic order"),
        # block matrices: refused, never read wrongly
        (
            r"\left\| \begin{bmatrix} A & B \\ 0 & I \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix} \right\|^2",
            r"A \in \mathbb{R}^{n \times n}; B \in \mathbb{R}^{n \times m}; x \in \mathbb{R}^n; u \in \mathbb{R}^m",
            "block matrices",
        ),
        (
            r"\det \begin{pmatrix} x_1 & 0 \\ 0 & 1 \end{pmatrix}",
            r"x \in \mathbb{R}^n",
            "matrix written out",
        ),
    ],
)
def test_what_cannot_be_done_says_so(expr: str, where: str, message: str) -> None:
    wrt = "X" if "X" in where else "x"
    out = diff_latex(expr, wrt, where)
    assert out.error is not None and message in out.error, out.error
    assert not out.verified
