r"""Index notation, the component-wise method (``calculus.indices``, ``calculus.components``
and the tree evaluator's own reading of the same notation): each formula written with
entries is read as the matrix expression it is, checked by value at random points with
distinct sizes for every dimension, so that a missing transpose cannot hide."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from tests.test_cli import run
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_expr import evaluate as evaluate_expr
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError
from texgrad.calculus.indices import IndexReader, lower_formula, says_einstein
from texgrad.calculus.lower import Env, VarInfo
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

N, M, P = sympy.symbols("n m p")
SIZES = {"n": 3, "m": 4, "p": 5}
ONE = sympy.Integer(1)
SHAPES = {
    "A": Shape(N, M), "B": Shape(M, N), "C": Shape(N, N), "S": Shape(N, N), "D": Shape(M, P),
    "x": Shape(N, ONE), "y": Shape(N, ONE), "z": Shape(M, ONE),
}  # fmt: skip


def env() -> Env:
    return Env({k: VarInfo(k, s, k) for k, s in SHAPES.items()})


def values(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for k, s in SHAPES.items():
        rows = SIZES[str(s.rows)] if s.rows != ONE else 1
        cols = SIZES[str(s.cols)] if s.cols != ONE else 1
        out[k] = rng.standard_normal((rows, cols))
    return out


def tree(latex: str) -> t.Node:
    node = parse_row(MappedText.identity(latex)).tree
    assert node is not None
    return node


def engine_value(latex: str, einstein: bool = False, seed: int = 0) -> float:
    x, indexed = lower_formula(tree(latex), env(), einstein)
    assert indexed, "read as index notation"
    return float(evaluate_expr(x, values(seed), SIZES)[0, 0])


v = values()
A, B, C, S, D, X, Y, Z = (v[k] for k in "ABCSDxyz")

CASES = [
    (r"\sum_{i,k} a_{ik} b_{ki}", np.trace(A @ B)),
    (r"\sum_{i}\sum_{k} A_{ik} B_{ki}", np.trace(A @ B)),
    (r"\sum_k a_{ik} b_{ki}", np.trace(A @ B)),  # the repeated free index i: summed
    (r"\sum_{i,j} a_{ij}^2", np.sum(A**2)),
    (r"\sum_{i=1}^n x_i y_i", (X.T @ Y).item()),
    (r"\sum_{i,j} x_i C_{ij} x_j", (X.T @ C @ X).item()),
    (r"\sum_{i,j} x_i a_{ij} z_j", (X.T @ A @ Z).item()),
    (r"\sum_{i,j} (AB)_{ij} s_{ij}", np.sum((A @ B) * S)),
    (r"\sum_{i,j} (A^\top)_{ij} b_{ij}", np.sum(A.T * B)),
    (r"\sum_{i,j} \delta_{ij} c_{ij}", np.trace(C)),
    (r"\sum_{i,j} \delta_{ij} x_i y_j", (X.T @ Y).item()),
    (r"\sum_{i,j,k} a_{ij} b_{jk} c_{ki}", np.trace(A @ B @ C)),
    (r"\sum_i \Big(\sum_j a_{ij} z_j - y_i\Big)^2", float(np.sum((A @ Z - Y) ** 2))),
    (r"\sum_{i=1}^n \log(1 + x_i^2)", float(np.sum(np.log(1 + X**2)))),
    (r"\frac{1}{2}\sum_{i} \frac{x_i}{1 + y_i^2}", 0.5 * float(np.sum(X / (1 + Y**2)))),
    (r"\sum_{i,j,k} x_i x_j x_k", float(np.sum(X)) ** 3),
    (r"\sum_{i,k} c_{ii} a_{ik} z_k", (np.diag(C) @ (A @ Z)).item()),
    (r"c_{ii}", np.trace(C)),
    (r"\sum_{i,j} (x_i - z_j)^2", float(np.sum((X - Z.T) ** 2))),
    (r"\sum_{i,j} (\delta_{ij} - c_{ij}) x_j y_i", (Y.T @ (np.eye(3) - C) @ X).item()),
    (r"\sum_i x_i + \sum_i z_i", float(np.sum(X) + np.sum(Z))),  # one letter, two ranges
    (r"\sum_{i,j} (a_{ij} - b_{ji})^2 + \sum_k x_k", np.sum((A - B.T) ** 2) + np.sum(X)),
]


@pytest.mark.parametrize(("latex", "want"), CASES, ids=[c[0] for c in CASES])
def test_index_notation_reads_as_its_matrix_expression(latex: str, want: float) -> None:
    assert engine_value(latex) == pytest.approx(float(want), rel=1e-10)
    # the independent evaluator reads the same notation on its own
    got = evaluate_tree(tree(latex), {**v, **{k: float(s) for k, s in SIZES.items()}})
    assert float(got[0, 0]) == pytest.approx(float(want), rel=1e-10)


EINSTEIN = [
    (r"a_{ik} b_{ki}", np.trace(A @ B)),
    (r"x_i C_{ij} x_j", (X.T @ C @ X).item()),
    (r"x_i x_i + a_{ij} a_{ij}", (X.T @ X).item() + np.sum(A**2)),
    (r"a_{ij} d_{jk} d_{lk} a_{il}", np.sum((A @ D) ** 2)),
]


@pytest.mark.parametrize(("latex", "want"), EINSTEIN, ids=[c[0] for c in EINSTEIN])
def test_the_einstein_convention_sums_repeated_indices(latex: str, want: float) -> None:
    assert engine_value(latex, einstein=True) == pytest.approx(float(want), rel=1e-10)
    got = evaluate_tree(tree(latex), v, einstein=True)
    assert float(got[0, 0]) == pytest.approx(float(want), rel=1e-10)


@pytest.mark.parametrize(
    ("latex", "einstein", "message"),
    [
        (r"a_{ik} b_{ki}", False, "free index i, k"),  # without the convention: no sum
        (r"\sum_k a_{ik} z_k", False, "free index i"),  # an entry of a vector, not a number
        (r"a_{ik} b_{kj}", False, "cannot write this product of entries in matrix form"),
        (r"a_{ik} b_{kj}", True, "free index i, j"),
        (r"\sum_{i=1}^m x_i", False, "runs up to `m`"),  # part of the entries: refused
        (r"\sum_{i,j} a_{ij} c_{ij}", False, "j runs over m entries elsewhere but over n"),
        (r"\sum_{k} a_{ik} b_{ki} + 1", False, "different free indices"),
        (r"\sum_{i,j} \delta_{ij}", False, "size"),
    ],
)
def test_what_has_no_reading_is_refused_by_name(latex: str, einstein: bool, message: str) -> None:
    with pytest.raises(CalculusError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        IndexReader(env(), einstein).formula(tree(latex))
    assert "(Sub" not in str(e.value) and "(BigOp" not in str(e.value)


def test_a_family_of_samples_is_not_read_as_entries() -> None:
    # x_i declared itself is a member of a family; w^T beside x_i is not a number
    e = env()
    e.vars["x_{i}"] = VarInfo("x_{i}", Shape(N, ONE), "x_i")
    reader = IndexReader(e)
    assert reader.entry_indices(tree("x_i")) is None  # type: ignore[arg-type]
    with pytest.raises(CalculusError, match="stands among entries"):
        IndexReader(env()).formula(tree(r"\sum_i y^\top x_i"))


def test_says_einstein() -> None:
    assert says_einstein("% texgrad: einstein")
    assert says_einstein("We use the Einstein summation convention throughout.")
    assert says_einstein("Repeated indices are summed.")
    assert not says_einstein("Einstein wrote about relativity; the sum is explicit.")
    assert not says_einstein("We do not use the Einstein summation convention here.")
    assert not says_einstein("Sums are written out, without Einstein notation.")
    assert says_einstein("No sum is hidden. We use Einstein notation: repeated indices are summed.")


def test_the_tree_evaluator_reads_an_entry_at_given_indices() -> None:
    got = evaluate_tree(tree(r"b_{ji} + \sum_k a_{ik} d_{kj}"), v, at={"i": 2, "j": 1})
    assert float(got[0, 0]) == pytest.approx(B[1, 2] + (A @ D)[2, 1])


# -- the command line and the documents ------------------------------------------------------

WHERE = r"A \in \mathbb{R}^{n\times m}; B \in \mathbb{R}^{m\times n}"


def test_cli_derivative_by_an_entry_is_b_ji() -> None:
    code, out = run("diff", r"\sum_k a_{ik} b_{ki}", "--wrt", "a_{ij}", "--where", WHERE)
    assert code == 0
    assert out.splitlines() == ["b_{ji}"]


def test_cli_steps_show_the_component_step() -> None:
    code, out = run("diff", r"\sum_{i,k} a_{ik} b_{ki}", "--wrt", "A", "--where", WHERE, "--steps")
    lines = out.splitlines()
    assert code == 0 and lines[0] == r"B^\top"
    assert lines[1] == r"f = \sum_{i,k} a_{ik} b_{ki} = \operatorname{tr}(A B)"
    step = lines.index(r"\frac{\partial f}{\partial a_{ij}} = b_{ji} \quad \text{(entry by entry)}")
    assert lines[step + 1].startswith(r"\nabla_{A} f = B^\top \quad \text{(identification: ")


def test_cli_einstein_flag() -> None:
    code, out = run("diff", r"x_i A_{ij} x_j", "--wrt", "x", "--einstein", "--where",
                    r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n\times n}")  # fmt: skip
    assert code == 0 and out.splitlines()[0] == r"(A + A^\top) x"
    code, _ = run("diff", r"x_i A_{ij} x_j", "--wrt", "x", "--where",
                  r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n\times n}")  # fmt: skip
    assert code == 1  # without the convention the free indices are refused


@pytest.mark.parametrize(
    ("expr", "wrt", "where", "want"),
    [
        (r"\sum_{i,j} x_i A_{ij} x_j", "x_k", r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n\times n}",
         r"\sum_{l} \left(A_{kl} + A_{lk}\right) x_l"),
        (r"\sum_{i,j} A_{ij}^2", "A_{ij}", r"A \in \mathbb{R}^{n\times m}", "2 A_{ij}"),
        (r"\operatorname{tr}(AB)", "a_{ij}", WHERE, "b_{ji}"),
        (r"\sum_{i} a_{ii}^2", "a_{pq}", r"A \in \mathbb{R}^{n\times n}", r"2 a_{pp} \delta_{pq}"),
        (r"\log\det A", "a_{ij}", r"A \in \mathbb{R}^{n\times n}", r"\left(A^{-\top}\right)_{ij}"),
        (r"\operatorname{tr}(ABA)", "a_{pq}",
         r"A \in \mathbb{R}^{n\times n}; B \in \mathbb{R}^{n\times n}",
         r"\sum_{k} b_{qk} a_{kp} + \sum_{l} a_{ql} b_{lp}"),
        # the gradient A^T 1 1^T (its last ones sized by nothing else); the summed index
        # not named p where p is a dimension
        (r"\sum_{i,j} (AB)_{ij}", "b_{kl}", r"A \in \mathbb{R}^{m\times p}; B \in \mathbb{R}^{p\times n}",
         r"\sum_{q} a_{qk}"),
    ],
)  # fmt: skip
def test_derivatives_by_entries_are_verified(expr: str, wrt: str, where: str, want: str) -> None:
    out = diff_latex(expr, wrt, where)
    assert out.error is None and out.verified, out.error or out.note
    assert (out.kind, out.shape, out.result) == ("derivative", "ℝ", want)


def test_an_entry_of_a_vector_function_is_refused() -> None:
    out = diff_latex(r"A x", "a_{ij}", r"A \in \mathbb{R}^{n\times m}; x \in \mathbb{R}^m")
    assert out.error is not None and "scalar function" in out.error


EINSTEIN_DOC = r"""\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{n \times m}$ and $B \in \mathbb{R}^{m \times n}$.
We use the Einstein summation convention throughout.
\begin{equation}
  f = a_{ik} b_{ki} + \frac{1}{2} a_{ij} a_{ij}
