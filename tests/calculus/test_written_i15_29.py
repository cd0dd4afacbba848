r"""Session i15's 29th round (tests/documents/*-29 and the -28 misses) and the rules it
changed, each on a short text of its own:

- ``\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top \Omega (A\mathbf v - \mathbf b)`` is
  parsed as the operator applied to the first bracket, transposed, times the rest: it is
  read as the operator applied to the whole product (``_operator_of_marked_bracket``), as
  ``\nabla_{\mathbf v} \mathbf v^\top \Omega \mathbf v`` is; it was "used inside a formula";
- a function named with an optimum's mark, ``\mathbf x^\star(\lambda) = (A^\top A + \lambda
  I)^{-1}A^\top\mathbf y``, is that function of λ (``written.as_application``), and
  ``\mathbf x^\star`` on the right side of its derivative stands for it
  (``_functions_of_wrt``): its derivative by λ was read as zero;
- the letters a claim could be typed by only are named whole: ``\mathbf v_j`` (not the index
  ``j``), ``\mathbf x^\star`` (not the mark ``\star``, suggested ``\star \in \mathbb{R}``),
  and a bold small letter differentiated is suggested a vector, not a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.calculus.helpers import central_gradient
from tests.calculus.written_check import found_lines
from tests.test_cli import run

QUADRATIC = r"""Let $A \in \mathbb{R}^{m \times n}$, $\mathbf v \in \mathbb{R}^n$, $\mathbf b \in \mathbb{R}^m$ and a diagonal $\Omega \in \mathbb{R}^{m \times m}$.

$$
\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top \Omega (A\mathbf v - \mathbf b) = 2A^\top\Omega(A\mathbf v - \mathbf b)
$$

$$
\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top \Omega (A\mathbf v - \mathbf b) = A^\top\Omega(A\mathbf v - \mathbf b)
$$

$$
\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top (A\mathbf v - \mathbf b) = 2A^\top(A\mathbf v - \mathbf b)
$$

$$
\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top (A\mathbf v - \mathbf b) = 2A^\top(A\mathbf v + \mathbf b)
$$
"""

RIDGE = r"""Let $A \in \mathbb{R}^{m \times n}$, $\mathbf y \in \mathbb{R}^m$ and $\lambda > 0$.

The solution $\mathbf x^\star(\lambda) = (A^\top A + \lambda I)^{-1}A^\top\mathbf y$ depends on $\lambda$, and

$$
\frac{\mathrm d\mathbf x^\star}{\mathrm d\lambda} = -(A^\top A + \lambda I)^{-1}\mathbf x^\star .
$$

$$
\frac{\mathrm d\mathbf x^\star}{\mathrm d\lambda} = (A^\top A + \lambda I)^{-1}\mathbf x^\star .
$$

$$
\frac{\mathrm d\mathbf x^\star}{\mathrm d\lambda} = -(A^\top A + \lambda I)^{-2}A^\top\mathbf y .
$$
"""


_found, _gradient = found_lines, central_gradient


def test_the_references_are_what_central_differences_give() -> None:
    """∇ (Av - b)ᵀΩ(Av - b) = 2AᵀΩ(Av - b) for a diagonal Ω (not AᵀΩ(Av - b)), and
    d x*/dλ = -(AᵀA + λI)⁻¹x* for x*(λ) = (AᵀA + λI)⁻¹Aᵀy (not without the minus);
    m = 5, n = 3."""
    rng = np.random.default_rng(29)
    m, n = 5, 3
    a, b, y = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=m)
    omega = np.diag(rng.uniform(0.5, 2.0, size=m))
    v = rng.normal(size=n)
    g = _gradient(lambda v: (a @ v - b) @ omega @ (a @ v - b), v)
    assert np.allclose(g, 2 * a.T @ omega @ (a @ v - b), atol=1e-5)
    assert not np.allclose(g, a.T @ omega @ (a @ v - b), atol=1e-3)

    def x_star(lam: float) -> np.ndarray:
        return np.linalg.solve(a.T @ a + lam * np.eye(n), a.T @ y)

    lam, h = 0.7, 1e-6
    dx = (x_star(lam + h) - x_star(lam - h)) / (2 * h)
    inverse = np.linalg.inv(a.T @ a + lam * np.eye(n))
    assert np.allclose(dx, -inverse @ x_star(lam), atol=1e-5)
    assert not np.allclose(dx, inverse @ x_star(lam), atol=1e-3)


def test_an_operator_before_a_transposed_bracket_takes_the_whole_product() -> None:
    lines, tally = _found(QUADRATIC)
    assert lines == [8, 16]  # the 2 lost; a sign inside the bracket
    assert tally.verified >= 2  # lines 4 and 12, right, verified (not merely unread)


def test_a_solution_named_with_a_star_is_its_function_of_lambda() -> None:
    lines, tally = _found(RIDGE)
    assert lines == [10]  # without the minus
    assert tally.verified >= 2  # lines 6 and 14


def test_the_letters_to_declare_are_named_whole(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        r"Then $\frac{\mathrm d\mathbf x^\star}{\mathrm d\lambda} = -B\mathbf x^\star$ and "
        r"$\nabla_{\mathbf v_j} \mathbf v_j^\top \mathbf v_j = 2\mathbf v_j$." + "\n"
    )
    code, out = run("check", "--format", "json", "-j", "1", "--explain", str(doc))
    said = [str(r["message"]) for r in json.loads(out) if r["code"] == "derivative-not-checked"]
    assert len(said) == 2, said
    assert "declare them, e.g. `\\mathbf x^\\star \\in \\mathbb{R}^n`" in said[0]
    assert (
        "the document never declares `\\mathbf v_j`; declare it, e.g. `\\mathbf v_j \\in" in said[1]
    )
    assert not any("`\\star" in s or "`j \\in" in s for s in said), said


def test_the_gates_reference_is_what_central_differences_give() -> None:
    """With L = tr(G₁ᵀA₁) + tr(G₂ᵀA₂) (the loss to first order), ∂L/∂H = G₁U₁ᵀ + G₂U₂ᵀ, not
    G₁U₁ + G₂U₂ (B = 4, d = 3, h = 2)."""
    rng = np.random.default_rng(7)
    b, d, h = 4, 3, 2
    x, w1, w2 = rng.normal(size=(b, d)), rng.normal(size=(d, h)), rng.normal(size=(d, h))
    u1, u2, g1, g2 = (rng.normal(size=s) for s in ((h, h), (h, h), (b, h), (b, h)))
    hh = rng.normal(size=(b, h))

    def loss(hv: np.ndarray) -> float:
        return float(np.sum(g1 * (x @ w1 + hv @ u1)) + np.sum(g2 * (x @ w2 + hv @ u2)))

    grad = _gradient(loss, hh)
    assert np.allclose(grad, g1 @ u1.T + g2 @ u2.T, atol=1e-5)
    assert not np.allclose(grad, g1 @ u1 + g2 @ u2, atol=1e-3)
