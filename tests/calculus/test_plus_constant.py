r"""``\ell(\boldsymbol\beta) = -\frac12 r^\top V^{-1} r + \text{const}``: "plus a constant", as
likelihoods are written, is a constant no derivative sees — the loss is differentiated and
a written gradient checked (was "cannot differentiate `\text{const}`: a function texgrad does
not know")."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker

DOC = (
    "Let $X \\in \\mathbb{R}^{n \\times p}$, $\\mathbf y \\in \\mathbb{R}^n$, "
    "$\\boldsymbol\\beta \\in \\mathbb{R}^p$ and $V \\in \\mathbb{R}^{n \\times n}$ symmetric.\n\n"
    "$$\\ell(\\boldsymbol\\beta) = -\\frac12 (\\mathbf{y} - X\\boldsymbol\\beta)^\\top V^{-1} "
    "(\\mathbf{y} - X\\boldsymbol\\beta) + CONST$$\n\n"
    "$$\\nabla_{\\boldsymbol\\beta}\\,\\ell = CLAIM$$\n"
)
RIGHT = "X^\\top V^{-1}(\\mathbf{y} - X\\boldsymbol\\beta)"


CONSTANTS = [
    "\\text{const}",
    "\\text{const.}",
    "\\text{constant}",
    "\\mathrm{const}",
    "\\mathrm{const.}",
    "\\mathrm{cst}",
    "c",
    "C",
]  # fmt: skip  (\mathrm{const} is read as a function's name, \mathrm{const.} as letters)


@pytest.mark.parametrize("const", CONSTANTS)
def test_a_loss_plus_a_constant_is_differentiated(const: str) -> None:
    out = diff_in_document("doc.md", 3, "\\boldsymbol\\beta", text=DOC.replace("CONST", const))
    assert out.error is None and out.verified, out.error
    assert out.result == "X^\\top V^{-1} (\\mathbf{y} - X \\boldsymbol\\beta)"
    rng = np.random.default_rng(1)
    x, y, b = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal(3)
    a = rng.standard_normal((5, 5))
    v = a @ a.T + 5 * np.eye(5)
    loss = lambda w: -0.5 * (y - x @ w) @ np.linalg.solve(v, y - x @ w) + 7.0  # noqa: E731
    assert np.allclose(central_gradient(loss, b), x.T @ np.linalg.solve(v, y - x @ b), atol=1e-5)


@pytest.mark.parametrize("const", ["\\text{const}", "\\mathrm{const}", "c"])
@pytest.mark.parametrize(("claim", "lines"), [(RIGHT, []), ("2" + RIGHT, [5])])
def test_its_written_gradient_is_checked(const: str, claim: str, lines: list[int]) -> None:
    text = DOC.replace("CONST", const).replace("CLAIM", claim)
    found = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert [text.count("\n", 0, f.start) + 1 for f in found] == lines


@pytest.mark.parametrize(
    ("expr", "said"),
    [
        # a letter the document declares is no constant: its own derivative
        ("c^2 + c", "1 + 2 c"),
        # a constant letter beside a vector has its own shape: unknown, not 0 (K x + c)
        ("K x + \\mathrm{const}", "cannot differentiate `\\mathrm{const}`"),  # (as written)
    ],
)
def test_a_letter_or_a_word_is_a_constant_only_ending_a_sum_of_numbers(
    expr: str, said: str
) -> None:
    from texgrad.calculus.api import diff_latex

    where = "c \\in \\mathbb{R}; K \\in \\mathbb{R}^{n \\times n}; x \\in \\mathbb{R}^n"
    out = diff_latex(expr, "c" if expr.startswith("c") else "x", where, budget=120.0)
    assert said in (out.result if out.error is None else out.error)
