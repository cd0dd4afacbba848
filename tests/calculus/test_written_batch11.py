r"""What the eleventh batch of held-out-style documents (tests/calculus/written/held15:
blog-mlp-delta.md, lecture-magnus.tex, notebook-gradcheck.md, homework-proof.tex,
robotics-two-link.md, handout-newton-barrier.tex) led to, each on a small document of its
own: hedges in a grader's note, symmetry said of a matrix named by its role, claims on both
sides of ``\implies``, layouts said by a gradient's shape in other words, a Jacobian's
layout in an aside, a chain opened by a bare ``\nabla``, layer tags beside a declared
letter, rows said in a clause without a verb, and fixes in the document's own words (the
logistic function spelled out, a half undone, a layer's tag transposed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.calculus.written_check import check_written
from texgrad.calculus.written_derivatives import Finding, diagnostics_of
from texgrad.shapes import layout_statements as ls
from texgrad.shapes.check import Checker, CheckResult


def _check(tmp_path: Path, text: str, name: str = "doc.md") -> tuple[CheckResult, list[Finding]]:
    checked = Checker().check(str(tmp_path / name), text=text)
    return checked, check_written(checked, only_findings=True)


def _lines(tmp_path: Path, text: str, name: str = "doc.md") -> list[int]:
    checked, found = _check(tmp_path, text, name)
    return [text.count("\n", 0, f.start) + 1 for f in found]


def _fixed(tmp_path: Path, text: str, name: str = "doc.md") -> tuple[list[str], str]:
    """The fixes' texts, and the document with all of them applied."""
    checked, found = _check(tmp_path, text, name)
    fixes = [fix for d in diagnostics_of(checked, found) for fix in d.fixes]
    out = text
    for fix in sorted(fixes, key=lambda f: f.start, reverse=True):
        out = out[: fix.start] + fix.text + out[fix.end :]
    return [f.text for f in fixes], out


QUADRATIC = (
    "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$, and "
    "$f(\\mathbf x) = \\mathbf x^\\top A \\mathbf x$.\n\n"
)


def test_a_grader_s_note_that_the_answer_needs_a_symmetric_matrix_hedges_it(tmp_path: Path) -> None:
    hedged = (
        QUADRATIC
        + "Several of you wrote $\\nabla f(\\mathbf x) = 2A\\mathbf x$. Full marks only if you "
        "noted this needs $A$ symmetric.\n"
    )
    assert _lines(tmp_path, hedged) == []
    # the note speaks for its claim, not for the next one
    after = hedged + "One submission had $\\nabla f(\\mathbf x) = 2A^\\top\\mathbf x$ instead.\n"
    assert _lines(tmp_path, after) == [4]
    # a condition on how the matrix was taken is no hedge of the claim before it
    condition = (
        QUADRATIC + "Several of you wrote $\\nabla f(\\mathbf x) = 2A\\mathbf x$. Award the "
        "mark only if $A$ was taken symmetric.\n"
    )
    assert _lines(tmp_path, condition) == [3]
    unhedged = QUADRATIC + "Several of you wrote $\\nabla f(\\mathbf x) = 2A\\mathbf x$.\n"
    assert _lines(tmp_path, unhedged) == [3]


def test_a_symmetric_matrix_named_by_its_role(tmp_path: Path) -> None:
    def doc(said: str) -> str:
        return (
            f"With {said} $M \\in \\mathbb{{R}}^{{2 \\times 2}}$ and velocities "
            "$\\mathbf v \\in \\mathbb{R}^2$, the energy $T = \\frac12 \\mathbf v^\\top M "
            "\\mathbf v$ has\n\n$$\\nabla_{\\mathbf v} T = M\\mathbf v .$$\n"
        )

    assert _lines(tmp_path, doc("a constant symmetric positive definite inertia matrix")) == []
    assert _lines(tmp_path, doc("a symmetric mass matrix")) == []
    assert _lines(tmp_path, doc("the symmetric part of matrix")) == [3]  # (not M itself)
    assert _lines(tmp_path, doc("a constant inertia matrix")) == [3]


