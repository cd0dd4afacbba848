r"""Block matrices: ``\begin{bmatrix} A & B \\ 0 & I \end{bmatrix}`` and the like — blocks in
one block-row share their rows, in one block-column their columns; cells of no written size
(``0``, ``I``, a scalar) take what their neighbours force; the whole gets its shape; a
certain disagreement is a ``block-mismatch`` at the offending block; elided matrices and
layout arrays are never flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import (
    SCALAR,
    check_fixture,
    expected,
    found,
    same_shape,
    shape,
    shape_at,
    spans,
)
from texgrad.shapes.blocks import Block, solve
from texgrad.shapes.dims import Shape

PREAMBLE = (
    r"Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, "
    r"$C \in \mathbb{R}^{p \times n}$, $D \in \mathbb{R}^{p \times m}$, $x \in \mathbb{R}^n$, "
    r"$u \in \mathbb{R}^m$, $y \in \mathbb{R}^p$, $c \in \mathbb{R}$ and $a, b \in \mathbb{R}$."
)


def infer_last(tmp_path: Path, expr: str) -> tuple[Shape | None, set[tuple[int, int, str]]]:
    _, result = check_fixture(tmp_path, PREAMBLE + "\n\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    return shape_at(result, at, at + len(expr)), found(result)


SHAPES = [
    (r"\begin{bmatrix} A & B \\ C & D \end{bmatrix}", shape("n + p", "n + m")),
    # zeros and identities take the size their block-row and block-column force
    (r"\begin{bmatrix} A & B \\ 0 & I \end{bmatrix}", shape("n + m", "n + m")),
    (r"\begin{bmatrix} A & B \\ \mathbf{0} & \mathbf{I} \end{bmatrix}", shape("n + m", "n + m")),
    (r"\begin{bmatrix} I & 0 \\ C & I \end{bmatrix}", shape("n + p", "n + p")),
    (
        r"\begin{bmatrix} A & B \\ 0 & -c I \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix}",
        shape("n + m"),
    ),  # fmt: skip
    (r"\begin{pmatrix} A & x \\ \mathbf 0^\top & 1 \end{pmatrix}", shape("n + 1", "n + 1")),
    (r"\begin{bmatrix} A & B \\ & I \end{bmatrix}", shape("n + m", "n + m")),  # an empty cell
    # block vectors: a number or a scalar is one entry
    (r"\begin{bmatrix} x \\ 1 \end{bmatrix}", shape("n + 1")),
    (r"\begin{bmatrix} x^\top & c \end{bmatrix}", shape(1, "n + 1")),
    (r"\begin{bmatrix} x \\ u \\ y \end{bmatrix}", shape("n + m + p")),
    (r"\begin{bmatrix} 1 & 0 \\ 0 & A \end{bmatrix}", shape("n + 1", "n + 1")),
    # entry by entry
    (r"\begin{pmatrix} a & b \\ b & a \end{pmatrix}", shape(2, 2)),
    (r"\begin{bmatrix} 0 \\ 1 \\ 0 \end{bmatrix}", shape(3)),
    (r"\begin{bmatrix} 1 & 0 & 0 \\ 0 & a & 0 \end{bmatrix}", shape(2, 3)),
    # an undeclared block takes its block-row's rows and block-column's columns
    (r"\begin{bmatrix} A & U \\ V & D \end{bmatrix}", shape("n + p", "n + m")),
    # an array in brackets is a matrix; a determinant is a scalar
    (r"\left[\begin{array}{c|c} A & B \\ \hline C & D \end{array}\right]", shape("n + p", "n + m")),
    (r"\begin{vmatrix} A & B \\ C & D \end{vmatrix}", SCALAR),
    # the whole is an operand like any other
    (
        r"\begin{bmatrix} A & B \\ 0 & I \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix}",
        shape("n + m"),
    ),  # fmt: skip
    (r"\begin{bmatrix} C & D \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix} + y", shape("p")),
]


@pytest.mark.parametrize(("expr", "want"), SHAPES)
def test_shape_of_a_block_matrix(tmp_path: Path, expr: str, want: Shape) -> None:
    got, diagnostics = infer_last(tmp_path, expr)
    assert diagnostics == set()
    assert same_shape(got, want), (got, want)


NO_SHAPE = [
    # a zero or identity nothing sizes
    r"\begin{bmatrix} A & 0 \\ 0 & 0 \end{bmatrix}",
    r"\begin{bmatrix} 0 & I \\ -I & 0 \end{bmatrix}",
    r"\begin{bmatrix} x \\ 0 \end{bmatrix}",
    # undeclared entries: nothing forces their size
    r"\begin{pmatrix} e & f \\ g & h \end{pmatrix}",
    r"\begin{bmatrix} A & U \end{bmatrix}",
    # a scalar beside a block: a column of ones meant, or a 1×1 example
    r"\begin{bmatrix} A & 1 \end{bmatrix}",
    # elided entries
    r"\begin{bmatrix} u_1 & \cdots & u_k \end{bmatrix}",  # k is no dimension
    r"\begin{bmatrix} B & A B & \cdots & A^{n-1} B \end{bmatrix}",
    r"\begin{bmatrix} x^\top \\ \vdots \\ u^\top \end{bmatrix}",
    r"\begin{bmatrix} a, b, \ldots \end{bmatrix}",
    # an array alone lays out rows
    r"\begin{array}{cc} A & B \end{array}",
    # vectors of two lengths side by side: a concatenation written sloppily, not reported
    r"\begin{bmatrix} x & u \end{bmatrix}^\top",
    r"\begin{bmatrix} x^\top \\ u^\top \end{bmatrix}",
]


@pytest.mark.parametrize("expr", NO_SHAPE)
def test_blocks_of_no_certain_size_give_no_shape_and_no_message(tmp_path: Path, expr: str) -> None:
    got, diagnostics = infer_last(tmp_path, expr)
    assert got is None
    assert diagnostics == set()


# -- disagreements ---------------------------------------------------------------------------


def test_kkt_system_with_a_wrong_block(tmp_path: Path) -> None:
    """The KKT system of an equality-constrained QP: quiet when right, the top-right block
    flagged when ``A`` is written for ``A^\\top``, and nothing else then."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Minimise $\frac{1}{2} x^\top H x + g^\top x$ subject to $A x = b$, where
        $H \in \mathbb{R}^{n \times n}$, $A \in \mathbb{R}^{p \times n}$, $g, x \in \mathbb{R}^n$,
        $b \in \mathbb{R}^p$ and the multiplier $\nu \in \mathbb{R}^p$. The Newton step solves
        \[ \begin{bmatrix} H & A^\top \\ A & 0 \end{bmatrix} \begin{bmatrix} x \\ \nu \end{bmatrix}
           = \begin{bmatrix} -g \\ b - A x \end{bmatrix}, \]
        not
        \[ \begin{bmatrix} H & A \\ A & 0 \end{bmatrix} \begin{bmatrix} x \\ \nu \end{bmatrix}
                               ^
           = \begin{bmatrix} -g \\ b - A x \end{bmatrix}. \]
        """,
    )
    assert found(result) == expected(fx, "block-mismatch")
    (d,) = result.diagnostics
    assert d.message.startswith(
        "blocks in one block-row need the same number of rows, but `H` is n×n and `A` is p×n"
    ), d.message
    assert "transposing `A`" in d.message
    assert [f.text for f in d.fixes] == ["A^\\top"]
    assert [r.message for r in d.related] == [
        "`H` declared ℝ^{n×n} here",
        "`A` declared ℝ^{p×n} here",
    ]


def test_blocks_of_one_block_column_must_share_columns(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$,
        $C \in \mathbb{R}^{p \times n}$ and $D \in \mathbb{R}^{p \times m}$.
        Right: $\begin{bmatrix} A & B \\ C & D \end{bmatrix}$. Wrong: $\begin{bmatrix} A & B \\ D & C \end{bmatrix}$
                                                                                                ^   ^
        and $\begin{bmatrix} A \\ B \end{bmatrix}$, $\begin{bmatrix} A & C \end{bmatrix}$,
                                  ^                                      ^
        $\begin{bmatrix} x & A \end{bmatrix}$ for $x \in \mathbb{R}^m$.
                             ^
        """,
    )
    assert spans(result) == fx.ranges["main.tex"]
    assert {d.code for d in result.diagnostics} == {"block-mismatch"}
    messages = [d.message for d in result.diagnostics]
    assert messages[0].startswith(
        "blocks in one block-column need the same number of columns, but `A` is n×n and `D` is p×m"
    ), messages[0]


