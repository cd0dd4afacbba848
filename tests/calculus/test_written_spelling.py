r"""How authors write what the check reads: ``(1 - \mathbf a^2)`` of a vector under
``\operatorname{diag}`` or beside ``\odot`` (entry by entry, tanh's derivative), and the
quick fix of a derivative by one entry in the document's own spelling of the entry."""

from __future__ import annotations

import numpy as np
import pytest

from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.written_derivatives import check_written
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row

TANH = (
    r"Let $\mathbf z \in \mathbb{R}^n$, $W \in \mathbb{R}^{n \times d}$, "
    r"$\mathbf x \in \mathbb{R}^d$." "\n\n"
    r"With $\mathbf a = \tanh(\mathbf z)$:" "\n\n"
)  # fmt: skip


def found(text: str) -> list[str]:
    checked = Checker().check("doc.md", text=text)
    return [text[f.start : f.end] for f in check_written(checked, seconds=60.0)]


@pytest.mark.parametrize(
    ("side", "wrong"),
    [
        (r"\operatorname{diag}(1 - \mathbf a^2)", False),
        (r"\operatorname{diag}(\mathbf 1 - \mathbf a^2)", False),
        (r"\operatorname{diag}(1 + \mathbf a^2)", True),
        (r"\operatorname{diag}(2 - \mathbf a^2)", True),
        (r"I - \operatorname{diag}(\mathbf a^2)", False),
    ],
)
def test_a_vector_squared_entry_by_entry_under_diag(side: str, wrong: bool) -> None:
    text = TANH + rf"$$\frac{{\partial \mathbf a}}{{\partial \mathbf z}} = {side}$$" + "\n"
    assert found(text) == ([side] if wrong else [])


def test_a_vector_power_is_entrywise_only_where_its_context_says_so() -> None:
    a = np.array([[1.0], [2.0], [3.0]])

    def value(latex: str) -> np.ndarray:
        row = parse_row(MappedText.identity(latex))
        assert row.tree is not None
        return np.asarray(evaluate(row.tree, {"a": a}))

    assert np.allclose(value(r"\operatorname{diag}(1 - \mathbf a^2)"), np.diag([0.0, -3, -8]))
    assert np.allclose(value(r"(1 - \mathbf a^2) \odot \mathbf a"), [[0.0], [-6], [-24]])
    with pytest.raises(EvaluationError):  # alone, a^2 may be aᵀa: not read
        value(r"1 - \mathbf a^2")


def test_backprop_through_tanh_with_the_square_of_the_activation() -> None:
    text = (
        r"Let $W \in \mathbb{R}^{n \times d}$, $\mathbf x \in \mathbb{R}^d$, "
        r"$\mathbf v \in \mathbb{R}^n$." "\n\n"
        r"$$\mathbf a = \tanh(W\mathbf x)$$" "\n\n"
        r"$$\nabla_{\mathbf x} (\mathbf v^\top \mathbf a) = W^\top ((1 - \mathbf a^2) \odot \mathbf v)$$"
        "\n\n"
        r"$$\nabla_{\mathbf x} (\mathbf v^\top \mathbf a) = W^\top ((1 + \mathbf a^2) \odot \mathbf v)$$"
        "\n"
    )  # fmt: skip
    assert found(text) == [r"W^\top ((1 + \mathbf a^2) \odot \mathbf v)"]


def test_the_fix_of_an_entry_derivative_spells_the_entry_as_the_document() -> None:
    text = (
        r"Let $A \in \mathbb{R}^{n \times n}$ and $\mathbf a \in \mathbb{R}^n$." "\n\n"
        r"$$f(\mathbf a) = \mathbf a^\top A \mathbf a$$" "\n\n"
        r"$$\frac{\partial f}{\partial a_i} = 2(A\mathbf a)_i$$" "\n\n"
        r"$$\frac{\partial f}{\partial \mathbf a_i} = 2(A\mathbf a)_i$$" "\n"
    )  # fmt: skip
    checked = Checker().check("doc.md", text=text)
    first, second = check_written(checked)
    assert first.correct == r"\sum_{k} \left(A_{ik} + A_{ki}\right) a_k"
    assert second.correct == r"\sum_{k} \left(A_{ik} + A_{ki}\right) \mathbf a_k"


