r"""A matrix the document calls a covariance is symmetric, as one it says is symmetric: the
Gaussian negative log-likelihood's gradient by Σ is then the textbook's
``\frac12\Sigma^{-1} - \frac12\Sigma^{-1}(\mathbf x-\boldsymbol\mu)(\mathbf x-\boldsymbol\mu)^\top\Sigma^{-1}``,
with no ``\Sigma^{-\top}``; so is a property written after a ``--where`` declaration
(``\Sigma \in \mathbb{R}^{n\times n} \text{ symmetric}``).  A cross-covariance, or "the
covariance between" two vectors, is not made symmetric.  Each gradient is checked against
central differences at a symmetric point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded
NLL = (
    r"\frac12\log\det\Sigma + \frac12(\mathbf{x}-\boldsymbol\mu)^\top\Sigma^{-1}"
    r"(\mathbf{x}-\boldsymbol\mu)"
)
VECTORS = r"$\mathbf{x} \in \mathbb{R}^n$ and $\boldsymbol\mu \in \mathbb{R}^n$"


def _check_textbook(result: str) -> None:
    assert r"\Sigma^{-\top}" not in result, result
    rng = np.random.default_rng(11)
    n = 4
    r = rng.normal(size=(n, n))
    s = r @ r.T + n * np.eye(n)  # symmetric positive definite
    x, mu = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))

    def f(m: np.ndarray) -> float:
        d = x - mu
        return float(0.5 * np.log(np.linalg.det(m)) + 0.5 * (d.T @ np.linalg.solve(m, d))[0, 0])

    h = 1e-6
    want = np.zeros((n, n))
    for i, j in np.ndindex(n, n):
        e = np.zeros((n, n))
        e[i, j] = h
        want[i, j] = (f(s + e) - f(s - e)) / (2 * h)
    parsed = parse_row(MappedText.identity(result))
    assert parsed.tree is not None, parsed.error
    values = {r"\Sigma": s, "x": x, r"\mathbf{x}": x, r"\mu": mu, r"\boldsymbol\mu": mu}
    shown = np.asarray(evaluate(parsed.tree, values), dtype=float)
    assert np.allclose(shown, want, atol=1e-5), result


@pytest.mark.parametrize(
    "said",
    [
        r"Let $\Sigma \in \mathbb{R}^{n\times n}$ be the covariance matrix, " + VECTORS + ".",
        r"The covariance $\Sigma \in \mathbb{R}^{n\times n}$ is estimated; " + VECTORS + ".",
        r"Here $\Sigma \in \mathbb{R}^{n\times n}$, the noise covariance, and " + VECTORS + ".",
        r"$\Sigma \in \mathbb{R}^{n\times n}$ is a covariance matrix, " + VECTORS + ".",
    ],
)
def test_a_covariance_is_symmetric(tmp_path: Path, said: str) -> None:
    doc = tmp_path / "gauss.md"
    doc.write_text(f"# Likelihood\n\n{said}\n\n$$\n\\ell = {NLL}\n$$\n", encoding="utf-8")
    out = diff_in_document(str(doc), 6, r"\Sigma", budget=BUDGET)
    assert out.verified, out.error
    _check_textbook(out.result)


@pytest.mark.parametrize(
    "decl",
    [
        r"\Sigma \in \mathbb{R}^{n\times n} \text{ symmetric}",
        r"\Sigma \in \mathbb{R}^{n\times n}, symmetric positive definite",
        r"\Sigma \in \mathbb{R}^{n\times n} \text{ (a covariance)}",
    ],
)
def test_a_property_after_a_where_declaration(decl: str) -> None:
    where = rf"{decl}; \mathbf{{x}} \in \mathbb{{R}}^n; \boldsymbol\mu \in \mathbb{{R}}^n"
    out = diff_latex(NLL, r"\Sigma", where, budget=BUDGET)
    assert out.verified, out.error
    _check_textbook(out.result)


@pytest.mark.parametrize(
    "said",
    [
        r"Let $C \in \mathbb{R}^{n\times n}$ be the cross-covariance of the two signals.",
        r"Let $C \in \mathbb{R}^{n\times n}$ be the covariance between $\mathbf{u}$ and "
        r"$\mathbf{v}$.",
        r"Let $C \in \mathbb{R}^{n\times n}$ be any matrix.",
    ],
)
def test_not_a_covariance_stays_general(tmp_path: Path, said: str) -> None:
    doc = tmp_path / "cross.md"
    body = r"f = \operatorname{tr}(C^{-1}A)"
    decl = r"$A \in \mathbb{R}^{n\times n}$ is given."
    doc.write_text(f"# Cross\n\n{said} {decl}\n\n$$\n{body}\n$$\n", encoding="utf-8")
    out = diff_in_document(str(doc), 6, "C", budget=BUDGET)
    assert out.verified, out.error
    assert r"-\top" in out.result or r"^\top" in out.result, out.result
