r"""What the tenth held-out batch (tests/calculus/written/held15, session 16) taught, each on
a small document: a table whose first column writes the derivative itself; a list of errata,
where what an item says of symmetry holds in that item; "assumed a symmetric $A$" in its
sentence; a hedge after a display that belongs to the next claim; "Gradients are column
vectors" as a statement; which letters to declare where a claim is in letters never
declared; the factors' order said with the differential where the document writes it."""

from __future__ import annotations

import pytest

from texgrad.calculus.unchecked import claim_reason
from texgrad.calculus.written_derivatives import Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker


def _said(text: str, name: str = "doc.md") -> dict[int, str]:
    """line → the message of each wrong derivative flagged there."""
    checked = Checker().check(name, text=text)
    found = check_written(checked, seconds=120.0, only_findings=True)
    return {
        text.count("\n", 0, f.start) + 1: d.message
        for f, d in zip(found, diagnostics_of(checked, found), strict=True)
    }


SHEET = r"""# Cheat sheet

Symbols: $\mathbf x, \mathbf a \in \mathbb{R}^n$, $B \in \mathbb{R}^{n \times n}$ and $X \in \mathbb{R}^{n \times n}$ invertible.

| Expression | Derivative |
|---|---|
| $\frac{\partial\, \mathbf a^\top \mathbf x}{\partial \mathbf x}$ | $\mathbf a^\top$ |
| $\frac{\partial\, \mathbf x^\top B\mathbf x}{\partial \mathbf x}$ | $\mathbf x^\top(B + B^\top)$ |
| $\frac{\partial\, \mathbf x^\top B\mathbf x}{\partial \mathbf x}$ | $2\mathbf x^\top B$ |
| $\frac{\partial\, \mathbf x^\top \mathbf x}{\partial \mathbf x}$ | $\mathbf x^\top$ |
| $\frac{\partial \log\det X}{\partial X}$ | $X^{-\top}$ |
| $\frac{\partial \log\det X}{\partial X}$ | $X^{-1}$ |
"""


def test_a_table_whose_cells_write_the_derivative_itself() -> None:
    # 9: 2xᵀB for a general B; 10: a factor 2 lost.  With no layout stated, ∂ log det X/∂X
    # is X⁻ᵀ or X⁻¹ (11, 12), a gradient by a vector a row or a column (7, 8)
    checked = Checker().check("sheet.md", text=SHEET)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally, only_findings=True)
    lines = [SHEET.count("\n", 0, f.start) + 1 for f in found]
    assert lines == [9, 10]
    assert tally.read == 6 and tally.verified == 4
    said = _said(SHEET)
    assert "unless `B` is symmetric" in said[9] and "factor 2" in said[10]
    # stated in numerator layout, X⁻ᵀ is the slip (an inverse where X⁻¹ is needed)
    numerator = SHEET.replace(
        "# Cheat sheet\n", "# Cheat sheet\n\nThis sheet uses numerator layout.\n"
    )
    assert sorted(_said(numerator)) == [11, 12, 13]


ERRATA = r"""# Errata

Notation: $A \in \mathbb{R}^{n \times n}$, $\mathbf x, \mathbf b \in \mathbb{R}^n$ and $X \in \mathbb{R}^{n \times n}$ invertible.
The book uses denominator layout throughout.

- **Eq. (3.14)** should read $\nabla_{\mathbf x}(\mathbf x^\top A\mathbf x) = (A + A^\top)\mathbf x$.
- **Eq. (3.31)** should read $\nabla_{\mathbf x}\,\mathbf b^\top A\mathbf x = A\mathbf b$.
- **Eq. (4.3)** should read $\nabla_X \log\det X = X^{-\top}$; the printed $X^{-1}$ holds for symmetric $X$ only.
- **Eq. (4.9)** should read $\frac{\partial}{\partial X}\det X = \det(X)\,X^{-1}$.
"""


