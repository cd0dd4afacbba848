r"""Gradients through a document's names by reverse accumulation
(:mod:`texgrad.calculus.chain`): a two-layer network written with its own names gives the
textbook backpropagation, checked against central differences of the network written out
in numpy, with a different size for every dimension."""

from __future__ import annotations

import numpy as np
import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = (
    r"W_1 \in \mathbb{R}^{h \times d}; W_2 \in \mathbb{R}^{k \times h}; "
    r"\mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^k; "
    r"\mathbf{a} = \sigma(W_1\mathbf{x}); \hat{\mathbf{y}} = W_2\mathbf{a}"
)
LOSS = r"\frac{1}{2}\|\hat{\mathbf{y}} - \mathbf{y}\|^2"


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize(
    ("wrt", "key", "written"),
    [
        ("W_1", "W_{1}",
         r"((W_2^\top (\hat{\mathbf{y}} - \mathbf{y})) \odot \mathbf{a} \odot (\mathbf{1} - "
         r"\mathbf{a})) \mathbf{x}^\top"),
        ("W_2", "W_{2}", r"(\hat{\mathbf{y}} - \mathbf{y}) \mathbf{a}^\top"),
        (r"\mathbf{x}", "x",
         r"W_1^\top ((W_2^\top (\hat{\mathbf{y}} - \mathbf{y})) \odot \mathbf{a} \odot "
         r"(\mathbf{1} - \mathbf{a}))"),
    ],
)  # fmt: skip
def test_two_layer_network_backpropagates_through_its_names(
    wrt: str, key: str, written: str
) -> None:
    out = diff_latex(LOSS, wrt, WHERE)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == written
    rng = np.random.default_rng(11)
    h, d, k = 4, 3, 2
    values = {"W_{1}": rng.standard_normal((h, d)), "W_{2}": rng.standard_normal((k, h)),
              "x": rng.standard_normal((d, 1)), "y": rng.standard_normal((k, 1))}  # fmt: skip

    def loss(vals: dict[str, np.ndarray]) -> float:
        a = sigmoid(vals["W_{1}"] @ vals["x"])
        return 0.5 * float(np.sum((vals["W_{2}"] @ a - vals["y"]) ** 2))

    want = np.zeros_like(values[key])
    for i in range(want.size):
        step = np.zeros_like(want)
        step.flat[i] = 1e-6
        up, down = dict(values), dict(values)
        up[key], down[key] = values[key] + step, values[key] - step
        want.flat[i] = (loss(up) - loss(down)) / 2e-6
    a = sigmoid(values["W_{1}"] @ values["x"])
    at = {**values, "a": a, "\\hat{y}": values["W_{2}"] @ a, "1": np.ones((h, 1))}
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    assert np.allclose(evaluate(row.tree, at), want, atol=1e-5)
