r"""Where a document states its layout, and what that decides (read by shapes/layout_statements.py):
a statement holds from where it is made (never for chapters before it), a sentence that
calls the named layout's answer wrong states nothing, and with no layout stated ∂f/∂X may
be written either way while ∇_X f has X's shape."""

from __future__ import annotations

from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker
from texgrad.shapes.layout_statements import (
    layout_in_force,
    sentence_layouts,
    stated_layout,
    statements,
)

DECLS = r"Let $X \in \mathbb{R}^{n \times n}$ be invertible." + "\n\n"
LOGDET = r"$$\frac{\partial \log\det X}{\partial X} = X^{-1}$$" + "\n\n"


def flagged(text: str, path: str = "doc.tex") -> list[int]:
    checked = Checker().check(path, text=text)
    return [text.count("\n", 0, f.start) + 1 for f in check_written(checked, seconds=60.0)]


def test_the_ways_a_layout_is_stated() -> None:
    said = [
        ("We use denominator layout throughout.", "denominator"),
        ("Throughout, we adopt the numerator-layout convention.", "numerator"),
        ("All derivatives below are written in denominator layout.", "denominator"),
        ("Convention: denominator layout.", "denominator"),
        (r"\textbf{Layout:} numerator.", "numerator"),
        ("In these notes I follow the denominator layout.", "denominator"),
        ("Numerator layout is used throughout.", "numerator"),
        ("These notes use denominator layout.", "denominator"),
        ("Gradients are column vectors (denominator layout).", "denominator"),
        ("Let's use numerator layout.", "numerator"),
        ("This appendix uses numerator layout.", "numerator"),
        # a line broken between the words, as LaTeX sources wrap
        ("We use the denominator\nlayout: a derivative by a matrix has its shape.", "denominator"),
        ("All derivatives are in numerator\n  layout.", "numerator"),
        (
            "I use the convention that the gradient has the same shape as $W$\n(denominator "
            "layout).",
            "denominator",
        ),
    ]
    for sentence, layout in said:
        assert stated_layout(sentence) == layout, sentence
    for sentence in (
        "Some texts use numerator layout, others denominator layout.",
        "We use numerator layout for Jacobians and denominator layout for gradients.",
        "The numerator of the fraction is a layout of the terms.",
        "Numerator layout is used by some authors, but it is wrong here.",
        "% We use numerator layout.",
        "The numerator-layout answer $X^{-1}$ is wrong here.",
        "We use the denominator\n\nlayout.",  # (a blank line between: two paragraphs)
        # a supposition or a denial states nothing (as for the shape check)
        "If we use numerator layout, the gradient is a row.",
        "Assuming numerator layout, the gradient is a row.",
        "Numerator layout is not used throughout.",
    ):
        assert stated_layout(sentence) is None, sentence


def test_a_statement_holds_from_where_it_is_made() -> None:
    text = (
        "\\chapter{One}\nNo layout yet.\n\n"
        "\\chapter{Two}\nFrom here on we use denominator layout.\n\n"
        "\\chapter{Three}\nMore.\n"
    )
    said = statements(text)
    assert [s.layout for s in said] == ["denominator"]
    assert layout_in_force(text, text.index("No layout"), said) is None
    assert layout_in_force(text, text.index("More"), said) == "denominator"


def test_a_statement_for_this_appendix_ends_with_it() -> None:
    text = (
        "\\chapter{Main}\nText.\n\n\\appendix\n\\chapter{Proofs}\n"
        "In this appendix we use numerator layout.\n\nProof.\n\n\\chapter{Code}\nCode.\n"
    )
    said = statements(text)
    assert layout_in_force(text, text.index("Proof."), said) == "numerator"
    assert layout_in_force(text, text.index("Code."), said) is None
    assert layout_in_force(text, text.index("Text."), said) is None


