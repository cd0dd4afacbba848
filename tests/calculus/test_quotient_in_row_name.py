r"""A quotient a row defines by a function's name, ``R(\mathbf u) = \frac{\mathbf u^\top
S\mathbf u}{\mathbf u^\top\mathbf u}``, is written back as ``R(\mathbf u)`` where the quotient
rule leaves it: ``\frac{2(S - R(\mathbf u)I)\mathbf u}{\|\mathbf u\|_2^2}``, not
``\frac{2S\mathbf u}{\|\mathbf u\|_2^2} - \frac{2(\mathbf u^\top S\mathbf u)\mathbf u}
{\|\mathbf u\|_2^4}`` (1.52× the textbook's length).  Checked against central differences
(p = 4), the name read as its definition."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

RAYLEIGH = r"""Let $S \in \mathbb{R}^{p \times p}$ be symmetric and $\mathbf u \in \mathbb{R}^p$.

$$
R(\mathbf u) = \frac{\mathbf u^\top S\mathbf u}{\mathbf u^\top\mathbf u}
$$

and, for $c \in \mathbb{R}$ declared, a product is no function:

$$
c(\mathbf u) = \frac{\mathbf u^\top S\mathbf u}{\mathbf u^\top\mathbf u}
$$
"""

RNG = np.random.default_rng(5)
A = RNG.standard_normal((4, 4))
S, U = A + A.T, RNG.standard_normal((4, 1))


def _quotient(u: np.ndarray) -> float:
    return float((u.T @ S @ u)[0, 0]) / float((u.T @ u)[0, 0])


def _gradient() -> np.ndarray:
    h, out = 1e-6, np.zeros((4, 1))
    for i in range(4):
        d = np.zeros((4, 1))
        d[i] = h
        out[i] = (_quotient(U + d) - _quotient(U - d)) / (2 * h)
    return out


def test_the_rayleigh_quotient_gradient_names_the_quotient(tmp_path: Path) -> None:
    doc = tmp_path / "rayleigh.md"
    doc.write_text(RAYLEIGH, encoding="utf-8")
    out = diff_in_document(doc, 4, "\\mathbf u", budget=30.0)
    assert out.error is None and out.verified, out.error
    assert "R(\\mathbf{u})" in out.result.replace(" ", "") and "\\|_2^4" not in out.result
    written = out.result.replace("R (\\mathbf{u})", f"({_quotient(U)!r})")
    got = evaluate(tree(written), {"S": S, "u": U, "I": np.eye(4)})
    assert np.allclose(np.asarray(got, dtype=float), _gradient(), rtol=1e-6)
    # (a declared letter before parentheses is no function's name)
    out = diff_in_document(doc, 10, "\\mathbf u", budget=30.0)
    assert out.error is None and out.verified, out.error
    assert "c" not in out.result.replace("\\frac", "")
