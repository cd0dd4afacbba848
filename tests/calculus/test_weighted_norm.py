r"""A vector's norm weighted by a matrix written as the subscript, ``\|x - \mu\|_{\Sigma^{-1}}``
(the Mahalanobis distance): √(xᵀMx), read alike by the engine and the independent evaluator,
checked against finite differences with a different size for every dimension."""

from __future__ import annotations

import numpy as np
import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = r"x \in \mathbb{R}^d; \mu \in \mathbb{R}^d; \Sigma \in \mathbb{S}^d_{++}"


def _tree(latex: str):  # type: ignore[no-untyped-def]
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None
    return row.tree


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


@pytest.mark.parametrize(
    ("loss", "wrt"),
    [
        (r"\|x - \mu\|_{\Sigma^{-1}}^2", "x"),
        (r"\|x - \mu\|_{\Sigma^{-1}}", "x"),
        (r"\|x - \mu\|_{\Sigma^{-1}}^2", r"\Sigma"),
    ],
)
def test_the_weighted_norm_against_finite_differences(loss: str, wrt: str) -> None:
    out = diff_latex(loss, wrt, WHERE)
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(3)
    d = 4
    values = {"x": rng.standard_normal((d, 1)), r"\mu": rng.standard_normal((d, 1))}
    values[r"\Sigma"] = _spd(rng, d)
    f = _tree(loss)
    x0 = values[wrt]
    grad = np.zeros_like(x0)
    h = 1e-6
    for i in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[i] = h
        hi = evaluate(f, {**values, wrt: x0 + step})
        lo = evaluate(f, {**values, wrt: x0 - step})
        grad[i] = float(hi[0, 0] - lo[0, 0]) / (2 * h)
    got = evaluate(_tree(out.result), {**values, "d": d})
    if wrt == r"\Sigma":  # the derivative by a symmetric matrix: compare along symmetric steps
        sym = rng.standard_normal((d, d))
        sym = sym + sym.T
        assert np.isclose(np.sum(got * sym), np.sum(grad * sym), rtol=1e-5)
    else:
        assert np.allclose(got, grad, rtol=1e-5, atol=1e-7)
    # the value itself: √((x − μ)ᵀ Σ⁻¹ (x − μ)), squared where written so
    r = values["x"] - values[r"\mu"]
    q = float((r.T @ np.linalg.solve(values[r"\Sigma"], r))[0, 0])
    want = q if loss.endswith("^2") else np.sqrt(q)
    assert np.isclose(float(evaluate(f, values)[0, 0]), want)


def test_a_p_norm_is_not_a_weight() -> None:
    out = diff_latex(r"\|x\|_{p}", "x", r"x \in \mathbb{R}^d; p \in \mathbb{R}")
    assert out.error == r"cannot differentiate the norm `\|\cdot\|_{p}`"
