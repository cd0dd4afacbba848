r"""Session r2written's round (tests/documents/*-31) and the rules it changed, each on a
short text of its own:

- a matrix the document defines as the inverse (or an integer power) of one stated
  symmetric is symmetric (``shapes.properties._symmetric_by_form``): "$P = \Sigma^{-1}$" of a
  covariance Σ is a symmetric precision;
- a derivative by such a defined name (``written_derivatives._intermediate``) keeps what its
  value or the prose in force says of it ("$P = \Sigma^{-1}$ (with $P$ symmetric positive
  definite as well)"): ∂ log det P/∂P = P⁻¹ was flagged as needing P⁻ᵀ in a document that
  states the denominator layout.
"""

from __future__ import annotations

from tests.calculus.written_check import found_lines

LAYOUT = "Gradients with respect to a matrix have the shape of that matrix.\n"

BY_FORM = (
    LAYOUT
    + r"""Let $\Sigma \in \mathbb{R}^{m \times m}$ be symmetric positive definite and $P = \Sigma^{-1}$.

The right result is $\frac{\partial}{\partial P}\log\det P = P^{-1}$.

And $\frac{\partial}{\partial P}\operatorname{tr}(P^2) = 2P$.
"""
)

STATED = (
    LAYOUT
    + r"""Let $\Sigma \in \mathbb{R}^{m \times m}$ and take its inverse $P = \Sigma^{-1}$ (with $P$
symmetric positive definite as well).

The right result is $\frac{\partial}{\partial P}\log\det P = P^{-1}$.
"""
)

GENERAL = (
    LAYOUT
    + r"""Let $A \in \mathbb{R}^{m \times m}$ be invertible and $P = A^{-1}$.

Then $\frac{\partial}{\partial P}\log\det P = P^{-1}$.

And $\frac{\partial}{\partial P}\operatorname{tr}(P^2) = 2P$.
"""
)


def test_the_inverse_of_a_symmetric_matrix_is_symmetric() -> None:
    lines, tally = found_lines(BY_FORM)
    assert lines == []
    assert tally.verified == 2


def test_what_the_prose_says_of_a_defined_name_holds_for_its_derivative() -> None:
    lines, tally = found_lines(STATED)
    assert lines == []
    assert tally.verified == 1


def test_the_inverse_of_a_general_matrix_stays_general() -> None:
    # the same claims of a P defined through a general A: both need a transpose
    lines, _ = found_lines(GENERAL)
    assert lines == [4, 6]
