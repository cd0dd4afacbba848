r"""A plain letter said to be a number (``w > 0``, "a weight") beside the same letter declared
in bold as a vector (``\mathbf w \in \mathbb{R}^p``) is a number of its own:
``\frac{w}{2}\|\mathbf w\|^2`` is a scalar, its gradient ``w \mathbf w`` (it was read as the
vector: a p×p Jacobian). Where the letter is declared plain, ``w > 0`` is entrywise and
changes nothing. Each answer evaluated against central differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.problem_numerics import central_gradient, tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.shapes.check import Checker
from texgrad.shapes.dims import SCALAR

P, N = 4, 6
RNG = np.random.default_rng(24)
X, Y, W = RNG.standard_normal((N, P)), RNG.standard_normal((N, 1)), RNG.standard_normal((P, 1))
C = 0.7  # the weight w

TEXT = (
    r"Let $X \in \mathbb{R}^{n \times p}$, $\mathbf y \in \mathbb{R}^n$ and "
    r"$\mathbf w \in \mathbb{R}^p$, with a weight $w > 0$."
    "\n\n"
    r"$$ L = \frac{1}{2}\|\mathbf y - X \mathbf w\|^2 + \frac{w}{2}\|\mathbf w\|^2 $$"
    "\n"
)


def test_the_plain_weight_is_a_number_beside_the_bold_vector(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(TEXT, encoding="utf-8")
    out = diff_in_document(doc, 3, r"\mathbf w", budget=20.0)
    assert out.error is None and out.verified and out.kind == "gradient", out.error
    assert out.result is not None
    got = evaluate(tree(out.result), {"X": X, "y": Y, "w": W, "{w}": np.array([[C]])})

    def loss(w: np.ndarray) -> float:
        return float(0.5 * np.sum((Y - X @ w) ** 2) + C / 2 * np.sum(w**2))

    assert np.allclose(got, central_gradient(loss, W), rtol=1e-5)
    result = Checker().check(str(doc))
    assert [d.code for d in result.diagnostics] == []
    plain = TEXT.index(r"\frac{w}") + len(r"\frac{")
    node = next(
        n for row in result.rows if row.tree is not None for n in row.tree.walk()
        if n.start == plain and n.end == plain + 1
    )  # fmt: skip
    assert result.shapes.get(node) == SCALAR


def test_a_plain_vector_compared_with_zero_stays_a_vector(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        r"Let $X \in \mathbb{R}^{n \times p}$ and $w \in \mathbb{R}^p$ with $w > 0$."
        "\n\n$$ L = \\frac{1}{2}\\|X w\\|^2 $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, "w", budget=20.0)
    assert out.error is None and out.verified and out.kind == "gradient", out.error
    assert out.result is not None
    got = evaluate(tree(out.result), {"X": X, "w": W})
    assert np.allclose(got, central_gradient(lambda w: float(0.5 * np.sum((X @ w) ** 2)), W))