def test_what_an_item_of_a_list_says_of_symmetry_holds_in_that_item() -> None:
    # (4.3)'s "symmetric X" says nothing of (4.9)'s X, nor of (3.31)'s A
    said = _said(ERRATA)
    assert sorted(said) == [7, 9]
    assert "transpose" in said[7]
    assert "`X^{-1}` where `X^{-\\top}` is needed" in said[9]
    # the words before the list hold for each of its items
    lead = ERRATA.replace("invertible.\n", "invertible, and $A$ is symmetric.\n")
    assert sorted(_said(lead)) == [9]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        # a past supposition, of the claim in its sentence: not of the next line's A
        (
            "The printed $\\nabla_{\\mathbf x}(\\mathbf x^\\top A\\mathbf x) = 2A\\mathbf x$ assumed a "
            "symmetric $A$, which Section 3 does not.",
            [5],
        ),  # fmt: skip
        # said of A for the document
        ("Here $A$ is symmetric.", []),
        ("We assumed a symmetric $A$ in Section 2, and do so here.", []),
        ("Throughout, we have assumed that $A$ is symmetric.", []),
    ],
)
def test_assumed_symmetric_holds_in_its_sentence(sentence: str, flagged: list[int]) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x, \\mathbf b \\in \\mathbb{R}^n$.\n\n"
        f"{sentence}\n\n"
        "$$\\nabla_{\\mathbf x}\\,\\mathbf b^\\top A\\mathbf x = A\\mathbf b$$\n"
    )
    assert sorted(_said(text)) == flagged


FLOWS = r"""Let $W \in \mathbb{R}^{d \times d}$ be invertible.

The identity everything rests on is Jacobi's formula,
$$
\begin{aligned}
\mathrm d\log|\det W| &= \operatorname{tr}(W^{-1}\mathrm dW) \\
&= \operatorname{tr}(W^{-\top}\mathrm dW),
\end{aligned}
$$
and so
$$\frac{\partial}{\partial W}\log|\det W| = W^{-\top}.$$
Many implementations write $\nabla_W \log|\det W| = W^{-1}$, which is only right for a symmetric $W$.
"""


def test_a_hedge_after_a_display_belongs_to_the_claim_it_stands_beside() -> None:
    # the hedge "only right for a symmetric W" is the last claim's (12: W⁻¹, silent), not the
    # chain's: tr(W⁻ᵀdW) for tr(W⁻¹dW) is flagged (7)
    assert sorted(_said(FLOWS)) == [7]


SOFTMAX = r"""Let $W \in \mathbb{R}^{K \times d}$, $\mathbf h \in \mathbb{R}^d$ and $\mathbf y \in \mathbb{R}^K$.
{said}

The loss is
$$L(\mathbf h) = \tfrac12\|W\mathbf h - \mathbf y\|^2$$

$$\frac{\partial L}{\partial \mathbf h} = (W\mathbf h - \mathbf y)^\top W$$
"""


@pytest.mark.parametrize(
    ("said", "flagged"),
    [
        ("Gradients are column vectors and Jacobians are in numerator layout.", [7]),
        ("Gradients are column vectors.", [7]),
        ("", []),  # no layout said: a gradient by a vector is a row or a column
        ("If gradients are column vectors, the shapes differ.", []),
        ("Gradients are not column vectors here.", []),
    ],
)
def test_gradients_said_to_be_column_vectors_are_columns(said: str, flagged: list[int]) -> None:
    text = SOFTMAX.replace("{said}", said)
    lines = _said(text, "doc.md")
    assert sorted(lines) == flagged
    if flagged:
        assert "transpose of the derivative" in lines[7]


def test_the_claims_own_sentence_naming_a_layout_allows_the_row() -> None:
    text = SOFTMAX.replace("{said}", "Gradients are column vectors.").replace(
        "$$\\frac{\\partial L}", "In numerator layout,\n$$\\frac{\\partial L}"
    )
    assert _said(text) == {}


def _unchecked_reasons(text: str) -> list[str]:
    """Why each claim of ``text`` is left unchecked, as the user reads it (none reported)."""
    tally = Tally()
    checked = Checker().check("doc.md", text=text)
    assert check_written(checked, seconds=60.0, tally=tally, only_findings=True) == []
    return [claim_reason(why) for _, _, why, _, _ in tally.undecided]


def test_a_claim_in_letters_never_declared_says_which_to_declare() -> None:
    # nothing declares t, a or x (A is): numbers only to verify (a wrong claim stays
    # silent), and the explanation names the letters, with a declaration that fits them
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        "- $\\frac{\\mathrm d}{\\mathrm dt}\\log(1 + e^{t}) = \\frac{1}{1 + e^{t}}$\n"
        "- $\\frac{\\mathrm d}{\\mathrm dx}\\sin(a x) = a\\cos(x)$\n"
    )
    said = _unchecked_reasons(text)
    assert said == [
        "this derivative is not checked: texgrad could check it only with shapes guessed from "
        "its letters: the document never declares `t`; declare it, e.g. `t \\in \\mathbb{R}`",
        "this derivative is not checked: texgrad could check it only with shapes guessed from "
        "its letters: the document never declares `a`, `x`; declare them, e.g. "
        "`a \\in \\mathbb{R}`, `x \\in \\mathbb{R}`",
    ]