def test_a_wrong_block_matrix_says_nothing_more(tmp_path: Path) -> None:
    """One mistake, one message: the product and the equation it stands in stay quiet."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $x \in \mathbb{R}^n$
        and $u \in \mathbb{R}^m$. Then $x = \begin{bmatrix} A & B^\top \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix}$.
                                                                ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "block-mismatch")
    (d,) = result.diagnostics
    assert [f.title for f in d.fixes] == ["Remove the transpose of `B`"]


def test_a_block_matrix_in_a_product_is_checked(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $x \in \mathbb{R}^n$
        and $u \in \mathbb{R}^m$. Right: $\begin{bmatrix} A & B \\ 0 & I \end{bmatrix} \begin{bmatrix} x \\ u \end{bmatrix}$.
        Wrong: $\begin{bmatrix} A & B \\ 0 & I \end{bmatrix} x$ and $\begin{bmatrix} x \\ 1 \end{bmatrix}^\top x$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_heads_side_by_side_with_wide_spaces_are_not_a_product(tmp_path: Path) -> None:
    r"""`[H_1 \;\; H_2 \;\; \cdots \;\; H_K]` concatenates the heads, as `\quad` would;
    the same heads written next to each other with no space are still a product."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Each head gives $H_k \in \mathbb{R}^{n \times d_h}$, and the layer outputs
        $H = \big[H_1 \;\; H_2 \;\; \cdots \;\; H_K\big]$ or $(H_1 \: \: H_2)$, but not $H_1 H_2$.
                                                                                         ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- a lecture on the Kalman filter: planted errors and traps ----------------------------------