def test_the_entry_fix_keeps_the_vector_bold_where_the_side_writes_it_bold() -> None:
    text = (
        r"Let $\mathbf u \in \mathbb{R}^d$ and $g(\mathbf u) = \|\mathbf u\|^4$." "\n\n"
        r"$$\frac{\partial g}{\partial u_i} = 2\|\mathbf u\|^2 u_i$$" "\n"
    )  # fmt: skip
    (finding,) = check_written(Checker().check("doc.md", text=text))
    assert finding.correct == r"\left(4 \|\mathbf u\|^2\right) u_i"


def test_a_jacobian_by_vec_of_a_matrix() -> None:
    r"""∂vec(AVB)/∂vec(V) = Bᵀ ⊗ A (either convention, no layout being stated)."""
    text = (
        r"Let $A \in \mathbb{R}^{p \times m}$, $B \in \mathbb{R}^{n \times q}$ and "
        r"$V \in \mathbb{R}^{m \times n}$." "\n\n"
        r"$$\frac{\partial \operatorname{vec}(AVB)}{\partial \operatorname{vec}(V)} = B^\top \otimes A$$"
        "\n\n"
        r"$$\frac{\partial \operatorname{vec}(AVB)}{\partial \operatorname{vec}(V)} = A \otimes B^\top$$"
        "\n\n"
        r"$$\frac{\partial \operatorname{vec}(VB)}{\partial \operatorname{vec}(V)} = B \otimes I_m$$"
        "\n"
    )  # fmt: skip
    assert found(text) == [r"A \otimes B^\top"]
    assert found("We use numerator layout.\n\n" + text) == [r"A \otimes B^\top", r"B \otimes I_m"]


def test_a_derivative_evaluated_at_a_point_is_left_alone() -> None:
    text = (
        r"Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x, \mathbf c \in \mathbb{R}^n$ and "
        r"$\phi(\mathbf x) = \mathbf c^\top \mathbf x + \mathbf x^\top A\mathbf x$." "\n\n"
        r"$$\frac{\partial \phi}{\partial \mathbf x}\bigg|_{\mathbf x = \mathbf 0} = \mathbf c$$"
        "\n\n"
        r"$$\frac{\partial \|A\mathbf x\|_2}{\partial \mathbf x} = \frac{A^\top A\mathbf x}"
        r"{\|A\mathbf x\|_2^2}$$" "\n"
    )  # fmt: skip
    assert found(text) == [r"\frac{A^\top A\mathbf x}{\|A\mathbf x\|_2^2}"]


@pytest.mark.parametrize(
    ("mark", "fix"),
    [
        ("\\mathrm d", "-X^{-1} \\mathrm dX X^{-1}"),
        ("\\mathrm{d}", "-X^{-1} \\mathrm{d}X X^{-1}"),
        ("\\operatorname{d}", "-X^{-1} \\operatorname{d}X X^{-1}"),
    ],
)
def test_the_fix_of_a_differential_spells_d_as_the_row(mark: str, fix: str) -> None:
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible.\n\n"
        f"$$ {mark}(X^{{-1}}) = X^{{-1}} {mark}X X^{{-1}} $$\n"
    )
    checked = Checker().check("doc.md", text=text)
    (finding,) = check_written(checked, seconds=60.0)
    assert finding.correct == fix
    assert f"texgrad finds `{fix}`" in finding.message
    fixed = text.replace(text[finding.start : finding.end], fix)
    assert check_written(Checker().check("doc.md", text=fixed), seconds=60.0) == []


