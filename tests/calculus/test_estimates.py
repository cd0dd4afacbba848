r"""An estimate nothing declares nor defines, ``\hat{\boldsymbol\beta}`` of a declared β, has
its letter's shape and is a variable of its own (as the shape checker reads estimates:
shapes/rules/symbols.py ``_inherited``): the profile log-likelihood of σ² with the residual
``\mathbf r = \mathbf y - X\hat{\boldsymbol\beta}`` is differentiated (exam-gls-ridge-30:45)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document

DECLARED = (
    "Let $X \\in \\mathbb{R}^{n \\times p}$, $\\mathbf y \\in \\mathbb{R}^n$ and "
    "$\\boldsymbol\\beta \\in \\mathbb{R}^p$. With LETTER fixed, let "
    "$\\mathbf r = \\mathbf y - X LETTER$.\n\n"
)


def test_a_fitted_coefficient_vector_has_its_letters_shape() -> None:
    text = DECLARED.replace("LETTER", "\\hat{\\boldsymbol\\beta}") + (
        "$\\ell(\\sigma^2) = -\\frac{n}{2}\\log\\sigma^2 - "
        "\\frac{\\mathbf r^\\top\\mathbf r}{2\\sigma^2}$\n"
    )
    out = diff_in_document("doc.md", 3, "\\sigma^2", text=text, budget=60.0)
    assert out.error is None and out.verified
    assert out.result == "\\frac{\\|\\mathbf r\\|_2^2}{2 \\sigma^4} - \\frac{n}{2 \\sigma^2}"
    rr, n = 7.5, 5
    numeric = central_gradient(lambda s: -n / 2 * np.log(s[0]) - rr / (2 * s[0]), np.array([1.3]))
    assert np.allclose(numeric[0], rr / (2 * 1.3**2) - n / (2 * 1.3), atol=1e-6)


@pytest.mark.parametrize("letter", ["\\hat{\\mathbf b}", "\\tilde{\\boldsymbol\\beta}"])
def test_an_estimate_of_another_vector_stays_unknown(letter: str) -> None:
    # \hat b of a vector may be a skew-symmetric matrix or a prediction; \tilde: another letter
    text = DECLARED.replace("\\boldsymbol\\beta \\in", "\\mathbf b \\in").replace(
        "LETTER", letter
    ) + ("$\\ell(\\sigma^2) = -\\frac{\\mathbf r^\\top\\mathbf r}{2\\sigma^2}$\n")
    out = diff_in_document("doc.md", 3, "\\sigma^2", text=text, budget=60.0)
    assert out.error is not None and "is unknown" in out.error