\end{equation}
\end{document}
"""


def test_a_document_that_says_it_uses_the_einstein_convention(tmp_path: object) -> None:
    out = diff_in_document("doc.tex", 6, "A", text=EINSTEIN_DOC)
    assert out.error is None and out.verified and out.result == r"B^\top + A"
    out = diff_in_document("doc.tex", 6, "a_{pq}", text=EINSTEIN_DOC)
    assert out.verified and out.result == "b_{qp} + a_{pq}"
    plain = EINSTEIN_DOC.replace("We use the Einstein summation convention throughout.\n", "")
    out = diff_in_document("doc.tex", 5, "A", text=plain)
    assert out.error is not None and "free ind" in out.error


def test_one_bound_for_several_indices() -> None:
    out = diff_latex(r"\sum_{i,j=1}^n s_{ij} x_i y_j", "x",
                     r"S \in \mathbb{R}^{n\times n}; x, y \in \mathbb{R}^n")  # fmt: skip
    assert out.verified and out.result == "S y"
    assert "not evaluated independently" not in out.note
    out = diff_latex(r"\sum_{i,j=1}^n a_{ij} x_i y_j", "x",
                     r"A \in \mathbb{R}^{n\times m}; x \in \mathbb{R}^n; y \in \mathbb{R}^m")  # fmt: skip
    assert out.error is not None and "runs up to `n`" in out.error


def test_an_entry_of_a_symmetric_matrix_is_not_a_variable_of_its_own() -> None:
    out = diff_latex(r"\operatorname{tr}(SB)", "s_{ij}",
                     r"S \in \mathbb{S}^n; B \in \mathbb{R}^{n\times n}")  # fmt: skip
    assert out.error is not None and "symmetric" in out.error


MARKDOWN = r"""# Trace by components

