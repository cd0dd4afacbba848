r"""Never silently wrong (:mod:`texgrad.calculus.verify`): a wrong result, a wrong Hessian or
a misread formula is never verified; a result that cancels to zero is."""

from __future__ import annotations

from typing import Any

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_latex
from texgrad.calculus.differential import UNLIMITED
from texgrad.calculus.lower import Env, VarInfo
from texgrad.calculus.printing import Style
from texgrad.calculus.verify import verify
from texgrad.shapes.dims import Shape


def test_a_wrong_result_is_never_verified() -> None:
    n, m = (__import__("sympy").Symbol(s, positive=True, integer=True) for s in "nm")
    a = e.var("a", Shape(m, e.ONE))
    b = e.var("b", Shape(n, e.ONE))
    x = e.var("X", Shape(m, n))
    f = e.mul(e.transpose(a), x, b)
    df = e.mul(e.transpose(a), e.d(x), b)
    env = Env({k: VarInfo(k, v.shape, k) for k, v in (("a", a), ("b", b), ("X", x))})
    right = e.mul(a, e.transpose(b))
    assert verify(f, right, df, x, "gradient", "", env, Style(), UNLIMITED).ok
    wrong = e.mul(e.num(2), a, e.transpose(b))
    check = verify(f, wrong, df, x, "gradient", "", env, Style(), UNLIMITED)
    assert not check.ok and "NOT verified" in check.note


def test_a_wrong_hessian_is_never_verified() -> None:
    n = __import__("sympy").Symbol("n", positive=True, integer=True)
    a = e.var("A", Shape(n, n))
    x = e.var("x", Shape(n, e.ONE))
    f = e.mul(e.transpose(x), a, x)
    df = e.add(e.mul(e.transpose(e.d(x)), a, x), e.mul(e.transpose(x), a, e.d(x)))
    env = Env({k: VarInfo(k, v.shape, k) for k, v in (("A", a), ("x", x))})
    right = e.add(a, e.transpose(a))
    assert verify(f, right, df, x, "hessian", "", env, Style(), UNLIMITED).ok
    for wrong in (a, e.mul(e.num(2), a), e.add(right, e.identity(n))):
        check = verify(f, wrong, df, x, "hessian", "", env, Style(), UNLIMITED)
        assert not check.ok and "NOT verified" in check.note


def test_the_finite_difference_hessian_evaluates_each_pair_once() -> None:
    import numpy as np

    from texgrad.calculus.verify import _hessian_fd

    a = np.arange(16.0).reshape(4, 4)
    calls: list[int] = []

    def f(x: np.ndarray) -> np.ndarray:
        calls.append(1)
        return x.T @ a @ x

    h = _hessian_fd(f, np.linspace(-1, 1, 4).reshape(4, 1))
    assert np.allclose(h, a + a.T, atol=1e-4)
    assert len(calls) == 4 * (4 * 5 // 2)  # four points per pair i <= j


def test_a_formula_read_otherwise_than_written_is_not_verified() -> None:
    """The engine's reading of the formula is checked against evaluate_tree.py's evaluation of
    the formula as written: a misreading (here: 3 x^T x read as x^T x) cannot be verified
    even though the derivative of what was read is right."""
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    n = Shape(__import__("sympy").Symbol("n", positive=True, integer=True), e.ONE)
    x = e.var("x", n)
    f = e.mul(e.transpose(x), x)
    g = e.mul(e.num(2), x)
    df = e.mul(e.num(2), e.transpose(x), e.d(x))
    env = Env({"x": VarInfo("x", n, "x")})
    written = parse_row(MappedText.identity(r"3 x^\top x")).tree
    check = verify(f, g, df, x, "gradient", "numerator", env, Style(), UNLIMITED, original=written)
    assert not check.ok and "as written" in check.note
    same = parse_row(MappedText.identity(r"x^\top x")).tree
    assert verify(f, g, df, x, "gradient", "numerator", env, Style(), UNLIMITED, original=same).ok


def test_a_gradient_that_cancels_is_a_verified_zero() -> None:
    """For square X, tr((XᵀCX)⁻¹ XᵀBX) = tr(C⁻¹B) does not change: its gradient is 0 (a
    zero matrix, printed 0), verified even where XᵀCX is ill-conditioned."""
    out = diff_latex(
        r"\operatorname{Tr}((X^T C X)^{-1} (X^T B X))", "X", r"B, X, C \in \mathbb{R}^{k \times k}"
    )
    assert (out.result, out.verified) == ("0", True), out.note


def test_a_hessian_near_a_pole_is_checked_at_a_smaller_step() -> None:
    # f = xᵀx / aᵀx at aᵀx ≈ -0.005: the step 1e-4 is off by 0.5% (the fourth derivative
    # is huge there); a ten times smaller step agrees with the right Hessian, not a wrong one
    import numpy as np

    from texgrad.calculus.verify import _hessian_close

    a = np.array([[1.0], [2.0], [-1.0]])
    x0 = np.array([[0.7], [-0.2], [0.305]])
    t = float((a.T @ x0)[0, 0])
    assert abs(t) < 0.01

    def f(x: np.ndarray) -> np.ndarray:
        return (x.T @ x) / (a.T @ x)

    s = float((x0.T @ x0)[0, 0])
    right = 2 * np.eye(3) / t - 2 * (x0 @ a.T + a @ x0.T) / t**2 + 2 * s * (a @ a.T) / t**3
    assert _hessian_close(right, f, x0)
    assert not _hessian_close(1.01 * right, f, x0)
    assert not _hessian_close(right + 1e-2 * np.abs(right).max() * np.eye(3), f, x0)


def test_hessians_of_quotients_are_verified() -> None:
    where = r"A \in \mathbb{R}^{n \times n}; x, a \in \mathbb{R}^n"
    for expr in (r"\frac{x^\top x}{a^\top x}", r"\frac{x^\top A x}{x^\top x}"):
        out = diff_latex(expr, "x", where, hessian=True)
        assert out.error is None and out.kind == "hessian" and out.verified, (expr, out)


def test_labels_are_sampled_in_their_set_at_every_other_point(monkeypatch: Any) -> None:
    import texgrad.calculus.verify as verify_module

    seen: list[set[float]] = []
    real = verify_module.sample_inputs

    def spy(*args: Any, **kwargs: Any) -> Any:
        values, sizes = real(*args, **kwargs)
        seen.append(set(values["y"].ravel()))
        return values, sizes

    monkeypatch.setattr(verify_module, "sample_inputs", spy)
    where = r"X \in \mathbb{R}^{n \times d}; w \in \mathbb{R}^d; \mathbf{y} \in \{0,1\}^n"
    out = diff_latex(r"-\mathbf{y}^\top \log \sigma(X w)", "w", where)
    assert out.verified and out.result == r"-X^\top (\mathbf{y} \odot (\mathbf{1} - \sigma(X w)))"
    assert seen[0] == {0.0, 1.0} and not seen[1] <= {0.0, 1.0}
