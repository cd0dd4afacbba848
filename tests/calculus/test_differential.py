r"""The differentiation rules (:mod:`texgrad.calculus.differential`): each one verified
numerically, and work bounded by the budget."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex


def test_work_is_bounded_by_the_budget() -> None:
    out = diff_latex(
        r"\operatorname{tr}(X^{60})", "X", r"X \in \mathbb{R}^{n \times n}", budget=0.0
    )
    assert out.error is not None and "budget" in out.error


# One expression per differentiation rule; the engine's verification is numerical (central
# differences at random points with distinct dimension sizes), so `verified` is the test.
V = r"x, y \in \mathbb{R}^n; A, B \in \mathbb{R}^{n \times n}; X, Y \in \mathbb{R}^{n \times n}"


RULES = [
    ("sum and scalar multiple", r"3 x^\top y - 2 \mathbf{1}^\top x", "x"),
    ("matrix product", r"y^\top A B x", "x"),
    ("transpose", r"\operatorname{tr}(X^\top A)", "X"),
    ("inverse", r"y^\top X^{-1} x", "X"),
    ("inverse transpose", r"y^\top X^{-T} x", "X"),
    ("trace", r"\operatorname{tr}(A X B)", "X"),
    ("determinant", r"\det(X)", "X"),
    ("log det", r"\log\det(X^\top X)", "X"),
    ("ln |det|", r"\ln|\det X|", "X"),
    ("integer matrix power", r"\operatorname{tr}(X^3)", "X"),
    ("negative matrix power", r"\operatorname{tr}(X^{-2})", "X"),
    ("rational power under a trace", r"\operatorname{tr}((X^\top X)^{1/2})", "X"),
    ("scalar power", r"(x^\top y)^3", "x"),
    ("quotient", r"\frac{x^\top A x}{x^\top x}", "x"),
    ("inner product", r"\langle X, A \rangle", "X"),
    ("quadratic form", r"x^\top A x", "x"),
    ("2-norm", r"\|x - y\|_2", "x"),
    ("squared 2-norm", r"\|A x - y\|_2^2", "x"),
    ("Frobenius norm", r"\|X\|_F", "X"),
    ("1-norm", r"\|x\|_1", "x"),
    ("Hadamard product", r"\mathbf{1}^\top (x \odot y \odot x)", "x"),
    ("Hadamard division", r"\mathbf{1}^\top (y \oslash \exp(x))", "x"),
    ("Hadamard power", r"\mathbf{1}^\top x^{\circ 3}", "x"),
    ("Kronecker product", r"X \otimes A", "X"),
    ("diag of a vector", r"\operatorname{tr}(A \operatorname{diag}(x))", "x"),
    ("diag of a matrix", r"y^\top \operatorname{diag}(X)", "X"),
    ("exp", r"\mathbf{1}^\top \exp(A x)", "x"),
    ("log", r"\mathbf{1}^\top \log(\exp(x) + \mathbf{1})", "x"),
    ("sin, cos", r"\mathbf{1}^\top (\sin(x) \odot \cos(y))", "x"),
    ("tanh", r"\tanh(A x)", "x"),
    ("sigma", r"\sigma(A x)", "x"),
    ("relu", r"\operatorname{relu}(A x)", "x"),
    ("max(0, x)", r"\mathbf{1}^\top \max(0, A x)", "x"),
    ("abs", r"\mathbf{1}^\top |A x|", "x"),
    ("sqrt", r"\mathbf{1}^\top \sqrt{\exp(x)}", "x"),
    ("softplus", r"\mathbf{1}^\top \operatorname{softplus}(A x)", "x"),
    ("softmax", r"\operatorname{softmax}(A x)", "x"),
    ("log-sum-exp", r"\log \sum_{i=1}^n \exp(x_i)", "x"),
    ("tr exp", r"\operatorname{tr}(e^{X})", "X"),
    ("tr log", r"\operatorname{tr}(\log(X^\top X))", "X"),
    ("tr sin, tr cos", r"\operatorname{tr}(\sin X) + \operatorname{tr}(\cos X)", "X"),
    ("matrix exponential", r"e^{X}", "X"),
    ("sum over entries", r"\sum_{i=1}^n (x_i - 1)^2", "x"),
]


@pytest.mark.parametrize(("rule", "expr", "wrt"), RULES, ids=[r[0] for r in RULES])
def test_every_rule_is_verified_numerically(rule: str, expr: str, wrt: str) -> None:
    out = diff_latex(expr, wrt, V)
    assert out.error is None, f"{rule}: {out.error}"
    assert out.verified, f"{rule}: {out.note}"
