r"""The identities the clean table asked for, each checked numerically on its own with a
different size for every dimension: the rewritten form equals the form it replaced.

- ``vec⁻¹((A ⊗ B) vec X) = B X Aᵀ`` (Roth's column lemma), in :func:`expr.unvec`;
- ``vec⁻¹(K⁻¹ vec(R C + C R)) = C`` for ``K = I ⊗ R + Rᵀ ⊗ I``, ``R = S^{1/2}``;
- ``det(I + c u vᵀ) = 1 + c vᵀu`` (the matrix determinant lemma);
- ``diag(A Bᵀ) = (A ⊙ B) 1`` where the Hadamard product cancels;
- Hadamard products commute when like terms are collected (``a ⊙ x + x ⊙ a = 2 a ⊙ x``);
- once expanded, ``diag(s^{∘-1}) diag(s) = I`` and ``diag(s^{∘-1}) s = 1``.
"""

from __future__ import annotations

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.printing import Style, printer
from texgrad.calculus.simplify import simplify
from texgrad.shapes.dims import Shape

m, n, p, q = (sympy.Symbol(s) for s in "mnpq")
SIZES = {"m": 3, "n": 4, "p": 5, "q": 2}
RNG = np.random.default_rng(14)


def _var(name: str, rows: sympy.Expr, cols: sympy.Expr, symmetric: bool = False) -> e.Var:
    return e.var(name, Shape(rows, cols), symmetric)


def _values(*names_shapes: tuple[str, int, int]) -> dict[str, np.ndarray]:
    return {k: RNG.standard_normal((r, c)) for k, r, c in names_shapes}


def _spd(k: int) -> np.ndarray:
    a = RNG.standard_normal((k, k))
    return a @ a.T + k * np.eye(k)


def test_roth_column_lemma() -> None:
    a, b, x = _var("A", p, n), _var("B", q, m), _var("X", m, n)
    y = e.mul(e.num(3), e.kron(a, b), e.vec(x))
    out = e.unvec(y, q, p)
    assert not any(isinstance(z, (e.Unvec, e.Kron)) for z in out.walk())
    vals = _values(("A", 5, 4), ("B", 2, 3), ("X", 3, 4))
    kron_vec = 3 * np.kron(vals["A"], vals["B"]) @ vals["X"].reshape(-1, 1, order="F")
    assert np.allclose(evaluate(out, vals, SIZES), kron_vec.reshape(2, 5, order="F"))


def test_roth_needs_matching_sizes() -> None:
    a, b = _var("A", p, n), _var("B", q, m)
    v = _var("v", m * n, e.ONE)
    assert isinstance(e.unvec(e.mul(e.kron(a, b), v), q, p), e.Unvec)  # no vec X to read


def test_anticommutator_solves_the_sylvester_equation() -> None:
    s = _var("S", n, n, symmetric=True)
    c = _var("C", n, n)
    root = e.power(s, sympy.Rational(1, 2))
    two = e.add(e.mul(e.num(2), root, c), e.mul(e.num(2), c, root))
    assert e.sylvester(root, two) == e.mul(e.num(2), c)
    # the merged form of two solves reads as one, then as C
    merged = simplify(e.add(e.sylvester(root, e.mul(root, c)), e.sylvester(root, e.mul(c, root))))
    assert merged == c
    # not an anticommutator: kept as a solve, and its value is the solution
    other = e.sylvester(root, e.add(e.mul(root, c), c))
    assert isinstance(other, e.Unvec)
    vals = {"S": _spd(4), "C": RNG.standard_normal((4, 4))}
    w, u = np.linalg.eigh(vals["S"])
    r = u @ np.diag(np.sqrt(w)) @ u.T
    y = evaluate(other, vals, SIZES)
    assert np.allclose(r @ y + y @ r, r @ vals["C"] + vals["C"])


