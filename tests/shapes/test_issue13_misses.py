r"""The issue-13 misses made general rules: a function applied row-wise to a matrix is the
same function (its signature holds on across sections), a primed vector alone as a block is
its transpose in a document that transposes with primes (never a second point, ``k(x,
x')``), a callout titled as typos quotes wrong values (not new meanings), a letter stated
again in a paragraph and then set to another shape there is a slip, and a function the prose
says keeps its argument's shape gives that shape.  Each with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line
from texgrad.shapes.primes import another_letter, transposes_with_primes


def test_a_function_applied_row_wise_keeps_its_signature_in_later_sections(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.md
    ## Map

    Let $\phi : \mathbb{R}^{d} \to \mathbb{R}^{r}$, $S \in \mathbb{R}^{r \times v}$, $k \in \mathbb{R}^{d}$ and $u \in \mathbb{R}^{v}$.

    ## Use

    The update $S + \phi(k) u^\top$ is right; $S + u \phi(k)^\top$ is not.

    ## Batch

    For $Q \in \mathbb{R}^{n \times d}$ and $W \in \mathbb{R}^{r \times d}$, row by row,
    $\phi(Q) = \exp(Q W^\top) \in \mathbb{R}^{n \times r}$.
    """
    assert codes_by_line(text, tmp_path) == [(7, "add-mismatch")]


def test_a_primed_vector_as_a_block_is_a_transpose_where_primes_transpose(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{n \times p}$, $y \in \mathbb{R}^{n}$ and $a \in \mathbb{R}^{p}$,
    with $X' X$ and $X' y$ the normal equations' parts, solved as $(X' X)^{-1} X' y$.

    Appended as a row, $\begin{bmatrix} X \\ a' \end{bmatrix}$ is right; $\begin{bmatrix} X & a' \end{bmatrix}$ is not.
    """
    assert codes_by_line(text, tmp_path) == [(4, "block-mismatch")]


def test_a_primed_letter_of_its_own_is_no_transpose(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{n \times p}$, $y \in \mathbb{R}^{n}$ and $x \in \mathbb{R}^{p}$,
    with $X' X$ and $(X' X)^{-1} X' y$ the least-squares fit, and compare $x$ with a second point by $k(x, x')$.

    The pair is $\begin{bmatrix} x \\ x' \end{bmatrix}$.
    """
    assert codes_by_line(text, tmp_path) == []


def test_primes_transpose_only_where_products_use_them() -> None:
    assert transposes_with_primes(r"$X' X$ and $Z_i' D Z_i$")
    assert not transposes_with_primes(r"$X' X$ once, and Henderson's equations")
    assert another_letter(r"$k(x, x')$", "x'")
    assert another_letter(r"a second input $x'$", "x'")
    assert not another_letter(r"$\begin{bmatrix} 1 & t_i' \end{bmatrix}$", "t_i'")


def test_a_callout_of_typos_quotes_wrong_values(tmp_path: Path) -> None:
    text = r"""
    %! main.qmd
    ## Setup

    Let $Z \in \mathbb{R}^{n \times l}$ and $P = Z (Z^\top Z)^{-1} Z^\top$.

    ## Later

    ::: {.callout-warning}
    ## Typos in circulation
    * $P = Z^\top (Z Z^\top)^{-1} Z$, which is $l \times l$.
    :::

    ::: {.callout-note}
    ## Another projection
    Here write $P = Z^\top Z$ for the Gram matrix.
    :::
    """
    assert codes_by_line(text, tmp_path) == [(9, "equation-mismatch")]


def test_a_letter_stated_again_then_set_to_another_shape_in_its_paragraph(
    tmp_path: Path,
) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \section{One}
    Inverting the $n \times n$ matrix $C$ is costly.
    \section{Two}
    With $s$ sites and $r$ times, $n = sr$, $A \in \mathbb{R}^{s \times s}$ and $B \in \mathbb{R}^{r \times r}$,
    the model is $C = A \otimes B$. Writing it as $C = A \otimes A$ is wrong.
    \section{Three}
    At one site, $C = B + I_r$.
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(7, "equation-mismatch")]


def test_a_function_said_to_keep_the_shape_gives_its_arguments(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $X \in \mathbb{R}^{b \times d}$ and $W \in \mathbb{R}^{d \times c}$, where $\mathcal{F}$ keeps the shape of its input
    and $g$ pools each row to a length left open.

    Then $\mathcal{F}(X) W$ and $g(X) W$ are written; $W \mathcal{F}(X)$ does not conform.
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]
