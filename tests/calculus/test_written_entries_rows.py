r"""Session 22's readings of written derivatives, each found missing on a new document
(tests/documents/*-22): a Jacobian written as a matrix of its entries; ``e^{\mathbf x}`` of
a vector, entrywise; "$\partial f/\partial \mathbf x$ is a row vector"; a ∇ or ∇² without
its variable of an expression in x and other vectors; German cues ("eine beliebige (nicht
notwendig symmetrische) Matrix, $Q$ … symmetrisch", "die Zeilen von $M$"); a fix read back
through the document's macros."""

from __future__ import annotations

import pytest

from texgrad.calculus.written_derivatives import check_written, diagnostics_of
from texgrad.shapes.check import Checker

ENTRIES = r"""\begin{{bmatrix}} \frac{{\partial h_1}}{{\partial x_1}} & \cdots & \frac{{\partial h_{a}}}{{\partial x_{b}}} \\
\vdots & \ddots & \vdots \\ \frac{{\partial h_{c}}}{{\partial x_{d}}} & \cdots & \frac{{\partial h_m}}{{\partial x_n}} \end{{bmatrix}}"""
ROWS = ENTRIES.format(a="1", b="n", c="m", d="1")  # ∂h_i/∂x_j along a row: m×n
COLUMNS = ENTRIES.format(a="m", b="1", c="1", d="n")  # down a column: its transpose
HEAD = (
    "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{m \\times n}$ and "
    "$\\mathbf h(\\mathbf x) = A\\mathbf x$.\n\n"
)


def _flagged(text: str, name: str = "notes.md") -> list[str]:
    found = check_written(Checker().check(name, text=text), seconds=60.0)
    return [text[f.start : f.end] for f in found]


@pytest.mark.parametrize(
    ("matrix", "right", "flagged"),
    [
        (ROWS, "A", False),
        (ROWS, "A^\\top", True),
        (ROWS, "2A", True),
        (COLUMNS, "A^\\top", False),
        (COLUMNS, "A", True),  # (either layout is accepted elsewhere: not here)
    ],
)
def test_a_jacobian_written_by_its_entries_is_arranged_as_written(
    matrix: str, right: str, flagged: bool
) -> None:
    text = HEAD + f"$$J = {matrix} = {right}$$\n"
    assert _flagged(text) == ([right] if flagged else [])


def test_a_matrix_of_entries_that_is_no_jacobian_is_not_read() -> None:
    # cells of two functions, or no dots (a 2×2 matrix written out may not be the Jacobian)
    mixed = ROWS.replace("h_m}{\\partial x_n", "g_m}{\\partial x_n")
    assert mixed != ROWS
    assert _flagged(HEAD + f"$${mixed} = A^\\top$$\n") == []
    written = (
        "\\begin{bmatrix} \\frac{\\partial h_1}{\\partial x_1} & \\frac{\\partial h_1}{\\partial x_2}"
        " \\\\ \\frac{\\partial h_2}{\\partial x_1} & \\frac{\\partial h_2}{\\partial x_2}"
        " \\end{bmatrix}"
    )
    assert _flagged(HEAD + f"$${written} = A^\\top$$\n") == []


def test_e_to_a_vector_is_entrywise() -> None:
    text = (
        "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{m \\times n}$ and "
        "$\\mathbf c \\in \\mathbb{R}^m$.\n\n"
        "$$\\nabla_{\\mathbf x} \\mathbf c^\\top e^{A\\mathbf x} = A^\\top(\\mathbf c \\odot "
        "e^{A\\mathbf x})$$\n\n"
        "$$\\nabla_{\\mathbf x} \\mathbf c^\\top e^{A\\mathbf x} = A^\\top(\\mathbf c \\odot "
        "e^{-A\\mathbf x})$$\n"
    )
    assert _flagged(text) == ["A^\\top(\\mathbf c \\odot e^{-A\\mathbf x})"]


SHEET = r"""\documentclass{{article}}
\newcommand{{\bx}}{{\mathbf{{x}}}}
\newcommand{{\T}}{{^\top}}
\begin{{document}}
{said} Let $\bx, \mathbf a \in \mathbb{{R}}^n$ and $A \in \mathbb{{R}}^{{n \times n}}$.
\[ \frac{{\partial (\bx\T A \bx)}}{{\partial \bx}} = {right} \]
\end{{document}}
"""


