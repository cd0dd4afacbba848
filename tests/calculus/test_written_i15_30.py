r"""Session i15's 30th round (tests/documents/*-30 and the -28/-29 misses) and the rules it
changed, each on a short text of its own:

- a gradient by ``\operatorname{vec}(X)`` of a scalar function of a matrix X
  (``\nabla_{\operatorname{vec}(X)} h``) is vec of the gradient by X, a column of mn entries
  (``written_derivatives._by_vec``); it was "cannot tell what it is differentiated by";
- a column named in prose as "Per output column $\mathbf v_j$ of $V$" or "Writing $\mathbf
  w_k$ for the $k$-th column of $W$" is a vector of W's rows (``shapes.prose._FAMILY``): the
  claims by it were "the document never declares `\mathbf v_j`";
- ``J(K - \beta J)^{-1}`` of a declared matrix J is J times the bracket's inverse
  (``written.matrix_before_script``): the parser applies the function letter J to the
  bracket and scripts the application, and ``texgrad diff`` offered the derivative of
  (J(K - βJ))⁻¹, the written check a false alarm on a right claim;
- ``K(\theta)^{-1}`` of a K the document defines of θ is K(θ) inverted: it was read as
  K/θ on the right side of a claim (``_functions_of_wrt`` and ``evaluate_tree.call_before``);
- a layout named in Japanese ("分母レイアウト") decides, and "(neither $A$ nor $X$
  symmetric unless said)" says no matrix symmetric (``shapes.properties._DENIED``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.helpers import central_gradient
from tests.calculus.written_check import found_lines
from tests.test_cli import run

VEC = r"""Let $A \in \mathbb{R}^{m \times m}$, $B \in \mathbb{R}^{n \times n}$ and $X \in \mathbb{R}^{m \times n}$.
For $h(X) = \operatorname{vec}(X)^\top(B \otimes A)\operatorname{vec}(X)$,

$$\nabla_{\operatorname{vec}(X)} h = (B \otimes A + B^\top \otimes A^\top)\operatorname{vec}(X)$$

$$\nabla_{\operatorname{vec}(X)} h = 2(B \otimes A)\operatorname{vec}(X)$$

$$\frac{\partial h}{\partial \operatorname{vec}(X)} = \operatorname{vec}(AXB^\top + A^\top XB)$$

$$\frac{\partial h}{\partial \operatorname{vec}(X)} = \operatorname{vec}(AXB + A^\top XB^\top)$$
"""

COLUMNS = r"""Let $A \in \mathbb{R}^{m \times d}$, $V \in \mathbb{R}^{d \times k}$ and $B \in \mathbb{R}^{m \times k}$.
Per output column $\mathbf v_j$ of $V$ and target column $\mathbf b_j$,

$$\nabla_{\mathbf v_j} \|A\mathbf v_j - \mathbf b_j\|^2 = 2A^\top(A\mathbf v_j - \mathbf b_j)$$

$$\nabla_{\mathbf v_j} \|A\mathbf v_j - \mathbf b_j\|^2 = A^\top(A\mathbf v_j - \mathbf b_j)$$

Let $W \in \mathbb{R}^{n \times r}$ and $\mathbf u \in \mathbb{R}^n$. Writing $\mathbf w_k$ for the $k$-th column of $W$,

$$\nabla_{\mathbf w_k} (\mathbf u^\top\mathbf w_k)^2 = 2(\mathbf u^\top\mathbf w_k)\mathbf u$$

$$\nabla_{\mathbf w_k} (\mathbf u^\top\mathbf w_k)^2 = 2\mathbf u\mathbf u^\top$$
"""

RESOLVENT = r"""Let $J, K \in \mathbb{R}^{n \times n}$ and $\beta \in \mathbb{R}$.

$$\frac{\mathrm d}{\mathrm d\beta}(K - \beta J)^{-1} = (K - \beta J)^{-1}J(K - \beta J)^{-1}$$

$$\frac{\mathrm d}{\mathrm d\beta}(K - \beta J)^{-1} = -(K - \beta J)^{-1}J(K - \beta J)^{-1}$$
"""

DEFINED_OF_RHO = r"""Let $\mathbf y \in \mathbb{R}^n$, $S \in \mathbb{R}^{n \times n}$ symmetric, $\sigma > 0$ and $\rho > 0$.
With $K(\rho) = \rho S + \sigma^2 I$,
$$L(\rho) = -\tfrac12\mathbf y^\top K(\rho)^{-1}\mathbf y - \tfrac12\log\det K(\rho) .$$

$$\frac{\mathrm dL}{\mathrm d\rho} = \tfrac12\mathbf y^\top K(\rho)^{-1}SK(\rho)^{-1}\mathbf y - \tfrac12\operatorname{tr}\big(K(\rho)^{-1}S\big)$$

$$\frac{\mathrm dL}{\mathrm d\rho} = \tfrac12\mathbf y^\top K(\rho)^{-1}SK(\rho)^{-1}\mathbf y + \tfrac12\operatorname{tr}\big(K(\rho)^{-1}S\big)$$
"""

JAPANESE = r"""記法：$X, A \in \mathbb{R}^{n \times n}$（$X$ は正則）。行列による微分 $\partial f / \partial X$ は $X$ と同じ形（分母レイアウト）とする。

$$\frac{\partial}{\partial X}\log|\det X| = X^{-\top}$$

$$\frac{\partial}{\partial X}\log|\det X| = X^{-1}$$

$$\frac{\partial}{\partial X}\operatorname{tr}(AX) = A^\top$$

