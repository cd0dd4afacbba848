r"""A GP's Gram matrix built of squared distances the text writes entry by entry
(``D_{ij} = \|\mathbf{x}_i - \mathbf{x}_j\|^2``): D is sampled as one, so the kernel
``K = \sigma_f^2\exp(-D/2\ell^2)`` is positive definite at every random point and the
marginal likelihood's derivative by the length-scale is verified (random symmetric D made K
indefinite: "no random point inside the function's domain")."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.sampling import squared_distances

DOC = (
    "We have inputs $\\mathbf{x}_1, \\dots, \\mathbf{x}_n \\in \\mathbb{R}^p$, targets "
    "$\\mathbf{y} \\in \\mathbb{R}^n$ and $D \\in \\mathbb{R}^{n \\times n}$ with "
    "DIST. With $\\sigma_f > 0$ and $\\ell > 0$ the Gram matrix is, entrywise,\n\n"
    "$$\nK = \\sigma_f^2\\exp\\left(-\\frac{D}{2\\ell^2}\\right)\n$$\n\n"
    "$K$ is symmetric positive definite.\n\n"
    "$$\n\\mathcal{L} = -\\frac{1}{2}\\mathbf{y}^\\top K^{-1}\\mathbf{y} - \\frac{1}{2}\\log\\det K\n$$\n"
)
WRITTEN = "$D_{ij} = \\|\\mathbf{x}_i - \\mathbf{x}_j\\|^2$"


def _marginal(y: np.ndarray, d: np.ndarray, sf: float, ell: float) -> float:
    k = sf**2 * np.exp(-d / (2 * ell**2))
    return float(-0.5 * y @ np.linalg.solve(k, y) - 0.5 * np.linalg.slogdet(k)[1])


def test_the_length_scale_derivative_is_verified_where_the_distances_are_written() -> None:
    out = diff_in_document("gp.md", 10, "\\ell", text=DOC.replace("DIST", WRITTEN), budget=60.0)
    assert out.error is None and out.verified, out.note
    # the formula as printed, by hand: σ_f²(yᵀK⁻¹(T⊙D)K⁻¹y − tr(K⁻¹(T⊙D)))/(2ℓ³), T = exp(−D/2ℓ²),
    # against central differences at a point of 6 inputs in ℝ⁴ (n = 6 ≠ p = 4)
    assert "\\ell^{3}" in out.result and "\\odot D" in out.result
    rng = np.random.default_rng(5)
    d = squared_distances(rng.standard_normal((6, 4)))
    y, sf, ell = rng.standard_normal(6), 1.3, 0.8
    k = sf**2 * np.exp(-d / (2 * ell**2))
    kinv = np.linalg.inv(k)
    kd = k * d
    formula = (y @ kinv @ kd @ kinv @ y - np.trace(kinv @ kd)) / (2 * ell**3)
    h = 1e-6
    fd = (_marginal(y, d, sf, ell + h) - _marginal(y, d, sf, ell - h)) / (2 * h)
    assert np.isclose(formula, fd, rtol=1e-6)


def test_without_the_distances_written_no_point_is_claimed() -> None:
    """Only "symmetric" said of D: no random symmetric D is promised to give a positive
    definite K, and the result is not shown as verified."""
    doc = DOC.replace("DIST", "$D$ symmetric")
    out = diff_in_document("gp.md", 10, "\\ell", text=doc, budget=60.0)
    assert out.error is None and out.result and not out.verified
    assert "no random point" in out.note
