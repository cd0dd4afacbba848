r"""Quotients of exponentials written as the hyperbolic tangent (:mod:`texgrad.calculus.hyperbolic`):
the derivative of ``\log(e^u + e^{-u})`` is ``\tanh(u)``, entrywise too; nothing else folds."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex

WHERE = r"t \in \mathbb{R}; s \in \mathbb{R}; w \in \mathbb{R}^d; x \in \mathbb{R}^d; y \in \mathbb{R}^N; X \in \mathbb{R}^{N \times d}"


@pytest.mark.parametrize(
    ("expr", "wrt", "want"),
    [
        (r"\log(e^{t} + e^{-t})", "t", r"\tanh(t)"),
        (r"\log(e^{w^\top x} + e^{-w^\top x})", "w", r"\tanh(w^\top x) x"),
        (r"\mathbf{1}^\top\log(\exp(X w - y) + \exp(y - X w))", "w", r"X^\top \tanh(X w - y)"),
    ],
)
def test_the_quotient_of_opposite_exponentials_is_tanh(expr: str, wrt: str, want: str) -> None:
    out = diff_latex(expr, wrt, WHERE)
    assert out.error is None and out.verified, out.error
    assert out.result == want


def test_exponentials_that_are_not_opposite_stay_a_quotient() -> None:
    out = diff_latex(r"\log(e^{t} + e^{s})", "t", WHERE)
    assert out.verified
    assert "tanh" not in out.result and r"\frac" in out.result