KALMAN = r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section{The model}
The state $x_k \in \mathbb{R}^n$ evolves under the input $u_k \in \mathbb{R}^m$ as
\begin{align}
x_{k+1} &= A x_k + B u_k + w_k, \\
y_k &= C x_k + v_k,
\end{align}
where $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$,
$C \in \mathbb{R}^{p \times n}$, $y_k, v_k \in \mathbb{R}^p$, $w_k \in \mathbb{R}^n$,
with covariances $Q \in \mathbb{R}^{n \times n}$ and $R \in \mathbb{R}^{p \times p}$.
Over a horizon, the trajectory $\begin{bmatrix} x_1 & \cdots & x_N \end{bmatrix}$ and the
controllability matrix $\mathcal{C} = \begin{bmatrix} B & AB & \cdots & A^{n-1} B \end{bmatrix}$
are read column by column, and the data matrix is
$\begin{bmatrix} x_1^\top \\ \vdots \\ x_N^\top \end{bmatrix}$. For instance, with $n = 2$,
$A = \begin{bmatrix} 1 & \Delta t \\ 0 & 1 \end{bmatrix}$.

\section{Augmented state}
Holding the input constant, the augmented state evolves as
\begin{align}
\begin{bmatrix} x_{k+1} \\ u_{k+1} \end{bmatrix}
  &= \begin{bmatrix} A & B \\ 0 & I \end{bmatrix}
     \begin{bmatrix} x_k \\ u_k \end{bmatrix},
\intertext{and the measurement reads}
y_k &= \begin{bmatrix} C & 0 \end{bmatrix} \begin{bmatrix} x_k \\ u_k \end{bmatrix} + v_k.
\intertext{A first draft had the blocks of the input swapped:}
\begin{bmatrix} x_{k+1} \\ u_{k+1} \end{bmatrix}
  &= \begin{bmatrix} A & B^\top \\ 0 & I \end{bmatrix}
                         ^^^^^^
     \begin{bmatrix} x_k \\ u_k \end{bmatrix},
\intertext{and measured the input instead of the state:}
y_k &= \begin{bmatrix} C & B \end{bmatrix} \begin{bmatrix} x_k \\ u_k \end{bmatrix} + v_k.
                           ^
