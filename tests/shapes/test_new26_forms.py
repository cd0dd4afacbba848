r"""Forms met writing the set-26 documents (new authors): Greek letters typed as characters
in Markdown (``α ∈ (0,1)`` declares the ``\alpha`` of the formulas), a definition's letters
holding past its section, a vector sized by its count of entries ("$\x$ with $p$ entries"),
members paired with matrices ("$a_j, b_j$ the $j$-th columns of $A$ and $B$", "let $c_j$ be
the $j$-th column of $A$"), and a row broadcast along a matrix in a Hadamard product as in
a sum (``m \odot M`` with m 1×k, DoRA's magnitude)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line
from texgrad.shapes.sections import definition_spans
from texgrad.syntax.lexer import Lexer

# -- Greek letters as characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "command"),
    [
        ("α", "\\alpha"),
        ("Σ", "\\Sigma"),
        ("ε", "\\varepsilon"),
        ("ϵ", "\\epsilon"),
        ("φ", "\\varphi"),
        ("ℓ", None),
    ],
)
def test_a_greek_character_is_its_command(char: str, command: str | None) -> None:
    typed = [(k.type, k.value) for k in Lexer(char + " x").tokenize()]
    written = [(k.type, k.value) for k in Lexer(command + " x").tokenize()] if command else None
    if command is None:
        assert typed[0][1] == char  # (ℓ is no Greek letter: a letter of its own, as before)
    else:
        assert typed == written


GREEK = r"""
%! post.md
Let DECL and $Y \in \mathbb{R}^{n \times c}$, $M \in \mathbb{R}^{c \times c}$.

Then $USE Y M$ and $USE M Y$.
"""


@pytest.mark.parametrize(
    ("decl", "use"),
    [
        (r"$α ∈ \mathbb{R}^{c \times n}$", r"\alpha"),
        (r"$\alpha \in \mathbb{R}^{c \times n}$", "α"),
        (r"$σ ∈ \mathbb{R}^{c \times n}$", "σ"),
    ],
)
def test_a_greek_character_and_its_command_are_one_letter(
    decl: str, use: str, tmp_path: Path
) -> None:
    # α (c×n) Y (n×c) M (c×c) agrees; α M Y: c×n times c×c does not
    assert codes_by_line(GREEK.replace("DECL", decl).replace("USE", use), tmp_path) == [
        (3, "matmul-mismatch")
    ]


def test_a_greek_character_in_an_interval_is_a_number(tmp_path: Path) -> None:
    text = r"""
%! post.md
Let $α ∈ (0,1)$ and $Y \in \mathbb{R}^{n \times c}$, $\mathbf{d} \in \mathbb{R}^{n}$.

Then $\alpha Y + \mathbf{d}^\top$ and $α Y + (1 - \alpha) Y$.
"""
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]


# -- a definition's letters hold past its section ----------------------------------------------

DEFINITION = r"""
%! notes.md
# Graphs

OPEN
A graph has $W \in \mathbb{R}^{n\times n}$ and degrees $\mathbf d = W\mathbf 1_n$.
CLOSE

## Later

Then $W \mathbf d^\top$ is undefined.
"""


@pytest.mark.parametrize(
    ("open_", "close"),
    [
        (":::{prf:definition} Graph", ":::"),
        ("```{prf:definition}", "```"),
        ("::: {#def-graph}", ":::"),
    ],
)
def test_a_definitions_letters_hold_in_later_sections(
    open_: str, close: str, tmp_path: Path
) -> None:
    text = DEFINITION.replace("OPEN", open_).replace("CLOSE", close)
    assert codes_by_line(text, tmp_path) == [(9, "matmul-mismatch")]


def test_a_latex_definition_too(tmp_path: Path) -> None:
    text = r"""
