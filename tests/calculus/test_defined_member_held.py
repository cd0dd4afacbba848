r"""A member the document defines (``\mu_i = \exp(\mathbf{x}_i^\top\boldsymbol\beta)``),
in a sum differentiated by a variable its definition does not involve (the negative
binomial's dispersion r), is sized by its definition and held as given — it was refused
("the shape of `\mu_i` is unknown"). The answer is evaluated against central differences
(N, p distinct); by a variable the definition involves it stays the chain rule's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

N, P = 6, 3
RNG = np.random.default_rng(11)
X, BETA = RNG.standard_normal((N, P)), 0.3 * RNG.standard_normal((P, 1))
Y = RNG.integers(0, 5, (N, 1)).astype(float)
R = 1.7

NEGBIN = r"""Counts $y_i$, covariates $\mathbf{x}_i \in \mathbb{R}^p$, $i = 1, \dots, N$, and
$\boldsymbol\beta \in \mathbb{R}^p$; the mean is $\mu_i = \exp(\mathbf{x}_i^\top\boldsymbol\beta)$
and the dispersion $r > 0$.

$$ \ell(r) = \sum_{i=1}^{N} \left[ r\log r - (y_i + r)\log(r + \mu_i) \right] $$
"""


def _loss(r: float, mu: np.ndarray) -> float:
    return float(np.sum(r * np.log(r) - (Y + r) * np.log(r + mu)))


def test_a_defined_member_without_the_variable_is_held_as_given(tmp_path: Path) -> None:
    doc = tmp_path / "glm.md"
    doc.write_text(NEGBIN, encoding="utf-8")
    out = diff_in_document(doc, 5, "r", budget=30.0)
    assert out.error is None and out.verified and out.result is not None, out.error
    assert "\\mu_i" in out.result and "held as given" in out.note
    mu = np.exp(X @ BETA)
    h = 1e-6
    want = (_loss(R + h, mu) - _loss(R - h, mu)) / (2 * h)
    got = evaluate(tree(out.result), {"family:\\mu": mu, "family:y": Y, "r": R, "N": N})
    assert np.isclose(float(np.asarray(got).reshape(-1)[0]), want, rtol=1e-6)


def test_by_a_variable_the_definition_involves_it_is_differentiated_through(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "glm.md"
    doc.write_text(NEGBIN.replace(r"\ell(r)", r"\ell(\boldsymbol\beta)"), encoding="utf-8")
    out = diff_in_document(doc, 5, r"\boldsymbol\beta", budget=30.0)
    assert out.error is None and out.verified, out.error
    assert "held as given" not in out.note