def test_determinant_lemma() -> None:
    u, v = _var("u", n, e.ONE), _var("v", n, e.ONE)
    c = _var("c", e.ONE, e.ONE)
    out = e.det(e.add(e.identity(n), e.mul(c, u, e.transpose(v))))
    assert not any(isinstance(z, e.Det) for z in out.walk())
    vals = _values(("u", 4, 1), ("v", 4, 1), ("c", 1, 1))
    want = np.linalg.det(np.eye(4) + vals["c"][0, 0] * vals["u"] @ vals["v"].T)
    assert np.isclose(evaluate(out, vals, SIZES)[0, 0], want)
    # not a rank-one update of I: a determinant still
    a = _var("A", n, n)
    assert isinstance(e.det(e.add(a, e.mul(u, e.transpose(v)))), e.Det)


def test_diagonal_of_a_product_that_cancels() -> None:
    y, s = _var("Y", m, q), _var("S", m, q)
    quotient = e.had(y, e.hpow(s, -1))
    out = e.diag_vector(e.mul(quotient, e.transpose(s)))
    assert out == e.mul(y, e.ones(q, e.ONE))
    vals = _values(("Y", 3, 2), ("S", 3, 2))
    want = np.diag((vals["Y"] / vals["S"]) @ vals["S"].T).reshape(-1, 1)
    assert np.allclose(evaluate(out, vals, SIZES), want)
    a, b = _var("A", m, q), _var("B", m, q)  # nothing cancels: diag(ABᵀ) as written
    assert isinstance(e.diag_vector(e.mul(a, e.transpose(b))), e.DiagV)


def test_hadamard_terms_commute_when_collected() -> None:
    a, x = _var("a", n, e.ONE), _var("x", n, e.ONE)
    out = simplify(e.add(e.had(a, x), e.had(x, a)))
    assert printer(Style())(out).replace(" ", "") in (r"2a\odotx", r"2x\odota")


def test_a_diagonal_scaling_folds_once_expanded() -> None:
    out = diff_latex(
        r"\log\operatorname{softmax}(\mathbf{z})", r"\mathbf{z}", r"\mathbf{z} \in \mathbb{R}^k"
    )
    assert out.verified and out.error is None
    assert out.result.replace(" ", "") == r"I-\mathbf{1}\operatorname{softmax}(\mathbf{z})^\top"


def test_a_sylvester_solve_whose_right_side_is_r_y_plus_y_r() -> None:
    from texgrad.calculus.rewrite import solve_sylvester

    s, c = _var("S", n, n, symmetric=True), _var("C", n, n)
    root = e.power(s, sympy.Rational(1, 2))
    inv_root = e.power(s, sympy.Rational(-1, 2))
    inv_s = e.inv(s)
    # E = -(S^{-1/2} C S^{-1} + S^{-1} C S^{-1/2}) = R Y + Y R for Y = -S^{-1} C S^{-1}
    right = e.mul(e.num(-1), e.add(e.mul(inv_root, c, inv_s), e.mul(inv_s, c, inv_root)))
    u = e.sylvester(root, right)
    assert isinstance(u, e.Unvec)
    solved = solve_sylvester(u)
    assert solved == e.mul(e.num(-1), inv_s, c, inv_s)
    vals = {"S": _spd(4), "C": RNG.standard_normal((4, 4))}
    assert np.allclose(evaluate(solved, vals, SIZES), evaluate(u, vals, SIZES))
    # a right side that is no R Y + Y R stays a solve
    other = e.sylvester(root, e.add(e.mul(inv_root, c), e.mul(c, inv_s)))
    assert isinstance(other, e.Unvec) and solve_sylvester(other) == other


def test_a_diagonal_and_the_diagonal_of_the_transpose_are_one_term() -> None:
    a, b = _var("A", m, q), _var("B", m, q)
    one = e.diag_vector(e.mul(a, e.transpose(b)))
    other = e.diag_vector(e.mul(b, e.transpose(a)))
    assert one == other
    out = simplify(e.add(one, other))
    vals = _values(("A", 3, 2), ("B", 3, 2))
    assert np.allclose(evaluate(out, vals, SIZES), 2 * np.diag(vals["A"] @ vals["B"].T)[:, None])
    assert printer(Style())(out).count("diag") == 1