def test_evaluate_a_differential_written_with_mathrm_d() -> None:
    r"""``\mathrm d(X^{-1}) =`` (read as an upright d times a parenthesis) is a request,
    answered in its own spelling."""
    from texgrad.calculus.actions import evaluation
    from texgrad.calculus.api import diff_in_document
    from texgrad.calculus.requests import asked_at

    text = "Let $X \\in \\mathbb{R}^{n \\times n}$.\n\n$$ \\mathrm d(X^{-1}) = $$\n"
    result = Checker().check("d.md", text=text)
    asked = asked_at(result, text.index("\\mathrm"))
    assert asked is not None and asked.differential and asked.title == "d(X⁻¹)"
    out = diff_in_document("d.md", 3, "", text=text)
    assert (out.kind, out.verified) == ("matrix", True)
    written = evaluation(result, asked.row_start, out)
    assert written is not None
    assert written.equation == "\\mathrm d(X^{-1}) = -X^{-1} \\mathrm dX X^{-1}"


@pytest.mark.parametrize(
    ("asked", "answer"),
    [
        ("\\mathrm d(X^{-1})", "-X^{-1} \\mathrm dX X^{-1}"),
        ("\\mathrm{d}(X^{-1})", "-X^{-1} \\mathrm{d}X X^{-1}"),
        ("\\mathrm d(X^\\top X)", "\\mathrm dX^\\top X + X^\\top \\mathrm dX"),
    ],
)
def test_the_command_line_spells_d_as_the_expression(asked: str, answer: str) -> None:
    r"""``texgrad diff '\mathrm d(X^{-1})'`` answers in the expression's spelling of d
    (the result, its differential and its steps; JSON as LaTeX), as a quick fix does."""
    from texgrad.calculus.api import diff_in_document, diff_latex

    out = diff_latex(asked, "", "X \\in \\mathbb{R}^{n \\times n}")
    assert (out.error, out.verified, out.result) == (None, True, answer)
    other = "\\mathrm{d}" if "\\mathrm d" in asked else "\\mathrm d"
    assert not any(other in s for s in [out.result, *out.steps])
    text = f"Let $X \\in \\mathbb{{R}}^{{n \\times n}}$.\n\n$$ {asked} $$\n"
    assert diff_in_document("d.md", 3, "", text=text).result == answer


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("\\operatorname{d}X", "Differential"),
        ("\\operatorname{d}\\mathbf x", "Differential"),
        ("\\operatorname{d} X", "Differential"),
        ("\\operatorname{d}\\operatorname{tr}(AX)", "Differential"),
        ("\\operatorname{d}(X^{-1})", "Product"),  # as \mathrm d(X^{-1}): d, a parenthesis
        ("\\operatorname{d}\\left(X^{-1}\\right)", "Product"),
    ],
)
def test_operatorname_d_is_read_as_a_differential(written: str, read: str) -> None:
    tree = parse_row(MappedText.identity(written)).tree
    assert type(tree).__name__ == read
    if read == "Product":  # the upright d the claims and requests read as a differential
        d = tree.factors[0]  # type: ignore[union-attr]
        assert (d.name, d.font, written[d.start : d.end]) == ("d", "mathrm", "\\operatorname{d}")


OPERATORNAME_D = (
    "Let $X \\in \\mathbb{R}^{n \\times n}$, $A \\in \\mathbb{R}^{n \\times n}$, "
    "$\\mathbf x \\in \\mathbb{R}^n$ and $\\mathbf y \\in \\mathbb{R}^n$.\n\n"
    "$$ \\operatorname{d}(X^{-1}) = -X^{-1} \\operatorname{d}X X^{-1} $$\n\n"
    "$$ \\operatorname{d}(X^{-1}) = -X^{-1} X^{-1} \\operatorname{d}X $$\n\n"
    "$$ \\operatorname{d}\\operatorname{tr}(AX) = \\operatorname{tr}(A \\operatorname{d}X) $$\n\n"
    "$$ \\operatorname{d}\\operatorname{tr}(AX) = \\operatorname{tr}(A^\\top \\operatorname{d}X) $$\n\n"
    "The metric: $\\operatorname{d}(\\mathbf x, \\mathbf y) = \\|\\mathbf x - \\mathbf y\\|_2$, "
    "and $\\operatorname{d}(\\mathbf x) = \\mathbf x^\\top \\mathbf x$.\n"
)