Let $A \in \mathbb{R}^{n \times m}$ and $B \in \mathbb{R}^{m \times n}$, with entries
$a_{ij}$ and $b_{ij}$.

$$f = \sum_{i=1}^{n} \sum_{k=1}^{m} a_{ik} b_{ki}$$
"""


def test_index_notation_in_a_markdown_document() -> None:
    out = diff_in_document("notes.md", 6, "A", text=MARKDOWN)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"B^\top"
    assert r"\frac{\partial f}{\partial a_{ij}} = b_{ji} \quad \text{(entry by entry)}" in out.steps
    out = diff_in_document("notes.md", 6, "b_{ij}", text=MARKDOWN)
    assert out.verified and out.result == "a_{ji}"


DECLARED_ENTRIES = r"""\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{n \times m}$ and $B \in \mathbb{R}^{m \times n}$, each $a_{ij} \in \mathbb{R}$.
\[ f(A) = \sum_{i=1}^{n} \sum_{k=1}^{m} a_{ik} b_{ki}. \]
\end{document}
"""


def test_an_entry_declared_a_number_is_still_an_entry() -> None:
    # "each a_{ij} ∈ ℝ" declares the entries real: ∂f/∂a_{ij} is b_{ji}, not 0
    out = diff_in_document("doc.tex", 4, "a_{ij}", text=DECLARED_ENTRIES)
    assert out.verified and out.result == "b_{ji}"
    out = diff_in_document("doc.tex", 4, "A", text=DECLARED_ENTRIES)
    assert out.verified and out.result == r"B^\top"


@pytest.mark.parametrize(
    ("expr", "wrt", "want"),
    [
        (r"\sum_k a_{ik} x_k", "x_j", "a_{ij}"),  # ∂(Ax)_i/∂x_j
        (r"\sum_k c_{ik} y_k", "y_i", "c_{ii}"),  # the same index: the diagonal, no sum
        (r"y_i^2", "y_j", r"2 y_i \delta_{ij}"),
        (r"\sum_k c_{ik} y_k^2", "y_j", r"2 c_{ij} y_j"),  # a diagonal joins its indices
    ],
)
def test_the_derivative_of_an_entry_by_an_entry(expr: str, wrt: str, want: str) -> None:
    where = r"A \in \mathbb{R}^{n\times m}; x \in \mathbb{R}^m; C \in \mathbb{R}^{n\times n}; y \in \mathbb{R}^n"
    out = diff_latex(expr, wrt, where)
    assert out.error is None and out.verified, out.error or out.note
    assert (out.kind, out.result) == ("derivative", want)
    assert "evaluated entry by entry" in out.note


def test_the_derivative_of_an_entry_by_an_entry_refused_where_it_has_no_meaning() -> None:
    where = r"A \in \mathbb{R}^{n\times m}; x \in \mathbb{R}^m"
    out = diff_latex(r"\sum_k a_{ik} x_k", "x_i", where)  # i runs over n, x_i over m
    assert out.error is not None and "runs over n entries in the formula but over m" in out.error
    out = diff_latex(r"\sum_k a_{ik} x_k", "a_{pq}", where)  # a vector by a matrix
    assert out.error is not None and "free index i" in out.error
    out = diff_latex(r"\sum_k a_{ik} x_k", "A", where)
    assert out.error is not None and "free index i" in out.error


@pytest.mark.parametrize(
    ("expr", "wrt", "where", "want"),
    [
        (r"\mathbf{1}^\top A B \mathbf{1}", "B",
         r"A \in \mathbb{R}^{m\times q}; B \in \mathbb{R}^{q\times n}", r"A^\top \mathbf{1} \mathbf{1}_n^\top"),
        (r"\mathbf{1}^\top X \mathbf{1}", "X", r"X \in \mathbb{R}^{m\times q}",
         r"\mathbf{1}_m \mathbf{1}_q^\top"),
        (r"\sum_{i,j} x_{ij}", "X", r"X \in \mathbb{R}^{m\times q}", r"\mathbf{1}_m \mathbf{1}_q^\top"),
    ],
)  # fmt: skip
def test_an_outer_product_of_ones_is_printed_with_its_sizes(
    expr: str, wrt: str, where: str, want: str
) -> None:
    # read back unsized, the last 1^T of a rectangular gradient was taken square: the
    # result was reported NOT verified
    out = diff_latex(expr, wrt, where)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == want


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        (r"\sum_i y_i \log p_i", r"y \oslash p"),
        (r"-\sum_{i} y_i \log p_i", r"-y \oslash p"),
        (r"\sum_i y_i p_i", "y"),
    ],
)
def test_a_sum_over_the_entries_of_the_variable_without_bounds(expr: str, want: str) -> None:
    # p ∈ ℝⁿ declared: p_i is its entry (read as a family of samples, it was refused: "`p`
    # is summed over")
    out = diff_latex(expr, "p", r"y, p \in \mathbb{R}^n")
    assert out.error is None and out.verified, out.error or out.note
    assert (out.kind, out.result) == ("gradient", want)


def test_a_family_of_vectors_by_its_letter_is_still_refused() -> None:
    where = r"x \in \mathbb{R}^d; \mu \in \mathbb{R}^d; A \in \mathbb{R}^{d\times d}"
    for expr in (r"\sum_{i} \|x_i - \mu\|^2", r"\sum_i x_i^\top A x_i"):
        out = diff_latex(expr, "x", where)
        assert out.error is not None and "summed over" in out.error


def test_an_entry_derivative_spells_entries_as_the_formula_does() -> None:
    # x_j, y_i of a bold \mathbf{x}, \mathbf{y}: the answer writes x_l, y_i, not \mathbf{x}_l
    where = (
        r"W \in \mathbb{R}^{k\times d}; \mathbf{x} \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^k"
    )
    expr = r"\frac{1}{2}\sum_{i=1}^{k}\Big(y_i - \sum_{j=1}^{d} w_{ij} x_j\Big)^2"
    out = diff_latex(expr, "w_{ij}", where)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"\left(\sum_{l} w_{il} x_l - y_i\right) x_j"
    where = r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^d"
    out = diff_latex(r"(\mathbf{w}^\top \mathbf{x})^2", "w_k", where)
    assert out.verified and out.result == r"2 \sum_{l} \mathbf{x}_k w_l \mathbf{x}_l"


@pytest.mark.parametrize(
    ("expr", "wrt", "where", "want"),
    [
        (r"\sum_{i} \exp(x_i)", "x_k", r"x \in \mathbb{R}^n", r"\exp(x_k)"),
        (r"\sum_i \log(1 + e^{x_i})", "x_k", r"x \in \mathbb{R}^n", r"\sigma(x_k)"),
        (r"\mathbf{1}^\top \tanh(W x)", "w_{ij}", r"W \in \mathbb{R}^{m\times n}; x \in \mathbb{R}^n",
         r"\left(1 - \tanh(\sum_{k} w_{ik} x_k)^{2}\right) x_j"),
    ],
)  # fmt: skip
def test_the_entry_of_an_elementwise_function_is_the_function_of_the_entry(
    expr: str, wrt: str, where: str, want: str
) -> None:
    # (e^{x})_k is e^{x_k}: not \left(\exp(x)\right)_{k}
    out = diff_latex(expr, wrt, where)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == want


def test_a_second_sum_over_the_same_index_is_not_a_member_outside_the_first() -> None:
    # z_j of \log\sum_j e^{z_j} is bound by its own sum (it was refused: "`z_{j}` is used
    # outside the sum")
    out = diff_latex(r"-\sum_{j} y_j z_j + \log \sum_{j} e^{z_j}", "z", r"y, z \in \mathbb{R}^k")
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"\operatorname{softmax}(z) - y"
    out = diff_latex(r"\sum_{j} y_j z_j + z_j", "z", r"y, z \in \mathbb{R}^k")
    assert out.error is not None  # (z_j outside any sum: refused)


def test_a_diagonal_entry_beside_a_vector_entry() -> None:
    # x_i of x ∈ ℝⁿ beside A_{ii}: an entry, not a sample (read as one, the sum was refused:
    # "a part of shape n stands among entries")
    where = r"A \in \mathbb{R}^{n\times n}; x \in \mathbb{R}^n"
    for expr in (r"\sum_i A_{ii} x_i", r"\sum_i x_i A_{ii}"):
        out = diff_latex(expr, "A", where)
        assert out.error is None and out.verified, out.error or out.note
        assert out.result == r"\operatorname{diag}(x)"


def test_an_entry_of_a_matrix_by_an_entry_is_refused_saying_what_is_missing() -> None:
    r"""``∂(AB)_{ij}/∂a_{kl}``: summing over i, j would differentiate another formula, so the
    refusal says what is not computed rather than only asking for the sum."""
    where = r"A \in \mathbb{R}^{n\times m}; B \in \mathbb{R}^{m\times p}"
    out = diff_latex(r"(AB)_{ij}", "a_{kl}", where)
    assert out.error is not None and "free index i, j" in out.error
    assert "an entry of a matrix by an entry" in out.error and "Kronecker" in out.error
