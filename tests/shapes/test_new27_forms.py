r"""Forms met writing the set-27 documents (new authors, LaTeX projects): a plain letter
defined as a number beside a bold one defined as a vector (``\bar f_*`` of one test point
beside ``\bar{\mathbf f}_*``), a letter set to another at a point of evaluation ("at
$X_* = X$"), and blocks side by side in brackets with a word's space between them
(``[B_1\ B_2]``, ``[B_1~B_2]``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

# -- a plain letter defined as a number beside a bold one defined as a vector --------------

FONTS = r"""
%! gp.tex
Let $K_* \in \mathbb{R}^{n\times m}$, $K \in \mathbb{R}^{n\times n}$, $\mathbf{y}\in\mathbb{R}^n$ and $\mathbf{k}\in\mathbb{R}^n$.
\begin{equation}
BOLD = K_*^\top K^{-1}\mathbf{y}
\end{equation}
For one point, $PLAIN = \mathbf{k}^\top K^{-1}\mathbf{y}$, a number.
"""


@pytest.mark.parametrize(
    ("bold", "plain", "codes"),
    [
        (r"\bar{\mathbf{f}}_*", r"\bar f_*", []),
        (r"\mathbf{f}_*", "f_*", []),
        (r"\boldsymbol{\mu}_*", r"\mu_*", []),
        # the same font set to a number: the misprint of an outer product, as before
        (r"\mathbf{f}_*", r"\mathbf{f}_*", [(5, "equation-mismatch")]),
        ("f_*", "f_*", [(5, "equation-mismatch")]),
    ],
)
def test_a_plain_letter_set_to_a_number_beside_a_bold_vector(
    bold: str, plain: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = FONTS.replace("BOLD", bold).replace("PLAIN", plain)
    assert codes_by_line(text, tmp_path) == codes


def test_a_plain_letter_set_to_a_row_beside_a_bold_vector_is_still_compared(
    tmp_path: Path,
) -> None:
    # only a number is another letter: the transposed value of the plain letter stays a slip
    text = FONTS.replace("BOLD", r"\mathbf{f}_*").replace(
        r"PLAIN = \mathbf{k}^\top K^{-1}\mathbf{y}", r"f_* = \mathbf{y}^\top K^{-1}K_*"
    )
    assert codes_by_line(text, tmp_path) == [(5, "equation-mismatch")]


# -- a letter set to another at a point of evaluation --------------------------------------

AT = r"""
%! gp.tex
Let $X \in \mathbb{R}^{n\times D}$, $X_* \in \mathbb{R}^{n_* \times D}$ and $W \in \mathbb{R}^{D\times D}$.
The mean interpolates: WORDS $X_* = X$ it is the data.
"""


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("at", []),
        ("when", []),
        ("evaluated at", []),
        ("so", [(2, "equation-mismatch")]),  # an equation stated: compared
        ("at the point", [(2, "equation-mismatch")]),  # (not right before the math)
    ],
)
def test_a_letter_set_to_another_at_a_point(
    words: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(AT.replace("WORDS", words), tmp_path) == codes


def test_a_computed_side_at_a_point_is_still_compared(tmp_path: Path) -> None:
    # "at $X_* = XW$": not a letter named for another, an equation whose sides are checked
    text = AT.replace("WORDS $X_* = X$", r"at $X_* = W X$")
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch")]


# -- blocks side by side with a word's space ------------------------------------------------

SPACED = r"""
%! lq.tex
Let $B_1 \in \mathbb{R}^{n\times m_1}$, $B_2 \in \mathbb{R}^{n\times m_2}$, $P \in \mathbb{R}^{n\times n}$.
Take $B = [B_1GAPB_2]$ and then $B^\top P B$,
and $P B^\top$.
"""


@pytest.mark.parametrize(
    ("gap", "codes"),
    [
        (r"\ ", [(3, "matmul-mismatch")]),  # (only P B^\top: B is n×(m_1+m_2))
        ("~", [(3, "matmul-mismatch")]),
        (r"\;", [(3, "matmul-mismatch")]),
        (" ", [(2, "matmul-mismatch")]),  # B_1 B_2: a product, and B of no shape
    ],
)
def test_blocks_side_by_side_with_a_word_space(
    gap: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(SPACED.replace("GAP", gap), tmp_path) == codes


# -- a macro's body ending in a control word before its parameter --------------------------

NORM = r"""
%! paper.tex
\newcommand{\norm}[1]{BODY}
Let $X \in \mathbb{R}^{n\times d}$, $E \in \mathbb{R}^{k\times d}$ and $D \in \mathbb{R}^{d\times k}$.
The error is $\norm{X - XDE}_F^2/n$,
not $\norm{X - XED}_F^2/n$.
"""


@pytest.mark.parametrize(
    "body",
    [
        r"\left\lVert#1\right\rVert",
        r"\lVert#1\rVert",
        r"\left\lVert #1 \right\rVert",
        r"\|#1\|",
    ],
)
def test_a_macro_argument_does_not_run_into_a_control_word(body: str, tmp_path: Path) -> None:
    assert codes_by_line(NORM.replace("BODY", body), tmp_path) == [(4, "matmul-mismatch")]


def test_a_macro_argument_ending_in_a_control_word_keeps_it(tmp_path: Path) -> None:
    # \sc{\alpha} is \alpha X, not \alphaX (a command nobody defined)
    text = r"""
