r"""Evaluating parsed LaTeX (:mod:`texgrad.calculus.evaluate_tree`), independently of the engine.

Each expression is parsed from real LaTeX and compared with numpy computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from texgrad.calculus.arrays import EvaluationError, Unsupported, expm
from texgrad.calculus.evaluate_tree import differential_key, evaluate, evaluate_scalar
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


def tree(latex: str) -> t.Node:
    row = parse_row(MappedText.identity(latex))
    assert row.error is None and row.tree is not None, (latex, row.error)
    return row.tree


def ev(latex: str, values: dict) -> np.ndarray:
    return evaluate(tree(latex), values)


def n_(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True, integer=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def point(rng: np.random.Generator) -> dict[str, np.ndarray | float]:
    return {
        "A": rng.standard_normal((3, 4)),
        "B": rng.standard_normal((3, 4)),
        "S": rng.standard_normal((4, 4)),
        "x": rng.standard_normal((4, 1)),
        "y": rng.standard_normal((4, 1)),
        "b": rng.standard_normal((3, 1)),
        "w": rng.standard_normal((4, 1)),
        "a": 1.7,
        "c": -0.4,
    }


def pd(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.standard_normal((n, n))
    return m @ m.T + n * np.eye(n)


# -- evaluation against numpy -----------------------------------------------------------------


def test_quadratic_form(point: dict) -> None:
    x, s = point["x"], point["S"]
    got = ev(r"x^\top S x", point)
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx((x.T @ s @ x).item())


def test_squared_residual_norm(point: dict) -> None:
    a, x, b = point["A"], point["x"], point["b"]
    want = float(np.sum((a @ x - b) ** 2))
    assert ev(r"\|Ax - b\|_2^2", point)[0, 0] == pytest.approx(want)


def test_trace_of_product(point: dict) -> None:
    want = np.trace(point["A"].T @ point["B"])
    assert ev(r"\operatorname{tr}(A^\top B)", point)[0, 0] == pytest.approx(want)
    assert ev(r"\mathrm{Tr}(A^T B)", point)[0, 0] == pytest.approx(want)
    assert ev(r"\langle A, B \rangle", point)[0, 0] == pytest.approx(want)


def test_log_det_of_positive_definite(rng: np.random.Generator) -> None:
    x = pd(rng, 5)
    want = np.log(np.linalg.det(x))
    assert ev(r"\log\det X", {"X": x})[0, 0] == pytest.approx(want)
    assert ev(r"\operatorname{logdet}(X)", {"X": x})[0, 0] == pytest.approx(want)
    assert ev(r"\ln|\det X|", {"X": -x})[0, 0] == pytest.approx(want)  # odd size: det < 0


def test_inverse_times_vector(rng: np.random.Generator) -> None:
    a, b = pd(rng, 4), rng.standard_normal((4, 1))
    np.testing.assert_allclose(ev(r"A^{-1}b", {"A": a, "b": b}), np.linalg.solve(a, b))
    np.testing.assert_allclose(
        ev(r"A^{-T}", {"A": a + np.triu(a)}), np.linalg.inv(a + np.triu(a)).T
    )


def test_logistic_of_inner_product(point: dict) -> None:
    z = (point["w"].T @ point["x"]).item()
    assert ev(r"\sigma(w^\top x)", point)[0, 0] == pytest.approx(1 / (1 + np.exp(-z)))


def test_softmax_and_logsumexp(point: dict) -> None:
    x = point["x"]
    got = ev(r"\operatorname{softmax}(x)", point)
    np.testing.assert_allclose(got, np.exp(x) / np.exp(x).sum())
    assert got.shape == (4, 1)
    assert ev(r"\operatorname{logsumexp}(x)", point)[0, 0] == pytest.approx(np.log(np.exp(x).sum()))


def test_half_squared_norm(point: dict) -> None:
    x = point["x"]
    assert ev(r"\frac{1}{2}\|x\|^2", point)[0, 0] == pytest.approx(0.5 * (x.T @ x).item())


def test_hadamard_and_elementwise_division(point: dict) -> None:
    x, y = point["x"], point["y"]
    np.testing.assert_allclose(ev(r"x \odot y", point), x * y)
    np.testing.assert_allclose(ev(r"x \oslash y", point), x / y)


def test_kronecker_shape(point: dict) -> None:
    got = ev(r"A \otimes S", point)
    assert got.shape == (12, 16)
    np.testing.assert_allclose(got, np.kron(point["A"], point["S"]))


def test_bold_and_plain_symbols_share_a_key(point: dict) -> None:
    bold = ev(r"\mathbf{x}^\top \mathbf{y}", point)
    plain = ev(r"x^\top y", point)
    assert bold[0, 0] == pytest.approx(plain[0, 0])
    assert plain[0, 0] == pytest.approx((point["x"].T @ point["y"]).item())
    assert ev(r"x \cdot y", point)[0, 0] == pytest.approx(plain[0, 0])


def test_scalar_factors_scale_in_products_and_sums(point: dict) -> None:
    x, y, a = point["x"], point["y"], point["a"]
    # (xᵀy) is 1×1 and scales the vector after it
    np.testing.assert_allclose(ev(r"x^\top y\, x", point), (x.T @ y).item() * x)
    np.testing.assert_allclose(ev(r"2 a x - c y", point), 2 * a * x - point["c"] * y)
    np.testing.assert_allclose(ev(r"x / a", point), x / a)
    np.testing.assert_allclose(ev(r"\frac{x}{x^\top y}", point), x / (x.T @ y).item())
    np.testing.assert_allclose(ev(r"(Ax)^\top", point), (point["A"] @ x).T)


def test_matrix_powers(rng: np.random.Generator) -> None:
    x = pd(rng, 3)
    np.testing.assert_allclose(ev(r"X^2", {"X": x}), x @ x)
    np.testing.assert_allclose(ev(r"X^{-2}", {"X": x}), np.linalg.inv(x @ x))
    root = ev(r"X^{1/2}", {"X": x})
    np.testing.assert_allclose(root @ root, x)
    np.testing.assert_allclose(root, root.T)
    np.testing.assert_allclose(ev(r"X^{\frac{1}{2}}", {"X": x}), root)
    assert ev(r"a^{2}", {"a": 3.0})[0, 0] == pytest.approx(9.0)


def test_norms(point: dict, rng: np.random.Generator) -> None:
    x, a = point["x"], point["A"]
    assert ev(r"\|x\|_1", point)[0, 0] == pytest.approx(np.abs(x).sum())
    assert ev(r"\|x\|_\infty", point)[0, 0] == pytest.approx(np.abs(x).max())
    assert ev(r"\|A\|_F", point)[0, 0] == pytest.approx(np.linalg.norm(a, "fro"))
    assert ev(r"\|A\|", point)[0, 0] == pytest.approx(np.linalg.norm(a, "fro"))
    assert ev(r"\|A\|_2", point)[0, 0] == pytest.approx(np.linalg.norm(a, 2))
    for frobenius in (r"\|A\|_{\mathrm{F}}", r"\|A\|_\text{F}", r"\|A\|_{\mathrm{Fro}}"):
        assert ev(frobenius, point)[0, 0] == pytest.approx(np.linalg.norm(a, "fro"))
    with pytest.raises(Unsupported):
        ev(r"\|A\|_1", point)


def test_sums_over_entries(point: dict) -> None:
    x, y = point["x"], point["y"]
    n = {"n": 4.0, "N": 4.0}
    assert ev(r"\sum_{i=1}^n x_i^2", {**point, **n})[0, 0] == pytest.approx((x**2).sum())
    got = ev(r"\frac{1}{N}\sum_{i=1}^{N} (x_i - y_i)^2", {**point, **n})[0, 0]
    assert got == pytest.approx(((x - y) ** 2).mean())
    got = ev(r"\sum_i \log(1 + e^{-y_i x_i})", point)[0, 0]
    assert got == pytest.approx(np.log1p(np.exp(-y * x)).sum())
    got = ev(r"\sum_{i=1}^{n} (x_i - w^\top y)^2", {**point, **n})[0, 0]
    assert got == pytest.approx(((x - (point["w"].T @ y)[0, 0]) ** 2).sum())
    with pytest.raises(Unsupported):
        ev(r"\sum_{i=2}^n x_i", {**point, **n})  # part of the entries
    assert ev(r"\operatorname{sign}(x)", point) == pytest.approx(np.sign(x))


def test_functions(point: dict, rng: np.random.Generator) -> None:
    x, y = point["x"], point["y"]
    np.testing.assert_allclose(ev(r"\max(0, x)", point), np.maximum(0, x))
    np.testing.assert_allclose(ev(r"\min(x, y)", point), np.minimum(x, y))
    np.testing.assert_allclose(ev(r"\operatorname{relu}(x)", point), np.maximum(0, x))
    np.testing.assert_allclose(ev(r"\tanh(x)", point), np.tanh(x))
    np.testing.assert_allclose(ev(r"\exp(-x)", point), np.exp(-x))
    np.testing.assert_allclose(ev(r"\operatorname{diag}(x)", point), np.diag(x.ravel()))
    np.testing.assert_allclose(
        ev(r"\operatorname{diag}(S)", point), np.diag(point["S"]).reshape(-1, 1)
    )
    assert ev(r"\log a", point)[0, 0] == pytest.approx(np.log(1.7))
    assert ev(r"e^{a}", point)[0, 0] == pytest.approx(np.exp(1.7))
    assert ev(r"|c|", point)[0, 0] == pytest.approx(0.4)


def test_matrix_functions_of_a_square_matrix(rng: np.random.Generator) -> None:
    x = pd(rng, 3)
    w, v = np.linalg.eigh(x)
    assert ev(r"\operatorname{tr}\log X", {"X": x})[0, 0] == pytest.approx(np.log(w).sum())
    np.testing.assert_allclose(ev(r"\exp(X)", {"X": x / 10}), (v * np.exp(w / 10)) @ v.T)
    m = rng.standard_normal((4, 4))
    e = expm(m)
    np.testing.assert_allclose(e @ expm(-m), np.eye(4), atol=1e-10)
    with pytest.raises(Unsupported, match="non-symmetric"):
        ev(r"\log X", {"X": m})


def test_values_may_be_numbers_and_one_dimensional_arrays() -> None:
    got = ev(r"a x", {"a": 2, "x": np.array([1.0, 2.0])})
    np.testing.assert_allclose(got, [[2.0], [4.0]])
    assert evaluate_scalar(tree(r"x^\top x"), {"x": [1.0, 2.0]}) == pytest.approx(5.0)


# -- notation the engine prints: Hadamard powers, indicators, 1 and I, primes, e^X, dX -------


def test_hadamard_powers(point: dict, rng: np.random.Generator) -> None:
    x = point["x"]
    p = np.exp(rng.standard_normal((3, 4)))
    np.testing.assert_allclose(ev(r"x^{\circ 2}", point), x**2)  # (Power x (Product \circ 2))
    np.testing.assert_allclose(ev(r"x^{\circ -1}", point), 1 / x)  # (Power x (Add \circ - 1))
    np.testing.assert_allclose(ev(r"x^{\circ (-1)}", point), 1 / x)
    np.testing.assert_allclose(ev(r"P^{\circ 1/2}", {"P": p}), np.sqrt(p))
    np.testing.assert_allclose(ev(r"P^{\circ \frac{1}{2}}", {"P": p}), np.sqrt(p))
    np.testing.assert_allclose(ev(r"P^{\circ -1/2}", {"P": p}), 1 / np.sqrt(p))
    np.testing.assert_allclose(ev(r"P^{\odot 3}", {"P": p}), p**3)
    np.testing.assert_allclose(ev(r"S^{\circ 2}", point), point["S"] ** 2)  # not S S
    np.testing.assert_allclose(ev(r"\tanh(x)^{\circ 2}", point), np.tanh(x) ** 2)
    with pytest.raises(EvaluationError, match="negative entry"):
        ev(r"x^{\circ 1/2}", point)
    with pytest.raises(EvaluationError, match="zero entry"):
        ev(r"x^{\circ -1}", {"x": np.array([1.0, 0.0])})


def test_indicator(point: dict) -> None:
    x, y = point["x"], point["y"]
    a = point["A"]
    np.testing.assert_array_equal(ev(r"\mathbb{1}[x > 0]", point), (x > 0).astype(float))
    np.testing.assert_array_equal(ev(r"\mathbb{1}[x \geq 0]", point), (x >= 0).astype(float))
    np.testing.assert_array_equal(ev(r"\mathbb{1}[x < 0]", point), (x < 0).astype(float))
    np.testing.assert_array_equal(ev(r"\mathbb{1}[x > y]", point), (x > y).astype(float))
    np.testing.assert_array_equal(ev(r"\mathbb{1}_{x > 0}", point), (x > 0).astype(float))
    np.testing.assert_array_equal(ev(r"\mathbbm{1}[x > 0]", point), (x > 0).astype(float))
    np.testing.assert_array_equal(
        ev(r"\mathbb{1}[0 < x < 1]", point), ((x > 0) & (x < 1)).astype(float)
    )
    np.testing.assert_allclose(ev(r"\mathbb{1}[x > 0] \odot y", point), (x > 0) * y)
    np.testing.assert_allclose(
        ev(r"A^\top \mathbb{1}[A x > 0]", point), a.T @ (a @ x > 0).astype(float)
    )
    np.testing.assert_allclose(
        ev(r"\operatorname{diag}(\mathbb{1}[x > 0])", point), np.diag((x > 0).ravel() * 1.0)
    )
    # with a value for the ones vector, \mathbb{1}[…] is still the indicator …
    ones = {**point, "1": np.ones((4, 1))}
    np.testing.assert_array_equal(ev(r"\mathbb{1}[x > 0]", ones), (x > 0).astype(float))
    # … and \mathbf{1}[…] is not one: \mathbf{1} is the ones vector, a comparison no value
    with pytest.raises(Unsupported, match="relation"):
        ev(r"\mathbf{1}[x > 0]", ones)


def test_ones_and_identity_take_their_size_from_the_context(point: dict) -> None:
    a, s, x, y = point["A"], point["S"], point["x"], point["y"]

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    np.testing.assert_allclose(ev(r"\mathbf{1} - \sigma(Ax)", point), 1 - sigmoid(a @ x))
    np.testing.assert_allclose(ev(r"\mathbf{1} - \sigma(A)", point), 1 - sigmoid(a))  # all ones
    np.testing.assert_allclose(ev(r"S + a I", point), s + 1.7 * np.eye(4))
    np.testing.assert_allclose(ev(r"\frac{I}{2} - S", point), np.eye(4) / 2 - s)
    np.testing.assert_allclose(ev(r"I - x x^\top", point), np.eye(4) - x @ x.T)
    assert ev(r"\mathbf{1}^\top x", point)[0, 0] == pytest.approx(x.sum())
    assert ev(r"\mathbf{1} \cdot x", point)[0, 0] == pytest.approx(x.sum())
    np.testing.assert_allclose(ev(r"\mathbf{1}^\top A", point), a.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(ev(r"A \mathbf{1}", point), a.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(ev(r"A I", point), a)
    np.testing.assert_allclose(ev(r"I A", point), a)
    assert ev(r"x^\top \mathbf{1} \mathbf{1}^\top y", point)[0, 0] == pytest.approx(
        x.sum() * y.sum()
    )
    np.testing.assert_allclose(
        ev(r"(I - a \mathbf{1}\mathbf{1}^\top) x", point), x - 1.7 * np.ones((4, 4)) @ x
    )
    np.testing.assert_allclose(
        ev(r"x - \mathbf{1}^\top x\, \mathbf{1} / 4", point), x - x.sum() / 4
    )
    np.testing.assert_allclose(
        ev(r"(\operatorname{softmax}(x) \mathbf{1}^\top - I) y", point),
        np.exp(x) / np.exp(x).sum() * y.sum() - y,
    )
    np.testing.assert_allclose(
        ev(r"\operatorname{diag}(\mathbf{1} - x^{\circ 2}) S", point),
        np.diag(1 - x.ravel() ** 2) @ s,
    )
    np.testing.assert_allclose(ev(r"\max(0, \mathbf{1} - x)", point), np.maximum(0, 1 - x))
    # two sizes in one expression: 1 ∈ ℝ³ on the left, ∈ ℝ⁴ on the right
    assert ev(r"\mathbf{1}^\top A \mathbf{1}", point)[0, 0] == pytest.approx(a.sum())
    # a value given for them is used as given
    with pytest.raises(EvaluationError, match="cannot add 4×4 and 2×2"):
        ev(r"S + I", {**point, "I": np.eye(2)})


@pytest.mark.parametrize("latex", [r"\mathbf{1}", r"\mathbf{1}^\top \mathbf{1}", r"2 I"])
def test_ones_or_identity_without_a_context_has_no_value(latex: str, point: dict) -> None:
    with pytest.raises(EvaluationError, match=r"no value for `(1|I)`"):
        ev(latex, point)


def test_identity_cannot_be_rectangular(point: dict) -> None:
    with pytest.raises(EvaluationError, match="`I` where a 3×4 value belongs"):
        ev(r"A + a I", point)


def test_prime_of_a_vector_or_matrix_is_its_transpose(point: dict) -> None:
    x, s, a = point["x"], point["S"], point["A"]
    assert ev(r"x'Sx", point)[0, 0] == pytest.approx((x.T @ s @ x).item())
    np.testing.assert_allclose(ev(r"A'", point), a.T)
    np.testing.assert_allclose(ev(r"(S + S') x", point), (s + s.T) @ x)
    with pytest.raises(Unsupported, match="of a scalar"):
        ev(r"a'", point)  # a derivative?
    with pytest.raises(Unsupported, match="2 primes"):
        ev(r"A''", point)


def test_e_to_a_square_matrix_is_the_matrix_exponential(point: dict) -> None:
    s = point["S"]
    np.testing.assert_allclose(ev(r"e^{S}", point), expm(s))
    np.testing.assert_allclose(ev(r"e^{S^\top}", point), expm(s.T))
    np.testing.assert_allclose(ev(r"e^{a S}", point), expm(1.7 * s))
    np.testing.assert_allclose(ev(r"\exp(S)", point), expm(s))
    assert ev(r"\operatorname{tr}(e^{S})", point)[0, 0] == pytest.approx(np.trace(expm(s)))
    x = point["x"]  # of a vector (never square here): entrywise, as the engine lowers it
    np.testing.assert_allclose(ev(r"e^{x}", point), np.exp(x))
    np.testing.assert_allclose(ev(r"e^{-x^\top}", point), np.exp(-x.T))
    with pytest.raises(EvaluationError, match="3×4"):
        ev(r"e^{A}", point)
    with pytest.raises(EvaluationError, match="exponent must be a scalar"):
        ev(r"e^{S}", {**point, "e": 2.0})  # e is a variable here
    with pytest.raises(EvaluationError, match="exponent must be a scalar"):
        ev(r"a^{S}", point)


def test_differentials_take_values_under_d_keys(point: dict, rng: np.random.Generator) -> None:
    dx, ds = rng.standard_normal((4, 1)), rng.standard_normal((4, 4))
    values = {**point, "d:x": dx, "d:S": ds, "d:a": 0.5}
    assert differential_key(tree(r"\mathbf{x}")) == "d:x"
    assert differential_key(tree(r"W_2")) == "d:W_{2}"
    s, x = point["S"], point["x"]
    np.testing.assert_allclose(ev(r"S \,\mathrm{d}x", values), s @ dx)
    np.testing.assert_allclose(ev(r"\mathrm{d}\mathbf{x}^\top S x", values), dx.T @ s @ x)
    np.testing.assert_allclose(ev(r"\mathrm{d}S^\top", values), ds.T)
    np.testing.assert_allclose(ev(r"\mathrm{d}(S)", values), ds)
    assert ev(r"\mathrm{d}a \operatorname{tr}(S)", values)[0, 0] == pytest.approx(0.5 * np.trace(s))
    with pytest.raises(EvaluationError, match=r"no value for `\\mathrm\{d\}y`"):
        ev(r"\mathrm{d}y", values)
    with pytest.raises(Unsupported, match="differential"):
        ev(r"\mathrm{d}(2S)", values)


# -- errors --------------------------------------------------------------------------------------


def test_unknown_macro_is_unsupported(point: dict) -> None:
    with pytest.raises(Unsupported, match=r"cannot evaluate `\\foo\{x\}`"):
        ev(r"\foo{x}", point)


def test_integral_is_unsupported(point: dict) -> None:
    with pytest.raises(Unsupported, match=r"cannot evaluate `\\int`"):
        ev(r"\int_0^1 x", point)


@pytest.mark.parametrize(
    "latex",
    [r"|S|", r"f(x)", r"\log_2 a", r"a'", r"x^2", r"\|S\|_1", r"x \times y"],
)
def test_ambiguous_or_unknown_constructs_are_unsupported(latex: str, point: dict) -> None:
    with pytest.raises(Unsupported):
        ev(latex, point)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"A x + x", "cannot add 3×1 and 4×1"),
        (r"x A", "cannot multiply 4×1 by 3×4"),
        (r"\log c", "non-positive"),
        (r"z + x", "no value for `z`"),
        (r"\operatorname{tr}(A)", "trace of a 3×4"),
    ],
)
def test_evaluation_errors(latex: str, message: str, point: dict) -> None:
    with pytest.raises(EvaluationError, match=message):
        ev(latex, point)


def test_scalar_times_is_a_product(point: dict) -> None:
    np.testing.assert_allclose(ev(r"a \times b", point), 1.7 * point["b"])


def test_singular_inverse_is_an_error() -> None:
    with pytest.raises(EvaluationError, match="singular"):
        ev(r"X^{-1}", {"X": np.ones((3, 3))})


def test_a_family_from_label_0() -> None:
    r"""``"family-first:x"`` = 0: ``x_0`` is the first member (a trajectory x_0, …, x_T)."""
    import numpy as np

    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    tree = parse_row(MappedText.identity(r"\sum_{t=1}^T x_{t-1}^\top x_t")).tree
    x = np.random.default_rng(5).standard_normal((4, 3, 1))  # x_0..x_3, T = 3
    got = evaluate(tree, {"family:x": x, "family-first:x": 0, "T": 3})
    assert np.allclose(got, sum(x[t - 1].T @ x[t] for t in range(1, 4)))
    with pytest.raises(EvaluationError, match="no member"):  # from label 1: no x_0
        evaluate(tree, {"family:x": x, "T": 3})


@pytest.mark.parametrize(
    ("written", "name"),
    [(r"\mathrm{KL}", "KL"), (r"\operatorname{MSE}", "MSE"), (r"\text{loss}", "loss")],
)
def test_a_quantity_named_in_upright_letters_is_its_definition(written: str, name: str) -> None:
    s = np.array([[0.5], [-1.25], [2.0]])
    body = tree(r"\frac{1}{2}\mathbf{1}^\top(\exp(s) - s)")
    want = 0.5 * float(np.sum(np.exp(s) - s))
    functions = {name: ((), body)}
    got = evaluate(tree(r"3\beta\," + written), {"s": s, "\\beta": 2.0}, functions)
    np.testing.assert_allclose(got, [[6.0 * want]], rtol=1e-12)
    # written first, before a factor without brackets: a product, not an application
    got = evaluate(tree(written + r"\,\beta"), {"s": s, "\\beta": 2.0}, functions)
    np.testing.assert_allclose(got, [[2.0 * want]], rtol=1e-12)
    # given a value (a verifier's point), the value
    np.testing.assert_allclose(evaluate(tree(written), {name: 4.5}), [[4.5]])


def test_an_upright_name_the_document_does_not_define_is_not_read() -> None:
    with pytest.raises(Unsupported):
        evaluate(tree(r"\beta\,\mathrm{KL}"), {"\\beta": 2.0})


@pytest.mark.parametrize(
    ("written", "want"),
    [
        (r"\frac{1}{m}\mathbf{1}_m", np.full((3, 1), 1 / 3)),
        (r"\mathbf{1}_{m}^\top x", [[6.0]]),
        (r"I_m x", [[1.0], [2.0], [3.0]]),
        (r"\mathbf{0}_m", np.zeros((3, 1))),
        (r"\mathbf{1}_2", np.ones((2, 1))),
        (r"\mathbf{1}_m\mathbf{1}_m^\top", np.ones((3, 3))),
    ],
)
def test_ones_zeros_and_identity_sized_by_their_subscript(written: str, want: object) -> None:
    x = np.array([[1.0], [2.0], [3.0]])
    np.testing.assert_allclose(ev(written, {"m": 3.0, "x": x}), want, rtol=1e-12)


def test_a_sized_constant_of_the_wrong_size_is_an_error_not_a_guess() -> None:
    with pytest.raises(EvaluationError):
        ev(r"x - \mathbf{1}_m", {"m": 2.0, "x": np.ones((3, 1))})


def test_the_prime_of_a_known_function_is_its_derivative() -> None:
    z = np.array([[0.3], [-1.2], [2.0]])
    sig = 1 / (1 + np.exp(-z))
    cases = {
        "\\sigma'(z)": sig * (1 - sig),
        "\\sigma''(z)": sig * (1 - sig) * (1 - 2 * sig),
        "\\tanh'(z)": 1 - np.tanh(z) ** 2,
        "\\exp'(z)": np.exp(z),
        "\\cos'(z)": -np.sin(z),
        "\\operatorname{softplus}'(z)": sig,  # by central differences of the function
    }
    for text, want in cases.items():
        node = parse_row(MappedText.identity(text)).tree
        assert node is not None
        got = evaluate(node, {"z": z})
        np.testing.assert_allclose(got, want, rtol=1e-7, err_msg=text)
    # a function the document defines keeps its own definition: φ(t) = t² has φ' = 2t
    defined = {"\\phi": (("t",), parse_row(MappedText.identity("t^2")).tree)}
    node = parse_row(MappedText.identity("\\phi'(z)")).tree
    np.testing.assert_allclose(evaluate(node, {"z": z}, defined), 2 * z, rtol=1e-7)  # type: ignore[arg-type]


def _logistic_point() -> tuple[dict, dict, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x, y, b = (
        rng.standard_normal((5, 3)),
        rng.standard_normal((5, 1, 1)),
        rng.standard_normal((3, 1)),
    )
    values = {"family:x": x.reshape(5, 3, 1), "family:y": y, "\\beta": b, "N": 5}
    mu = tree(r"\sigma(\mathbf{x}_i^\top\boldsymbol\beta)")
    return values, {"\\mu_{i}": ((), mu)}, x, y.reshape(5, 1), 1 / (1 + np.exp(-x @ b))


def test_a_bold_letter_beside_a_family_of_numbers_is_the_vector_of_its_members() -> None:
    r"""``X^\top(\boldsymbol\mu - \mathbf y)``: μ_i defined, y_i sampled — the N-vectors."""
    values, functions, x, y, m = _logistic_point()
    got = evaluate(tree(r"X^\top(\boldsymbol\mu - \mathbf{y})"), {**values, "X": x}, functions)
    assert np.allclose(got, x.T @ (m - y))
    vec = evaluate(tree(r"\boldsymbol\mu - \mathbf{y}"), values, functions)
    assert vec.shape == (5, 1) and np.allclose(vec, m - y)
    with pytest.raises(EvaluationError):  # not bold: the letter alone has no value
        evaluate(tree(r"\mu - y"), values, functions)
    uneven = {**values, "family:z": np.zeros((4, 1, 1))}  # families of other lengths: no N
    with pytest.raises(EvaluationError):
        evaluate(tree(r"\boldsymbol\mu"), uneven, functions)


def test_a_diagonal_of_entries_numbered_by_a_member() -> None:
    r"""``\operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_N(1-\mu_N))``: entry k is μ_k(1-μ_k)."""
    values, functions, _, y, m = _logistic_point()
    got = evaluate(
        tree(r"\operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_N(1-\mu_N))"), values, functions
    )
    assert np.allclose(got, np.diag((m * (1 - m)).ravel()))
    sampled = evaluate(tree(r"\operatorname{diag}(y_1^2, \dots, y_N^2)"), values, functions)
    assert np.allclose(sampled, np.diag((y**2).ravel()))
    with pytest.raises(EvaluationError):  # two members: which numbers the entries is unclear
        evaluate(tree(r"\operatorname{diag}(\mu_1 y_1, \dots, \mu_N y_N)"), values, functions)
