r"""Refusals say why in the document's words, and a suggested declaration fits the use:
a coefficient, a step size, an exponent or a denominator as a scalar, a symbol multiplied on
both sides, inverted or under a trace as a matrix of the sizes it must have, a vector as a
vector (``texgrad.calculus.reasons``)."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.reasons import space_of
from texgrad.shapes.dims import Shape, dim_of

W = r"A \in \mathbb{R}^{n\times n}; x\in\mathbb{R}^n; C \in \mathbb{R}^{m \times n}"

CASES = [
    (r"x^\top A x + \lambda", "x", r"`\lambda > 0` or `\lambda \in \mathbb{R}`"),
    (r"x^\top A x + \lambda \|x\|^2", "x", r"`\lambda > 0` or `\lambda \in \mathbb{R}`"),
    (r"f(x) = x^\top A x + \lambda", "x", r"`\lambda > 0` or `\lambda \in \mathbb{R}`"),
    (r"e^{-\gamma x^\top x}", "x", r"`\gamma > 0` or `\gamma \in \mathbb{R}`"),
    (r"\|x - \eta A x\|^2", "x", r"`\eta > 0` or `\eta \in \mathbb{R}`"),
    (r"\|C x - b\|^2 + \mu", "x", r"`\mu > 0` or `\mu \in \mathbb{R}`"),
    (r"a^\top x", "x", r"`a \in \mathbb{R}^{n}`"),
    (r"b^\top C x", "x", r"`b \in \mathbb{R}^{m}`"),
    (r"x^\top M^{-1} x", "x", r"`M \in \mathbb{R}^{n \times n}`"),
    (r"\operatorname{tr}(X A)", "A", r"`X \in \mathbb{R}^{n \times n}`"),
    (r"\|B^\top x\|^2", "x", r"`B \in \mathbb{R}^{n \times n}`"),  # a capital: a matrix
    (r"\|b^\top x\|^2", "x", r"`b \in \mathbb{R}^{n}`"),
    (r"x^\top \Sigma^{-1} x", "x", r"`\Sigma \in \mathbb{R}^{n \times n}`"),
    (r"x^\top A x", "y", r"the shape of `y` is unknown — declare it"),
    (r"\mathbb{E}[x^\top A x]", "A", r"`\mathbb{E}[\cdot]` (an expectation) is not supported"),
    (
        r"\operatorname{tr}(A_{i \times i})",
        "A",
        r"`A_{i \times i}` (a leading block) is not supported",
    ),
]


@pytest.mark.parametrize(("expr", "wrt", "want"), CASES)
def test_refusal_says_why(expr: str, wrt: str, want: str) -> None:
    out = diff_latex(expr, wrt, W)
    assert out.error is not None and want in out.error, out.error
    assert not out.verified and out.result == ""


def test_unknown_shape_message_is_one_sentence() -> None:
    out = diff_latex(r"x^\top A x + \lambda", "x", W)
    assert out.error == (
        r"the shape of `\lambda` is unknown — declare it, e.g. `\lambda > 0` or "
        r"`\lambda \in \mathbb{R}`"
    )


def test_declaring_as_suggested_differentiates() -> None:
    """The suggestion is a declaration that works: taking it, the result is verified."""
    for expr, wrt, decl in [
        (r"b^\top C x", "x", r"b \in \mathbb{R}^{m}"),
        (r"x^\top M^{-1} x", "x", r"M \in \mathbb{R}^{n \times n}"),
        (r"x^\top A x + \lambda \|x\|^2", "x", r"\lambda \in \mathbb{R}"),
    ]:
        out = diff_latex(expr, wrt, f"{W}; {decl}")
        assert out.error is None and out.verified, (expr, out.error)
    out = diff_latex(r"b^\top C x", "x", rf"{W}; b \in \mathbb{{R}}^{{m}}")
    assert out.result == r"C^\top b"


def test_space_of() -> None:
    n, m = dim_of_text("n"), dim_of_text("m")
    assert space_of(Shape(n, m)) == r"\mathbb{R}^{n \times m}"
    assert space_of(Shape(m, dim_of_text("1"))) == r"\mathbb{R}^{m}"


def dim_of_text(s: str):  # type: ignore[no-untyped-def]
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    return dim_of(parse_row(MappedText.identity(s)).tree)


def test_an_unknown_variable_gets_a_fitting_declaration() -> None:
    out = diff_latex(r"b^\top C x", "b", r"C \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n")
    assert out.error == (r"the shape of `b` is unknown — declare it, e.g. `b \in \mathbb{R}^{m}`")


def test_an_unbalanced_expression_says_where() -> None:
    out = diff_latex(r"x^\top A x + (x", "x", W)
    assert out.error == (
        r"the expression does not parse: unclosed ( at character 14: `x^\top A x + (`"
    )
    out = diff_latex(r"\frac{x^\top x", "x", W)
    assert out.error is not None and "unclosed brace { at character 6" in out.error


def test_not_a_letter_is_not_declared() -> None:
    out = diff_latex(r"\langle x, A x \rangle_{W}", "x", W)
    assert (
        out.error == r"cannot differentiate `\langle x, A x \rangle_{W}`: texgrad does not read it"
    )


def test_a_latin_scalar_is_not_told_to_write_a_comparison() -> None:
    r"""``u > 0`` does not declare every Latin letter (``x \ge 0`` is a vector's, entrywise):
    the suggestion is one that is read; ``s > 0``, ``t > 0`` (an amplitude, a time) are."""
    # (with something declared: an expression given with nothing declared is sized by its
    # letters instead, test_assumed_shapes.py)
    out = diff_latex(r"\log^2 u", "u", r"a \in \mathbb{R}")
    assert out.error == r"the shape of `u` is unknown — declare it, e.g. `u \in \mathbb{R}`"
    assert diff_latex(r"\log^2 u", "u", r"u \in \mathbb{R}").verified
    out = diff_latex(r"\log^2 t", "t", r"a \in \mathbb{R}")
    assert (
        out.error == r"the shape of `t` is unknown — declare it, e.g. `t > 0` or `t \in \mathbb{R}`"
    )
    assert diff_latex(r"\log^2 t", "t", r"t > 0").verified


# the suggestion fits the use inside a sum over samples too: w of w^\top x_i with x_i ∈ ℝ^d
# (declared as one vector, which the sum cannot read: its summand still says w's shape) is a
# vector of d, not "ℝ or ℝ^n" nor, transposed between y_i and x_i, a d×d matrix
SAMPLES = "The data are $x_i \\in \\mathbb{R}^d$ and $y_i \\in \\mathbb{R}$.\n\n$$ROW$$\n"


@pytest.mark.parametrize(
    "row",
    [
        r"\ell(w) = \sum_{i=1}^N \log(1 + e^{-y_i w^\top x_i})",
        r"h(w) = \sum_i (w^\top x_i)^2",
        r"L(w) = \sum_{i=1}^N (w^\top x_i - y_i)^2 + \lambda \|w\|^2",
        r"g(w) = w^\top x_i",
    ],
)
def test_a_weight_vector_in_a_sum_over_samples_is_suggested_as_one(row: str) -> None:
    from texgrad.calculus.context import context_at
    from texgrad.calculus.reasons import refusal
    from texgrad.shapes.check import Checker

    text = SAMPLES.replace("ROW", row)
    result = Checker().check("doc.md", text=text)
    said = refusal(result.rows[-1].tree, context_at(result, result.rows[-1]))
    assert said == r"the shape of `w` is unknown — declare it, e.g. `w \in \mathbb{R}^{d}`"
    declared = text.replace("$ and $y_i", "$, $w \\in \\mathbb{R}^d$ and $y_i")
    result = Checker().check("doc.md", text=declared)
    # (declared as suggested, w is no longer what stops the row)
    again = refusal(result.rows[-1].tree, context_at(result, result.rows[-1]))
    assert again is None or "`w`" not in again