\end{align}
The prior covariance of the augmented state is
$\begin{bmatrix} P_k & 0 \\ 0 & 0 \end{bmatrix}$ with $P_k \in \mathbb{R}^{n \times n}$, and the
symplectic $\begin{bmatrix} 0 & I \\ -I & 0 \end{bmatrix}$ has no size of its own.
Stacking a constant, $\begin{bmatrix} x_k \\ 1 \end{bmatrix}^\top \begin{bmatrix} x_k \\ 1 \end{bmatrix}$ is fine,
but $\begin{bmatrix} x_k \\ 1 \end{bmatrix}^\top x_k$ is not.
     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

\section{The filter}
The gain is $K_k = P_k C^\top (C P_k C^\top + R)^{-1}$ and the update
\[ \hat{x}_k = \hat{x}_k^- + K_k (y_k - C \hat{x}_k^-), \qquad
   P_k = \begin{cases} Q & k = 0, \\ A P_{k-1} A^\top + Q & k > 0. \end{cases} \]
The innovation form stacks
\[ \begin{bmatrix} y_k \\ x_{k+1} \end{bmatrix} = \begin{bmatrix} C \\ A \end{bmatrix} x_k
   + \begin{bmatrix} v_k \\ w_k \end{bmatrix}
   \quad \text{but not} \quad
   \begin{bmatrix} y_k \\ x_{k+1} \end{bmatrix} = \begin{bmatrix} C & A \end{bmatrix} x_k. \]
                                                                      ^
