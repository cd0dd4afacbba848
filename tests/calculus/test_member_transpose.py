r"""Notation the new held-out-style documents (issue 14) showed missing or misread.

- ``\mathbf{a}^{(1)\top}``, ``W^{(2)\mathsf{T}}``: one superscript for a member's label and its
  transpose, read by the engine and by the evaluator of the formula as written;
- ``\mathbf{g} - \mathbf{1}^\top\mathbf{g}\,\mathbf{1}``: a number (1ᵀg) times a ones vector,
  once read as a product with an n×n identity (``1_{1×1}`` taken for ``1ᵀ1``).

Each result is compared with numbers computed here in NumPy (sizes m = 3, n = 4).
"""

from __future__ import annotations

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.lower import Env, Lowerer, VarInfo
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

RNG = np.random.default_rng(21)
W, X, Y = RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.standard_normal(3)


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None
    return np.asarray(evaluate(tree, values), dtype=float)


def test_a_members_label_and_transpose_in_one_superscript() -> None:
    where = r"W^{(2)} \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{y} \in \mathbb{R}^m"
    for mark in (r"\top", "T", r"\mathsf{T}"):
        f = rf"\mathbf{{x}}^\top W^{{(2){mark}}} \mathbf{{y}}"
        out = diff_latex(f, "W^{(2)}", where)
        assert out.error is None and out.verified, (mark, out.error or out.note)
        assert "independently" not in out.note  # the evaluator read the formula too
        values = {"W^{(2)}": W, "x": X[:, None], "y": Y[:, None]}
        assert np.allclose(_value(out.result, values), np.outer(Y, X))  # ∇ xᵀWᵀy = y xᵀ
        assert np.isclose(_value(f, values)[0, 0], X @ W.T @ Y)


def test_a_conjugate_mark_is_no_transpose_of_a_member() -> None:
    where = r"W^{(2)} \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{y} \in \mathbb{R}^m"
    out = diff_latex(r"\mathbf{x}^\top W^{(2)\dagger} \mathbf{y}", "W^{(2)}", where)
    assert not out.verified or out.error is not None


def test_a_number_times_a_ones_vector_in_a_sum() -> None:
    n = sympy.Symbol("n")
    env = Env({"g": VarInfo("g", e.Shape(n, e.ONE), "g")})
    tree = parse_row(MappedText.identity(r"\mathbf{g} - \mathbf{1}^\top\mathbf{g}\mathbf{1}")).tree
    assert tree is not None
    x = Lowerer(env).lower(tree)
    assert not any(isinstance(f, e.Identity) for f in x.walk())
    from texgrad.calculus.evaluate_expr import evaluate as evaluate_expr

    g = RNG.standard_normal(4)
    got = np.asarray(evaluate_expr(x, {"g": g[:, None]}, {"n": 4}), dtype=float).ravel()
    assert np.allclose(got, g - g.sum())
    assert e.mul(e.ones(e.ONE, e.ONE), e.ones(n, e.ONE)) == e.ones(n, e.ONE)
    assert e.mul(e.ones(e.ONE, n), e.ones(n, e.ONE)) == e.num(n)  # 1ᵀ1 = n still
