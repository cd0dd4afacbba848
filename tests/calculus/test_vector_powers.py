r"""A power of a vector added to a vector of ones (``\mathbf{1} + (\mathbf{r}/\delta)^2``, the
pseudo-Huber loss): read elementwise, as the sum must be a vector; alone it stays refused.

Results are compared with central differences of the loss written in NumPy (m = 4).
"""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = r"\mathbf{r} \in \mathbb{R}^m; \delta \in \mathbb{R}"
RNG = np.random.default_rng(11)
R = RNG.standard_normal(4)
DELTA = 1.3


def _value(latex: str) -> np.ndarray:
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None
    at = {"r": R[:, None], "\\delta": np.array([[DELTA]])}
    return np.asarray(evaluate(tree, at), dtype=float).ravel()


def test_the_pseudo_huber_loss_of_a_residual_vector() -> None:
    f = r"\delta^2 \mathbf{1}^\top\left(\sqrt{\mathbf{1} + (\mathbf{r}/\delta)^2} - \mathbf{1}\right)"
    out = diff_latex(f, r"\mathbf{r}", WHERE)
    assert out.error is None and out.verified, out.error or out.note
    assert "independently" not in out.note  # the formula as written was evaluated too
    assert r"\left(\frac{\mathbf{r}}{\delta}\right)^{\circ 2}" in out.result  # not \frac{r}{δ}^{∘2}
    loss = lambda r: DELTA**2 * np.sum(np.sqrt(1 + (r / DELTA) ** 2) - 1)  # noqa: E731
    assert np.allclose(_value(out.result), central_gradient(loss, R), atol=1e-6)


def test_a_sized_ones_vector_and_a_plain_power() -> None:
    out = diff_latex(r"\mathbf{1}_m^\top \log(\mathbf{1}_m + \mathbf{r}^2)", r"\mathbf{r}", WHERE)
    assert out.error is None and out.verified, out.error or out.note
    loss = lambda r: np.sum(np.log(1 + r**2))  # noqa: E731
    assert np.allclose(_value(out.result), central_gradient(loss, R), atol=1e-6)


def test_a_power_of_a_vector_elsewhere_stays_refused() -> None:
    for f in (r"\mathbf{r}^2", r"1 + \mathbf{r}^2", r"\mathbf{1}^\top \mathbf{r}^2"):
        out = diff_latex(f, r"\mathbf{r}", WHERE)
        assert out.error is not None and "elementwise power" in out.error, (f, out.result)