def test_a_later_statement_takes_over() -> None:
    text = "We use numerator layout.\n\nA.\n\n\\section{B}\nNow we use denominator layout.\n\nB.\n"
    said = statements(text)
    assert layout_in_force(text, text.index("A."), said) == "numerator"
    assert layout_in_force(text, text.index("B.\n"), said) == "denominator"


def test_a_sentence_calling_the_named_layout_wrong_names_none() -> None:
    text = "Writing $X^{-1}$, the numerator-layout answer, would be wrong here."
    assert sentence_layouts(text, 9, 16) == set()
    text = "In numerator layout the same gradient is $X^{-1}$."
    assert sentence_layouts(text, 41, 49) == {"numerator"}


def test_the_layout_decides_only_after_its_statement_in_a_thesis() -> None:
    text = (
        "\\documentclass{report}\n\\begin{document}\n"
        "\\chapter{Background}\n" + DECLS + LOGDET
        + "\\chapter{Method}\nFrom this chapter on we use denominator layout.\n\n" + DECLS + LOGDET
        + "\\end{document}\n"
    )  # fmt: skip
    lines = flagged(text)
    assert len(lines) == 1 and lines[0] > text[: text.index("Method")].count("\n")


def test_blame_beside_a_mention_keeps_the_stated_layout() -> None:
    blamed = (
        "We use denominator layout.\n\n" + DECLS + "Writing "
        r"$\frac{\partial \log\det X}{\partial X} = X^{-1}$, the numerator-layout answer, "
        "would be wrong here.\n"
    )
    assert flagged(blamed) == [5]
    named = blamed.replace(
        ", the numerator-layout answer, would be wrong here", " in numerator layout"
    )
    assert flagged(named) == []


def test_no_layout_stated_a_matrix_derivative_either_way_and_nabla_the_gradient() -> None:
    assert flagged(DECLS + LOGDET) == []
    assert flagged(DECLS + r"$$\frac{\partial \log\det X}{\partial X} = X^{-\top}$$") == []
    assert flagged(DECLS + r"$$\nabla_X \log\det X = X^{-1}$$") == [3]
    assert flagged("We use numerator layout.\n\n" + DECLS + LOGDET) == []
    assert flagged("We use denominator layout.\n\n" + DECLS + LOGDET) == [5]


def test_the_jacobian_matrix_named_j_is_m_by_n_in_any_stated_layout() -> None:
    decls = (
        r"Let $A \in \mathbb{R}^{m \times n}$, $\mathbf x \in \mathbb{R}^n$ and "
        r"$\mathbf f(\mathbf x) = A\mathbf x$." "\n\n"
    )  # fmt: skip
    named = r"$$J_{\mathbf f}(\mathbf x) = A$$" + "\n"
    transposed = r"$$J_{\mathbf f}(\mathbf x) = A^\top$$" + "\n"
    frac = r"$$\frac{\partial \mathbf f}{\partial \mathbf x} = A$$" + "\n"
    denominator = "We use denominator layout throughout.\n\n" + decls
    assert flagged(denominator + named) == []  # J_f is ∂f_i/∂x_j whatever ∂f/∂x is
    assert flagged(denominator + transposed) == []
    assert flagged(denominator + frac) == [5]
    assert flagged("We use numerator layout.\n\n" + decls + transposed) == [5]
    assert flagged(decls + transposed) == []


def test_a_derivative_by_a_transpose() -> None:
    r"""∂y/∂xᵀ is the m×n Jacobian under any stated layout; ∂f/∂Xᵀ, whose meaning authors do
    not agree on, may be either arrangement (read, never a false alarm)."""
    decls = (
        r"Let $A \in \mathbb{R}^{m \times n}$, $\mathbf x \in \mathbb{R}^n$, "
        r"$X, B \in \mathbb{R}^{n \times n}$." "\n\n"
    )  # fmt: skip
    body = (
        r"$$\frac{\partial (A\mathbf x)}{\partial \mathbf x^\top} = A$$" "\n\n"
        r"$$\frac{\partial \operatorname{tr}(BX)}{\partial X^\top} = B$$" "\n\n"
        r"$$\frac{\partial \operatorname{tr}(BX)}{\partial X^\top} = B^\top$$" "\n\n"
        r"$$\frac{\partial (A\mathbf x)}{\partial \mathbf x^\top} = 2A$$" "\n"
    )  # fmt: skip
    for said in ("", "We use numerator layout.\n\n", "We use denominator layout.\n\n"):
        lines = flagged(said + decls + body)
        assert len(lines) == 1 and lines[0] == (said + decls + body).count("\n") - 0, said


