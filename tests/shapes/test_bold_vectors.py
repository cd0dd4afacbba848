r"""A bold lower-case letter nobody declares is a column vector (the convention of texts that
write ``\mathbf{x}`` for vectors and ``\mathbf{X}`` for matrices): beside a known factor it
takes the size that makes the product agree, so a slip elsewhere in the row is found
(``2X(X\boldsymbol\beta - \mathbf y)`` with X n×p). Each product reads it on its own (two
uses that would size it differently are each taken as right: a miss, never a false alarm), and
it gives way to what the document says of the letter (a declaration in any font, a
definition, a system it solves)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

RIDGE = r"""
%! ridge.md
Let $X \in \mathbb{R}^{n \times p}$ be the design matrix, $\mathbf y \in \mathbb{R}^n$ the
response and $\lambda > 0$. The ridge objective is
$J = \|\mathbf y - X\boldsymbol\beta\|_2^2 + \lambda \|\boldsymbol\beta\|_2^2$.

USE
"""


@pytest.mark.parametrize(
    ("use", "codes"),
    [
        # the slip: X (n×p) times an n-vector, whatever β is, as long as it is a vector
        (
            r"Its gradient is not $2 X (X\boldsymbol\beta - \mathbf y) + 2\lambda\boldsymbol\beta$.",
            [(5, "matmul-mismatch")],
        ),
        (
            r"Its gradient is $2 X^\top (X\boldsymbol\beta - \mathbf y) + 2\lambda\boldsymbol\beta$.",
            [],
        ),
        # a row vector: β^T before X^T (p×n)
        (r"The fit is $\boldsymbol\beta^\top X^\top \mathbf y$.", []),
        (r"The residual is not $\boldsymbol\beta^\top X^\top - \mathbf y$.", [(5, "add-mismatch")]),
        # the letter's own uses are never wrong by this reading: β^T X takes β ∈ ℝⁿ here
        (r"And $\boldsymbol\beta^\top X$ is a row.", []),
    ],
)
def test_an_undeclared_bold_letter_is_a_vector(
    use: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(RIDGE.replace("USE", use), tmp_path) == codes


def test_a_plain_declaration_of_the_letter_decides(tmp_path: Path) -> None:
    # β declared as a matrix in its plain font: the bold one is that letter, not a guess
    said = RIDGE.replace(
        "$\\lambda > 0$", "$\\lambda > 0$, $\\beta \\in \\mathbb{R}^{p \\times k}$"
    )
    use = r"Then $X^\top (X\boldsymbol\beta - \mathbf y)$."
    assert codes_by_line(said.replace("USE", use), tmp_path) == []


SOLVED = r"""
%! gp.md
Let $K \in \mathbb{R}^{n \times n}$, $W \in \mathbb{R}^{q \times m}$, $\mathbf y \in \mathbb{R}^n$
and $\sigma > 0$. The weights solve $(K + \sigma^2 I)\boldsymbol\alpha = \mathbf y$.

Then $\mathbf f = W\boldsymbol\alpha$ is wrong.
"""


def test_a_system_the_letter_solves_still_defines_it(tmp_path: Path) -> None:
    # α is the n-vector the system defines, not the m-vector W's columns would make it
    assert codes_by_line(SOLVED, tmp_path) == [(4, "matmul-mismatch")]
