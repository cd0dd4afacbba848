r"""Forms met writing the set-28 documents (LaTeX papers, books and notes in new topics):
``\odot`` as the Khatri–Rao product where a tensor paper names it, and ``*`` between a
kernel and a signal (a convolution), which is no scaling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

# -- \odot as the Khatri–Rao product --------------------------------------------------------

KHATRI = r"""
%! cp.tex
Let $A \in \mathbb{R}^{I\times R}$, $B \in \mathbb{R}^{J\times R}$, $C \in \mathbb{R}^{K\times R}$,
$E \in \mathbb{R}^{K\times S}$ and $X_{(1)} \in \mathbb{R}^{I\times JK}$. WORDS
The model is $X_{(1)} = A(C \odot B)^\top$.
Not $X_{(1)} = A(C \odot B)$.
Nor $C \odot E$.
"""


def test_odot_is_the_khatri_rao_product_where_the_document_names_it(tmp_path: Path) -> None:
    text = KHATRI.replace("WORDS", r"The Khatri--Rao product $C \odot B$ is $JK \times R$.")
    # (C ⊙ B) is KJ×R: its transpose fits A; without it the inner sizes R and KJ differ;
    # unequal columns are no product at all
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch"), (5, "elementwise-mismatch")]


@pytest.mark.parametrize("words", ["", r"Here $\odot$ is the Hadamard product."])
def test_odot_stays_the_hadamard_product_elsewhere(words: str, tmp_path: Path) -> None:
    text = KHATRI.replace("WORDS", words)
    assert codes_by_line(text, tmp_path) == [
        (3, "elementwise-mismatch"),  # (the equation's C ⊙ B: K×R and J×R)
        (4, "elementwise-mismatch"),
        (5, "elementwise-mismatch"),
    ]


def test_equal_shapes_under_khatri_rao_are_left_unknown(tmp_path: Path) -> None:
    # Khatri–Rao of two K×R matrices is K²×R, their Hadamard product K×R: neither is assumed
    text = KHATRI.replace("WORDS", "(Khatri-Rao.)").replace(
        r"Nor $C \odot E$.", r"Nor $A^\top (C \odot C)$."
    )
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]


# -- * between a kernel and a signal ----------------------------------------------------------

CONVOLUTION = r"""
%! ssm.tex
A signal $u(t) \in \mathbb{R}$ gives $y(t) \in \mathbb{R}$. With a kernel $\bar K \in \mathbb{R}^{L}$,
$y = \bar K * u$, and $\mathbf{z} = 2 * \bar K$ with $\mathbf{z} \in \mathbb{R}^{M}$.
"""


def test_a_kernel_convolved_with_a_signal_is_no_scaling(tmp_path: Path) -> None:
    # y = K * u is a convolution (no shape); 2 * K is a scaling, L entries against M
    assert codes_by_line(CONVOLUTION, tmp_path) == [(2, "equation-mismatch")]


# -- * where the document says it is the Hadamard product --------------------------------------

STAR = r"""
%! als.tex
Let $B \in \mathbb{R}^{J\times R}$ and $C \in \mathbb{R}^{K\times R}$. WORDS
The Gram matrix is $V = (C^\top C) * (B^\top B)$, not $(C C^\top) * (B^\top B)$.
"""


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        (r"Here $*$ is the Hadamard product.", [(2, "elementwise-mismatch")]),
        (r"We write the Hadamard product as $\ast$.", [(2, "elementwise-mismatch")]),
        ("", []),  # * unexplained: a convolution as often as a product
        (r"Here $*$ is a convolution and $\odot$ the Hadamard product.", []),
    ],
)
def test_star_is_hadamard_where_the_document_says_so(
    words: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = STAR.replace("WORDS", words).replace("* (B", "\\ast (B" if "ast" in words else "* (B")
    assert codes_by_line(text, tmp_path) == codes


# -- an apposition sizing a letter tagged by a lowercase superscript ---------------------------

TAGGED = r"""
%! mtgp.tex
Let $A \in \mathbb{R}^{m\times m}$, an input covariance $LETTER = k(X, X)$, an $n\times n$ matrix, and $B = LETTER A$.
"""


@pytest.mark.parametrize("letter", ["K^{x}", "K^{f}", "K^{Q}", "K_x"])
def test_an_apposition_sizes_a_tagged_letter(letter: str, tmp_path: Path) -> None:
    assert codes_by_line(TAGGED.replace("LETTER", letter), tmp_path) == [(1, "matmul-mismatch")]


# -- a restriction "which only works for $M = n$" ----------------------------------------------

ONLY_FOR = r"""
%! notes.tex
Let $Q \in \mathbb{R}^{n\times n}$, $Y \in \mathbb{R}^{n\times M}$ and $P \in \mathbb{R}^{M\times M}$.
In the code we first had $Q^\top Y^\top P$, which WORDS $M = n$.
"""


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("only works for", [(2, "matmul-mismatch")]),  # held nowhere: what fails but then
        ("only works when", [(2, "matmul-mismatch")]),
        ('only "works" when', [(2, "matmul-mismatch")]),  # (a word in scare quotes: docsb-32)
        ("only ``works'' when", [(2, "matmul-mismatch")]),
        ("is fine, since", []),  # (a fact of the sentence: the product agrees there)
    ],
)
def test_only_for_is_a_restriction(
    words: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(ONLY_FOR.replace("WORDS", words), tmp_path) == codes


# -- diag of a lower-case function's values ----------------------------------------------------

DIAG = r"""
%! irls.tex
Let $X \in \mathbb{R}^{n\times p}$ and $G = \operatorname{diag}(ENTRIES)$. Then $X G$ is wrong and $G X$ right.
"""


@pytest.mark.parametrize(
    ("entries", "codes"),
    [
        (r"g'(\mu_1), \dots, g'(\mu_n)", [(1, "matmul-mismatch")]),
        (r"v(\mu_1), \dots, v(\mu_n)", [(1, "matmul-mismatch")]),
        (r"g'(\mu_1)^2, \dots, g'(\mu_n)^2", [(1, "matmul-mismatch")]),
        (r"V(\mu_1), \dots, V(\mu_n)", []),  # (a capital may be a matrix: block-diagonal)
    ],
)
def test_diag_of_a_functions_values_is_square(
    entries: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(DIAG.replace("ENTRIES", entries), tmp_path) == codes
