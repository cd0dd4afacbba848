r"""A Hadamard product with an outer product of a vector and ones, beside the vector it
meets, is a plain product (:func:`texgrad.calculus.rewrite.outer_ones_met`):
``(A \odot \mathbf{1}v^\top)\mathbf{1} = Av``, ``(A \odot u\mathbf{1}^\top)\mathbf{1} =
u \odot (A\mathbf{1})``, ``\mathbf{1}^\top(A \odot u\mathbf{1}^\top) = u^\top A``, and their kin
with any vector — each checked numerically, n = 3 rows beside m = 4 columns."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.rewrite import outer_ones_met
from texgrad.shapes.dims import Shape

N, M = (
    sympy.Symbol("n", positive=True, integer=True),
    sympy.Symbol("m", positive=True, integer=True),
)
ONE = sympy.Integer(1)
SIZES = {"n": 3, "m": 4}

A = e.var("A", Shape(N, M))
B = e.var("B", Shape(N, M))
U = e.var("u", Shape(N, ONE))
V = e.var("v", Shape(M, ONE))
W_M = e.var("w", Shape(M, ONE))  # a column meeting the m columns
Z_N = e.var("z", Shape(N, ONE))  # a row (transposed) meeting the n rows
ONES_N, ONES_M = e.ones(N), e.ones(M)


def _values() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(41)
    return {
        "A": rng.standard_normal((3, 4)),
        "B": rng.standard_normal((3, 4)),
        "u": rng.standard_normal((3, 1)),
        "v": rng.standard_normal((4, 1)),
        "w": rng.standard_normal((4, 1)),
        "z": rng.standard_normal((3, 1)),
    }


def _outer_col(u: e.Expr) -> e.Expr:  # u 1ᵀ (n×m)
    return e.mul(u, e.transpose(ONES_M))


def _outer_row(v: e.Expr) -> e.Expr:  # 1 vᵀ (n×m)
    return e.mul(ONES_N, e.transpose(v))


# (the product, the form it must be rewritten to: no Hadamard product with ones left)
CASES = [
    # (A ⊙ 1vᵀ)1 = Av — the Sinkhorn dual's row sums
    (e.mul(e.had(A, _outer_row(V)), ONES_M), e.mul(A, V)),
    # (A ⊙ 1vᵀ)w = A(v ⊙ w)
    (e.mul(e.had(A, _outer_row(V)), W_M), e.mul(A, e.had(V, W_M))),
    # (A ⊙ u1ᵀ)1 = u ⊙ (A1)
    (e.mul(e.had(A, _outer_col(U)), ONES_M), e.had(U, e.mul(A, ONES_M))),
    # (A ⊙ u1ᵀ)w = u ⊙ (Aw)
    (e.mul(e.had(A, _outer_col(U)), W_M), e.had(U, e.mul(A, W_M))),
    # 1ᵀ(A ⊙ u1ᵀ) = uᵀA
    (e.mul(e.transpose(ONES_N), e.had(A, _outer_col(U))), e.mul(e.transpose(U), A)),
    # zᵀ(A ⊙ u1ᵀ) = (z ⊙ u)ᵀA
    (e.mul(e.transpose(Z_N), e.had(A, _outer_col(U))), e.mul(e.transpose(e.had(Z_N, U)), A)),
    # zᵀ(A ⊙ 1vᵀ) = (zᵀA) ⊙ vᵀ
    (
        e.mul(e.transpose(Z_N), e.had(A, _outer_row(V))),
        e.had(e.mul(e.transpose(Z_N), A), e.transpose(V)),
    ),  # fmt: skip
    # 1ᵀ(u1ᵀ ⊙ A ⊙ B ⊙ 1vᵀ)1 = uᵀ(A ⊙ B)v: both sides at once, beside another factor
    (
        e.mul(e.transpose(ONES_N), e.had(_outer_col(U), A, B, _outer_row(V)), ONES_M),
        e.mul(e.transpose(U), e.had(A, B), V),
    ),  # fmt: skip
]


@pytest.mark.parametrize("before, after", CASES)
def test_an_outer_product_with_ones_is_multiplied_out(before: e.Expr, after: e.Expr) -> None:
    assert isinstance(before, e.Mul)
    got = outer_ones_met(before)
    assert got == after
    assert not any(  # no operand u 1ᵀ or 1 vᵀ is left in a Hadamard product
        isinstance(x, e.Had) and any(isinstance(a, e.Mul) and any(
            isinstance(f, e.Ones) and not f.is_vector for f in a.factors) for a in x.args)
        for x in got.walk()
    )  # fmt: skip
    values = _values()
    lhs = np.asarray(evaluate(before, values, SIZES))
    rhs = np.asarray(evaluate(got, values, SIZES))
    assert lhs.shape == rhs.shape == (np.asarray(evaluate(after, values, SIZES))).shape
    assert np.allclose(lhs, rhs)
    # and against numpy's own arithmetic, not only the engine's evaluation
    a, u, v = values["A"], values["u"], values["v"]
    assert np.allclose((a * (np.ones((3, 1)) @ v.T)) @ np.ones((4, 1)), a @ v) and np.allclose(
        np.ones((1, 3)) @ (a * (u @ np.ones((1, 4)))), u.T @ a
    )


def test_a_product_without_ones_is_left_alone() -> None:
    """A Hadamard product of two matrices, or with a full outer product u vᵀ, stays."""
    for x in (
        e.mul(e.had(A, B), ONES_M),
        e.mul(e.had(A, e.mul(U, e.transpose(V))), ONES_M),
        e.mul(e.had(A, _outer_row(e.d(V))), ONES_M),  # (around dX: the differential's form)
    ):
        assert isinstance(x, e.Mul)
        assert outer_ones_met(x) == x


def test_the_sinkhorn_dual_gradient_is_the_textbook_one() -> None:
    r"""∇_f of the entropic dual with the plan written as a Hadamard product is
    a - e^{f/t} ⊙ (e^{-C/t} e^{g/t}), read back and checked by central differences
    (n = 3, m = 4)."""
    from texgrad.calculus.api import diff_latex
    from texgrad.calculus.lower import Env, Lowerer, VarInfo
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    shapes = {"a": Shape(N, ONE), "f": Shape(N, ONE), "b": Shape(M, ONE), "g": Shape(M, ONE),
              "C": Shape(N, M), "t": Shape(ONE, ONE)}  # fmt: skip
    where = r"a, f \in \mathbb{R}^n; b, g \in \mathbb{R}^m; C \in \mathbb{R}^{n \times m}; t > 0"
    expr = (
        r"f^\top a + g^\top b - t\,\mathbf{1}_n^\top"
        r"\left(e^{f/t}\mathbf{1}_m^\top \odot e^{-C/t} \odot \mathbf{1}_n e^{g^\top/t}\right)"
        r"\mathbf{1}_m"
    )
    out = diff_latex(expr, "f", where)
    assert out.verified, out.error or out.note
    assert r"\mathbf{1}" not in out.result, out.result
    rng = np.random.default_rng(5)
    values = {"a": rng.standard_normal((3, 1)), "f": rng.standard_normal((3, 1)),
              "b": rng.standard_normal((4, 1)), "g": rng.standard_normal((4, 1)),
              "C": rng.standard_normal((3, 4)), "t": np.array([[0.7]])}  # fmt: skip
    env = Env({k: VarInfo(k, s, k) for k, s in shapes.items()})
    read = Lowerer(env).lower(parse_row(MappedText.identity(out.result)).tree)
    got = np.asarray(evaluate(read, values, SIZES))
    a, f, g, c, t = (values[k] for k in ("a", "f", "g", "C", "t"))

    def dual(fv: np.ndarray) -> float:
        plan = np.exp(fv / t) * np.exp(-c / t) * np.exp(g.T / t)
        return float((fv.T @ a)[0, 0] - t[0, 0] * plan.sum())

    h = 1e-6
    fd = np.array([[(dual(f + h * u) - dual(f - h * u)) / (2 * h)] for u in np.eye(3)[:, :, None]])
    assert got.shape == (3, 1)
    assert np.allclose(got, fd, atol=1e-5)
