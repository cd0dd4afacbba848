r"""Session r2written's round (tests/documents/*-31) and the rules it changed, each on a
short text of its own:

- a matrix the document defines as the inverse (or an integer power) of one stated
  symmetric is symmetric (``shapes.properties._symmetric_by_form``): "$P = \Sigma^{-1}$" of a
  covariance Σ is a symmetric precision;
- a derivative by such a defined name (``written_derivatives._intermediate``) keeps what its
  value or the prose in force says of it ("$P = \Sigma^{-1}$ (with $P$ symmetric positive
  definite as well)"): ∂ log det P/∂P = P⁻¹ was flagged as needing P⁻ᵀ in a document that
  states the denominator layout;
- "$M = X^\top X \in \mathbb{R}^{k\times k}$" (a form, then a set) and, in a document that
  transposes with primes, "$C = Z'Z$" are Gram forms (``shapes.properties._stated_by_row``):
  b'Mb had the gradient (M + M')b only, and 2Mb was flagged.
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


# a Gram matrix defined and declared in one formula, and one written with primes in a document
# that transposes with primes: symmetric, so x'Mx has the gradient 2Mx
GRAM_IN = r"""Let $X \in \mathbb{R}^{n \times k}$, $\mathbf b \in \mathbb{R}^k$ and $M = X^\top X \in \mathbb{R}^{k\times k}$.

Then $\frac{\partial}{\partial \mathbf b}\, \mathbf b^\top M\mathbf b = 2M\mathbf b$.
"""

GRAM_PRIMES = r"""Let $Z \in \mathbb{R}^{m \times n}$, $\mathbf y \in \mathbb{R}^m$, $\beta \in \mathbb{R}^n$, $C \in \mathbb{R}^{n\times n}$ with $C = Z'Z$, and $\hat\beta = (Z'Z)^{-1}Z'\mathbf y$.

Then $\frac{\partial}{\partial \beta}\,\beta' C\beta = 2C\beta$.

But $\frac{\partial}{\partial \beta}\,\beta' C\beta = C\beta$ misses a factor 2.
"""


def test_a_gram_form_defined_and_declared_in_one_formula_is_symmetric() -> None:
    lines, tally = found_lines(GRAM_IN)
    assert lines == []
    assert tally.verified == 1


def test_a_gram_form_with_primes_is_symmetric_where_primes_transpose() -> None:
    lines, tally = found_lines(GRAM_PRIMES)
    assert lines == [5]
    assert tally.verified == 1
