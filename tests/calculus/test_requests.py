r"""Derivatives written to be computed (``\frac{\partial \operatorname{tr}(AB)}{\partial A}``
without a right side): what :mod:`texgrad.calculus.requests` reads of each written form, the
answers checked against central differences of the function inside at random points with a
different size for every dimension, and the editor's "Evaluate …"."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.calculus.problem_numerics import (
    close,
    evaluate_engine,
    finite_difference,
    rng_for,
    sample_with_sizes,
    tree,
)
from tests.calculus.problems import Problem
from texgrad.calculus.actions import evaluate_title, evaluation
from texgrad.calculus.api import diff_latex
from texgrad.calculus.requests import asked_at, request_in, title_of
from texgrad.shapes.check import Checker
from texgrad.syntax.latex import latex_of


@pytest.mark.parametrize(
    ("written", "body", "wrt", "hessian"),
    [
        (r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", r"\operatorname{tr}(A B)", "A", False),
        (r"\frac{\partial}{\partial x}(x^\top A x)", r"(x^\top A x)", "x", False),
        (r"\frac{\partial}{\partial x} x^\top A x", r"x^\top A x", "x", False),
        (r"\nabla_X \log\det X", r"\log \det X", "X", False),
        (r"\nabla_{\mathbf x}\|A\mathbf x\|^2", r"\|A \mathbf{x}\|^2", r"\mathbf{x}", False),
        (r"\nabla f(\mathbf x)", r"f(\mathbf{x})", r"\mathbf{x}", False),
        (r"\frac{\mathrm d}{\mathrm dt} e^{at}", "e^{a t}", "t", False),
        (r"\partial f/\partial x", "f", "x", False),
        (r"\partial_x f", "f", "x", False),
        (r"\frac{\partial^2 f}{\partial x \partial x^\top}", "f", "x", True),
        (r"\frac{\partial^2 f}{\partial x^2}", "f", "x", True),
        (r"\nabla^2_x f", "f", "x", True),
        (r"\nabla_x^2 \frac{1}{2}\|Ax - b\|^2", r"\frac{1}{2} \|A x - b\|^2", "x", True),
        (r"-\nabla_x f", "-f", "x", False),
        (r"\frac{\partial f}{\partial X} =", "f", "X", False),
        (r"\frac{\partial f}{\partial X} &=", "f", "X", False),
    ],
)  # fmt: skip
def test_each_written_form_is_read(written: str, body: str, wrt: str, hessian: bool) -> None:
    request = request_in(tree(written))
    assert request is not None and request.problem is None
    assert (latex_of(request.body), latex_of(request.wrt), request.hessian) == (body, wrt, hessian)


@pytest.mark.parametrize(
    "written",
    [
        r"\operatorname{tr}(AB)",
        r"\frac{\partial f}{\partial X} = B^\top",  # an equation: not a request
        r"\frac{\partial f}{\partial x} g",  # a derivative times g
        r"\mathrm{d}X",
        r"f = \nabla_x g",
    ],
)
def test_what_is_not_a_request(written: str) -> None:
    assert request_in(tree(written)) is None


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (r"\frac{\partial^2 f}{\partial x \partial y}", "a mixed second derivative"),
        (r"\frac{\partial^3 f}{\partial x^3}", "only first and second derivatives"),
        (r"\nabla f", "say with respect to what"),
    ],
)
def test_what_a_request_cannot_ask(written: str, problem: str) -> None:
    request = request_in(tree(written))
    assert request is not None and request.problem is not None and problem in request.problem


P = Problem
ASKED = [
    P("tr-AB", r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "A",
      r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}", "gradient", r"B^\top",
      check_expr=r"\operatorname{tr}(AB)"),
    P("nabla-norm", r"\nabla_{\mathbf x}\|A\mathbf x - \mathbf b\|^2", r"\mathbf x",
      r"A \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n; \mathbf b \in \mathbb{R}^m",
      "gradient", "", check_expr=r"\|A\mathbf x - \mathbf b\|^2"),
    P("operator-before", r"\frac{\partial}{\partial X} \mathbf a^\top X^{-1} \mathbf b", "X",
      r"\mathbf a, \mathbf b \in \mathbb{R}^n; X \in \mathbb{R}^{n \times n}", "gradient", "",
      check_expr=r"\mathbf a^\top X^{-1} \mathbf b"),
    P("slash", r"\partial (\mathbf a^\top X^\top X \mathbf b)/\partial X", "X",
      r"\mathbf a, \mathbf b \in \mathbb{R}^n; X \in \mathbb{R}^{m \times n}", "gradient", "",
      check_expr=r"\mathbf a^\top X^\top X \mathbf b"),
    P("jacobian", r"\frac{\partial \tanh(W\mathbf x)}{\partial \mathbf x}", r"\mathbf x",
      r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n", "jacobian", "",
      check_expr=r"\tanh(W\mathbf x)"),
    P("d-dt", r"\frac{\mathrm d}{\mathrm dt} \operatorname{tr}((X + tY)^{-1})", "t",
      r"X, Y \in \mathbb{S}^n_{++}; t \in \mathbb{R}_{++}", "derivative", "",
      check_expr=r"\operatorname{tr}((X + tY)^{-1})"),
    P("hessian-frac", r"\frac{\partial^2 \log(1 + \mathbf w^\top \mathbf w)}{\partial \mathbf w \partial \mathbf w^\top}",
      r"\mathbf w", r"\mathbf w \in \mathbb{R}^d", "hessian", "",
      check_expr=r"\log(1 + \mathbf w^\top \mathbf w)"),
    P("hessian-nabla", r"\nabla^2_x (\frac{1}{2} x^\top A x + b^\top x)", "x",
      r"A \in \mathbb{R}^{n \times n}; x, b \in \mathbb{R}^n", "hessian", "",
      check_expr=r"\frac{1}{2} x^\top A x + b^\top x"),
    P("negated", r"-\nabla_X \log\det X", "X", r"X \in \mathbb{S}^n_{++}", "gradient", "",
      check_expr=r"-\log\det X"),
]  # fmt: skip


@pytest.mark.parametrize("problem", ASKED, ids=[p.id for p in ASKED])
def test_a_request_is_answered_right(problem: Problem) -> None:
    """Asked without ``--wrt`` (the request says it), the answer equals central differences
    of the function inside at two random points with distinct sizes for every dimension."""
    out = diff_latex(problem.expr, "", problem.where)
    assert out.error is None, out.error
    assert (out.kind, out.verified) == (problem.kind, True)
    got_tree = tree(out.result)
    for k in range(2):
        values, sizes = sample_with_sizes(problem, rng_for(problem, 10 + k))
        assert len(set(sizes.values())) == len(sizes), sizes  # a missing transpose shows
        got = evaluate_engine(got_tree, problem, values, sizes, where=out.where)
        ok, why = close(np.asarray(got), finite_difference(problem, values), 1e-5)
        assert ok, f"{problem.id}: {out.result!r}: {why}"


def test_a_request_names_its_variable() -> None:
    where = r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}"
    request = r"\frac{\partial \operatorname{tr}(AB)}{\partial A}"
    assert diff_latex(request, "A", where).result == r"B^\top"
    other = diff_latex(request, "B", where)
    assert other.error == f"`{request}` is a derivative with respect to `A`, not `B`"
    mixed = diff_latex(
        r"\frac{\partial^2 (x^\top y)}{\partial x \partial y}", "", r"x, y \in \mathbb{R}^n"
    )
    assert mixed.error is not None and "(Derivative" not in mixed.error
    assert "a mixed second derivative is not computed yet" in mixed.error


def test_an_operator_before_a_sum_is_not_guessed() -> None:
    r"""``\nabla_x f + g``: the operator applies to the first term only (as written); it
    is refused, never answered as ∇(f + g)."""
    where = r"A \in \mathbb{R}^{n \times n}; x, b \in \mathbb{R}^n"
    for wrt in ("", "x"):
        out = diff_latex(r"\nabla^2_x \frac{1}{2} x^\top A x + b^\top x", wrt, where)
        assert out.error is not None and out.result == ""
        assert "(Nabla" not in out.error


def test_a_request_of_a_function_the_document_defines() -> None:
    where = r"x, z \in \mathbb{R}^n; k(x, z) = \exp(-\|x - z\|^2)"
    out = diff_latex(r"\frac{\partial k}{\partial x}", "", where)
    assert out.verified and out.kind == "gradient"
    assert out.result == r"2 \exp(-\|x - z\|^2) (z - x)"  # \exp as the definition writes it
    out = diff_latex(r"\nabla k(x, z)", "", where)
    assert out.error is not None  # two arguments: with respect to which is not said


@pytest.mark.parametrize(
    ("written", "title"),
    [
        (r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "∂ tr(AB)/∂A"),
        (r"\nabla_X \log\det X", "∇_X log det X"),
        (r"\nabla_{\mathbf x}\|A\mathbf x\|^2", "∇ₓ ‖Ax‖²"),
        (r"\frac{\partial}{\partial \mathbf x}(\mathbf x^\top A \mathbf x)", "∂/∂x (xᵀAx)"),
        (r"\frac{\mathrm d}{\mathrm dt} e^{at}", "d/dt e^at"),
        (r"\frac{\partial^2 f}{\partial x \partial x^\top}", "∂²f/∂x∂xᵀ"),
        (r"\nabla^2_x f", "∇²ₓ f"),
        (r"\frac{\partial L}{\partial W^{(1)}}", "∂L/∂W^(1)"),
    ],
)
def test_titles_are_short_and_in_the_documents_notation(written: str, title: str) -> None:
    request = request_in(tree(written))
    assert request is not None
    assert title_of(request, written) == title


DOC = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$ and $B \\in \\mathbb{R}^{n \\times m}$.\n\n"
    "$$\n\\frac{\\partial \\operatorname{tr}(AB)}{\\partial A}\n$$\n\n"
    "\\begin{align}\n  \\nabla_A \\operatorname{tr}(AB) &= \\\\\n  y &= A x\n\\end{align}\n"
)


def test_evaluate_writes_the_result_after_the_request() -> None:
    result = Checker().check("req.md", text=DOC)
    at = DOC.index("\\frac")
    asked = asked_at(result, at)
    assert asked is not None and (asked.wrt, asked.hessian, asked.equals) == ("A", False, False)
    out = diff_latex(
        r"\operatorname{tr}(AB)",
        "A",
        r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}",
    )
    assert evaluate_title(asked, out) == "Evaluate ∂ tr(AB)/∂A"
    assert evaluate_title(asked, None) == "Evaluate ∂ tr(AB)/∂A (not verified)"
    assert (
        evaluate_title(asked, replace(out, verified=False)) == "Evaluate ∂ tr(AB)/∂A (not verified)"
    )
    assert evaluate_title(asked, replace(out, error="no")) is None
    written = evaluation(result, asked.row_start, out)
    assert written is not None
    assert written.insertion.offset == DOC.index("\n$$\n\n\\begin")
    assert written.insertion.text == " = B^\\top"
    # on the left of an empty `&=` in an align: after the `=`
    asked = asked_at(result, DOC.index("\\nabla"))
    assert asked is not None and asked.equals
    written = evaluation(result, asked.row_start, out)
    assert written is not None and written.insertion.text == " B^\\top"
    assert written.insertion.offset == DOC.index("&= \\\\") + 2
    assert written.equation == "\\nabla_A \\operatorname{tr}(AB) &= B^\\top"
    # a row that is not a request: nothing
    assert asked_at(result, DOC.index("y &= A x")) is None


def test_a_differential_request_by_the_one_variable_it_involves() -> None:
    where = r"X \in \mathbb{R}^{n \times n}"
    out = diff_latex(r"\mathrm{d}(X^{-1})", "", where)
    assert (out.kind, out.result, out.verified) == ("matrix", r"-X^{-1} \mathrm{d}X X^{-1}", True)
    where = r"X \in \mathbb{R}^{n \times m}; A \in \mathbb{R}^{n \times n}"
    both = diff_latex(r"\mathrm{d}(X^\top A X)", "", where)
    assert (
        both.error
        == r"`\mathrm{d}(X^\top A X)` involves `X`, `A`: say with respect to which (`--wrt`)"
    )
    by_a = diff_latex(r"\mathrm{d}(X^\top A X)", "A", where)
    assert (by_a.result, by_a.verified) == (r"X^\top \mathrm{d}A X", True)
    scalar = diff_latex(r"\mathrm{d}(x^\top x)", "", r"x \in \mathbb{R}^n")
    assert scalar.error is not None and "the differential of a scalar" in scalar.error


def test_a_request_is_answered_in_the_layout_its_document_states() -> None:
    doc = (
        "We use {} layout. Let $A \\in \\mathbb{{R}}^{{m \\times n}}$, $x \\in \\mathbb{{R}}^n$.\n\n"
        "$$\\frac{{\\partial (A x)}}{{\\partial x}}$$\n"
    )
    from texgrad.calculus.api import diff_in_document

    denominator = diff_in_document("a.md", 3, "", text=doc.format("denominator"))
    assert (denominator.result, denominator.layout, denominator.verified) == (
        "A^\\top",
        "denominator",
        True,
    )
    numerator = diff_in_document("a.md", 3, "", layout="denominator", text=doc.format("numerator"))
    assert (numerator.result, numerator.layout) == ("A", "numerator")
    neither = diff_in_document("a.md", 3, "", text=doc.format("a"))
    assert neither.result == "A"  # the setting's (the default: numerator)


def test_evaluate_a_differential() -> None:
    text = "Let $X \\in \\mathbb{R}^{n \\times n}$.\n\n$$ \\mathrm{d}(X^{-1}) = $$\n"
    result = Checker().check("d.md", text=text)
    asked = asked_at(result, text.index("\\mathrm"))
    assert asked is not None and asked.wrt == "" and asked.title == "d(X⁻¹)"
    out = diff_latex(r"\mathrm{d}(X^{-1})", "", r"X \in \mathbb{R}^{n \times n}")
    written = evaluation(result, asked.row_start, out)
    assert written is not None and written.insertion.text == r" -X^{-1} \mathrm{d}X X^{-1}"
    assert written.equation == r"\mathrm{d}(X^{-1}) = -X^{-1} \mathrm{d}X X^{-1}"


def test_a_second_derivative_by_a_number_is_taken() -> None:
    # (it was refused in words: the derivative of the derivative, checked by second differences)
    out = diff_latex(r"\frac{\mathrm d^2}{\mathrm dt^2} \|x + t v\|^2", "",
                     r"x, v \in \mathbb{R}^n; t \in \mathbb{R}")  # fmt: skip
    assert out.verified and out.kind == "hessian" and out.shape == "scalar", out.error
    assert out.result == r"2 \|v\|^2"


def test_a_derivative_by_a_power_is_refused_not_taken_by_its_base() -> None:
    # \frac{\partial}{\partial \sigma^2} of a Gaussian log-likelihood: by the variance; the
    # request was answered by \sigma (-n/\sigma + \|r\|^2/\sigma^3: 2\sigma times the answer)
    where = r"y \in \mathbb{R}^n; X \in \mathbb{R}^{n \times d}; w \in \mathbb{R}^d; \sigma > 0"
    body = r"\left(-\frac{n}{2}\log\sigma^2 - \frac{1}{2\sigma^2}\|y - Xw\|^2\right)"
    out = diff_latex(r"\frac{\partial}{\partial \sigma^2}" + body, "", where, budget=120.0)
    assert out.result == "" and out.error is not None
    assert out.error.endswith("a derivative with respect to a power, `\\sigma^2`, is not computed "
                              "yet (by its base it is not the same derivative)")  # fmt: skip
    by_sigma = diff_latex(r"\frac{\partial}{\partial \sigma}" + body, "", where, budget=120.0)
    assert by_sigma.verified and "\\sigma^{3}" in by_sigma.result  # (by \sigma: still answered)


def test_a_function_of_one_parameter_is_taken_at_the_variable_asked_for() -> None:
    where = r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}; f(u) = u^\top A u"
    out = diff_latex(r"\frac{\partial f}{\partial x}", "", where)
    assert (out.kind, out.result, out.verified) == ("gradient", r"(A + A^\top) x", True)


def test_a_partial_of_a_matrix_function_is_not_evaluated_as_its_differential() -> None:
    r"""``\frac{\partial X^{-1}}{\partial X}`` is a 4-index object: its differential
    ``-X^{-1} \mathrm{d}X X^{-1}`` is not written as its value; ``\mathrm{d}(X^{-1})`` is."""
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times n}$.\n\n$$ \\frac{\\partial X^{-1}}{\\partial X} $$\n\n"
        "$$ \\mathrm{d}(X^{-1}) $$\n"
    )
    result = Checker().check("m.md", text=text)
    out = diff_latex(r"\mathrm{d}(X^{-1})", "", r"X \in \mathbb{R}^{n \times n}")
    assert out.kind == "matrix" and out.verified
    partial = asked_at(result, text.index("\\frac"))
    assert partial is not None and not partial.differential
    assert evaluate_title(partial, out) is None
    assert evaluation(result, partial.row_start, out) is None
    differential = asked_at(result, text.index("\\mathrm"))
    assert differential is not None and differential.differential
    assert evaluate_title(differential, out) == "Evaluate d(X⁻¹)"
    written = evaluation(result, differential.row_start, out)
    assert written is not None and written.insertion.text == r" = -X^{-1} \mathrm{d}X X^{-1}"


def test_a_request_takes_the_layout_stated_before_it_not_after() -> None:
    from texgrad.calculus.api import diff_in_document

    doc = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$.\n\n"
        "$$\\frac{\\partial (A x)}{\\partial x}$$\n\n"
        "From here on we use denominator layout.\n\n"
        "$$\\frac{\\partial (A x)}{\\partial x}$$\n"
    )
    before = diff_in_document("a.md", 3, "", text=doc)
    after = diff_in_document("a.md", 7, "", text=doc)
    assert (before.result, after.result, after.layout) == ("A", "A^\\top", "denominator")
    own = doc.replace(
        "$$\\frac{\\partial (A x)}{\\partial x}$$\n\nFrom",
        "In denominator layout, $\\frac{\\partial (A x)}{\\partial x}$.\n\nFrom",
    )
    assert diff_in_document("a.md", 3, "", text=own).result == "A^\\top"


def test_a_request_by_a_macro_asked_as_the_document_writes_it() -> None:
    # --wrt '\mA' on `\frac{\partial}{\partial \mA}\operatorname{tr}(\mA^\top\mA)`: once
    # "is a derivative with respect to `\mA`, not `\mA`" (the macro against its expansion)
    from texgrad.calculus.api import diff_in_document
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    text = (
        "\\documentclass{article}\n\\newcommand{\\mA}{\\mathbf{A}}\n\\begin{document}\n"
        "Let $\\mA \\in \\mathbb{R}^{m \\times n}$.\n"
        "\\[ \\frac{\\partial}{\\partial \\mA}\\operatorname{tr}(\\mA^\\top\\mA) \\]\n"
        "\\end{document}\n"
    )
    out = diff_in_document("notes.tex", 5, "\\mA", text=text)
    assert out.error is None and out.verified, out.error
    a = np.random.default_rng(4).standard_normal((3, 2))
    tree = parse_row(MappedText.identity(out.result.replace("\\mA", "\\mathbf{A}"))).tree
    assert np.allclose(np.asarray(evaluate(tree, {"A": a}), dtype=float), 2 * a)
    other = diff_in_document("notes.tex", 5, "\\mathbf{B}", text=text)
    assert other.error is not None and "not `\\mathbf{B}`" in other.error