%! paper.tex
\newcommand{\sc}[1]{#1X}
Let $X \in \mathbb{R}^{n\times d}$, $\alpha > 0$ and $v \in \mathbb{R}^{n}$.
Then $\sc{\alpha} v$.
"""
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


# -- "of the same size as $Z$" ---------------------------------------------------------------

SAME = r"""
%! paper.tex
Let $Z \in \mathbb{R}^{N\times d}$, $W \in \mathbb{R}^{d\times k}$ and $v \in \mathbb{R}^{d}$.
Let $G$ WORDS $Z$.
Then $G W$ and $G v$,
and $G^\top W$.
"""


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("be of the same size as", [(4, "matmul-mismatch")]),
        ("which is of the same shape as", [(4, "matmul-mismatch")]),
        ("have the same dimensions as the matrix", [(4, "matmul-mismatch")]),
        ("and", []),  # nothing said of G's size: G unknown, nothing checked
    ],
)
def test_a_letter_of_the_same_size_as_another(
    words: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(SAME.replace("WORDS", words), tmp_path) == codes


def test_two_letters_of_the_same_size_is_a_supposition(tmp_path: Path) -> None:
    # "$A$ and $B$ of the same size" sizes neither (no "as $Z$")
    text = r"""
%! paper.tex
Let $Z \in \mathbb{R}^{N\times d}$ and $W \in \mathbb{R}^{d\times k}$, and $A$ and $B$ of the same size.
Then $A W$ and $A^\top W$.
"""
    assert codes_by_line(text, tmp_path) == []


# -- a calligraphic loss beside a bold letter of its own -----------------------------------

LOSS = r"""
%! paper.tex
Let $W \in \mathbb{R}^{m\times n}$ and $S \in \mathbb{R}^{n\times n}$, and let OTHER.
The step is $\Delta W = -\eta\, S^{-1}\frac{\partial LOSS}{\partial W}$.
"""


@pytest.mark.parametrize(
    ("other", "loss", "codes"),
    [
        # \mathcal{L} is a loss, not the Laplacian \mathbf{L}: a scalar, the gradient m×n
        (r"$\mathbf{L} = I_m - A$", r"\mathcal{L}", [(2, "matmul-mismatch")]),
        (r"$\mathbf{L} \in \mathbb{R}^{m\times m}$", r"\mathcal{L}", [(2, "matmul-mismatch")]),
        # the letter itself introduced as a matrix: its derivative is no gradient
        (r"$L \in \mathbb{R}^{m\times m}$", "L", []),
        (r"$\mathbf{L} \in \mathbb{R}^{m\times m}$", "L", []),
    ],
)
def test_a_calligraphic_loss_beside_a_bold_letter(
    other: str, loss: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = LOSS.replace("OTHER", other).replace("LOSS", loss)
    assert codes_by_line(text, tmp_path) == codes


# -- "$x_t$ has $n$ components" --------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("has $n$ components", [(2, "matmul-mismatch")]),
        ("has $n$ entries", [(2, "matmul-mismatch")]),
        ("has $n$ entries equal to one", []),  # a count of some entries, not the length
        ("has $n$ rows", []),  # (not a vector's length)
    ],
)
def test_a_vector_has_a_count_of_components(
    words: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = r"""
%! notes.tex
The state $x$ WORDS, and $H \in \mathbb{R}^{m\times n}$, $R \in \mathbb{R}^{m\times m}$.
Then $H x$ and $R H x$ and $x^\top H$.
""".replace("WORDS", words)
    assert codes_by_line(text, tmp_path) == codes


# -- a plain x_k beside a bold stack \mathbf{x} ----------------------------------------------

STACK = r"""
%! mpc.tex
Let $A \in \mathbb{R}^{n\times n}$, and DECL.
Then $x_{k+1} = Ax_k$.
"""


@pytest.mark.parametrize(
    ("decl", "codes"),
    [
        # the stacked states: x_k is a block of \mathbf{x}, not an iterate of its length
        (r"stack the states into $\mathbf{x} = (x_1, \dots, x_N) \in \mathbb{R}^{Nn}$", []),
        (r"$\mathbf{x} \in \mathbb{R}^{Nn}$", []),
        # the letter itself declared: x_k an iterate of x, of its length, as before
        (r"$x \in \mathbb{R}^{Nn}$", [(2, "matmul-mismatch")]),
        (r"$x \in \mathbb{R}^{n}$", []),
    ],
)
def test_a_plain_iterate_beside_a_bold_stack(
    decl: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(STACK.replace("DECL", decl), tmp_path) == codes


# -- blocks side by side, each written with a macro ---------------------------------------

MACRO_BLOCKS = r"""
%! paper.tex
\newcommand{\va}{\boldsymbol{a}}
\newcommand{\two}[2]{BODY}
Let $\va_1, \va_2 \in \mathbb{R}^{m}$ and $M \in \mathbb{R}^{m\times m}$.
Then $USE$.
"""


@pytest.mark.parametrize(
    ("body", "use", "codes"),
    [
        ("", r"[\va_1^\top\ \va_2^\top]^\top", []),  # a 2m-vector, each block a macro's call
        ("", r"[\va_1^\top\;\va_2^\top]", []),
        ("", r"[\va_1^\top\;\va_2^\top] M", [(4, "matmul-mismatch")]),  # 1×2m times m×m
        # both blocks made by one macro's body: its gap is not read in the text
        (r"[#1 \; #2]", r"\two{\va_1^\top}{\va_2^\top} M", [(4, "matmul-mismatch")]),
    ],
)
def test_blocks_side_by_side_written_with_macros(
    body: str, use: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = MACRO_BLOCKS.replace("BODY", body or "#1#2").replace("USE", use)
    assert codes_by_line(text, tmp_path) == codes