def test_a_matrix_said_symmetric_by_it_is_after_its_declaration() -> None:
    r"""``$K \in …$ is the kernel matrix; it is symmetric``: K is symmetric in the whole
    document (``2K\mathbf x`` right), a general A beside it is not (``2A\mathbf x`` wrong)."""
    text = (
        "Throughout, $K \\in \\mathbb{R}^{n \\times n}$ is the kernel matrix of the inputs; it is\n"
        "symmetric and positive definite. Let $A \\in \\mathbb{R}^{n \\times n}$ and "
        "$\\mathbf x \\in \\mathbb{R}^n$.\n\n"
        "\\[ \\nabla_{\\mathbf x}\\, \\mathbf x^\\top K\\mathbf x = 2K\\mathbf x \\]\n\n"
        "\\[ \\nabla_{\\mathbf x}\\, \\mathbf x^\\top A\\mathbf x = 2A\\mathbf x \\]\n"
    )
    assert flagged(text) == [6]
    # "it is not symmetric", or a second symbol between, says nothing of K
    assert flagged(text.replace("it is\nsymmetric", "it is\nnot symmetric")) == [4, 6]
    assert flagged(text.replace("kernel matrix", "kernel matrix of $A$")) == [4, 6]


JACOBIAN = (
    r"Let $M \in \mathbb{R}^{m \times n}$, $A, X \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$"
    r" and $\mathbf f(\mathbf x) = M\mathbf x$." "\n\n"
)  # fmt: skip


def test_a_jacobian_convention_said_by_its_shape_or_entries_decides_jacobians_only() -> None:
    """ "We write the Jacobian as $m \\times n$" of an f: ℝⁿ → ℝᵐ is numerator layout for its
    Jacobians — the transposed one is then wrong — and decides nothing for its gradients."""
    claims = (
        r"$$\frac{\partial \mathbf f}{\partial \mathbf x} = M^\top$$" "\n\n"
        r"$$\frac{\partial \operatorname{tr}(AX)}{\partial X} = A$$" "\n\n"
        r"$$\frac{\partial \operatorname{tr}(AX)}{\partial X} = A^\top$$" "\n"
    )  # fmt: skip
    assert flagged(JACOBIAN + claims) == []  # (nothing stated: either way)
    for said, lines in [
        (
            r"For $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ we write the Jacobian as $m \times n$.",
            [5],
        ),
        (
            r"The Jacobian of $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ is the $m \times n$ matrix.",
            [5],
        ),
        (r"The Jacobian has the entries $J_{ij} = \partial f_i / \partial x_j$.", [5]),
        # the other convention: Mᵀ is right
        (
            r"For $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ we write the Jacobian as $n \times m$.",
            [],
        ),
        (r"The Jacobian has the entries $J_{ij} = \frac{\partial f_j}{\partial x_i}$.", []),
        # supposed, or with no map to tell the letters: nothing stated
        (r"If the Jacobian of $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ were $m \times n$, …", []),
        (r"We write the Jacobian as $m \times n$.", []),
    ]:
        assert flagged(JACOBIAN + said + "\n\n" + claims) == lines, said
    # a stated denominator layout still decides the gradients beside a numerator Jacobian
    said = (
        r"We use denominator layout. For $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ we write"
        r" the Jacobian as $m \times n$." "\n\n"
    )  # fmt: skip
    assert flagged(JACOBIAN + said + claims) == [5, 7]