\end{document}
"""


def test_kalman_lecture_notes(tmp_path: Path) -> None:
    fx, result = check_fixture(tmp_path, KALMAN)
    assert spans(result) == fx.ranges["main.tex"], [
        (d.code, result.doc.text[d.start : d.end], d.message) for d in result.diagnostics
    ]
    assert [d.code for d in result.diagnostics] == [
        "block-mismatch",
        "block-mismatch",
        "matmul-mismatch",
        "block-mismatch",
    ]


# -- the solver on its own ---------------------------------------------------------------------


def test_an_identity_carries_a_size_across_its_block_row_and_column() -> None:
    """``[A 0 I; 0 I 0; 0 1 0]`` with only A (n×n) and a 1×1 entry known: each identity
    takes the size of its block-row or block-column and gives it to the other."""
    n = shape("n", "n")
    grid = [
        [Block("fixed", 0, 0, n), Block("zero", 0, 1), Block("identity", 0, 2)],
        [Block("zero", 1, 0), Block("identity", 1, 1), Block("zero", 1, 2)],
        [Block("zero", 2, 0), Block("scalar", 2, 1, SCALAR), Block("zero", 2, 2)],
    ]
    solved = solve(grid)
    assert solved.disagreements == ()
    assert same_shape(solved.shape, shape("n + 2", "2*n + 1")), solved.shape


# -- brackets written inline: [Q \; K], [x; 1] ------------------------------------------------

INLINE = r"""
Let $Q, K \in \mathbb{R}^{n \times d}$, $A, B \in \mathbb{R}^{n \times n}$,
$x \in \mathbb{R}^n$, $y, z \in \mathbb{R}^{d}$ and $w \in \mathbb{R}^{2d}$.
"""


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        (r"[Q\; K]", shape("n", "2*d")),  # side by side: Q K cannot be multiplied
        (r"\left[ Q \; K \; Q \right]", shape("n", "3*d")),
        (r"[Q\; K] w", shape("n")),
        (r"[x; 1]", shape("n + 1")),
        (r"[y ;\, z]", shape("2*d")),
        (r"[x^\top; x^\top]", shape(2, "n")),
        (r"(Q \; y)", shape("n")),  # only a product fits
    ],
)
def test_brackets_written_inline(tmp_path: Path, expr: str, want: Shape) -> None:
    _, result = check_fixture(tmp_path, INLINE + "\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    assert found(result) == set()
    assert same_shape(shape_at(result, at, at + len(expr)), want)


@pytest.mark.parametrize(
    "expr",
    [
        r"[A \; B]",  # side by side or a product: both fit, nothing said
        r"[Q, K] x",  # a commutator, a pair, a covariance: commas are never read
        r"[Q \mid K] x",  # a conditional as much as an augmented matrix
        r"[x; Q] A",  # columns differ: not a stack, and no message
        r"[Q \; y^\top]",  # rows differ and no product: nothing said
        r"[0, 1]",  # an interval
        r"[0 ; 1]",  # an interval, as French writes it
        r"[a ; b]",
        r"\mathbb{E}[x; A]",
    ],
)
def test_brackets_that_could_mean_something_else_say_nothing(tmp_path: Path, expr: str) -> None:
    _, result = check_fixture(tmp_path, INLINE + "\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    assert found(result) == set()
    assert shape_at(result, at, at + len(expr)) is None


def test_inline_brackets_are_checked_where_they_are_used(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Q, K \in \mathbb{R}^{n \times d}$, $x \in \mathbb{R}^n$ and $w \in \mathbb{R}^{2d}$.
        Right: $[Q \; K] w$ and $[x; 1]^\top [x; 1]$. Wrong: $[Q \; K] x$ and $w^\top [x; 1]$.
                                                              ^^^^^^^^^^       ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- members 1 to N of a family, elided in the middle -------------------------------------------

FAMILY = r"""
Let $\mathbf{x}_i \in \mathbb{R}^d$ for each sample, $X \in \mathbb{R}^{N \times d}$,
$w \in \mathbb{R}^d$, $v \in \mathbb{R}^N$ and $z \in \mathbb{R}^n$.
"""


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        (
            r"\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix}",
            shape("N", "d"),
        ),  # fmt: skip
        (
            r"\begin{bmatrix} \mathbf{x}_1 & \mathbf{x}_2 & \cdots & \mathbf{x}_N \end{bmatrix}",
            shape("d", "N"),
        ),  # fmt: skip
        (r"\begin{bmatrix} z_1 & \cdots & z_n \end{bmatrix}", shape(1, "n")),
        (
            r"\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix} w",
            shape("N"),
        ),  # fmt: skip
    ],
)
def test_members_listed_with_dots(tmp_path: Path, expr: str, want: Shape) -> None:
    _, result = check_fixture(tmp_path, FAMILY + "\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    assert found(result) == set()
    assert same_shape(shape_at(result, at, at + len(expr)), want)


@pytest.mark.parametrize(
    "expr",
    [
        r"\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_m^\top \end{bmatrix}",  # m?
        r"\begin{bmatrix} \mathbf{x}_0^\top \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix}",  # N+1
        r"\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_N \end{bmatrix}",
        r"\begin{bmatrix} \mathbf{x}_1 \\ \vdots \\ \mathbf{x}_N \end{bmatrix}",  # Nd rows
        r"\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix}",
        r"\begin{bmatrix} z_1 & \cdots & z_n \\ z_1 & \cdots & z_n \end{bmatrix}",
        r"\begin{bmatrix} \sin(z_1) \\ \vdots \end{bmatrix}",
    ],
)
def test_lists_not_certainly_of_members_1_to_n_have_no_shape(tmp_path: Path, expr: str) -> None:
    _, result = check_fixture(tmp_path, FAMILY + "\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    assert found(result) == set()
    assert shape_at(result, at, at + len(expr)) is None


def test_a_data_matrix_written_row_by_row_is_checked(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        FAMILY
        + r"""
        Right: $X = \begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix}$ and $X w$.
        Wrong: $\begin{bmatrix} \mathbf{x}_1^\top \\ \vdots \\ \mathbf{x}_N^\top \end{bmatrix} v$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_members_one_to_h_stacked_as_matlab_writes_them(tmp_path: Path) -> None:
    r"""``[A_1; \dots; A_h]``: h members of one family, one above the other (hm rows); not
    when h is a size the document gives nothing, nor of members of unlike shapes."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A_i \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{m \times m}$, $C \in \mathbb{R}^{hm \times p}$, $x \in \mathbb{R}^n$.
        Right: $[A_1; \dots; A_h] x$, $C^\top [A_1; \dots; A_h]$. Wrong: $B [A_1; \dots; A_h]$.
                                                                          ^^^^^^^^^^^^^^^^^^^
        Unsaid: $B [A_1; \dots; A_k]$ and $B [A_1; \dots; A_h; x]$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    at = result.doc.text.index(r"[A_1; \dots; A_h] x")
    assert same_shape(shape_at(result, at, at + len(r"[A_1; \dots; A_h]")), shape("h*m", "n"))
