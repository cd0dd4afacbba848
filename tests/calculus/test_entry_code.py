r"""By-entry derivatives as NumPy code (:mod:`texgrad.calculus.entry_code`): the array of every
entry's derivative, run against finite differences of the formula computed here with NumPy
(distinct sizes for every dimension), and the NumPy code written only when asked for."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from texgrad.calculus import derive
from texgrad.calculus.api import diff_latex

WHERE_AB = r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}"


def _function(source: str, name: str) -> Any:
    space: dict[str, Any] = {}
    exec(source, space)  # the code texgrad generated (and checked)
    return space[name]


def _finite(f: Any, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.zeros(x.shape + np.shape(f(x)))
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        out[idx] = (f(x + step) - f(x - step)) / (2 * h)
    return out


def test_by_an_entry_of_a_matrix_the_code_returns_every_entrys_derivative() -> None:
    out = diff_latex(r"\sum_{i,k} a_{ik} b_{ki}", "a_{ij}", WHERE_AB)
    assert out.verified and out.result == "b_{ji}"
    assert out.numpy, out.numpy_note
    assert "entry [i - 1, j - 1] of the array returned is ∂f/∂a_{ij}" in out.numpy
    grad = _function(out.numpy, "grad_A")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((5, 3))
    got = grad(A=a, B=b)
    np.testing.assert_allclose(got, _finite(lambda x: np.trace(x @ b), a), rtol=1e-6)
    i, j = 2, 4  # ∂f/∂a_{24} = b_{42}
    assert got[i - 1, j - 1] == b[j - 1, i - 1]
    assert out.to_json()["numpy"] == out.numpy


def test_by_an_entry_of_a_vector_and_of_an_entry() -> None:
    rng = np.random.default_rng(1)
    where = r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^{n}"
    out = diff_latex(r"x^\top A x", "x_j", where)
    assert out.verified and "position [j - 1] of the vector returned is ∂f/∂x_j" in out.numpy
    a, x = rng.standard_normal((4, 4)), rng.standard_normal(4)
    got = _function(out.numpy, "grad_x")(x=x, A=a)
    np.testing.assert_allclose(got, _finite(lambda v: v @ a @ v, x), rtol=1e-6)
    # ∂f_i/∂x_k of f_i = Σ_j a_ij x_j: the Jacobian, m × n (numerator layout)
    where = r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^{n}"
    out = diff_latex(r"\sum_j a_{ij} x_j", "x_k", where)
    assert out.verified and out.result == "a_{ik}"
    assert "entry [i - 1, k - 1] of the Jacobian returned (numerator layout)" in out.numpy
    a, x = rng.standard_normal((3, 5)), rng.standard_normal(5)
    got = _function(out.numpy, "jacobian_x")(x=x, A=a)
    np.testing.assert_allclose(got, _finite(lambda v: a @ v, x).T, rtol=1e-6)


def test_the_code_is_written_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = derive.checked_code

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(derive, "checked_code", counted)
    out = diff_latex(r"\operatorname{tr}(AB)", "A", WHERE_AB)
    assert out.verified and out.result == r"B^\top" and calls == []
    assert "return B.T" in out.numpy and calls == ["gradient"]
    assert out.code is not None and out.numpy_note == "" and calls == ["gradient"]  # once
    set_by_hand = derive.DiffOutcome(kind="gradient", numpy="code", verified=True)
    assert set_by_hand.numpy == "code" and set_by_hand.numpy_later is None
