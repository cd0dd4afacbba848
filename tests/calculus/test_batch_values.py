r"""Batch normalisation in the paper's notation: "a mini-batch of $m$ values $x_1, \dots,
x_m$" are numbers, "upstream gradients $g_i$, one per value" too, and the normalised
:math:`\hat x_i = (x_i - \mu_{\mathcal B})/\sqrt{\sigma_{\mathcal B}^2 + \epsilon}` is a
number through the batch's sums; the plain count m is not the mean :math:`\mathbf m \in
\mathbb R^p` a later section declares.  ``\sum_i g_i y_i`` by γ and β was refused ("the shape
of `g_i` is unknown"); the answers are checked against central differences here (m = 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from tests.shapes.helpers import check_fixture, declaration
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

BATCH = r"""Over a mini-batch of $m$ values $x_1, \dots, x_m$ of one activation, the mean is
$\mu = \frac{1}{m}\sum_{i=1}^{m} x_i$, the variance
$\sigma^2 = \frac{1}{m}\sum_{i=1}^{m} (x_i - \mu)^2$, the normalised values
$\hat{x}_i = (x_i - \mu)/\sqrt{\sigma^2 + \epsilon}$ with $\epsilon > 0$, and the outputs
$y_i = \gamma\hat{x}_i + \beta$, where $\gamma$ and $\beta$ are learned scalars. Given upstream
gradients $g_i$, one per value,

$$
\ell = \sum_{i=1}^{m} g_i y_i
$$

## Elsewhere

A mean $\mathbf{m} \in \mathbb{R}^{p}$ and $\mathbf{a} \in \mathbb{R}^{p}$ give
$\mathbf{a}^\top\mathbf{m}$.
"""

M = 5
RNG = np.random.default_rng(3)
XS, GS = RNG.standard_normal((M, 1)), RNG.standard_normal((M, 1))
EPS = 0.1


def _loss(gamma: float, beta: float) -> float:
    xhat = (XS - XS.mean()) / np.sqrt(XS.var() + EPS)
    return float(np.sum(GS * (gamma * xhat + beta)))


def _values(gamma: float, beta: float) -> dict[str, object]:
    xhat = (XS - XS.mean()) / np.sqrt(XS.var() + EPS)
    return {"family:g": GS, "family:\\hat{x}": xhat, "\\gamma": gamma, "\\beta": beta, "m": M}


def test_the_batch_norm_loss_is_differentiated_by_gamma_and_beta(tmp_path: Path) -> None:
    doc = tmp_path / "bn.md"
    doc.write_text(BATCH, encoding="utf-8")
    h, gamma, beta = 1e-6, 1.3, -0.4
    for wrt, shift in (("\\gamma", (h, 0.0)), ("\\beta", (0.0, h))):
        out = diff_in_document(doc, 9, wrt, budget=30.0)
        assert out.error is None and out.verified and out.result, out.error
        want = _loss(gamma + shift[0], beta + shift[1]) - _loss(gamma - shift[0], beta - shift[1])
        want /= 2 * h
        got = evaluate(tree(out.result), _values(gamma, beta))
        assert np.isclose(float(np.asarray(got).reshape(-1)[0]), want, rtol=1e-6), out.result
    assert out.result.replace(" ", "") == "\\sum_{i=1}^{m}g_i"


def test_values_and_one_per_value_declare_numbers_but_not_in_attention(tmp_path: Path) -> None:
    _, result = check_fixture(tmp_path, "%! bn.md\n" + BATCH)
    for key in ("x_{i}", "g_{i}"):
        decl = declaration(result, key)
        assert decl is not None and decl.shape.is_scalar and decl.how == "prose", key
    # (not the value vectors of attention, nor what comes one per such value)
    _, result = check_fixture(
        tmp_path / "attention",
        r"""
        %! attention.md
        Given $n$ keys $k_1, \dots, k_n$ and $n$ values $v_1, \dots, v_n$, with gradients
        $g_j$, one per value, attention returns a weighted sum of the values.
        """,
    )
    assert declaration(result, "v_{i}") is None and declaration(result, "g_{j}") is None