@pytest.mark.parametrize(
    ("said", "right", "flagged"),
    [
        (
            "Numerator layout: $\\partial f/\\partial \\bx$ is a row vector.",
            "\\bx\\T(A + A\\T)",
            False,
        ),
        ("Numerator layout: $\\partial f/\\partial \\bx$ is a row vector.", "(A + A\\T)\\bx", True),
        # not said, or only supposed: a column or a row
        ("", "(A + A\\T)\\bx", False),
        ("If $\\partial f/\\partial \\bx$ is a row vector, transpose.", "(A + A\\T)\\bx", False),
    ],
)
def test_a_derivative_said_to_be_a_row_is_one(said: str, right: str, flagged: bool) -> None:
    text = SHEET.format(said=said, right=right)
    checked = Checker().check("sheet.tex", text=text)
    found = check_written(checked, seconds=60.0)
    assert [text[f.start : f.end] for f in found] == ([right] if flagged else [])
    if flagged:  # the fix, written in the sheet's macros, read back through them
        (diagnostic,) = diagnostics_of(checked, found)
        (fix,) = diagnostic.fixes  # (verified: a row, ``\bx\T(A + A\T)\T`` as printed)
        assert fix.text.startswith("\\bx\\T")


def test_conventions_heading_and_a_layout_reported_in_states_it() -> None:
    base = (
        "\\documentclass{article}\n\\begin{document}\n{said}\nLet $X \\in \\mathbb{R}^{n "
        "\\times n}$.\n\\[ \\frac{\\partial \\operatorname{tr}(X^\\top X)}{\\partial X} = 2X \\]\n"
        "\\end{document}\n"
    )
    for said, flagged in (
        ("\\textbf{Conventions.} Numerator layout: derivatives have the shape of $X^\\top$.", True),
        ("(Gradients w.r.t.\\ a matrix here are reported in numerator layout.)", True),
        ("", False),
    ):
        text = base.replace("{said}", said)
        assert _flagged(text, "sheet.tex") == (["2X"] if flagged else []), said


def test_german_arbitrary_and_rows_of_a_matrix() -> None:
    text = (
        "Seien $A \\in \\mathbb{R}^{n \\times n}$ eine beliebige (nicht notwendig symmetrische) "
        "Matrix,\n$Q \\in \\mathbb{R}^{n \\times n}$ symmetrisch positiv definit und "
        "$\\mathbf x, \\mathbf b \\in \\mathbb{R}^n$.\n\n"
        "Für $f(\\mathbf x) = \\tfrac12 \\mathbf x^\\top Q \\mathbf x$ gilt "
        "$$\\nabla f(\\mathbf x) = Q\\mathbf x .$$\n\n"
        "Für $g(\\mathbf x) = \\tfrac12 \\mathbf x^\\top A \\mathbf x$ gilt "
        "$$\\nabla g(\\mathbf x) = A\\mathbf x .$$\n\n"
        "Sei $M \\in \\mathbb{R}^{m \\times n}$, $\\mathbf d \\in \\mathbb{R}^m$ und "
        "$\\phi(\\mathbf x) = \\sum_{i=1}^m (\\mathbf m_i^\\top \\mathbf x - d_i)^2$, wobei "
        "$\\mathbf m_i^\\top$ die Zeilen von $M$ sind. Dann ist\n"
        "$$\\nabla \\phi(\\mathbf x) = \\sum_{i=1}^m (\\mathbf m_i^\\top \\mathbf x - d_i)"
        "\\mathbf m_i .$$\n"
    )
    # Q symmetric (the "beliebige" is A's), A not; the rows of M read: a factor 2 missing
    assert _flagged(text) == [
        "A\\mathbf x",
        "\\sum_{i=1}^m (\\mathbf m_i^\\top \\mathbf x - d_i)\\mathbf m_i",
    ]


def test_a_letter_declared_again_symmetric_is_not_symmetric_before() -> None:
    # "For a second example, let $A \in …$ be symmetric": not Example 1's arbitrary A
    first = "\\paragraph{{Example 1.}} Let $A \\in \\mathbb{{R}}^{{n\\times n}}$ be {one}. Then\n"
    second = (
        "\\paragraph{{Example 2.}} Now let $A \\in \\mathbb{{R}}^{{n\\times n}}$ be {two}. Then\n"
    )
    claim = "\\[ \\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2A\\mathbf x . \\]\n\n"
    for one, two, flagged in (
        ("an arbitrary square matrix", "symmetric", [1]),
        ("symmetric", "an arbitrary square matrix", [2]),
        ("symmetric", "symmetric", []),
    ):
        text = (
            "\\documentclass{article}\n\\begin{document}\nLet $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
            + first.format(one=one)
            + claim
            + second.format(two=two)
            + claim
            + "\\end{document}\n"
        )
        found = check_written(Checker().check("notes.tex", text=text), seconds=60.0)
        examples = [text.count("Example", 0, f.start) for f in found]
        assert examples == flagged, (one, two)
