r"""Forms the set-22 documents (tests/documents/*-22) showed texgrad did not read, or read
wrongly: a chain of equal sizes ending in a size made of others (``d_k = d_v = d / h``), blocks
compared under the text's facts, a matrix of letter blocks that is no example, a layer family
known at 0 with a size every layer shares, a derivative operator before a number, a fact about
``d_l`` for ``d_{l-1}``, an inner product added to a square matrix, and the block-rows of the two
sides of a block equation."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line


def test_a_chain_of_sizes_ending_in_a_quotient_defines_each(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \newcommand{\R}{\mathbb{R}}
    \begin{document}
    Let $X \in \R^{n \times d}$, $W_i \in \R^{d \times d_k}$, $V_i \in \R^{d \times d_v}$ and
    $W^O \in \R^{h d_v \times d}$, where $d_k = d_v = d / h$.
    \[ Z = \operatorname{Concat}(X W_1, \dots, X W_h) W^O , \qquad
       M = \begin{bmatrix} X W_1 \\ X V_1 \end{bmatrix} . \]
    \[ N = X W_1 V_1^\top X^\top + X W_1 X^\top . \]
    \end{document}
    """
    # no mismatch between d_k and d_v (concatenation, blocks); the second term of N is wrong
    assert codes_by_line(text, tmp_path) == [(8, "matmul-mismatch")]


def test_two_names_made_equal_in_a_case_are_not_a_chain_definition(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times p}$. If $m = p$ then $A + B^\top$ is defined.

    In general $A + B^\top$ is not.
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_letter_blocks_stacked_against_side_by_side_is_an_equation_mismatch(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{n \times d}$, $A, B \in \mathbb{R}^{d \times k}$, $K = XA$ and $V = XB$.
    \[ \begin{bmatrix} K & V \end{bmatrix} = X \begin{bmatrix} A & B \end{bmatrix} . \]
    \[ \begin{bmatrix} K \\ V \end{bmatrix} = X \begin{bmatrix} A & B \end{bmatrix} . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(5, "equation-mismatch")]


def test_a_layer_family_known_at_0_keeps_the_batch_size(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Layer $l$ has weights $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and bias $b^{(l)} \in \mathbb{R}^{n_l}$;
    a batch of $B$ inputs is $A^{(0)} \in \mathbb{R}^{n_0 \times B}$.
    \[ Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)} \mathbf{1}_B^\top , \qquad
       Y^{(l)} = W^{(l)} A^{(l-1)} + \mathbf{1}_B b^{(l)\top} . \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(6, "add-mismatch")]


def test_a_derivative_operator_before_a_number_applies_to_what_follows(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $A \in \mathbb{R}^{n \times n}$ and $\mathbf{y} \in \mathbb{R}^n$.

    $$
    \frac{\partial}{\partial A} \tfrac12 \mathbf{y}^\top A^{-1} \mathbf{y} = -\tfrac12 A^{-\top} \mathbf{y}\mathbf{y}^\top A^{-\top}
    $$
    """
    assert all(code != "matmul-mismatch" for _, code in codes_by_line(text, tmp_path))


def test_a_fact_about_every_layer_holds_for_its_neighbours(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $S \in \mathbb{R}^{m \times d}$ and $P^{(l)} \in \mathbb{R}^{d_{l-1} \times d_l}$.
    Suppose $d_l = d$ for all $l$. Then $S P^{(l)} + S$ is an $m \times d$ matrix,
    and $S P^{(l)} + S^\top$ is not.
    \end{document}
    """
    # d_{l-1} = d as d_l = d: S P^{(l)} multiplies; the transposed S does not add
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_an_inner_product_added_to_a_square_matrix_is_a_mismatch(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $A \in \mathbb{R}^{n \times n}$, $\mathbf{u}, \mathbf{v} \in \mathbb{R}^n$, $\mathbf{w} \in \mathbb{R}^m$
    and $\lambda > 0$.
    \[ B = A + \mathbf{u}\mathbf{v}^\top , \quad C = A + \lambda , \quad D = A + \mathbf{u}^\top\mathbf{v} . \]
    \[ E = \mathbf{w}\mathbf{w}^\top + \mathbf{u}^\top\mathbf{u} . \]
    \end{document}
    """
    # λ may mean λI (not guessed), and u^T u beside an m×m matrix is n-long: not this slip
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_block_rows_of_the_two_sides_must_agree(tmp_path: Path) -> None:
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    Let $Q \in \mathbb{R}^{n \times n}$, $A \in \mathbb{R}^{m \times n}$, $x, c \in \mathbb{R}^n$ and
    $\nu, b \in \mathbb{R}^m$.
    \[ \begin{bmatrix} Q & A^\top \\ A & 0 \end{bmatrix} \begin{bmatrix} x \\ \nu \end{bmatrix}
       = \begin{bmatrix} -c \\ b \end{bmatrix} \]
    \[ \begin{bmatrix} Q & A^\top \\ A & 0 \end{bmatrix} \begin{bmatrix} x \\ \nu \end{bmatrix}
       = \begin{bmatrix} b \\ -c \end{bmatrix} \]
    \end{document}
    """
    assert codes_by_line(text, tmp_path) == [(7, "equation-mismatch")]
