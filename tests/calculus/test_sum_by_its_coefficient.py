r"""A loss ``\frac{N}{2}\ln\beta - \frac{\beta}{2}\sum_{n=1}^N (t_n - \mathbf w^\top\boldsymbol\phi_n)^2``
by the precision β (PRML's Gaussian likelihood): the minus before the sum is not moved into a
squared difference (``-(a - b)^2`` is not ``(b - a)^2``), PRML's braces ``\{…\}^2`` are
brackets, a coefficient whose derivative is 1 leaves the sum alone, and a bound that sizes a
declared vector (``\mathbf t \in \mathbb R^N``) is that size.  Each result verified by central
differences of the sum (the engine's check), and written as a textbook does."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.samples import _difference_flipped

SETUP = (
    "Features $\\boldsymbol\\phi_n \\in \\mathbb{R}^{M}$ with targets $t_n \\in \\mathbb{R}$, "
    "$n = 1, \\dots, N$, collected in $\\mathbf{t} \\in \\mathbb{R}^{N}$; weights "
    "$\\mathbf{w} \\in \\mathbb{R}^{M}$ and a precision $\\beta > 0$.\n"
)
SQUARE = r"(t_n - \mathbf{w}^\top\boldsymbol\phi_n)^2"


@pytest.mark.parametrize(
    ("row", "want"),
    [
        (
            r"\ell = \frac{N}{2}\ln\beta - \frac{N}{2}\ln(2\pi) - \frac{\beta}{2}\sum_{n=1}^{N} "
            + SQUARE,
            r"\frac{N}{2 \beta} - \frac{1}{2} \sum_{n=1}^{N} " + SQUARE,
        ),
        (
            r"\ell = \frac{N}{2}\ln\beta - \frac{\beta}{2}\sum_{n=1}^{N} \{t_n - \mathbf{w}^\top\boldsymbol\phi_n\}^2",
            r"\frac{N}{2 \beta} - \frac{1}{2} \sum_{n=1}^{N} \{t_n - \mathbf{w}^\top\boldsymbol\phi_n\}^2",
        ),
        (
            r"\ell = N\ln\beta - \beta\sum_{n=1}^{N} " + SQUARE,
            r"\frac{N}{\beta} - \sum_{n=1}^{N} " + SQUARE,
        ),
    ],
)
def test_a_likelihood_by_its_precision(tmp_path: Path, row: str, want: str) -> None:
    doc = tmp_path / "prml.md"
    doc.write_text(SETUP + "$$" + row + "$$\n", encoding="utf-8")
    out = diff_in_document(doc, 2, r"\beta", budget=60)
    assert out.error is None and out.verified, out.error
    assert out.result == want


def test_a_difference_is_flipped_only_where_the_summand_is_linear_in_it() -> None:
    assert _difference_flipped(r"\frac{1}{2} \sum_{n=1}^{N} (t_n - y_n)^2") is None
    assert _difference_flipped(r"\sum_{n=1}^{N} (t_n - y_n)^{3}") is None
    assert (
        _difference_flipped(r"\sum_{n=1}^{N} (t_n - y_n) x_n") == r"\sum_{n=1}^{N} (y_n - t_n) x_n"
    )
    flipped = _difference_flipped(r"\sum_{n=1}^{N} (t_n - y_n)^\top x_n")
    assert flipped == r"\sum_{n=1}^{N} (y_n - t_n)^\top x_n"
