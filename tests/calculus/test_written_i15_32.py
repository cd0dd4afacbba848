r"""Session i15's 32nd round: derivatives written as an operator before a product, and the
scalars a document declares in ways it was deaf to.

- ``\frac{\partial}{\partial \mathbf x}\,\mathbf x^\top\mathbf x\,\mathbf a`` is the derivative
  of the whole product (``syntax.notation.derivative_run``): the shape check read the operator
  on ``\mathbf x^\top`` alone and reported ``\mathbf x\,\mathbf a`` as a ``matmul-mismatch``,
  a false alarm on a right formula;
- "$\theta > 0$" makes θ a number (``shapes.formulas._STRICT_GREEK``: a strict comparison; θ
  declared a vector stays one), so a GP's derivatives by θ are checked;
- "joint angles $q_1, q_2$ (scalars)" (``shapes.prose``) and "$\ell_1, \ell_2 > 0$"
  (``formulas._NUMBERED_GREEK``) declare each letter a number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.linalg import expm

from tests.calculus.helpers import central_gradient
from tests.calculus.written_check import found_lines
from tests.shapes.helpers import codes_by_line

OPERATORS = r"""Let $\mathbf x, \mathbf a \in \mathbb{R}^n$ and $A, C \in \mathbb{R}^{n \times n}$, and a time $t \in \mathbb{R}$.

$$\frac{\partial}{\partial \mathbf x}\,\mathbf x^\top\mathbf x\,\mathbf a = 2\mathbf x\mathbf a^\top$$

$$\frac{\partial}{\partial \mathbf x}\,\mathbf x^\top\mathbf x\,\mathbf a = \mathbf x\mathbf a^\top$$

$$\nabla_{\mathbf x}\, \mathbf a^\top\mathbf x\,\mathbf x^\top A\mathbf x = (\mathbf x^\top A\mathbf x)\mathbf a + \mathbf a^\top\mathbf x\,(A + A^\top)\mathbf x$$

$$\nabla_{\mathbf x}\, \mathbf a^\top\mathbf x\,\mathbf x^\top A\mathbf x = (\mathbf x^\top A\mathbf x)\mathbf a + 2\mathbf a^\top\mathbf x\,A\mathbf x$$

$$\frac{\mathrm d}{\mathrm dt}\, e^{tA} C = A e^{tA} C$$

$$\frac{\mathrm d}{\mathrm dt}\, e^{tA} C = e^{tA} C A$$
"""


def test_the_operator_references_are_what_central_differences_give() -> None:
    """∂/∂x (xᵀx a) = 2 a xᵀ (numerator; 2 x aᵀ in the other layout), not a xᵀ; ∇ₓ (aᵀx
    xᵀAx) = (xᵀAx) a + (aᵀx)(A + Aᵀ)x, not with 2Ax; d/dt e^{tA}C = A e^{tA} C, not e^{tA}CA
    (n = 4)."""
    rng = np.random.default_rng(32)
    n = 4
    x, a = rng.normal(size=n), rng.normal(size=n)
    m, c = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    jac = np.stack([central_gradient(lambda v, i=i: (v @ v) * a[i], x) for i in range(n)])
    assert np.allclose(jac, 2 * np.outer(a, x), atol=1e-5)
    assert not np.allclose(jac, np.outer(a, x), atol=1e-3)
    g = central_gradient(lambda v: (a @ v) * (v @ m @ v), x)
    assert np.allclose(g, (x @ m @ x) * a + (a @ x) * (m + m.T) @ x, atol=1e-5)
    assert not np.allclose(g, (x @ m @ x) * a + 2 * (a @ x) * m @ x, atol=1e-3)
    t, h = 0.3, 1e-6
    numeric = (expm((t + h) * m) @ c - expm((t - h) * m) @ c) / (2 * h)
    assert np.allclose(numeric, m @ expm(t * m) @ c, atol=1e-5)
    assert not np.allclose(numeric, expm(t * m) @ c @ m, atol=1e-3)


def test_an_operator_before_a_product_differentiates_the_product(tmp_path: Path) -> None:
    # the shape check: no mismatch in x^T x a (it was x times a, 1 and n)
    assert codes_by_line("%! notes.md\n" + OPERATORS, tmp_path) == []
    lines, tally = found_lines(OPERATORS)
    assert lines == [5, 9, 13]  # the 2 lost; 2Ax for a general A; the factors commuted
    assert tally.verified >= 3  # lines 3, 7 and 11, right, verified (not merely unread)


THETA = r"""Let $\mathbf y \in \mathbb{R}^n$, $S \in \mathbb{R}^{n \times n}$ symmetric, $\sigma > 0$ and $\theta > 0$.
With $K = \theta S + \sigma^2 I$, the log-likelihood is $L = -\tfrac12\mathbf y^\top K^{-1}\mathbf y - \tfrac12\log\det K$.

$$\frac{\mathrm dL}{\mathrm d\theta} = \tfrac12\mathbf y^\top K^{-1}SK^{-1}\mathbf y - \tfrac12\operatorname{tr}(K^{-1}S)$$

$$\frac{\mathrm dL}{\mathrm d\theta} = \tfrac12\mathbf y^\top K^{-1}SK^{-1}\mathbf y + \tfrac12\operatorname{tr}(K^{-1}S)$$
"""

THETA_VECTOR = r"""%! notes.md
Let $\theta \in \mathbb{R}^p$ with $\theta > 0$ entrywise, $X \in \mathbb{R}^{n \times p}$ and $\mathbf y \in \mathbb{R}^n$.

$$\mathbf r = \mathbf y - X\theta$$
"""


def test_theta_compared_strictly_with_a_number_is_a_scalar(tmp_path: Path) -> None:
    """examen-resuelto-gp-es-30:26,27: "$\\theta > 0$" beside "$\\sigma > 0$"; a θ declared a
    vector stays one (``\\mathbf y - X\\theta`` agrees)."""
    lines, tally = found_lines(THETA)
    assert lines == [6]  # the trace's sign
    assert tally.verified >= 1
    assert codes_by_line(THETA_VECTOR, tmp_path) == []


ARM = r"""A two-link arm with link lengths $\ell_1, \ell_2 > 0$ and joint angles $q_1, q_2$ (scalars).

$$\frac{\partial}{\partial q_2}\big(\ell_1\sin q_1 + \ell_2\sin(q_1 + q_2)\big) = \ell_2\cos(q_1 + q_2)$$

$$\frac{\partial}{\partial q_2}\big(\ell_1\sin q_1 + \ell_2\sin(q_1 + q_2)\big) = -\ell_2\cos(q_1 + q_2)$$

$$\frac{\partial}{\partial \ell_1}\big(\ell_1\cos q_1 + \ell_2\cos(q_1 + q_2)\big) = \cos q_1$$

$$\frac{\partial}{\partial \ell_1}\big(\ell_1\cos q_1 + \ell_2\cos(q_1 + q_2)\big) = \sin q_1$$
"""


def test_letters_listed_as_scalars_in_brackets_and_lengths_compared_are_numbers() -> None:
    """wikijs-jacobian-transpose-31:25: "$q_1, q_2$ (scalars)", "$\\ell_1, \\ell_2 > 0$"."""
    lines, tally = found_lines(ARM)
    assert lines == [5, 9]  # the sign; sin for cos
    assert tally.verified >= 2
