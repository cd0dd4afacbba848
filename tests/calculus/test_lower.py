r"""Reading written notation into the engine's algebra (:mod:`texgrad.calculus.lower`)."""

from __future__ import annotations

from texgrad.calculus.api import diff_latex


def test_max_zero_is_a_diagonal_jacobian() -> None:
    out = diff_latex(r"\max(0, x)", "x", r"x \in \mathbb{R}^n")
    assert out.kind == "jacobian" and out.verified
    assert out.result == r"\operatorname{diag}(\mathbb{1}[x > 0])"


def test_chain_rule_through_a_defined_function() -> None:
    where = r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; f(x) = Ax; g(u) = \|u\|_2^2"
    out = diff_latex(r"g(f(x))", "x", where)
    assert out.verified and out.result == r"2 A^\top A x"


def test_a_transposed_call_of_a_defined_function() -> None:
    # r(x)^\top r(x): the value r(x) transposed, not r times (x)^\top
    where = r"B \in \mathbb{R}^{m \times n}; A \in \mathbb{R}^{m \times m}; x \in \mathbb{R}^n; r(x) = Bx"
    out = diff_latex(r"r(x)^\top r(x)", "x", where)
    assert (out.result, out.verified) == (r"2 B^\top B x", True), out.error
    out = diff_latex(r"r(x)^\top A r(x)", "x", where)
    assert (out.result, out.verified) == (r"B^\top (A + A^\top) B x", True), out.error


def test_an_unsubscripted_norm_of_a_matrix_is_frobenius() -> None:
    out = diff_latex(r"\|Y - XW\|^2", "W", r"Y \in \mathbb{R}^{N \times k}; "
                     r"X \in \mathbb{R}^{N \times d}; W \in \mathbb{R}^{d \times k}")  # fmt: skip
    assert out.verified, out.error
    assert out.result == r"2 X^\top (X W - Y)"


def test_sized_zeros_and_plain_ones_are_read() -> None:
    # \mathbf{0}_{n \times p}, 0_n and a plain 1_n: what shapes checks, calculus reads too.
    where = r"X \in \mathbb{R}^{n \times p}; \beta \in \mathbb{R}^p"
    out = diff_latex(r"(X + \mathbf{0}_{n \times p})\beta", r"\beta", where)
    assert (out.kind, out.result, out.verified) == ("jacobian", "X", True), out.error
    out = diff_latex(r"1_n^\top (X\beta + 0_n)", r"\beta", where)
    assert (out.result, out.verified) == (r"X^\top \mathbf{1}", True), out.error
    out = diff_latex(r"(X - \mathbf{1}_n \beta^\top) \beta", r"\beta", where)
    assert (out.result, out.verified) == (r"X - 2 \mathbf{1}_n \beta^\top", True), out.error


def test_an_unknown_symbol_is_named_as_written() -> None:
    out = diff_latex(r"W_{a \times b} x", "x", r"x \in \mathbb{R}^n")
    assert out.error is not None and "`W_{a \\times b}`" in out.error and "BinOp" not in out.error


def test_a_declared_name_tag_is_a_variable_and_an_undeclared_one_a_power() -> None:
    where = r"X \in \mathbb{R}^{n \times d}; W^Q \in \mathbb{R}^{d \times k}"
    out = diff_latex(r"\|X W^Q\|_F^2", "W^Q", where)
    assert (out.result, out.verified) == (r"2 X^\top X W^Q", True), out.error
    # A^K is not declared as a name: the K-th power, differentiated as one
    out = diff_latex(r"\operatorname{tr}(A^K)", "A", r"A \in \mathbb{R}^{n \times n}")
    assert out.verified and out.result == r"K (A^{K - 1})^\top", out.error


def test_a_symbol_with_its_own_superscript_is_bracketed_when_transposed() -> None:
    # W^{(l)}^\top is not LaTeX; (W^{(l)})^\top is.
    where = r"x \in \mathbb{R}^{m}; W^{(l)} \in \mathbb{R}^{d \times m}"
    out = diff_latex(r"\|W^{(l)} x\|^2", "x", where)
    assert (out.result, out.verified) == (r"2 (W^{(l)})^\top W^{(l)} x", True), out.error
    where = r"x \in \mathbb{R}^{m}; W^{\text{enc}} \in \mathbb{R}^{d \times m}"
    out = diff_latex(r"\|W^{\text{enc}} x\|^2", "x", where)
    assert out.result == r"2 (W^{\text{enc}})^\top W^{\text{enc}} x", out.error


def test_a_scalar_plus_a_row_is_read_as_shapes_reads_it() -> None:
    # One rule (shapes.dims.scalar_spreads) for check and diff: a scalar spreads over a row or
    # a column; over a matrix it might be \lambda I, and neither guesses.
    where = (
        r"a_0 \in \mathbb{R}; \mathbf{a} \in \mathbb{R}^n; \mathbf{B} \in \mathbb{R}^{n \times m}"
    )
    out = diff_latex(r"a_0 + \mathbf{a}^\top \mathbf{B}", r"\mathbf{a}", where)
    assert out.verified and out.error is None
    out = diff_latex(r"c + A", "A", r"c \in \mathbb{R}; A \in \mathbb{R}^{n \times n}")
    # not a dimension error (check reports none): a refusal that says what is unclear
    assert out.error is not None and out.error.startswith("a scalar is added to a n×n matrix")