def test_both_sides_of_an_implication_are_claims(tmp_path: Path) -> None:
    text = (
        QUADRATIC
        + "\\[\n\\mathrm df = \\mathbf x^\\top (A + A^\\top)\\,\\mathrm d\\mathbf x \\implies "
        "\\nabla f(\\mathbf x) = (A + A^\\top)\\mathbf x .\n\\]\n"
        "\\[\n\\mathrm df = 2\\mathbf x^\\top A\\,\\mathrm d\\mathbf x\n\\Longrightarrow "
        "\\nabla f(\\mathbf x) = 2A^\\top \\mathbf x .\n\\]\n"
    )
    assert _lines(tmp_path, text, "doc.tex") == [7, 8]


@pytest.mark.parametrize(
    "sentence",
    [
        "A gradient always has the shape of the thing it is taken by.",
        "Gradients are column vectors; the gradient by a matrix has that matrix's shape.",
        "For a scalar $f$ we write $\\frac{\\partial \\phi}{\\partial X}$ for the matrix of "
        "the same shape as $X$.",
    ],
)
def test_the_denominator_layout_said_by_a_gradient_s_shape(tmp_path: Path, sentence: str) -> None:
    text = (
        f"{sentence}\n\n\\begin{{claim}}\nLet $A, X \\in \\mathbb{{R}}^{{n \\times m}}$.\n"
        "\\end{claim}\n\n"
        "$$\\frac{\\partial}{\\partial X}\\operatorname{tr}(A^\\top X) = A$$\n\n"
        "$$\\frac{\\partial}{\\partial X}\\operatorname{tr}(A^\\top X) = A^\\top$$\n"
    )
    assert [s.layout for s in ls.statements(text)] == ["denominator"]
    assert _lines(tmp_path, text, "doc.tex") == [9]


def test_a_sentence_ends_before_a_theorem_not_before_a_display() -> None:
    text = "It has that matrix's shape.\n\n\\begin{claim}\nMore words.\n\\end{claim}"
    assert text[slice(*ls.sentence_at(text, 3, 6))] == "It has that matrix's shape"
    display = "The gradient is\n\n\\begin{equation}\nx\n\\end{equation}\nas said."
    lo, hi = ls.sentence_at(display, 4, 8)
    assert "\\begin{equation}" in display[lo:hi]


def test_a_jacobian_s_layout_in_an_aside_beside_a_gradient_s_shape(tmp_path: Path) -> None:
    text = (
        "\\newcommand{\\vect}{\\mathrm{vec}}\n"
        "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible. For a scalar function $\\phi$ "
        "of $X$ we write $\\frac{\\partial \\phi}{\\partial X}$ for the matrix of the same "
        "shape as $X$, and for a matrix function $F$ the Jacobian "
        "$\\frac{\\partial \\vect F}{\\partial (\\vect X)^\\top}$ (numerator layout).\n"
        "Two of the identities:\n\n"
        "\\[\n\\frac{\\partial \\vect(X^{-1})}{\\partial (\\vect X)^\\top} = "
        "-(X^{-\\top} \\otimes X^{-1}), \\qquad \\frac{\\partial \\log\\det X}{\\partial X} = "
        "X^{-\\top}\n\\]\n"
        "\\[\n\\frac{\\partial \\vect(X^{-1})}{\\partial (\\vect X)^\\top} = "
        "-(X^{-1} \\otimes X^{-\\top})\n\\]\n"
        "\\[\n\\frac{\\partial \\det X}{\\partial X} = \\det(X)\\, X^{-1}\n\\]\n"
    )
    assert [s.layout for s in ls.statements(text)] == ["denominator"]
    assert [s.layout for s in ls.jacobian_statements(text)] == ["numerator"]
    assert _lines(tmp_path, text, "doc.tex") == [9, 12]


