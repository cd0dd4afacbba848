r"""An exponent written as a product — ``3\gamma``, ``2n``, ``2\cdot\gamma`` — is read
(``_exponent`` of :mod:`texgrad.calculus.lower`), and the derivatives through it are the
textbook's, checked here by central differences of numpy's own powers."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_latex

H = 1e-6


def _central(f, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array(
        [(f(x + H * u) - f(x - H * u)) / (2 * H) for u in np.eye(x.size).reshape(x.size, -1)]
    ).reshape(x.shape)


def test_a_number_times_a_constant_in_the_exponent() -> None:
    r"""d/dp (1 - p)^{3γ} = -3γ(1 - p)^{3γ - 1}, and by γ: 3(1 - p)^{3γ} log(1 - p)."""
    where = r"p \in \mathbb{R}; \gamma > 0"
    out = diff_latex(r"(1-p)^{3\gamma}", "p", where)
    assert out.verified, out.error or out.note
    assert out.result == r"-3 \gamma (1 - p)^{3 \gamma - 1}"
    out = diff_latex(r"(1-p)^{3\gamma}", r"\gamma", where)
    assert out.verified, out.error or out.note
    assert out.result == r"3 (1 - p)^{3 \gamma} \log(1 - p)"
    p, g = 0.35, 0.8
    by_p = _central(lambda v: (1 - v) ** (3 * g), np.array([p]))
    assert np.allclose(by_p, -3 * g * (1 - p) ** (3 * g - 1))
    by_g = _central(lambda v: (1 - p) ** (3 * v), np.array([g]))
    assert np.allclose(by_g, 3 * (1 - p) ** (3 * g) * np.log(1 - p))


def test_a_dimension_and_a_dot_product_in_the_exponent() -> None:
    r"""∇ ‖x‖^{2\cdot\gamma} = 2γ‖x‖^{2γ - 2} x (x ∈ ℝ³), and d/dx x^{2n} = 2n x^{2n - 1}."""
    out = diff_latex(r"\|x\|^{2\cdot\gamma}", "x", r"x \in \mathbb{R}^n; \gamma > 0")
    assert out.verified, out.error or out.note
    assert out.result == r"2 \gamma \|x\|^{2 \gamma - 2} x"
    x, g = np.array([0.3, -1.1, 0.7]), 0.65
    fd = _central(lambda v: np.linalg.norm(v) ** (2 * g), x)
    assert np.allclose(fd, 2 * g * np.linalg.norm(x) ** (2 * g - 2) * x, atol=1e-6)
    out = diff_latex(r"x^{2n}", "x", r"x \in \mathbb{R}")
    assert out.verified, out.error or out.note
    assert out.result == r"2 n x^{2 n - 1}"