def test_a_column_times_an_unsized_row_of_ones_takes_its_length_from_the_sum() -> None:
    # \mu \mathbf{1}^\top in X - \mu \mathbf{1}^\top is n×k (k from X), as \mathbf{1} b^\top is
    where = r"X \in \mathbb{R}^{n \times k}; \boldsymbol\mu \in \mathbb{R}^n"
    out = diff_latex(r"\|X - \boldsymbol\mu\mathbf 1^\top\|_F^2", r"\boldsymbol\mu", where)
    assert (out.result, out.verified) == (
        r"2 (k \boldsymbol\mu - X \mathbf{1})", True), out.error  # fmt: skip
    out = diff_latex(r"\|X - 2\boldsymbol\mu\mathbf 1^\top\|_F^2", "X", where)
    assert (out.result, out.verified) == (r"2 (X - 2 \boldsymbol\mu \mathbf{1}^\top)", True)
    # alone, nothing tells the row's length: a refusal that names it
    out = diff_latex(r"\|\boldsymbol\mu\mathbf 1^\top\|_F^2", r"\boldsymbol\mu", where)
    assert out.error == r"cannot tell the size of `\mathbf 1`"  # (quoted as written)


def test_a_vector_under_the_sums_index_read_as_one_vector_is_refused() -> None:
    r"""Read by ``lower.py`` as a sum over α's entries, ``\sum_i \alpha_i k(x, x_i)`` would
    hold the declared ``x_i`` fixed while i runs (and give (1ᵀα) k(x, x_i)): refused."""
    import pytest
    import sympy

    from texgrad.calculus.expr import CalculusError
    from texgrad.calculus.lower import Env, Lowerer, VarInfo
    from texgrad.reading.source import MappedText
    from texgrad.shapes.dims import ONE, Shape
    from texgrad.syntax.parse import parse_row

    d, n = sympy.Symbol("D", positive=True), sympy.Symbol("n", positive=True)
    env = Env(
        {
            "x": VarInfo("x", Shape(d, ONE), "\\mathbf{x}"),
            "x_{i}": VarInfo("x_{i}", Shape(d, ONE), "\\mathbf{x}_i"),
            "\\alpha": VarInfo("\\alpha", Shape(n, ONE), "\\alpha"),
        }
    )
    row = parse_row(
        MappedText.identity(r"\sum_{i=1}^n \alpha_i \exp(-\|\mathbf{x} - \mathbf{x}_i\|^2)")
    )
    assert row.tree is not None
    with pytest.raises(CalculusError, match="changes with the sum's index"):
        Lowerer(env).lower(row.tree)


WEIGHTED = r"""The classifier's weights are $\mathbf{w} \in \mathbb{R}^{d}$.

With weights $w_i > 0$, the design matrix $X \in \mathbb{R}^{n \times p}$, responses
$\mathbf{y} \in \mathbb{R}^{n}$, $\boldsymbol\beta \in \mathbb{R}^{p}$ and
$\Lambda = \operatorname{diag}(w_1, \dots, w_n)$,
$$
S = (\mathbf{y} - X\boldsymbol\beta)^\top \Lambda (\mathbf{y} - X\boldsymbol\beta)
$$
"""


def test_listed_weights_beside_a_bold_vector_of_their_letter_are_a_vector_of_their_own() -> None:
    r"""``\Lambda = \operatorname{diag}(w_1, \dots, w_n)`` where a bold ``\mathbf w \in
    \mathbb{R}^d`` is declared too (a homework's weighted least squares after its
    classifier): the plain w_i are n weights of their own ("cannot differentiate the entry
    `w_1` of `\mathbf{w}`" before); the result, evaluated, equals central differences
    (n = 5, p = 3, d = 4)."""
    import numpy as np

    from tests.calculus.problem_numerics import central_gradient
    from texgrad.calculus.api import diff_in_document

    out = diff_in_document("doc.md", 7, r"\boldsymbol\beta", text=WEIGHTED, budget=60.0)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"2 X^\top \Lambda (X \boldsymbol\beta - \mathbf{y})"
    rng = np.random.default_rng(12)
    x, y, beta = (
        rng.standard_normal((5, 3)),
        rng.standard_normal((5, 1)),
        rng.standard_normal((3, 1)),
    )
    lam = np.diag(rng.uniform(0.5, 2.0, 5))
    loss = lambda b: ((y - x @ b).T @ lam @ (y - x @ b)).item()  # noqa: E731
    assert np.allclose(2 * x.T @ lam @ (x @ beta - y), central_gradient(loss, beta), atol=1e-6)
