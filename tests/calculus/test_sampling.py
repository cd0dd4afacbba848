r"""Random points and central differences (:mod:`texgrad.calculus.sampling`): distinct sizes
for distinct dimensions, values in their domains, gradients and Jacobians of parsed LaTeX."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from texgrad.calculus.evaluate_tree import evaluate, evaluate_scalar
from texgrad.calculus.sampling import (
    finite_difference_gradient,
    finite_difference_jacobian,
    sample_inputs,
)
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


def tree(latex: str) -> t.Node:
    row = parse_row(MappedText.identity(latex))
    assert row.error is None and row.tree is not None, (latex, row.error)
    return row.tree


def n_(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True, integer=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def test_sample_inputs_gives_distinct_sizes_to_distinct_dimensions(
    rng: np.random.Generator,
) -> None:
    m, n, k = n_("m"), n_("n"), n_("k")
    shapes = {
        "A": Shape(m, n),
        "B": Shape(n, k),
        "x": Shape(n, sympy.Integer(1)),
        "a": Shape(sympy.Integer(1), sympy.Integer(1)),
        "C": Shape(sympy.Integer(3), n + 1),
    }
    values, sizes = sample_inputs(shapes, rng=rng)
    assert set(sizes) == {"m", "n", "k"}
    assert len(set(sizes.values())) == 3
    assert all(2 <= s <= 7 for s in sizes.values())
    assert values["A"].shape == (sizes["m"], sizes["n"])
    assert values["B"].shape == (sizes["n"], sizes["k"])
    assert values["x"].shape == (sizes["n"], 1)
    assert values["a"].shape == (1, 1)
    assert values["C"].shape == (3, sizes["n"] + 1)
    assert values["A"].shape[0] != values["A"].shape[1]  # a missing transpose cannot hide


def test_sample_inputs_domains(rng: np.random.Generator) -> None:
    n = n_("n")
    shapes = {"X": Shape(n, n), "p": Shape(n, sympy.Integer(1)), "S": Shape(n, n)}
    values, _ = sample_inputs(
        shapes, positive_definite={"X"}, positive={"p"}, symmetric={"S"}, rng=rng
    )
    assert np.all(np.linalg.eigvalsh(values["X"]) > 0)
    np.testing.assert_allclose(values["X"], values["X"].T)
    assert np.all(values["p"] > 0)
    np.testing.assert_allclose(values["S"], values["S"].T)
    with pytest.raises(ValueError, match="cannot be positive definite"):
        sample_inputs({"A": Shape(n, n_("m"))}, positive_definite={"A"}, rng=rng)
    with pytest.raises(ValueError, match="no shape"):
        sample_inputs(shapes, positive={"q"}, rng=rng)


def test_many_dimensions_still_get_distinct_sizes(rng: np.random.Generator) -> None:
    shapes = {f"x{i}": Shape(n_(f"d_{i}"), sympy.Integer(1)) for i in range(9)}
    _, sizes = sample_inputs(shapes, rng=rng)
    assert len(set(sizes.values())) == 9


def test_gradient_of_quadratic_form(rng: np.random.Generator) -> None:
    n = n_("n")
    values, _ = sample_inputs({"A": Shape(n, n), "x": Shape(n, sympy.Integer(1))}, rng=rng)
    f = tree(r"x^\top A x")
    grad = finite_difference_gradient(lambda v: evaluate_scalar(f, v), values, "x")
    a, x = values["A"], values["x"]
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, (a + a.T) @ x, atol=1e-5)


def test_gradient_of_log_det(rng: np.random.Generator) -> None:
    n = n_("n")
    values, _ = sample_inputs({"X": Shape(n, n)}, positive_definite={"X"}, rng=rng)
    values["X"] = values["X"] + np.triu(values["X"], 1)  # not symmetric, still det > 0
    f = tree(r"\log\det X")
    grad = finite_difference_gradient(lambda v: evaluate_scalar(f, v), values, "X")
    np.testing.assert_allclose(grad, np.linalg.inv(values["X"]).T, atol=1e-5)


def test_gradient_of_residual_norm_is_two_at_r(rng: np.random.Generator) -> None:
    m, n = n_("m"), n_("n")
    values, _ = sample_inputs(
        {"A": Shape(m, n), "x": Shape(n, sympy.Integer(1)), "b": Shape(m, sympy.Integer(1))},
        rng=rng,
    )
    f = tree(r"\|Ax - b\|_2^2")
    grad = finite_difference_gradient(lambda v: evaluate_scalar(f, v), values, "x")
    a, x, b = values["A"], values["x"], values["b"]
    np.testing.assert_allclose(grad, 2 * a.T @ (a @ x - b), atol=1e-5)


def test_jacobian_of_linear_map(rng: np.random.Generator) -> None:
    m, n = n_("m"), n_("n")
    values, sizes = sample_inputs({"A": Shape(m, n), "x": Shape(n, sympy.Integer(1))}, rng=rng)
    f = tree(r"Ax")
    jac = finite_difference_jacobian(lambda v: evaluate(f, v), values, "x")
    assert jac.shape == (sizes["m"], sizes["n"])  # numerator layout
    np.testing.assert_allclose(jac, values["A"], atol=1e-6)


def test_jacobian_of_softmax(rng: np.random.Generator) -> None:
    x = rng.standard_normal((5, 1))
    f = tree(r"\operatorname{softmax}(x)")
    jac = finite_difference_jacobian(lambda v: evaluate(f, v), {"x": x}, "x")
    s = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(jac, np.diag(s.ravel()) - s @ s.T, atol=1e-8)


def test_jacobian_wrt_a_matrix_uses_vec(rng: np.random.Generator) -> None:
    # d vec(X b) / d vec(X)ᵀ = bᵀ ⊗ I
    x, b = rng.standard_normal((3, 2)), rng.standard_normal((2, 1))
    f = tree(r"X b")
    jac = finite_difference_jacobian(lambda v: evaluate(f, v), {"X": x, "b": b}, "X")
    np.testing.assert_allclose(jac, np.kron(b.T, np.eye(3)), atol=1e-8)


def test_gradient_does_not_change_the_input(rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 1))
    before = x.copy()
    values = {"x": x}
    finite_difference_gradient(lambda v: evaluate_scalar(tree(r"x^\top x"), v), values, "x")
    np.testing.assert_array_equal(values["x"], before)


def test_labels_are_drawn_from_their_set(rng: np.random.Generator) -> None:
    n = n_("n")
    shapes = {
        "y": Shape(n, sympy.Integer(1)),
        "s": Shape(n, n_("m")),
        "x": Shape(n, sympy.Integer(1)),
    }
    values, _ = sample_inputs(shapes, labels={"y": (0.0, 1.0), "s": (-1.0, 1.0)}, rng=rng)
    assert set(values["y"].ravel()) == {0.0, 1.0}  # both present: at least 2 entries
    assert set(values["s"].ravel()) == {-1.0, 1.0}
    assert not set(values["x"].ravel()) <= {-1.0, 0.0, 1.0}
    with pytest.raises(ValueError, match="labels names symbols with no shape"):
        sample_inputs(shapes, labels={"z": (0.0, 1.0)}, rng=rng)


def test_a_matrix_of_squared_distances_is_sampled_as_one() -> None:
    """``distances``: ‖x_i - x_j‖² of random points — symmetric, zero on the diagonal,
    and a Gaussian kernel of it positive definite."""
    n = n_("n")
    rng = np.random.default_rng(3)
    values, sizes = sample_inputs({"D": Shape(n, n)}, distances={"D"}, rng=rng)
    d = values["D"]
    assert d.shape == (sizes["n"], sizes["n"])
    assert np.allclose(d, d.T) and np.allclose(np.diag(d), 0.0) and (d >= 0).all()
    i, j = 0, 1  # the triangle inequality of the distances (not of their squares)
    root = np.sqrt(d)
    assert all(root[i, j] <= root[i, k] + root[k, j] + 1e-12 for k in range(sizes["n"]))
    assert np.linalg.eigvalsh(np.exp(-d / 2.0)).min() > 0
    with pytest.raises(ValueError, match="distances"):
        sample_inputs({"D": Shape(n, n_("m"))}, distances={"D"}, rng=rng)