$$\frac{\partial}{\partial X}\operatorname{tr}(AX) = A$$
"""

NEITHER = r"""Notation: $A, X \in \mathbb{R}^{n \times n}$ with $X$ invertible (neither $A$ nor $X$ symmetric unless said).
We use the denominator layout.

$$\frac{\partial \log\det X}{\partial X} = X^{-\top}$$

$$\frac{\partial \log\det X}{\partial X} = X^{-1}$$
"""


def _vec(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, order="F")


def test_the_vec_reference_is_what_central_differences_give() -> None:
    """∇_{vec X} vec(X)ᵀ(B⊗A)vec(X) = (B⊗A + Bᵀ⊗Aᵀ)vec X = vec(AXBᵀ + AᵀXB), not
    2(B⊗A)vec X nor vec(AXB + AᵀXBᵀ) (m = 3, n = 4)."""
    rng = np.random.default_rng(30)
    m, n = 3, 4
    a, b, x = rng.normal(size=(m, m)), rng.normal(size=(n, n)), rng.normal(size=(m, n))
    k = np.kron(b, a)
    g = central_gradient(lambda v: v @ k @ v, _vec(x))
    assert np.allclose(g, (k + k.T) @ _vec(x), atol=1e-5)
    assert np.allclose(g, _vec(a @ x @ b.T + a.T @ x @ b), atol=1e-5)
    assert not np.allclose(g, 2 * k @ _vec(x), atol=1e-3)


def test_a_gradient_by_vec_of_a_matrix_is_checked_as_vec_of_the_gradient() -> None:
    lines, tally = found_lines(VEC)
    assert lines == [6, 10]  # Kronecker factors not symmetrised; both factors transposed wrongly
    assert tally.verified >= 2  # lines 4 and 8, right, verified (not merely unread)


def test_columns_named_in_prose_are_vectors_of_the_matrix_rows() -> None:
    """∇_v ‖Av - b‖² = 2Aᵀ(Av - b) (numerically checked throughout the suite); ∇_w (uᵀw)² =
    2(uᵀw)u, not 2uuᵀ (a matrix)."""
    lines, tally = found_lines(COLUMNS)
    assert lines == [6, 12]  # the 2 lost; the Hessian's form written for the gradient
    assert tally.verified >= 2  # lines 4 and 10, right, verified (not merely unread)


def test_the_resolvent_reference_is_what_central_differences_give() -> None:
    """d/dβ (K - βJ)⁻¹ = (K - βJ)⁻¹J(K - βJ)⁻¹ (n = 4), not its negative; and
    d/dρ of -½yᵀK⁻¹y - ½log det K, K = ρS + σ²I, is ½yᵀK⁻¹SK⁻¹y - ½tr(K⁻¹S)."""
    rng = np.random.default_rng(31)
    n = 4
    j, k = rng.normal(size=(n, n)), rng.normal(size=(n, n)) + 4 * np.eye(n)
    beta, h = 0.3, 1e-6

    def resolvent(b: float) -> np.ndarray:
        return np.linalg.inv(k - b * j)

    numeric = (resolvent(beta + h) - resolvent(beta - h)) / (2 * h)
    r = resolvent(beta)
    assert np.allclose(numeric, r @ j @ r, atol=1e-5)
    assert not np.allclose(numeric, -r @ j @ r, atol=1e-3)
    m = rng.normal(size=(n, n))
    s, y, sigma, rho = m @ m.T, rng.normal(size=n), 0.7, 1.3

    def loss(p: float) -> float:
        kk = p * s + sigma**2 * np.eye(n)
        return float(-0.5 * y @ np.linalg.solve(kk, y) - 0.5 * np.linalg.slogdet(kk)[1])

    kinv = np.linalg.inv(rho * s + sigma**2 * np.eye(n))
    want = 0.5 * y @ kinv @ s @ kinv @ y - 0.5 * np.trace(kinv @ s)
    assert abs((loss(rho + h) - loss(rho - h)) / (2 * h) - want) < 1e-5
    assert abs(want - (0.5 * y @ kinv @ s @ kinv @ y + 0.5 * np.trace(kinv @ s))) > 1e-3


def test_a_matrix_before_a_scripted_bracket_multiplies_it(tmp_path: Path) -> None:
    lines, tally = found_lines(RESOLVENT)
    assert lines == [5]  # the sign; line 3 is right (it was flagged)
    assert tally.verified >= 1
    code, out = run(
        "diff", "--budget", "60", "--wrt", "\\beta", "--where",
        "J \\in \\mathbb{R}^{n \\times n}; K \\in \\mathbb{R}^{n \\times n}; \\beta \\in \\mathbb{R}",
        "\\operatorname{tr}(J(K - \\beta J)^{-1})",
    )  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[0] == "\\operatorname{tr}(J (K - \\beta J)^{-1} J (K - \\beta J)^{-1})"


def test_a_defined_function_inverted_is_its_application_inverted() -> None:
    lines, tally = found_lines(DEFINED_OF_RHO)
    assert lines == [7]  # the sign of the trace; line 5 is right
    assert tally.verified >= 1


def test_a_layout_named_in_japanese_decides() -> None:
    lines, tally = found_lines(JAPANESE)
    assert lines == [5, 9]  # the numerator layout's forms, in a denominator-layout text
    assert tally.verified >= 2


def test_neither_nor_symmetric_says_no_matrix_symmetric() -> None:
    lines, tally = found_lines(NEITHER)
    assert lines == [6]  # X^{-1} for a general X in denominator layout
    assert tally.verified >= 1