def test_differentials_written_with_operatorname_d_are_checked() -> None:
    r"""``\operatorname{d}X`` is a differential (claims, requests), not a function ``d`` of
    X; the wrong ones are flagged, the right ones and a function ``d(x, y)`` are not."""
    from texgrad.calculus.api import diff_latex

    checked = Checker().check("doc.md", text=OPERATORNAME_D)
    assert not [d for d in checked.diagnostics if d.severity == "error"]
    found = check_written(checked, seconds=60.0)
    assert [OPERATORNAME_D[f.start : f.end] for f in found] == [
        "-X^{-1} X^{-1} \\operatorname{d}X",
        "\\operatorname{tr}(A^\\top \\operatorname{d}X)",
    ]
    assert [f.correct for f in found] == [
        "-X^{-1} \\operatorname{d}X X^{-1}",
        "\\operatorname{tr}(A \\operatorname{d}X)",
    ]
    out = diff_latex("\\operatorname{d}(X^{-1})", "", "X \\in \\mathbb{R}^{n \\times n}")
    assert (out.error, out.verified, out.result) == (
        None,
        True,
        "-X^{-1} \\operatorname{d}X X^{-1}",
    )


@pytest.mark.parametrize(
    ("side", "cause"),
    [
        # the result is said once: "texgrad finds (A + Aᵀ)x", then how the claim differs
        ("2 A \\mathbf x", "(they differ unless `A` is symmetric)"),
        ("3 A \\mathbf x", "(even for a symmetric `A` it is 3/2 times the right result)"),
    ],
)  # fmt: skip
def test_the_message_says_the_right_result_once(side: str, cause: str) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
        f"$$ \\nabla_{{\\mathbf x}} (\\mathbf x^\\top A \\mathbf x) = {side} $$\n"
    )
    (finding,) = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    right = "`(A + A^\\top) \\mathbf x`"
    assert finding.message == (
        f"`{side}` is not the derivative of `\\mathbf x^\\top A \\mathbf x` with respect to "
        f"`\\mathbf x`: texgrad finds {right}, verified numerically {cause}"
    )
    assert finding.message.count(right) == 1


def test_a_gradient_written_as_a_row_is_fixed_as_a_row() -> None:
    r"""``2\mathbf x^\top A`` for ∂(xᵀAx)/∂x (no layout stated: a row is a gradient too): the
    fix keeps the row, and the cause is said against it."""
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
        "$$ \\frac{\\partial}{\\partial \\mathbf x} (\\mathbf x^\\top A \\mathbf x) "
        "= 2 \\mathbf x^\\top A $$\n"
    )
    (finding,) = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert finding.correct == "\\mathbf x^\\top (A + A^\\top)"  # (2 x^T A, A symmetrised)
    assert finding.message.endswith(  # (the fix as it is spelled: one spelling, the claim's)
        "texgrad finds `\\mathbf x^\\top (A + A^\\top)`, verified numerically "
        "(they differ unless `A` is symmetric)"
    )
    fixed = text.replace("2 \\mathbf x^\\top A", finding.correct)
    assert check_written(Checker().check("doc.md", text=fixed), seconds=60.0) == []


def test_a_slip_in_the_stated_layout_says_how_it_differs() -> None:
    text = (
        "We use numerator layout throughout. Let $U \\in \\mathbb{R}^{m \\times r}$ and "
        "$C \\in \\mathbb{R}^{m \\times m}$.\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(U^\\top C U)}{\\partial U} = 2U^\\top C$$\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(U^\\top C U)}{\\partial U} = 2CU$$\n"
    )
    first, second = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert first.correct == "U^\\top (C + C^\\top)"  # (2U^T C, C symmetrised)
    assert first.message.endswith(
        "it is `U^\\top (C + C^\\top)`, verified numerically (they differ unless `C` is "
        "symmetric; `(C + C^\\top) U` is the derivative in the other layout)"
    )
    # two slips at once (the other layout's form of 2CU): no simple cause, the rest said
    assert second.message.endswith(
        "verified numerically (`(C + C^\\top) U` is the derivative in the other layout)"
    )
