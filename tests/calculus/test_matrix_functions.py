r"""Square roots of matrices (the Sylvester equation), row-wise softmax and vec: every
result verified, and checked here once more against central differences computed
independently (numpy and scipy), with distinct sizes for distinct dimensions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return evaluate(row.tree, values)


def _sqrt_differential(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """d A^{1/2} in direction E by central differences of scipy's sqrtm."""
    h = 1e-6
    up = np.real(scipy.linalg.sqrtm(a + h * e))
    down = np.real(scipy.linalg.sqrtm(a - h * e))
    return np.asarray((up - down) / (2 * h))


def test_square_root_of_a_non_symmetric_matrix_solves_a_sylvester_equation() -> None:
    out = diff_latex("A^{1/2}", "A", where=r"A \in \mathbb{R}^{n \times n}")
    assert out.error is None and out.verified, out.note
    assert out.kind == "matrix"
    assert r"\operatorname{vec}^{-1}" in out.result and r"\otimes" in out.result
    assert any("Sylvester" in s and "Y + Y" in s for s in out.steps)
    assert any(s.startswith(r"\operatorname{vec}(\mathrm{d}f)") for s in out.steps)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 4)) + 4 * np.eye(4)  # not symmetric, eigenvalues right of 0
    e = rng.standard_normal((4, 4))
    got = _value(out.result.replace(r"\mathrm{d}A", "E"), {"A": a, "E": e, "I_{n}": np.eye(4)})
    np.testing.assert_allclose(got, _sqrt_differential(a, e), rtol=1e-5, atol=1e-7)


def test_the_sylvester_form_holds_for_the_printed_differential() -> None:
    out = diff_latex("S^{1/2}", "S", where=r"S \in \mathbb{S}^n_{++}")
    rng = np.random.default_rng(4)
    b = rng.standard_normal((5, 5))
    s = b @ b.T + 5 * np.eye(5)
    e = rng.standard_normal((5, 5))
    e = e + e.T
    y = _value(out.result.replace(r"\mathrm{d}S", "E"), {"S": s, "E": e, "I_{n}": np.eye(5)})
    r = np.real(scipy.linalg.sqrtm(s))
    np.testing.assert_allclose(r @ y + y @ r, e, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("power", ["X^{3/2}", "X^{-3/2}", r"\sqrt{X}^{3}"])
def test_half_integer_powers_are_verified(power: str) -> None:
    out = diff_latex(power, "X", where=r"X \in \mathbb{S}^n_{++}")
    assert out.error is None and out.verified, (out.error, out.note)


def test_other_fractional_powers_are_refused_clearly() -> None:
    out = diff_latex("X^{1/3}", "X", where=r"X \in \mathbb{S}^n_{++}")
    assert out.error is not None and "1/3" in out.error and "square roots" in out.error


def test_gradient_through_a_square_root() -> None:
    out = diff_latex(
        r"\operatorname{tr}(A X^{1/2})", "X",
        where=r"A \in \mathbb{R}^{n \times n}; X \in \mathbb{R}^{n \times n}",
    )  # fmt: skip
    assert out.error is None and out.verified, out.note
    assert out.kind == "gradient"


def test_polar_factor_with_distinct_dimensions() -> None:
    out = diff_latex(
        r"(A - B)\left[(A - B)^\top(A - B)\right]^{-1/2}", "B",
        where=r"A, B \in \mathbb{R}^{m \times n}",
    )  # fmt: skip
    assert out.error is None and out.verified, out.note
    assert out.kind == "matrix" and out.shape == "ℝ^{m×n}"


def test_vec_of_a_linear_map_has_the_kronecker_jacobian() -> None:
    out = diff_latex(
        r"\operatorname{vec}(AXB)", "X",
        where=r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; "
        r"B \in \mathbb{R}^{n \times q}",
    )  # fmt: skip
    assert out.error is None and out.verified, out.note
    assert out.kind == "jacobian" and out.result == r"B^\top \otimes A"
    rng = np.random.default_rng(5)
    a, x, b = (rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 5)))
    j = _value(out.result, {"A": a, "B": b})
    assert j.shape == (10, 12)
    e = rng.standard_normal((3, 4))
    np.testing.assert_allclose(
        j @ e.reshape(-1, 1, order="F"), (a @ e @ b).reshape(-1, 1, order="F"), atol=1e-12
    )
    del x


