r"""Session i15's 30th round (tests/documents/*-30 and the -28/-29 misses) and the rules it
changed, each on a short text of its own:

- a gradient by ``\operatorname{vec}(X)`` of a scalar function of a matrix X
  (``\nabla_{\operatorname{vec}(X)} h``) is vec of the gradient by X, a column of mn entries
  (``written_derivatives._by_vec``); it was "cannot tell what it is differentiated by";
- a column named in prose as "Per output column $\mathbf v_j$ of $V$" or "Writing $\mathbf
  w_k$ for the $k$-th column of $W$" is a vector of W's rows (``shapes.prose._FAMILY``): the
  claims by it were "the document never declares `\mathbf v_j`".
"""

from __future__ import annotations

import numpy as np

from tests.calculus.helpers import central_gradient
from tests.calculus.written_check import found_lines

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