%! notes.tex
\documentclass{article}
\newtheorem{definition}{Definition}
\begin{document}
\section{Graphs}
\begin{definition}
A graph has $W \in \mathbb{R}^{n\times n}$ and degrees $\mathbf d = W\mathbf 1_n$.
\end{definition}
\section{Later}
Then $W \mathbf d^\top$ is undefined.
\end{document}
"""
    assert codes_by_line(text, tmp_path) == [(9, "matmul-mismatch")]


def test_outside_a_definition_a_bare_letter_stays_in_its_section(tmp_path: Path) -> None:
    text = DEFINITION.replace("OPEN", "").replace("CLOSE", "")
    assert codes_by_line(text, tmp_path) == []


# -- a vector sized by its count of entries ----------------------------------------------------

ENTRIES = r"""
%! notes.tex
\documentclass{article}
\begin{document}
Let $M \in \mathbb{R}^{q \times q}$. SAID
Then $M \mathbf{x}$ and $\mathbf{x}^\top \mathbf{x}$.
\end{document}
"""


@pytest.mark.parametrize(
    ("said", "codes"),
    [
        (r"A random vector $\mathbf{x}$ with $p$ entries.", [(4, "matmul-mismatch")]),
        (r"Take $\mathbf{x}$, with $p$ components.", [(4, "matmul-mismatch")]),
        (r"A random vector $\mathbf{x}$ with $q$ entries.", []),
        (r"A vector $\mathbf{x}$ with $p$ entries equal to one.", []),  # a count, not the size
        (r"A vector $\mathbf{x}$ with $p \times p$ entries.", []),
    ],
)
def test_a_vector_with_p_entries(said: str, codes: list[tuple[int, str]], tmp_path: Path) -> None:
    assert codes_by_line(ENTRIES.replace("SAID", said), tmp_path) == codes


# -- members paired with matrices ----------------------------------------------------------------

PAIRED = r"""
%! notes.tex
\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{K\times K}$, $B \in \mathbb{R}^{m \times K}$ and $e \in \mathbb{R}^m$. SAID
Then $e^\top b_j$ and $e^\top a_j$.
\end{document}
"""


@pytest.mark.parametrize(
    "said",
    [
        r"Write $a_j, b_j$ for nothing, with $a_j, b_j$ the $j$-th columns of $A$ and $B$.",
        r"Update them, with $a_j$ and $b_j$ the columns of $A$ and $B$.",
        r"Update them, where $a_j$ and $b_j$ are the columns of $A$ and $B$.",
        # a sentence of its own, or one opened by "Here" (a backprop post's forms)
        r"Update them. Here $a_j$ and $b_j$ are the $j$-th columns of $A$ and $B$.",
        r"Update them. $a_j$ and $b_j$ are the columns of $A$ and $B$.",
    ],
)
def test_members_paired_with_matrices(said: str, tmp_path: Path) -> None:
    # b_j \in R^m agrees with e; a_j \in R^K does not
    assert codes_by_line(PAIRED.replace("SAID", said), tmp_path) == [(4, "matmul-mismatch")]


def test_paired_counts_must_agree(tmp_path: Path) -> None:
    said = r"Update them, with $a_j, b_j, c_j$ the columns of $A$ and $B$."  # three for two
    assert codes_by_line(PAIRED.replace("SAID", said), tmp_path) == []


def test_let_a_member_be_a_column(tmp_path: Path) -> None:
    said = r"Let $a_j$ be the $j$-th column of $A$ and $b_j$ the $j$-th column of $B$."
    assert codes_by_line(PAIRED.replace("SAID", said), tmp_path) == [(4, "matmul-mismatch")]


# -- a row broadcast in a Hadamard product -------------------------------------------------------

HADAMARD = r"""
%! dora.md
Let $V \in \mathbb{R}^{d \times k}$, DECL.

Then $USE \odot V$.
"""


@pytest.mark.parametrize(
    ("decl", "use", "codes"),
    [
        (r"$m \in \mathbb{R}^{1 \times k}$", "m", []),  # a row along V's rows, as m + V
        (r"$m \in \mathbb{R}^{1 \times d}$", "m", [(3, "elementwise-mismatch")]),
        (r"$m \in \mathbb{R}^{k}$", "m^\\top", []),
        (r"$m \in \mathbb{R}^{k}$", "m", [(3, "elementwise-mismatch")]),
        (r"$S \in \mathbb{R}^{k \times d}$", "S", [(3, "elementwise-mismatch")]),
    ],
)
def test_a_row_broadcasts_in_a_hadamard_product_as_in_a_sum(
    decl: str, use: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(HADAMARD.replace("DECL", decl).replace("USE", use), tmp_path) == codes


def test_a_column_beside_a_square_matrix_stays_an_error(tmp_path: Path) -> None:
    text = r"""
%! post.md
Let $\Sigma \in \mathbb{R}^{n \times n}$ and $\mathbf{y} \in \mathbb{R}^{n}$.

Then $\Sigma^{-1} \odot \mathbf{y}$ is not defined.
"""
    assert codes_by_line(text, tmp_path) == [(3, "elementwise-mismatch")]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("a \\begin{definition} x \\end{definition} b", [(2, 23)]),
        ("::: {#def-g}\nx\n:::\ny", [(0, 15)]),
        ("````{prf:definition}\n```\nx\n````\n", [(0, 27)]),
        ("\\begin{notation*} \\begin{defn} x \\end{defn}", [(0, 43)]),
        ("\\begin{defn} x \\end{defn}\n:::{prf:definition}\ny", [(0, 15), (26, 47)]),
        ("a definition in words, \\def\\x{y}", []),
    ],
)
def test_definition_spans(text: str, spans: list[tuple[int, int]]) -> None:
    assert list(definition_spans(text)) == spans


# -- the members named in brackets after the matrix ---------------------------------------------

BRACKETED = r"""
%! notes.md
Collected in $X \in \mathbb{R}^{n \times d}$ SAID, and $\mathbf e \in \mathbb{R}^n$.

Then $\mathbf e^\top \mathbf x_i$ is wrong.
"""


@pytest.mark.parametrize(
    "said",
    [
        r"(rows $\mathbf x_i^\top$)",
        r"(whose rows are the $\mathbf x_i^\top$)",
        r"(with rows $\mathbf x_i^\top$)",
    ],
)
def test_members_in_brackets_after_the_matrix(said: str, tmp_path: Path) -> None:
    # \mathbf x_i ∈ ℝ^d (a row of X, transposed): e ∈ ℝ^n does not multiply it
    assert codes_by_line(BRACKETED.replace("SAID", said), tmp_path) == [(3, "matmul-mismatch")]