def test_an_align_chain_opened_by_a_bare_nabla(tmp_path: Path) -> None:
    text = (
        "Let $S \\in \\mathbb{R}^{n \\times n}$ be symmetric positive definite, $\\mathbf x "
        "\\in \\mathbb{R}^n$ and $h(\\mathbf x) = \\log(\\mathbf x^\\top S \\mathbf x)$.\n"
        "\\begin{align*}\n"
        "\\nabla h(\\mathbf x) &= \\frac{1}{\\mathbf x^\\top S \\mathbf x}\\,\\nabla(\\mathbf x^\\top "
        "S \\mathbf x) \\\\\n"
        "&= \\frac{1}{\\mathbf x^\\top S \\mathbf x}\\,(S + S^\\top)\\mathbf x \\\\\n"
        "&= \\frac{S\\mathbf x}{\\mathbf x^\\top S \\mathbf x}\n"
        "\\end{align*}\n"
    )
    assert _lines(tmp_path, text, "doc.tex") == [5]


def test_a_layer_s_tag_beside_a_declared_letter(tmp_path: Path) -> None:
    text = (
        "Let $\\mathbf x \\in \\mathbb{R}^{n}$, $\\mathbf y \\in \\mathbb{R}^{m}$, $W^{(1)} \\in "
        "\\mathbb{R}^{p \\times n}$, $W^{(2)} \\in \\mathbb{R}^{m \\times p}$ and, elsewhere, "
        "$W \\in \\mathbb{R}^{m \\times n}$. Gradients have the shape of the thing they are "
        "taken by.\n\n"
        "$$\\mathbf h = \\tanh(W^{(1)}\\mathbf x), \\qquad L = \\tfrac12\\|W^{(2)}\\mathbf h - "
        "\\mathbf y\\|^2$$\n\n"
        "$$\\frac{\\partial L}{\\partial \\mathbf h} = W^{(2)\\top}(W^{(2)}\\mathbf h - \\mathbf y)$$\n\n"
        "$$\\frac{\\partial L}{\\partial \\mathbf h} = -W^{(2)\\top}(W^{(2)}\\mathbf h - \\mathbf y)$$\n"
    )
    assert _lines(tmp_path, text) == [7]


def test_rows_said_in_a_clause_without_a_verb(tmp_path: Path) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, with $\\mathbf a_i^\\top$ the rows of $A$, and "
        "$\\mathbf w \\in \\mathbb{R}^n$, $g(\\mathbf w) = \\sum_{i=1}^m \\log(1 + e^{\\mathbf "
        "a_i^\\top \\mathbf w})$.\n\n"
        "$$\\nabla g(\\mathbf w) = \\sum_{i=1}^m \\frac{\\mathbf a_i}{1 + e^{-\\mathbf a_i^\\top "
        "\\mathbf w}}$$\n\n"
        "$$\\nabla g(\\mathbf w) = \\sum_{i=1}^m \\frac{-\\mathbf a_i}{1 + e^{-\\mathbf a_i^\\top "
        "\\mathbf w}}$$\n"
    )
    assert _lines(tmp_path, text) == [5]


LOGISTIC = (
    "Let $\\mathbf a, \\mathbf w \\in \\mathbb{R}^n$, a label $y \\in \\{-1, 1\\}$ and "
    "$\\ell(\\mathbf w) = \\log(1 + e^{-y\\,\\mathbf a^\\top \\mathbf w})$.\n\n"
    "$$\\nabla \\ell(\\mathbf w) = y\\,\\mathbf a$$\n"
)


