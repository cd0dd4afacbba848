r"""Results read off the differential (:mod:`texgrad.calculus.readout`): the derivative by a
scalar, the vec form of a matrix-valued function."""

from __future__ import annotations

from texgrad.calculus.api import diff_latex


def test_derivative_with_respect_to_a_scalar() -> None:
    out = diff_latex(
        r"\operatorname{tr}(A + tB)^2", "t", r"A, B \in \mathbb{R}^{n \times n}; t \in \mathbb{R}"
    )
    assert out.kind == "derivative" and out.verified, out.note


def test_matrix_valued_gives_the_differential_and_vec_form() -> None:
    out = diff_latex(r"X^{-1}", "X", r"X \in \mathbb{R}^{n \times n}")
    assert out.kind == "matrix" and out.verified
    assert out.result == r"-X^{-1} \mathrm{d}X X^{-1}"
    assert any(r"\otimes" in s and r"\operatorname{vec}" in s for s in out.steps)
