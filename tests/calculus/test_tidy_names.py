r"""Results through the document's names as short as the textbook's
(:mod:`texgrad.calculus.tidy_names`): parts zero by the names' definitions dropped, a name's
value written as the name where it stands scaled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.tidy_names import drop_zero_parts, fold_scaled
from texgrad.shapes.dims import Shape

M = sympy.Symbol("m", positive=True)
ONE = sympy.Integer(1)
X = e.var("x", Shape(M, ONE))
MU = e.var("mu", Shape(ONE, ONE))
CENTRED = e.add(X, e.neg(e.mul(MU, e.ones(M))))  # x - μ1
NAMES = {"mu": e.mul(e.num(1 / M), e.transpose(e.ones(M)), X)}


def test_a_part_zero_by_a_definition_is_dropped() -> None:
    t = e.var("t", Shape(M, ONE))
    term = e.mul(t, e.transpose(e.ones(M)), CENTRED)  # t 1ᵀ(x - μ1) = 0
    kept = e.mul(t, e.transpose(X), CENTRED)  # t xᵀ(x - μ1) ≠ 0
    out = drop_zero_parts(e.add(term, kept), NAMES)
    assert out == kept
    assert drop_zero_parts(term, {}) == term  # without the definition nothing is known


def test_a_scaled_value_is_written_as_its_name() -> None:
    s = e.var("s", Shape(ONE, ONE))
    names = {"xh": e.mul(CENTRED, e.power(s, sympy.Rational(-1, 2)))}
    y = e.mul(e.power(s, sympy.Rational(-3, 2)), CENTRED)
    folded = fold_scaled(y, names)
    assert folded == e.mul(e.power(s, -1), e.var("xh", Shape(M, ONE)))
    assert fold_scaled(e.mul(s, CENTRED), names) == e.mul(s, CENTRED)  # the other sign: kept


BATCHNORM = r"""Take a mini-batch $\mathbf{x} \in \mathbb{R}^m$, scale $\gamma$ and shift $\beta$ (scalars), $\epsilon > 0$ and a target $\mathbf{t} \in \mathbb{R}^m$.

$$\mu = \frac{1}{m}\mathbf{1}^\top\mathbf{x}$$

$$\sigma^2 = \frac{1}{m}\|\mathbf{x} - \mu\mathbf{1}\|^2$$

$$\hat{\mathbf{x}} = \frac{\mathbf{x} - \mu\mathbf{1}}{\sqrt{\sigma^2 + \epsilon}}$$

$$\mathbf{y} = \gamma\hat{\mathbf{x}} + \beta\mathbf{1}$$

$$\ell = \frac{1}{2}\|\mathbf{y} - \mathbf{t}\|^2$$
"""


def test_batch_norm_by_the_input_reads_as_the_textbook(tmp_path: Path) -> None:
    doc = tmp_path / "bn.md"
    doc.write_text(BATCHNORM, encoding="utf-8")
    out = diff_in_document(doc, 11, r"\mathbf{x}", budget=60)
    assert out.error is None and out.verified, out.error
    assert r"\hat{\mathbf{x}}" in out.result and r"\mathbf{u}_0" not in out.result
    assert len(out.result) < 240, out.result  # the classic three-term formula (was 520)
    # the textbook's value: γ/s (g - 11ᵀg/m - x̂x̂ᵀg/m), g = y - t
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((5, 1)), rng.standard_normal((5, 1))
    gamma, beta, eps = 1.3, -0.4, 0.1
    mu = x.mean()
    s = np.sqrt(((x - mu) ** 2).mean() + eps)
    xh = (x - mu) / s
    g = gamma * xh + beta - t
    want = gamma / s * (g - g.sum() / 5 - xh * (xh.T @ g) / 5)

    def loss(z: np.ndarray) -> float:
        zh = (z - z.mean()) / np.sqrt(((z - z.mean()) ** 2).mean() + eps)
        return float(0.5 * np.sum((gamma * zh + beta - t) ** 2))

    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    values = {"x": x, "t": t, "\\gamma": gamma, "\\beta": beta, "\\epsilon": eps, "m": 5,
              "\\mu": mu, "\\sigma": np.sqrt(s**2 - eps), "\\hat{x}": xh, "y": g + t}  # fmt: skip
    assert np.allclose(evaluate(tree, values), want)
    h = 1e-6
    fd = np.array([[(loss(x + h * d) - loss(x - h * d)) / (2 * h)] for d in np.eye(5)[:, :, None]])
    assert np.allclose(want, fd.reshape(5, 1), atol=1e-6)