def test_vec_of_a_transpose_is_the_commutation_matrix() -> None:
    out = diff_latex(r"\operatorname{vec}(X^\top)", "X", where=r"X \in \mathbb{R}^{m \times n}")
    assert out.error is None and out.verified, out.error
    assert out.result == "K_{mn}" and "is the commutation matrix" in out.note


def test_an_unknown_function_is_named_as_written() -> None:
    out = diff_latex(r"\operatorname{foo}(X)", "X", where=r"X \in \mathbb{R}^{m \times n}")
    assert out.error is not None and "(Func" not in out.error and r"{foo}" in out.error


@pytest.mark.parametrize("wrt", ["Q", "K", "V"])
def test_attention_is_differentiated_row_wise(wrt: str) -> None:
    out = diff_latex(
        r"\operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right)V", wrt,
        where=r"Q \in \mathbb{R}^{n \times d}; K \in \mathbb{R}^{m \times d}; "
        r"V \in \mathbb{R}^{m \times p}",
    )  # fmt: skip
    assert out.error is None and out.verified, out.note
    assert "row by row" in out.note


def test_row_softmax_differential_against_central_differences() -> None:
    out = diff_latex(r"\operatorname{softmax}(Z)", "Z", where=r"Z \in \mathbb{R}^{n \times m}")
    assert out.error is None and out.verified, out.note
    rng = np.random.default_rng(6)
    z, e = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))

    def rows(x: np.ndarray) -> np.ndarray:
        w = np.exp(x - x.max(axis=1, keepdims=True))
        return np.asarray(w / w.sum(axis=1, keepdims=True))

    want = (rows(z + 1e-6 * e) - rows(z - 1e-6 * e)) / 2e-6
    values = {"Z": z, "E": e, "1": np.ones((5, 1))}
    # the softmax it repeats is named: T_0 = \operatorname{softmax}(Z)
    assert out.where == [r"T_0 = \operatorname{softmax}(Z)"], out.where
    values["T_{0}"] = _value(r"\operatorname{softmax}(Z)", values)
    got = _value(out.result.replace(r"\mathrm{d}Z", "E"), values)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("script", "axis"), [(r"\text{row}", 1), (r"\mathrm{col}", 0)])
def test_softmax_with_a_script_says_which_way(script: str, axis: int) -> None:
    expr = r"\operatorname{tr}(C^\top \operatorname{softmax}_{" + script + "}(Z))"
    out = diff_latex(expr, "Z", where=r"C, Z \in \mathbb{R}^{n \times m}")
    assert out.error is None and out.verified, (out.error, out.note)
    rng = np.random.default_rng(7)
    c, z = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    w = np.exp(z - z.max(axis=axis, keepdims=True))
    s = w / w.sum(axis=axis, keepdims=True)
    value = _value(expr, {"C": c, "Z": z})
    np.testing.assert_allclose(value, [[np.sum(c * s)]], rtol=1e-12)


def test_vec_inverse_reads_a_square_only() -> None:
    import sympy

    from texgrad.calculus.expr import CalculusError, var
    from texgrad.calculus.matrix_notation import square_unvec
    from texgrad.shapes.dims import Shape

    n, m = sympy.symbols("n m", integer=True, positive=True)
    assert square_unvec(var("y", Shape(n**2, sympy.Integer(1)))).shape == Shape(n, n)
    with pytest.raises(CalculusError, match="not a square"):
        square_unvec(var("y", Shape(m * n, sympy.Integer(1))))