def test_the_fix_writes_the_logistic_function_as_the_document_does(tmp_path: Path) -> None:
    fixes, fixed = _fixed(tmp_path, LOGISTIC)
    assert fixes == ["-\\frac{1}{1 + e^{y \\mathbf a^\\top \\mathbf w}} y \\mathbf a"]
    assert _lines(tmp_path, fixed) == []  # applied, it is right
    # a document that writes σ itself gets σ
    named = "Write $\\sigma(t) = 1/(1 + e^{-t})$. " + LOGISTIC
    fixes, fixed = _fixed(tmp_path, named)
    assert fixes == ["-\\sigma(-y \\mathbf a^\\top \\mathbf w) y \\mathbf a"]
    assert _lines(tmp_path, fixed) == []
    # \\exp where the document writes it; σ of a vector stays σ (a fraction whose
    # denominator is a vector is read by no one)
    spelled = LOGISTIC.replace(
        "e^{-y\\,\\mathbf a^\\top \\mathbf w}", "\\exp(-y\\,\\mathbf a^\\top \\mathbf w)"
    )
    fixes, _ = _fixed(tmp_path, spelled)
    assert fixes == ["-\\frac{1}{1 + \\exp(y \\mathbf a^\\top \\mathbf w)} y \\mathbf a"]
    vector = (
        "Let $X \\in \\mathbb{R}^{m \\times n}$, $\\mathbf w \\in \\mathbb{R}^n$, "
        "$\\mathbf t \\in \\{0, 1\\}^m$ and $L(\\mathbf w) = \\mathbf 1^\\top \\log(1 + "
        "\\exp(X\\mathbf w)) - \\mathbf t^\\top X \\mathbf w$.\n\n"
        "$$\\nabla L(\\mathbf w) = X^\\top \\mathbf t$$\n"
    )
    fixes, fixed = _fixed(tmp_path, vector)
    assert len(fixes) == 1 and "\\sigma(X \\mathbf w)" in fixes[0], fixes
    assert _lines(tmp_path, fixed) == []


def test_a_half_is_undone_rather_than_doubled(tmp_path: Path) -> None:
    text = (
        "Let $M \\in \\mathbb{R}^{2 \\times 2}$ be symmetric and $\\mathbf v \\in \\mathbb{R}^2$, "
        "$T = \\frac12 \\mathbf v^\\top M \\mathbf v$.\n\n"
        "$$\\nabla_{\\mathbf v} T = \\tfrac12 M\\mathbf v$$\n"
    )
    fixes, fixed = _fixed(tmp_path, text)
    assert fixes == ["M\\mathbf v"]
    assert _lines(tmp_path, fixed) == []


def test_a_layer_s_tag_is_transposed_inside_its_group(tmp_path: Path) -> None:
    text = (
        "Let $\\mathbf x \\in \\mathbb{R}^{n}$, $\\mathbf d^{(1)} \\in \\mathbb{R}^{p}$, "
        "$W^{(1)} \\in \\mathbb{R}^{p \\times n}$ and $L = (\\mathbf d^{(1)})^\\top W^{(1)} "
        "\\mathbf x$. Gradients have the shape of the thing they are taken by.\n\n"
        "$$\\frac{\\partial L}{\\partial W^{(1)}} = \\mathbf x\\,\\mathbf d^{(1)\\top}$$\n"
    )
    fixes, fixed = _fixed(tmp_path, text)
    assert fixes == ["\\mathbf d^{(1)}\\,\\mathbf x^\\top"]
    assert _lines(tmp_path, fixed) == []


def test_a_scaled_identity_has_the_size_of_its_derivative(tmp_path: Path) -> None:
    text = (
        "With features $\\Phi \\in \\mathbb{R}^{n \\times m}$, a signal scale $s > 0$ and a noise "
        "level $\\sigma > 0$, the covariance is $K = s^2\\Phi\\Phi^\\top + \\sigma^2 I$.\n\n"
        "$$\\frac{\\partial K}{\\partial \\sigma} = 2\\sigma I$$\n\n"
        "$$\\frac{\\partial K}{\\partial \\sigma} = \\sigma I$$\n\n"
        "$$\\frac{\\partial K}{\\partial s} = 2s\\Phi\\Phi^\\top$$\n\n"
        "$$\\frac{\\partial K}{\\partial s} = s^2\\Phi\\Phi^\\top$$\n"
    )
    assert _lines(tmp_path, text) == [5, 9]
    fixes, fixed = _fixed(tmp_path, text)
    assert fixes[0] == "2\\sigma I"
    assert _lines(tmp_path, fixed) == []