def test_a_letter_never_declared_is_suggested_the_space_its_use_shows() -> None:
    # \beta is never declared, but X\beta with X n×p shows p rows: the suggestion says so
    # (not `\beta \in \mathbb{R}`, a number, which would not fit its use)
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times p}$ and $\\mathbf y \\in \\mathbb R^n$.\n\n"
        "$$\\nabla_\\beta \\|\\mathbf y - X\\beta\\|^2 = -2X^\\top(\\mathbf y - X\\beta)$$\n"
    )
    said = _unchecked_reasons(text)
    assert said == [
        "this derivative is not checked: texgrad could check it only with shapes guessed from "
        "its letters: the document never declares `\\beta`; declare it, e.g. "
        "`\\beta \\in \\mathbb{R}^{p \\times m}`",
    ]


def test_a_loss_never_declared_is_suggested_a_number() -> None:
    # L of ∂L/∂V, a capital letter differentiated: a scalar loss, not an n×n matrix
    # (without the rule: `L \\in \\mathbb{R}^{n \\times n}`)
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $G, V \\in \\mathbb{R}^{n \\times d}$.\n\n"
        "$$\\frac{\\partial L}{\\partial V} = A^\\top G$$\n"
    )
    said = _unchecked_reasons(text)
    assert [s.rpartition("; ")[2] for s in said] == ["declare it, e.g. `L \\in \\mathbb{R}`"]


def test_the_factors_order_is_said_with_the_differential_where_it_is_written() -> None:
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        "$$\\mathrm d\\operatorname{tr}(X^{-1}A) = -\\operatorname{tr}(AX^{-1}X^{-1}\\,\\mathrm dX)$$\n"
    )
    said = _said(text)
    assert "`A X^{-1} X^{-1} \\mathrm dX` where `X^{-1} A X^{-1} \\mathrm dX` is needed" in said[3]


NESTED = r"""Let $A \in \mathbb{R}^{n \times n}$ and $\mathbf x \in \mathbb{R}^n$.

- For symmetric $A$:
  - $\nabla_{\mathbf x}\,\mathbf x^\top A\mathbf x = 2A\mathbf x$
- In general:
  - $\nabla_{\mathbf x}\,\mathbf x^\top A\mathbf x = 2A\mathbf x$
  - $\nabla_{\mathbf x}\,\mathbf x^\top A\mathbf x = (A + A^\top)\mathbf x$
"""


def test_an_item_holds_what_the_items_it_is_nested_in_say() -> None:
    said = _said(NESTED)
    assert sorted(said) == [6]
    assert "unless `A` is symmetric" in said[6]


def test_a_row_of_a_display_that_begins_with_a_sign_is_no_item() -> None:
    # "- 2\mathbf b^\top\mathbf x" and "+ c" begin lines of the display: no list, and the
    # paragraph's "for a symmetric $A$" holds for the claim after them
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x, \\mathbf b \\in \\mathbb{R}^n$.\n\n"
        "For a symmetric $A$ we expand\n$$\n\\begin{aligned}\n"
        "\\mathbf x^\\top A\\mathbf x\n- 2\\mathbf b^\\top\\mathbf x\n+ 1\n\\end{aligned}\n$$\n"
        "and $\\nabla_{\\mathbf x}(\\mathbf x^\\top A\\mathbf x - 2\\mathbf b^\\top\\mathbf x) "
        "= 2A\\mathbf x - 2\\mathbf b$.\n"
    )
    assert _said(text) == {}
    assert sorted(_said(text.replace("For a symmetric $A$ we", "We"))) == [11]


@pytest.mark.parametrize(
    "said",
    [
        "Gradients are columns.",  # (not said to be column vectors: a row is the same vector)
        "Gradients are column vectors; where a row is written it is the same vector.",
    ],
)
def test_gradients_said_columns_allowing_rows_stay_either_way(said: str) -> None:
    assert _said(SOFTMAX.replace("{said}", said)) == {}