_DOC = r"""# Whitening and attention

Let $A, B \in \mathbb{R}^{m \times n}$ and $S \in \mathbb{S}^n_{++}$.
The polar factor is
$$f(B) = (A - B)\left[(A - B)^\top(A - B)\right]^{-1/2}$$
and the whitened matrix is
$$W = S^{-1/2}$$
The queries $Q \in \mathbb{R}^{n \times d}$, keys $K \in \mathbb{R}^{m \times d}$ and values
$V \in \mathbb{R}^{m \times p}$ give
$$\mathrm{Att}(Q) = \operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right)V$$
where the softmax is applied row-wise.
"""


@pytest.mark.parametrize(("line", "wrt"), [(5, "B"), (7, "S"), (10, "K"), (10, "Q")])
def test_in_a_document(tmp_path: object, line: int, wrt: str) -> None:
    from pathlib import Path

    from texgrad.calculus.api import diff_in_document

    path = Path(str(tmp_path)) / "doc.md"
    path.write_text(_DOC)
    out = diff_in_document(path, line, wrt)
    assert out.error is None and out.verified, (out.error, out.note)
    assert out.kind == "matrix"


def test_a_document_that_takes_softmax_by_columns_is_not_read_row_wise(tmp_path: object) -> None:
    from pathlib import Path

    from texgrad.calculus.api import diff_in_document

    path = Path(str(tmp_path)) / "doc.md"
    path.write_text(_DOC.replace("applied row-wise", "applied column-wise"))
    out = diff_in_document(path, 10, "K")
    assert out.error is not None and r"\operatorname{softmax}_{\text{col}}" in out.error
    path.write_text(
        _DOC.replace("applied row-wise", "applied column-wise").replace(
            r"\operatorname{softmax}\left", r"\operatorname{softmax}_{\text{col}}\left"
        )
    )
    out = diff_in_document(path, 10, "K")
    assert out.error is None and out.verified, (out.error, out.note)


@pytest.mark.parametrize(
    ("prose", "columns"),
    [
        ("where the softmax is applied row-wise", False),
        ("the softmax is applied column-wise", True),
        ("we take a softmax over the columns of Z", True),
        ("normalised column by column with a softmax", True),
        ("each column of X is centred. The softmax of z is", False),
    ],
)
def test_prose_saying_softmax_by_columns(prose: str, columns: bool) -> None:
    from texgrad.calculus.matrix_notation import softmax_by_columns

    assert softmax_by_columns(prose) is columns


def test_vec_inverse_of_a_non_square_shape_is_printed_with_it() -> None:
    out = diff_latex(
        r"a^\top \operatorname{vec}(X)",
        "X",
        where=r"X \in \mathbb{R}^{m \times n}; a \in \mathbb{R}^{mn}",
    )
    assert out.error is None and out.verified and "read back" not in out.note, out.note
    assert out.result == r"\operatorname{vec}^{-1}_{m \times n}(a)"
    a = np.arange(6.0).reshape(-1, 1)
    got = _value(out.result, {"a": a, "m": np.array([[2.0]]), "n": np.array([[3.0]])})
    np.testing.assert_array_equal(got, [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]])


def test_a_sylvester_equation_with_a_commuting_right_side_is_solved() -> None:
    out = diff_latex(r"\log\det(\Sigma^{1/2})", r"\Sigma", where=r"\Sigma \in \mathbb{S}^n_{++}")
    assert out.error is None and out.verified, out.note
    assert out.result == r"\frac{1}{2} \Sigma^{-1}"


def test_the_code_actions_offer_what_is_computed() -> None:
    from texgrad.calculus import api

    text = (
        "Let $A \\in \\mathbb{R}^{p \\times m}$, $X \\in \\mathbb{R}^{m \\times n}$ and "
        "$B \\in \\mathbb{R}^{n \\times q}$.\n\n$$y = \\operatorname{vec}(AXB)$$\n"
    )
    at = text.index("\\operatorname{vec}")
    kinds = {p.wrt: p.kind for p in api.plans_at("doc.md", text, at)}
    assert kinds["X"] == "jacobian"
    out = api.diff_at("doc.md", text, at, "X")
    assert out.kind == "jacobian" and out.verified and out.result == r"B^\top \otimes A"
