r"""A name the document defines as a softmax sums to 1 by its definition: the distillation
loss ``-\tau^2\mathbf{p}^\top\log\operatorname{softmax}(\mathbf{z}/\tau)`` with ``\mathbf{p} =
\operatorname{softmax}(\mathbf{t}/\tau)`` has the textbook gradient
``\tau(\operatorname{softmax}(\mathbf{z}/\tau) - \mathbf{p})`` (it was
``\tau(\operatorname{softmax}(\mathbf{z}/\tau)\mathbf{1}^\top - I)\mathbf{p}``), checked here
against central differences; a vector nothing defines so keeps its ``\mathbf{1}^\top``."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = r"""
A student with logits $\mathbf{z} \in \mathbb{R}^K$ matches $\mathbf{p} = \operatorname{softmax}(\mathbf{t}/\tau)$
of a teacher with logits $\mathbf{t} \in \mathbb{R}^K$, at a temperature $\tau > 0$; $\mathbf{q} \in \mathbb{R}^K$ is any vector.

$$
\mathcal{L}(\mathbf{z}) = -\tau^2\,\mathbf{p}^\top\log\operatorname{softmax}(\mathbf{z}/\tau)
$$

$$
\mathcal{M}(\mathbf{z}) = -\tau^2\,\mathbf{q}^\top\log\operatorname{softmax}(\mathbf{z}/\tau)
$$
"""


def _softmax(v: np.ndarray) -> np.ndarray:
    w = np.exp(v - v.max())
    return w / w.sum()


def _central(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        out[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def test_a_softmax_the_document_names_sums_to_one() -> None:
    out = diff_in_document("notes.md", 6, r"\mathbf{z}", text=DOC, budget=60)
    assert out.error is None and out.verified, out.error
    assert "".join(out.result.split()) == (
        r"\tau\left(\operatorname{softmax}(\frac{\mathbf{z}}{\tau})-\mathbf{p}\right)"
    )
    assert "a softmax by its definition" in out.note
    rng = np.random.default_rng(3)
    z, t, tau = rng.standard_normal(5), rng.standard_normal(5), 1.7
    p = _softmax(t / tau)
    numeric = _central(lambda v: float(-(tau**2) * p @ np.log(_softmax(v / tau))), z)
    np.testing.assert_allclose(tau * (_softmax(z / tau) - p), numeric, rtol=1e-6, atol=1e-9)


def test_a_vector_not_defined_so_keeps_its_sum() -> None:
    out = diff_in_document("notes.md", 10, r"\mathbf{z}", text=DOC, budget=60)
    assert out.error is None and out.verified, out.error
    assert r"\mathbf{1}^\top" in out.result  # 1ᵀq is not 1: τ(softmax(z/τ)1ᵀ - I)q
    rng = np.random.default_rng(4)
    z, q, tau = rng.standard_normal(5), rng.standard_normal(5), 0.6
    s = _softmax(z / tau)
    numeric = _central(lambda v: float(-(tau**2) * q @ np.log(_softmax(v / tau))), z)
    np.testing.assert_allclose(tau * (s * q.sum() - q), numeric, rtol=1e-6, atol=1e-9)
