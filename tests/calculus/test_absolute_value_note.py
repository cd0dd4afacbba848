r"""An absolute value of the variable (``|a^\top x|``, ``\|\alpha\|_1``): the gradient holds
where no entry under it is zero, and the outcome says so in the document's own symbols.

Results are evaluated at random points (n = 4, m = 3: distinct sizes) and compared with
central differences of the function written in NumPy.
"""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

RNG = np.random.default_rng(26)
D = RNG.standard_normal((3, 4))
X = RNG.standard_normal(3)
ALPHA = RNG.standard_normal(4)
LAM = 0.7
WHERE = (
    r"D \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^m; "
    r"\boldsymbol\alpha \in \mathbb{R}^n; \lambda > 0"
)


def _lasso(a: np.ndarray) -> float:
    return float(0.5 * np.sum((X - D @ a) ** 2) + LAM * np.sum(np.abs(a)))


def test_the_lasso_gradient_says_where_it_holds() -> None:
    out = diff_latex(
        r"\frac{1}{2}\|\mathbf{x} - D\boldsymbol\alpha\|^2 + \lambda\|\boldsymbol\alpha\|_1",
        r"\boldsymbol\alpha",
        WHERE,
    )
    assert out.verified, out.error or out.note
    assert "no entry of `\\boldsymbol\\alpha` is zero" in out.note
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    at = {"D": D, "x": X[:, None], "\\alpha": ALPHA[:, None], "\\lambda": np.array([[LAM]])}
    got = np.asarray(evaluate(tree, at), dtype=float).ravel()
    assert np.allclose(got, central_gradient(_lasso, ALPHA), atol=1e-5)


def test_no_note_without_an_absolute_value_of_the_variable() -> None:
    out = diff_latex(
        r"\frac{1}{2}\|\mathbf{x} - D\boldsymbol\alpha\|^2 + \|\mathbf{x}\|_1",
        r"\boldsymbol\alpha",
        WHERE,
    )
    assert out.verified, out.error or out.note
    assert "absolute value" not in out.note
