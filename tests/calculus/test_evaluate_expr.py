r"""Evaluating the engine's expressions (:mod:`texgrad.calculus.evaluate_expr`)."""

from __future__ import annotations

import pytest

from texgrad.calculus import expr as e
from texgrad.shapes.dims import Shape


def test_a_function_of_one_variable_gives_the_numbers_of_evaluate() -> None:
    import numpy as np

    from texgrad.calculus.arrays import EvaluationError
    from texgrad.calculus.evaluate_expr import evaluate, function_of

    n, m = (__import__("sympy").Symbol(s, positive=True, integer=True) for s in "nm")
    a, b = e.var("A", Shape(m, n)), e.var("b", Shape(m, e.ONE))
    x, lam = e.var("x", Shape(n, e.ONE)), e.var("lambda", Shape(e.ONE, e.ONE))
    r = e.sub(e.mul(a, x), b)
    f = e.add(e.mul(e.num("1/2"), e.transpose(r), r), e.mul(lam, e.transpose(x), x))
    rng = np.random.default_rng(0)
    sizes = {"n": 3, "m": 4}
    values = {"A": rng.standard_normal((4, 3)), "b": rng.standard_normal((4, 1)),
              "x": rng.standard_normal((3, 1)), "lambda": np.array([[0.5]])}  # fmt: skip
    for wrt in ("x", "A", "b", "lambda"):
        fn = function_of(f, wrt, values, sizes)
        for _ in range(3):
            value = values[wrt] + rng.standard_normal(values[wrt].shape)
            assert np.array_equal(fn(value), evaluate(f, {**values, wrt: value}, sizes))
    # a part not involving the variable is evaluated once, where its domain is checked
    g = e.add(e.mul(e.transpose(e.ones(m)), e.elem("log", b)), e.mul(e.transpose(x), x))
    with pytest.raises(EvaluationError):
        function_of(g, "x", {**values, "b": -np.ones((4, 1))}, sizes)
