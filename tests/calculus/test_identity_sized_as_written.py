r"""The identity prints with the size the document writes it with (``I_p``), and the printed
answer means what central differences give (numpy, sizes distinct per dimension)."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

DOC = "\n".join(
    [
        r"Let $X \in \mathbb{R}^{n \times p}$, $\mathbf{y} \in \mathbb{R}^n$ and $\lambda > 0$.",
        r"$$",
        r"\hat\beta(\lambda) = (X^\top X + \lambda I_p)^{-1}X^\top\mathbf{y}",
        r"$$",
    ]
)


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values))


def test_the_ridge_path_prints_i_p_and_means_its_derivative() -> None:
    out = diff_in_document("ridge.md", 3, r"\lambda", text=DOC, budget=30)
    assert out.error is None and out.verified, (out.error, out.note)
    assert "I_p" in out.result and "I)" not in out.result
    rng = np.random.default_rng(8)
    x, y, lam = rng.standard_normal((6, 3)), rng.standard_normal((6, 1)), 0.7

    def beta(t: float) -> np.ndarray:
        return np.linalg.solve(x.T @ x + t * np.eye(3), x.T @ y)

    want = (beta(lam + 1e-6) - beta(lam - 1e-6)) / 2e-6
    values = {"X": x, "y": y, r"\lambda": np.array([[lam]]), "I_p": np.eye(3)}
    np.testing.assert_allclose(_value(out.result, values), want, rtol=1e-5, atol=1e-8)


def test_without_a_written_size_the_identity_stays_i() -> None:
    out = diff_in_document("ridge.md", 3, r"\lambda", text=DOC.replace("I_p", "I"), budget=30)
    assert out.error is None and out.verified, (out.error, out.note)
    assert "I_p" not in out.result and r"\lambda I" in out.result
