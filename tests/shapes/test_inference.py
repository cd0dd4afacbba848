r"""Inference: the shape of every subexpression, rule by rule.

Shapes are read from ``CheckResult.shapes`` for the expression written last in
the document; rules that can go wrong are also exercised through the
diagnostics they must (or must not) give.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import (
    SCALAR,
    check_fixture,
    dim,
    expected,
    found,
    same_shape,
    shape,
    shape_at,
    shape_of,
)
from texgrad.shapes.dims import Shape

PREAMBLE = (
    r"Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times p}$, "
    r"$C \in \mathbb{R}^{m \times m}$, $D \in \mathbb{R}^{q \times r}$, $x \in \mathbb{R}^n$, "
    r"$y \in \mathbb{R}^m$, $z \in \mathbb{R}^p$, $w_t \in \mathbb{R}^d$, $X \in \mathbb{R}^{m \times n}$"
    r" and $c \in \mathbb{R}$. Let $L = \|A x - y\|_2^2$."
)


def infer_last(tmp_path: Path, expr: str) -> tuple[Shape | None, set[tuple[int, int, str]]]:
    """The shape of ``expr`` written after the preamble, and all diagnostics."""
    _, result = check_fixture(tmp_path, PREAMBLE + "\n\nThen $" + expr + "$.\n")
    at = result.doc.text.rindex("$" + expr + "$") + 1
    return shape_at(result, at, at + len(expr)), found(result)


SHAPES = [
    # products, with scalars scaling from either side
    (r"A B", shape("m", "p")),
    (r"A x", shape("m")),
    (r"A B z", shape("m")),
    (r"C A x", shape("m")),
    (r"c A", shape("m", "n")),
    (r"A c", shape("m", "n")),
    (r"A x c", shape("m")),
    (r"2 A x", shape("m")),
    (r"x^\top x", SCALAR),
    (r"y^\top A x", SCALAR),
    (r"x^\top x A", shape("m", "n")),  # a 1×1 product acts as a scalar
    (r"A (x^\top x)", shape("m", "n")),
    (r"(y^\top A x) C", shape("m", "m")),
    (r"x x^\top", shape("n", "n")),
    (r"y x^\top", shape("m", "n")),
    (r"A \cdot B", shape("m", "p")),
    (r"x \cdot x", SCALAR),
    # sums and negation
    (r"A x + y", shape("m")),
    (r"A x - y", shape("m")),
    (r"-A x", shape("m")),
    (r"A + X", shape("m", "n")),
    (r"C + c C - C^\top", shape("m", "m")),
    # transposes
    (r"A^\top", shape("n", "m")),
    (r"A^T", shape("n", "m")),
    (r"A^{\top}", shape("n", "m")),
    (r"A^\mathsf{T}", shape("n", "m")),
    (r"A^H", shape("n", "m")),
    (r"(A B)^\top", shape("p", "m")),
    (r"A^\top y", shape("n")),
    (r"x^\top", shape(1, "n")),
    # inverses and powers of square matrices
    (r"C^{-1}", shape("m", "m")),
    (r"C^{-1} y", shape("m")),
    (r"C^2", shape("m", "m")),
    (r"C^{-\top}", shape("m", "m")),
    (r"(A^\top A)^{-1}", shape("n", "n")),
    (r"(A^\top A)^{-1} A^\top y", shape("n")),
    (r"(A A^\top)^{1/2}", shape("m", "m")),
    # trace and determinant are scalars
    (r"\operatorname{tr}(C)", SCALAR),
    (r"\mathrm{tr}(A^\top A)", SCALAR),
    (r"\det(C)", SCALAR),
    (r"\det(C) A", shape("m", "n")),
    (r"\operatorname{tr}(U)", SCALAR),  # a trace is a scalar whatever U is
    # Hadamard and Kronecker products
    (r"A \odot X", shape("m", "n")),
    (r"x \odot x", shape("n")),
    (r"A \otimes B", shape("m*n", "n*p")),
    (r"A \otimes D", shape("m*q", "n*r")),
    # norms are scalars
    (r"\|x\|", SCALAR),
    (r"\|x\|_2", SCALAR),
    (r"\|x\|_2^2", SCALAR),
    (r"\|A\|_F", SCALAR),
    (r"\|A x - y\|_2^2", SCALAR),
    (r"\left\| A x \right\|", SCALAR),
    (r"|c|", SCALAR),
    (r"\|x\| A", shape("m", "n")),
    # fractions
    (r"\frac{A x}{\|x\|}", shape("m")),
    (r"\frac{y}{c}", shape("m")),
    (r"\frac{1}{2} x^\top x", SCALAR),
    (r"\frac{1}{c} A", shape("m", "n")),
    # diag
    (r"\operatorname{diag}(x)", shape("n", "n")),
    (r"\operatorname{diag}(C)", shape("m")),
    (r"\operatorname{diag}(x) x", shape("n")),
    (r"A \operatorname{diag}(x)", shape("m", "n")),
    # the diagonal of a square matrix between factors that meet it: the diagonal matrix
    (r"y^\top \operatorname{diag}(C)\, y", SCALAR),
    (r"y^\top \operatorname{diag}(A A^\top) A", shape(1, "n")),
    (r"\operatorname{diag}(C) A", shape("m", "n")),
    (r"A^\top \operatorname{diag}(C)", shape("n", 1)),  # (nothing after it: the vector)
    (r"\operatorname{diag}(\psi_1, \dots, \psi_n)", shape("n", "n")),  # its listed entries
    (r"\operatorname{diag}(u_1^2, \ldots, u_m^2) A", shape("m", "n")),
    (r"\operatorname{diag}(0.36, 0.51, 0.64)", shape(3, 3)),
    # entries that are expressions of one member: numbered by it (logistic regression's S)
    (r"\operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_m(1-\mu_m)) A", shape("m", "n")),
    (r"\operatorname{diag}(\frac{1}{\sigma_1^2}, \dots, \frac{1}{\sigma_n^2})", shape("n", "n")),
    # moments: an expectation keeps the shape (the condition left out), a covariance of
    # vectors is a matrix
    (r"\mathbb{E}[x x^\top]", shape("n", "n")),
    (r"\mathbb{E}\big[(x - A^\top y)(x - A^\top y)^\top \mid z\big]", shape("n", "n")),
    (r"\mathbb{E}_{q}(x \mid z)", shape("n")),
    (r"A \mathbb{E}[x]", shape("m")),
    (r"\operatorname{E}(x \mid y)", shape("n")),
    (r"\operatorname{Var}(x \mid y)", shape("n", "n")),
    (r"\operatorname{Var}(c)", SCALAR),
    (r"\operatorname{Cov}(x, y)", shape("n", "m")),
    # elementwise functions keep the shape
    (r"\exp(A x)", shape("m")),
    (r"\log(y)", shape("m")),
    (r"\tanh(A x)", shape("m")),
    (r"\sigma(A x)", shape("m")),
    (r"\exp(A)", shape("m", "n")),
    # sums over an index have the shape of their body
    (r"\sum_{i=1}^n x_i", SCALAR),
    (r"\sum_{t=1}^T w_t", shape("d")),
    (r"\sum_{t=1}^T w_t w_t^\top", shape("d", "d")),
    # block matrices
    (r"\begin{bmatrix} A & C \end{bmatrix}", shape("m", "n + m")),
    (r"\begin{bmatrix} A \\ B^\top \end{bmatrix}", shape("m + p", "n")),
    (r"\begin{bmatrix} x \\ z \end{bmatrix}", shape("n + p")),
    (r"\begin{pmatrix} C & A \\ A^\top & B B^\top \end{pmatrix}", shape("m + n", "m + n")),
    (r"\begin{bmatrix} A & C \end{bmatrix} \begin{bmatrix} x \\ y \end{bmatrix}", shape("m")),
    # gradients and partial derivatives of a scalar have the shape of the variable
    (r"\nabla_x L", shape("n")),
    (r"\nabla_A L", shape("m", "n")),
    (r"\nabla_x \|A x - y\|_2^2", shape("n")),
    (r"\frac{\partial L}{\partial A}", shape("m", "n")),
    # a transpose at the end of a scalar a gradient is of transposes the gradient
    (r"\nabla_x L^\top", shape(1, "n")),
    (r"\nabla_x \log c^\top", shape(1, "n")),
    (r"\nabla_x L\, \nabla_x L^\top", shape("n", "n")),
    (r"\nabla_x L^\top \nabla_x L", SCALAR),
    (r"\nabla_A L^\top", shape("n", "m")),
    (r"\frac{\partial L}{\partial x}", shape("n")),
    (r"U \odot A", shape("m", "n")),  # U is A's shape, or broadcast into it
    # so is a term added to a matrix (P - Y with P undeclared: the difference is Y's shape)
    (r"(A + U) x", shape("m")),
    (r"A - U", shape("m", "n")),
    # a matrix over an undeclared letter or its power: a number (\sigma^2), as no matrix
    # divides another
    (r"\frac{A}{\sigma^2}", shape("m", "n")),
    (r"A / \sigma^2", shape("m", "n")),
    (r"\frac{A x}{\tau}", shape("m")),
    # a tuple of numbers transposed: a column vector of as many entries
    (r"(1, 0, -1)^\top", shape(3)),
]


@pytest.mark.parametrize(("expr", "want"), SHAPES)
def test_shape_of(tmp_path: Path, expr: str, want: Shape) -> None:
    got, diagnostics = infer_last(tmp_path, expr)
    assert diagnostics == set()
    assert got is not None, f"no shape inferred for {expr}"
    assert same_shape(got, want), (got, want)


UNKNOWN = [
    r"A u",  # u is undeclared
    r"u^\top A x",
    r"(x + U) y",  # x may be broadcast into a larger U
    r"\frac{A x}{u^\top y}",  # (a denominator of undeclared factors: not a letter alone)
    r"U^{-1}",
    r"U \odot x",  # x may be broadcast into a larger U
    r"\frac{A x}{y}",  # dividing by a vector: not a shape we claim
    r"\operatorname{diag}(A_1, \dots, A_n)",  # block-diagonal: blocks of unknown size
    r"\operatorname{diag}(x, y)",  # two vectors: blocks
    r"\nabla \log p(y \mid x)",  # with respect to what p(y | x) depends on, not p itself
    r"\mathbb{E}[u]",
    r"\operatorname{Var}(A)",  # the covariance of a matrix: vec'd or not, papers differ
]


@pytest.mark.parametrize("expr", UNKNOWN)
def test_anything_touching_an_unknown_symbol_is_unknown(tmp_path: Path, expr: str) -> None:
    got, diagnostics = infer_last(tmp_path, expr)
    assert got is None
    assert diagnostics == set()


def test_use_is_evidence_but_never_an_error(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $C \in \mathbb{R}^{k \times k}$.
        Then $A u$ tells that $u$ has $n$ rows; $v^\top A$ that $v$ has $m$ rows.
        """,
    )
    assert found(result) == set()
    assert result.inferred["u"][0] == dim("n")
    assert result.inferred["v"][0] == dim("m")


def test_conflicting_evidence_is_not_reported(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $C \in \mathbb{R}^{k \times k}$.
        Then $A u$ and $C u$ are both written.
        """,
    )
    assert found(result) == set()


# -- rules through their diagnostics -------------------------------------------------------------


def test_products(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times p}$, $x \in \mathbb{R}^n$.
        Fine: $A B$, $B^\top A^\top$, $x^\top B$, $A x x^\top B$. Wrong: $B A$ and $A B x$.
                                                                          ^^^       ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_one_by_one_products_act_as_scalars(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x, y \in \mathbb{R}^n$ and $u \in \mathbb{R}^m$.
        Then $x^\top y A$, $A (x^\top y)$, $(x^\top y) A$, $u^\top A x \, u$ and $x y^\top x$ are fine.
        """,
    )
    assert found(result) == set()


def test_sums(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        Fine: $Ax + b$, $Ax - b$, $b - Ax$. Wrong: $Ax + x$ and $A + A^\top$.
                                                    ^^^^^^       ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_scalar_plus_matrix_is_not_flagged(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $C \in \mathbb{R}^{n \times n}$ and $c \in \mathbb{R}$.
        Then $A + c$, $C + \lambda I$ and $C - 2I$ are fine.
        """,
    )
    assert found(result) == set()


def test_transposes(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$.
        Fine: $A^\top y$, $A^T y$, $y^\top A$, $(y^\top A)^\top$. Wrong: $A^\top A^\top$.
                                                                          ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_inverse_and_powers_need_square_matrices(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $C \in \mathbb{R}^{n \times n}$.
        Fine: $C^{-1}$, $C^2$, $(A^\top A)^{-1}$, $C^{-\top}$, $C^k$. Wrong: $A^{-1}$, $A^2$, $A^{-\top}$.
                                                                              ^^^^^^    ^^^    ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_trace_and_determinant_need_square_matrices(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $C \in \mathbb{R}^{n \times n}$.
        Fine: $\operatorname{tr}(C)$, $\det(C)$, $\operatorname{tr}(A^\top A)$.
        Wrong: $\operatorname{tr}(A)$ and $\det(A)$ and $\mathrm{tr}(A C)$.
                ^^^^^^^^^^^^^^^^^^^^       ^^^^^^^       ^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_hadamard_of_different_shapes(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Fine: $x \odot x$, $A \odot A$, $(Ax) \odot y$. Wrong: $x \odot y$ and $A \odot A^\top$.
                                                                ^^^^^^^^^       ^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "elementwise-mismatch")


def test_circ_is_a_hadamard_product_or_a_composition_whichever_fits(tmp_path: Path) -> None:
    # statistics texts write the Hadamard product A \circ B; linear maps compose as A \circ B
    # (A B): a mismatch only when neither reading fits, and the shape of the one that does;
    # functions composed (f \circ g) have no shape to compare
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times p}$, $C \in \mathbb{R}^{m \times m}$ and $x \in \mathbb{R}^n$.
        Fine: $(A \circ A) x$, $(A \circ B) \mathbf{1}_p$, $(f \circ g)(x)$. Wrong: $A \circ C$ and $(A \circ A)^\top x$.
                                                                                     ^^^^^^^^^       ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "elementwise-mismatch", "matmul-mismatch")


def test_hadamard_with_a_matrix_and_an_unknown_operand_has_the_matrix_shape(
    tmp_path: Path,
) -> None:
    # T \odot \log P with P unknown is B x c whatever P is (the same matrix, or broadcast);
    # x \odot Q with x a vector may be broadcast into a larger Q: unknown
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $T \in \mathbb{R}^{B \times c}$, $x \in \mathbb{R}^n$, $w \in \mathbb{R}^m$ and $\ell \in \mathbb{R}^B$.
        Fine: $\ell = (T \odot \log P) \mathbf{1}_c$ and $(x \odot Q) w$. Wrong: $\ell = (T \odot \log P)^\top \mathbf{1}_B$.
                                                                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_kronecker_with_vec(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{p \times q}$,
        $X \in \mathbb{R}^{q \times n}$ and $Y \in \mathbb{R}^{n \times q}$.
        Fine: $(A \otimes B) \operatorname{vec}(X)$. Wrong: $(A \otimes B) \operatorname{vec}(A)$.
                                                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_norms_are_scalars(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Then $\|x\| A$, $\|Ax - y\|^2 x$, $\|A\|_F y$ and $\frac{x}{\|x\|_2}$ are fine.
        """,
    )
    assert found(result) == set()


def test_fractions(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Fine: $\frac{Ax}{\|x\|} + y$, $\frac{1}{2} A x$. Wrong: $\frac{Ax}{\|x\|} + x$.
                                                                 ^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_diag(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Fine: $A \operatorname{diag}(x)$, $\operatorname{diag}(y) A$. Wrong: $\operatorname{diag}(x) A$.
                                                                              ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_diag_of_listed_entries(tmp_path: Path) -> None:
    # diag(\psi_1, \dots, \psi_p) is p×p, diag(\hat u_1^2, \ldots, \hat u_n^2) n×n, diag(4, 1)
    # 2×2; a block-diagonal diag(A_1, \dots, A_k) or entries of unknown size say nothing
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\Lambda \in \mathbb{R}^{k \times p}$, $Z \in \mathbb{R}^{L \times n}$ and $M \in \mathbb{R}^{2 \times 3}$.
        Fine: $\Lambda^\top \Lambda + \operatorname{diag}(\psi_1, \dots, \psi_p)$,
        $Z \operatorname{diag}(\hat u_1^2, \ldots, \hat u_n^2) Z^\top$, $\operatorname{diag}(4, 1) M$,
        $\operatorname{diag}(a_0, \dots, a_{n-1}) Z^\top$, $\operatorname{diag}(A_1, \dots, A_k) \Lambda$,
        $\operatorname{diag}(B_1, B_2) M$, $Z^\top \operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_L(1-\mu_L)) Z$,
        $\operatorname{diag}(a_1 b_1, \dots, a_p b_p) \Lambda^\top$ (two members: no size).
        Wrong: $\Lambda \Lambda^\top + \operatorname{diag}(\psi_1, \dots, \psi_p)$ and $M \operatorname{diag}(4, 1)$,
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        $Z \operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_L(1-\mu_L))$.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch", "matmul-mismatch")


def test_a_rate_has_the_shape_of_its_letter(tmp_path: Path) -> None:
    # \dot x, \ddot q: the time derivative of a declared letter has its shape; \hat p (the
    # skew matrix of p in robotics) and \bar A (an augmented matrix) are not read so
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$,
        $u \in \mathbb{R}^m$, $C \in \mathbb{R}^{p \times n}$, $J \in \mathbb{R}^{k \times n}$ and $p, q \in \mathbb{R}^3$.
        Fine: $\dot x = A x + B u$, $\ddot x - A \dot x$, $J \dot x$, $\hat p q$, $\bar A \dot x$.
        Wrong: $\dot x = C x$ and $\dot J + J^\top$.
                ^^^^^^^^^^^^       ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "add-mismatch")


def test_expectations_and_covariances(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\alpha \in \mathbb{R}^m$, $y \in \mathbb{R}^p$ and $Z \in \mathbb{R}^{p \times m}$, and let
        $P = \mathbb{E}[(\alpha - a)(\alpha - a)^\top \mid y]$ with $a = \mathbb{E}(\alpha \mid y)$ and
        $F = \operatorname{Var}(y)$. Fine: $Z P Z^\top + F$. Wrong: $P Z$.
                                                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_declared_blackboard_e_is_a_matrix(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\mathbb{E} \in \mathbb{R}^{k \times k}$ and $x \in \mathbb{R}^n$. Then $\mathbb{E}(x x^\top)$.
                                                                                     ^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_elementwise_functions(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{k \times d}$, $x \in \mathbb{R}^d$ and $b \in \mathbb{R}^k$.
        Fine: $\tanh(Wx + b)$, $\exp(x) \odot x$. Wrong: $\exp(Wx) + x$ and $\log(x) \odot b$.
                                                          ^^^^^^^^^^^^       ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "elementwise-mismatch")


def test_sum_with_index(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $w_t \in \mathbb{R}^d$, $x \in \mathbb{R}^n$ and $W \in \mathbb{R}^{n \times d}$.
        Fine: $\sum_{t=1}^T W w_t + x$, $\sum_{i=1}^n x_i$. Wrong: $\sum_{t=1}^T w_t + x$.
                                                                    ^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_block_matrices(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{m \times p}$, $x \in \mathbb{R}^n$,
        $z \in \mathbb{R}^p$ and $y \in \mathbb{R}^m$.
        Fine: $\begin{bmatrix} A & B \end{bmatrix} \begin{bmatrix} x \\ z \end{bmatrix} = y$.
        Wrong: $\begin{bmatrix} A & B \end{bmatrix} x$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_relation_chains(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$ and
        $C \in \mathbb{R}^{m \times m}$.
        Fine: $y = Ax = C y$ and $y^\top y \le \|A\|^2 \|x\|^2$. Wrong: $y = Ax = x$.
                                                                             ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_relation_chain_in_display(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        \begin{equation}
          \|Ax - y\|^2 = (Ax - y)^\top (Ax - y) = x^\top A^\top A x - 2 y^\top A x + y^\top y
        \end{equation}
        \begin{equation}
          A^\top y = A x
          ^^^^^^^^^^^^^^
        \end{equation}
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_gradient_has_the_shape_of_the_variable(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $B \in \mathbb{R}^{m \times m}$
        and $L = \|X x\|_2^2$.
        Fine: $\nabla_x L = 2 X^\top X x$, $\frac{\partial L}{\partial X} = 2 X x x^\top$.
        Wrong: $\nabla_X L = B$ and $\frac{\partial L}{\partial X} = B$.
                ^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_gradient_of_a_scalar_declared_in_prose(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\ell$ be a scalar, $\eta \in \mathbb{R}$, $W \in \mathbb{R}^{k \times d}$ and $w \in \mathbb{R}^d$.
        Fine: $\nabla_W \ell \in \mathbb{R}^{k \times d}$, $W - \eta \nabla_W \ell$.
        Wrong: $W - \eta \nabla_w \ell$.
                ^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_gradient_of_a_declared_scalar_function(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^{m \times n} \to \mathbb{R}$, $X \in \mathbb{R}^{m \times n}$ and
        $B \in \mathbb{R}^{m \times m}$. Then $\nabla_X f = B$ is wrong, and so is
                                               ^^^^^^^^^^^^^^
        $\frac{\partial f}{\partial X} = B$.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_gradient_of_a_call(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f : \mathbb{R}^n \to \mathbb{R}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Fine: $\nabla f(x) + x$. Wrong: $\nabla f(x) + y$.
                                         ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_gradient_in_numerator_layout_is_accepted(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $x \in \mathbb{R}^n$.
        Then $\frac{\partial x^\top A x}{\partial x} = x^\top (A + A^\top)$ in numerator layout.
        """,
    )
    assert found(result) == set()


def test_a_loss_differentiated_as_a_fraction_is_a_scalar(tmp_path: Path) -> None:
    r"""``\frac{\partial L}{\partial W}`` for a loss the document never introduces (``L``,
    ``\ell``, ``\mathcal{L}``) has W's shape, as ``\nabla_W L`` has; another undeclared letter
    (``y``) may be a vector, its derivative is unknown.  A subscripted ``\delta_1`` is an error
    vector, not a scalar coefficient."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{h \times d}$, $x \in \mathbb{R}^d$ and $G \in \mathbb{R}^{h \times k}$.
        Fine: $W - \eta \frac{\partial L}{\partial W}$, $\frac{\partial y}{\partial W} + G$ and
        $\frac{\partial \ell}{\partial W} = \delta_1 x^\top$.
        Wrong: $\frac{\partial \mathcal{L}_{\text{aux}}}{\partial W} + G$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_document_in_the_denominator_layout_says_a_transposed_gradient_is_wrong(
    tmp_path: Path,
) -> None:
    r"""The transpose of a gradient by a matrix is read as the other layout — unless the text
    says it uses the denominator layout (and names no other as its own): then
    ``\frac{\partial L}{\partial W}`` is W's shape and its transpose a mistake (and in the
    numerator layout, the other way round)."""
    text = r"""
        %! notes.md
        Let $W \in \mathbb{R}^{h \times d}$, $X \in \mathbb{R}^{n \times d}$ and
        $G \in \mathbb{R}^{n \times h}$, with $Y = X W^\top$. {said}
        Readers used to the numerator layout write it transposed,
        $\frac{\partial L}{\partial W} = X^\top G$.

        $$\frac{\partial L}{\partial W} = G^\top X, \qquad \frac{\partial L}{\partial W} = X^\top G$$
        """
    fx, result = check_fixture(
        tmp_path / "one", text.replace("{said}", "We use the denominator layout.")
    )
    ((at, _, code),) = found(result)
    assert code == "equation-mismatch"
    assert result.doc.text[at:].startswith(r"\frac{\partial L}{\partial W} = X^\top G$$")
    # in the numerator layout the other one is the mistake (the first display's: G^T X)
    fx, result = check_fixture(
        tmp_path / "num", text.replace("{said}", "We use the numerator layout.")
    )
    ((at, _, code),) = found(result)
    assert result.doc.text[at:].startswith(r"\frac{\partial L}{\partial W} = G^\top X,")
    fx, result = check_fixture(tmp_path / "none", text.replace("{said}", "Gradients are matrices."))
    assert found(result) == set()


def test_a_document_in_the_numerator_layout_says_the_untransposed_gradient_is_wrong(
    tmp_path: Path,
) -> None:
    r"""A text that says it writes the numerator layout makes ``\frac{\partial L}{\partial W}``
    of an m×n W an n×m matrix: ``\delta x^\top`` is the mistake there and ``x \delta^\top``
    right, and a step ``W - \eta \frac{\partial L}{\partial W}`` needs a transpose; the
    denominator layout says the opposite, and a text naming neither accepts all.  A sentence
    that speaks of the denominator layout, and ``\nabla_W L``, stay unjudged."""
    text = r"""
        %! notes.md
        Let $W \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and
        $\delta \in \mathbb{R}^m$. {said}
        In the denominator layout it is $\frac{\partial L}{\partial W} = \delta x^\top$,
        and the gradient is $\nabla_W L = \delta x^\top$.
        In the denominator layout the step is $W - \eta \frac{\partial L}{\partial W}$.

        $$\frac{\partial L}{\partial W} = \delta x^\top$$

        $$\frac{\partial L}{\partial W} = x \delta^\top, \qquad G = \frac{\partial L}{\partial W}$$

        Our step is $W - \eta \frac{\partial L}{\partial W}$.
        """
    wrong = {
        "We use the numerator layout.": [
            (r"\frac{\partial L}{\partial W} = \delta x^\top$$", "equation-mismatch"),
            (r"W - \eta \frac{\partial L}{\partial W}$.", "add-mismatch"),
        ],
        "We use the denominator layout.": [
            (r"\frac{\partial L}{\partial W} = x \delta^\top,", "equation-mismatch"),
        ],
        "Gradients are matrices.": [],
    }
    for said, flagged in wrong.items():
        fx, result = check_fixture(tmp_path / said[:10], text.replace("{said}", said))
        doc = result.doc.text
        got = sorted((f[0], f[2]) for f in found(result))
        assert [
            (doc[at:].startswith(what) and code)
            for (at, code), (what, _) in zip(got, flagged, strict=True)
        ] == [code for _, code in flagged], (said, got)
        if said.startswith("We use the numerator"):
            assert shape_of(result, "G").short() == "n×m"  # type: ignore[union-attr]


def test_a_matrix_defined_row_by_row_has_the_rows_of_the_matrix_they_come_from(
    tmp_path: Path,
) -> None:
    r"""``P_{i,:} = \operatorname{softmax}(Z_{i,:})`` makes an undeclared P of Z's shape, so a
    product with P is checked; a row set from a row of no known matrix says nothing."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Z \in \mathbb{R}^{B \times c}$ and $W \in \mathbb{R}^{h \times c}$, and
        $P_{i,:} = \operatorname{softmax}(Z_{i,:})$, $Q_{i,:} = \operatorname{softmax}(u_{i,:})$.
        Then $P W^\top$ and $Q W$ are fine, but $P W$ is not.
                                                 ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "P").short() == "B×c"  # type: ignore[union-attr]


def test_dimension_names_are_scalars(tmp_path: Path) -> None:
    r"""``N`` in ``\frac{1}{N}`` is the dimension of ``\mathbb{R}^{N \times D}``: a number, so
    the average gradient has a known shape and a planted error in it is found."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{N \times D}$, $w \in \mathbb{R}^D$ and $y \in \mathbb{R}^N$.
        Fine: $w - \frac{1}{N} X^\top (X w - y)$. Wrong: $\frac{1}{N} X^\top (X w - y) + y$.
                                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_declared_letter_is_no_dimension(tmp_path: Path) -> None:
    r"""``K`` declared as a matrix in one section is not the number K of ``\mathbb{R}^{N \times K}``
    elsewhere: out of its scope (a subsection of another section) it is unknown."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{One}
        \subsection{Data}
        Let $K \in \mathbb{R}^{n \times n}$ and $Y \in \mathbb{R}^{N \times K}$.

        \section{Two}
        Let $Z \in \mathbb{R}^{p \times q}$. Then $K Z$ is unknown.
        """,
    )
    assert found(result) == set()


def test_dimension_name_in_a_square_root(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Q, K \in \mathbb{R}^{N \times d_k}$. Then $\frac{Q K^\top}{\sqrt{d_k}} + Q$ is wrong.
                                                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_matrix_written_out_may_give_a_dimension_the_value_one(tmp_path: Path) -> None:
    """``C = [0; 0; 0]`` for ``C ∈ ℝ^{n×m}`` is an example with n = 3 and m = 1, and
    ``x = [1; y]`` one with a scalar y; a row written for a declared column is still wrong."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $C \in \mathbb{R}^{n \times m}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^k$. For example
        $x = \begin{bmatrix} 1 \\ y \end{bmatrix}$ and
        $C = \begin{bmatrix} 0 \\ 1 \\ 0 \end{bmatrix}$, but $x = \begin{bmatrix} 1 & 0 \end{bmatrix}$.
                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


COEFFICIENTS = [
    # undeclared lowercase Greek letters leading a product scale it
    (r"w - \eta (X w - y)", "add-mismatch"),
    (r"(X^\top X + \lambda I)^{-1} y", "matmul-mismatch"),
    (r"(X X^\top + \sigma_n^2 I)^{-1} X w", None),
    (r"2 \lambda_1 w + X^\top y", None),
    (r"X^\top X w + \eta_t y", "add-mismatch"),
    # not after the vector (\Sigma^{-1} \mu), not a letter used for vectors, not declared ones
    (r"X \mu + w", None),
    (r"\theta (X w - y) + w", None),
    (r"\gamma (X w - y) + w", None),
    # \mu(y) applies a function; 1^\top is the vector of ones, not the number
    (r"\mu(y) + w", None),
    (r"1^\top w + y", None),
]


@pytest.mark.parametrize(("expr", "code"), COEFFICIENTS)
def test_greek_coefficients(tmp_path: Path, expr: str, code: str | None) -> None:
    _, result = check_fixture(
        tmp_path,
        r"Let $X \in \mathbb{R}^{N \times D}$, $w \in \mathbb{R}^D$, $y \in \mathbb{R}^N$ and "
        r"$\gamma \in \mathbb{R}^{D \times N}$." + "\n\nThen $" + expr + "$.\n",
    )
    assert [c for _, _, c in found(result)] == ([code] if code else [])


def test_two_equations_in_one_row_separated_by_a_comma(tmp_path: Path) -> None:
    r"""``Z = X V, \qquad \hat{X} = Z V^\top`` is two equations (the parser reads one chain
    through the list ``X V, \hat{X}``): the second defines ``\hat{X}`` and each is checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$, $V \in \mathbb{R}^{p \times k}$ and $Z \in \mathbb{R}^{n \times k}$.
        Then $Z = X V, \qquad \hat{X} = Z V^\top$ and $W = Z, \quad Z = V^\top X^\top$, but $\hat{X} + Z$.
                                                                    ^^^^^^^^^^^^^^^^^        ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "add-mismatch")


def test_a_gradient_is_of_a_scalar_unless_known_otherwise(tmp_path: Path) -> None:
    r"""``\nabla_W L`` of a loss nobody declares has W's shape; ``\nabla_\theta f \big(x\big)``
    applies f to x (the brackets are no factor); a bold ``\nabla_x \mathbf{f}`` is a
    Jacobian, and a function known to be vector-valued too."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $\theta \in \mathbb{R}^p$,
        $g : \mathbb{R}^n \to \mathbb{R}^m$ and $h \in \mathbb{R}^m$.
        Then $\nabla_W L = h x^\top$ but $\nabla_W L = h h^\top$, and $\nabla_\theta f \big(x\big) + \theta$.
                                          ^^^^^^^^^^^^^^^^^^^^^
        Also $\nabla_x \mathbf{f} = W$ and $\nabla_x g = W$.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_members_of_a_labelled_family_share_its_shape(tmp_path: Path) -> None:
    r"""``h^{(t-1)}``, ``h^{(t)\top}`` of ``h^{(t)} \in \mathbb{R}^{n}``; ``W^{(l+1)}`` of
    ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}`` is n_{l+1}×n_l (see test_families.py)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $h^{(t)} \in \mathbb{R}^{n}$, $x^{(t)} \in \mathbb{R}^{d}$, $U \in \mathbb{R}^{n \times d}$ and
        $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$. Then $U x^{(t)} + h^{(t-1)}$ and $h^{(t)\top} U x^{(1)}$,
        and $W^{(l+1)} W^{(l)}$, but $U h^{(t-1)}$ and $h^{(t)} x^{(t)\top} + U^\top$ are wrong.
                                      ^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch")


def test_a_product_with_an_unknown_middle_has_the_outer_rows_and_columns(tmp_path: Path) -> None:
    r"""``A \Sigma A'`` is n×n whatever \Sigma is (a scalar or a matrix that fits); a trailing
    prime of a matrix in a product is its transpose (``C C'``), of a vector it may be a new point
    (``W x'``); text between factors joins statements, not factors."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $C \in \mathbb{R}^{n \times m}$, $W \in \mathbb{R}^{k \times n}$
        and $x \in \mathbb{R}^n$. Then $A \Sigma A' + C C'$ and $W x'$ and $W \phi(x) + W x$ are fine,
        $A \text{ for all } x$ too, but $A \Sigma A' + C' C$ is not.
                                         ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_conditional_probability_is_a_scalar(tmp_path: Path) -> None:
    r"""``p(z = j \mid x; \phi)``, ``q(z \mid x)``, ``\Pr(A \mid B)`` are numbers: what is set to
    one is a scalar weight (a responsibility), and a matrix of such weights is wrong."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^d$, $\mu \in \mathbb{R}^d$ and $\Sigma \in \mathbb{R}^{d \times d}$. Set
        $w = p(z = j \mid x; \phi)$. Then $\Sigma = w (x - \mu)(x - \mu)^\top$ is fine, and
        $\Pr(A \mid B) \, x + \mu$ too, but $\Sigma = w (x - \mu)^\top (x - \mu)$ is not.
                                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_policy_given_a_state_is_a_probability(tmp_path: Path) -> None:
    # any function of "a given s" is a probability; f(x; \theta) is a model's output
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $w \in \mathbb{R}^k$ and $\psi_t = \nabla_w \log \pi_w(a_t \mid s_t)$. Then
        $\psi_t^\top w$ is fine, $\psi_t w$ is not, and $g = f(x; w)$ has no shape.
                                  ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_sized_identities_ones_and_zeros(tmp_path: Path) -> None:
    # I_p, \mathbf{I}_p: p×p; \mathbf{1}_n, 1_n, 0_n: n entries; \mathbf{0}_{m \times n}: m×n.
    # Ridge, GLS and centring formulas are checked through them; the right ones stay silent.
    _, result = check_fixture(
        tmp_path,
        r"""
        Ünï: let $X \in \mathbb{R}^{n \times p}$, $y \in \mathbb{R}^{n}$, $\mu \in \mathbb{R}^{p}$.

        Right: $\hat\beta = (X^\top X + \lambda I_p)^{-1} X^\top y$,
        $(X X^\top + \lambda \mathbf{I}_{n})^{-1} y$, $Z = X - \mathbf{1}_n \mu^\top$,
        $X - 1_n \mu^\top$, $X + \mathbf{0}_{n \times p}$, $\mu + 0_p$.

        Wrong: $(X^\top X + \lambda I_n)^{-1}$, $(X X^\top + \lambda \mathbf{I}_p)^{-1}$,
        $X - \mathbf{1}_p \mu^\top$, $X + \mathbf{0}_{p \times n}$, $\mu + 0_n$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == sorted(
        [
            (r"X^\top X + \lambda I_n", "add-mismatch"),
            (r"X X^\top + \lambda \mathbf{I}_p", "add-mismatch"),
            (r"X - \mathbf{1}_p \mu^\top", "add-mismatch"),
            (r"X + \mathbf{0}_{p \times n}", "add-mismatch"),
            (r"\mu + 0_n", "add-mismatch"),
        ]
    )


def test_unsized_ones_take_the_size_of_their_neighbour(tmp_path: Path) -> None:
    r"""``\mathbf{1}^\top w`` is a number and ``A\mathbf{1}`` a column, the ones sized by the
    neighbour; ``I_n - \tfrac1n \mathbf{1}\mathbf{1}^\top`` is n×n (the centring matrix), so a
    centring on the wrong side and a mean scaled by ``\mathbf{1}^\top w`` are checked."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$, $y, w \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.
        With $C = I_n - \frac{1}{n}\mathbf{1}\mathbf{1}^\top$ and $\bar y = w^\top y / \mathbf{1}^\top w$,
        $d = A\mathbf{1}$: right are $C X$, $y - \bar y \mathbf{1}_n$, $d + A y$;
        wrong are $X C$, $y - \bar y \mathbf{1}_p$, $d + y$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == sorted(
        [
            ("X C", "matmul-mismatch"),
            (r"y - \bar y \mathbf{1}_p", "add-mismatch"),
            ("d + y", "add-mismatch"),
        ]
    )
    assert shape_of(result, "C X").short() == "n×p"  # type: ignore[union-attr]


def test_ones_sized_by_the_text_have_that_size(tmp_path: Path) -> None:
    r"""``\mathbf{1}`` the text sizes ("$\mathbf{1}$ is the all-ones vector of length $N$",
    ``\mathbf{1} \in \mathbb{R}^n``) has that size: ``\mathbf{1}^\top G = \mathbf{1}`` for an
    N×N G sets a row equal to a column, and ``\mathbf{1}^\top y`` with y of another length is a
    mistake; where nothing sizes it, ``\mathbf{1}`` takes its neighbour's size as before."""
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $G \in \mathbb{R}^{N \times N}$ and $y \in \mathbb{R}^{m}$. Here $\mathbf{1}$ is the
        all-ones vector of length $N$, and $\mathbf{1}^\top G = \mathbf{1}^\top$ holds while
        $\mathbf{1}^\top G = \mathbf{1}$ and $\mathbf{1}^\top y$ do not.
        """,
    )
    text = result.doc.text
    assert [(text[d.start : d.end], d.code) for d in result.diagnostics] == [
        (r"\mathbf{1}^\top G = \mathbf{1}", "equation-mismatch"),
        (r"\mathbf{1}^\top y", "matmul-mismatch"),
    ]
    _, result = check_fixture(
        tmp_path / "in",
        r"""
        %! notes.md
        Let $\mathbf{1} \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$ and
        $B \in \mathbb{R}^{m \times m}$: $\mathbf{1}^\top A$ is a row, $\mathbf{1}^\top B$ nothing.
        """,
    )
    text = result.doc.text
    assert [(text[d.start : d.end], d.code) for d in result.diagnostics] == [
        (r"\mathbf{1}^\top B", "matmul-mismatch")
    ]
    assert shape_of(result, r"\mathbf{1}^\top A").short() == "1×n"  # type: ignore[union-attr]


def test_diag_spelled_with_a_capital_is_the_diagonal_matrix(tmp_path: Path) -> None:
    r"""``\DeclareMathOperator{\Diag}{Diag}``: ``\Diag(d)`` of a vector is the square diagonal
    matrix, as ``\operatorname{diag}(d)`` is."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $d \in \mathbb{R}^N$, $X \in \mathbb{R}^{N \times D}$ and $A \in \mathbb{R}^{N \times N}$.
        With $P = \operatorname{Diag}(d)^{-1} A$, $P X$ is right and $X P$ wrong.
        """,
    )
    text = result.doc.text
    assert [(text[d.start : d.end], d.code) for d in result.diagnostics] == [
        ("X P", "matmul-mismatch")
    ]


def test_heads_side_by_side_a_row_defined_by_its_transpose_and_sizes_for_the_matrix(
    tmp_path: Path,
) -> None:
    r"""``[H_1 \cdots H_h]`` of T×d_k heads is T×(h d_k); ``q^\top = x^\top W`` makes q the
    d_k-vector ``W^\top x``; "$K_{MM}$ for the $M \times M$ one" sizes K_{MM}."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{T \times d}$, $x \in \mathbb{R}^d$, $H_i \in \mathbb{R}^{T \times d_k}$ for
        $i = 1, \dots, h$, $W \in \mathbb{R}^{d \times d_k}$ and $W^O \in \mathbb{R}^{h d_k \times d}$.
        I use $K_{NM}$ for the $N \times M$ cross-covariance matrix and $K_{MM}$ for the $M \times M$ one.
        With $q^\top = x^\top W$: right are $\begin{bmatrix} H_1 & \cdots & H_h \end{bmatrix} W^O$,
        $q^\top H_1^\top$ and $K_{NM} K_{MM}$; wrong are
        $\begin{bmatrix} H_1 & \cdots & H_h \end{bmatrix} X$, $q^\top H_1$ and $K_{MM} K_{NM}$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == sorted(
        [
            (r"\begin{bmatrix} H_1 & \cdots & H_h \end{bmatrix} X", "matmul-mismatch"),
            (r"q^\top H_1", "matmul-mismatch"),
            (r"K_{MM} K_{NM}", "matmul-mismatch"),
        ]
    )


def test_a_declared_i_keeps_its_own_shape(tmp_path: Path) -> None:
    # A document that introduces I (here a vector) means its own I_p, not an identity.
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $I \in \mathbb{R}^{n}$ and $X \in \mathbb{R}^{n \times p}$. Then $X^\top X + I_n$.
        """,
    )
    assert result.diagnostics == []


def test_a_calligraphic_i_does_not_introduce_the_letter_of_i_p(tmp_path: Path) -> None:
    # \mathcal{I}(\beta), a Fisher information (a signature made by its definition), or a
    # declared \mathcal{I} is another letter: I_p and I_n stay identities; a plain I the
    # document defines is its own (I_n then unknown)
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$, $W \in \mathbb{R}^{n \times n}$ and $\lambda > 0$.

        $$
        \mathcal{I}(\beta) = X^\top W X, \qquad \mathcal{I}_0 \in \mathbb{R}^{p \times p}
        $$

        Right: $X^\top W X + \lambda I_p$. Wrong: $X^\top W X + \lambda I_n$.

        ## Other

        Here $I = X^\top X$, so $X^\top W X + I_n$ says nothing.
        """,
    )
    text = result.doc.text
    got = sorted(text[d.start : d.end] for d in result.diagnostics)
    assert got == [r"X^\top W X + \lambda I_n"], [d.message for d in result.diagnostics]


def test_an_estimate_of_a_matrix_takes_its_shape(tmp_path: Path) -> None:
    # \hat\Sigma of \Sigma (q×q) is q×q: its defining equation is checked against it, and
    # an undefined \hat B is used as B; \hat p of a vector p (a skew-symmetric matrix in
    # robotics) and \hat y of a label (a prediction) keep no shape of theirs
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $Y \in \mathbb{R}^{n \times q}$, $X \in \mathbb{R}^{n \times p}$, $B \in \mathbb{R}^{p \times q}$,
        $\Sigma \in \mathbb{R}^{q \times q}$, $\omega \in \mathbb{R}^3$ and $R \in \mathbb{R}^{3 \times 3}$.

        Right: $\hat{\Sigma} = \frac{1}{n} (Y - X \hat{B})^\top (Y - X \hat{B})$, $R \hat{\omega} R^\top$.

        Wrong: $\hat{\Sigma} = \frac{1}{n} (Y - X \hat{B}) (Y - X \hat{B})^\top$, and $\hat{B} X$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == [
        (r"\hat{B} X", "matmul-mismatch"),
        (r"\hat{\Sigma} = \frac{1}{n} (Y - X \hat{B}) (Y - X \hat{B})^\top", "equation-mismatch"),
    ], [d.message for d in result.diagnostics]


def test_an_estimate_of_a_vector_of_parameters_takes_its_shape(tmp_path: Path) -> None:
    # \hat\mu of the n-vector \mu, \hat\beta of \beta: residuals and fitted values are sized;
    # \hat\omega (the skew matrix of an angular velocity) and \hat y (a prediction) are not
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $y, \mu \in \mathbb{R}^n$, $X \in \mathbb{R}^{n \times p}$, $\beta \in \mathbb{R}^p$, $\omega, v \in \mathbb{R}^3$.
        Right: $r = y - \hat{\mu}$, $y - X \hat\beta$, $\hat\omega v$, $y^\top \hat y$, $\hat\beta_j x$.
        Wrong: $y - \hat\beta$ and $X^\top \hat{\mu} + \hat\mu$.
                ^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_the_log_of_a_density_letter_differentiated_is_a_scalar(tmp_path: Path) -> None:
    r"""``\frac{\partial \log q}{\partial f}`` (``q`` never introduced) is a gradient of a
    log-density: f's shape, as ``\frac{\partial L}{\partial f}`` is; the log of a letter the
    text declares a vector is no scalar (its derivative is a Jacobian, of no shape here)."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $f \in \mathbb{R}^n$, $J \in \mathbb{R}^{n \times P}$ and $p \in \mathbb{R}^n$, with
        $s = \frac{\partial \log q}{\partial f}$ and $t = \frac{\partial \log p}{\partial f}$.
        Right: $J^\top s$ and $J t$. Wrong: $J s$.
        """,
    )
    text = result.doc.text
    assert [(text[d.start : d.end], d.code) for d in result.diagnostics] == [
        ("J s", "matmul-mismatch")
    ]


def test_a_hatted_matrix_built_from_blocks_or_stacked_letters_is_new(tmp_path: Path) -> None:
    # \hat A written out in blocks is an augmented matrix, not an estimate of A: it is
    # defined anew (of unknown size here), and \hat S computed from a \hat U declared with
    # its own shape (two stacked views) is 2N×2N; the estimate \hat\Sigma is still checked
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $C \in \mathbb{R}^{p \times n}$,
        $U, V \in \mathbb{R}^{N \times k}$, $S \in \mathbb{R}^{N \times N}$, $\Sigma \in \mathbb{R}^{k \times k}$.

        Augmented: $\hat A = \begin{bmatrix} A & 0 \\ -C & 0 \end{bmatrix}$, $\hat B = \begin{bmatrix} B \\ 0 \end{bmatrix}$,
        and $\hat A - \hat B K$ with $K \in \mathbb{R}^{m \times (n+p)}$.

        Stacked: $\hat U \in \mathbb{R}^{2N \times k}$ holds $U$ over $V$, $\hat S = \hat U \hat U^\top$,
        $M \in \mathbb{R}^{2N \times 2N}$ and $M \odot \hat S$; but $S \hat S$.

        Estimate: $\hat{\Sigma} = \frac{1}{N} U U^\top$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == [
        (r"S \hat S", "matmul-mismatch"),
        (r"\hat{\Sigma} = \frac{1}{N} U U^\top", "equation-mismatch"),
    ], [d.message for d in result.diagnostics]


def test_superscript_tags_name_matrices(tmp_path: Path) -> None:
    # Transformer notation: W^Q, W_i^Q, W^{\text{enc}} are declared names, not powers.
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$, $W^Q, W^K \in \mathbb{R}^{d \times d_k}$ and
        $W^{\text{enc}} \in \mathbb{R}^{d \times m}$, $b^{\text{out}} \in \mathbb{R}^{m}$.
        Each head has $W_i^V \in \mathbb{R}^{d \times d_v}$.

        Right: $Q = X W^Q$, $K = X W^K$, $S = Q K^\top$, $u = W^{\text{enc}} b^{\text{out}}$,
        $X W^{V}_i$.

        Wrong: $W^Q X$, $Q K$, $b^{\text{out}} W^{\text{enc}}$, $X^\top W_i^V$.
        """,
    )
    text = result.doc.text
    got = sorted(text[d.start : d.end] for d in result.diagnostics)
    assert got == sorted([r"W^Q X", r"Q K", r"b^{\text{out}} W^{\text{enc}}", r"X^\top W_i^V"]), [
        d.message for d in result.diagnostics
    ]


def test_a_list_of_tags_names_a_matrix(tmp_path: Path) -> None:
    # \delta^{h,\text{next}}_t, W^{(l),Q}: a superscript list of tags is a name, sized where
    # declared or defined, not a power without a shape
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$, $W^{(l),Q} \in \mathbb{R}^{d \times k}$,
        $W_x \in \mathbb{R}^{m \times d}$ and $\mathbf{u} \in \mathbb{R}^{m}$.
        Write $\boldsymbol{\delta}^{h,\text{next}}_{t} = W_x^\top \mathbf{u}$.

        Right: $X W^{(l),Q}$, $X \boldsymbol{\delta}^{h,\text{next}}_{t}$.

        Wrong: $W^{(l),Q} X$, $\mathbf{u}^\top \boldsymbol{\delta}^{h,\text{next}}_{t}$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == [
        (r"W^{(l),Q} X", "matmul-mismatch"),
        (r"\mathbf{u}^\top \boldsymbol{\delta}^{h,\text{next}}_{t}", "matmul-mismatch"),
    ], [d.message for d in result.diagnostics]


def test_a_starred_name_is_declared_and_an_undeclared_star_is_left_alone(tmp_path: Path) -> None:
    # Z_t^* (the rows of Z_t observed), \theta^\star (an optimum): names where declared; an
    # undeclared A^* (an adjoint) stays what it was, a power no rule sizes
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{k \times p}$, $H \in \mathbb{R}^{p \times p}$, $H^* \in \mathbb{R}^{k \times k}$,
        $\theta^\star \in \mathbb{R}^d$ and $A \in \mathbb{R}^{m \times n}$.

        Right: $H^* = W H W^\top$, $\theta^\star {\theta^\star}^\top$, $A^* A$.

        Wrong: $H^* = W H$, $H \theta^\star$.
        """,
    )
    text = result.doc.text
    got = sorted((text[d.start : d.end], d.code) for d in result.diagnostics)
    assert got == [("H \\theta^\\star", "matmul-mismatch"), ("H^* = W H", "equation-mismatch")], got


def test_an_undeclared_capital_exponent_is_still_a_power(tmp_path: Path) -> None:
    # A^N is no name the document gave: read as before (a power, checked like A^2 where it can).
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times n}$. Then $A^N$, $A^2$,
        $B^N B$.
        """,
    )
    text = result.doc.text
    assert [(text[d.start : d.end], d.code) for d in result.diagnostics] == [("A^2", "not-square")]


def test_a_scalar_plus_a_row_keeps_the_row_shape(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $a_0 \in \mathbb{R}$, $\mathbf{a} \in \mathbb{R}^n$, $\mathbf{B} \in \mathbb{R}^{n \times m}$,
        $x \in \mathbb{R}^m$, $z \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$.
        Right: $(a_0 + \mathbf{a}^\top \mathbf{B}) x$, $(a_0 + A) z$. Wrong: $(a_0 + \mathbf{a}^\top \mathbf{B}) z$.
        """,
    )
    text = result.doc.text
    assert [text[d.start : d.end] for d in result.diagnostics] == [
        r"(a_0 + \mathbf{a}^\top \mathbf{B}) z"
    ]


def test_a_subscript_that_is_no_dimension_is_no_size(tmp_path: Path) -> None:
    # \mathbf{1}_A is an indicator, I_k an index: only numbers and declared dimensions size.
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$ and $x \in \mathbb{R}^n$.
        Then $\mathbf{1}_A^\top x$, $I_k x$, $\mathbf{0}_{k \times n} x$; wrong: $X^\top X + I_n$.
        """,
    )
    text = result.doc.text
    assert [text[d.start : d.end] for d in result.diagnostics] == [r"X^\top X + I_n"]


def test_relu_written_with_capitals_is_elementwise(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{k \times d}$, $x \in \mathbb{R}^d$ and $b \in \mathbb{R}^k$.
        Fine: $\operatorname{ReLU}(Wx + b) + b$, $\mathrm{ReLU}(x) + x$. Wrong: $\operatorname{ReLU}(Wx) + x$.
                                                                                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_network_layers_named_in_text_keep_the_shape_of_their_argument(tmp_path: Path) -> None:
    # a normalisation, a dropout, an activation: \mathrm{LayerNorm}(X), \text{Dropout}(X),
    # \operatorname{GELU}(X) are X's shape, so the product after them is checked
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$ and $W \in \mathbb{R}^{k \times d}$.
        Fine: $\mathrm{LayerNorm}(X + X W^\top W) W^\top$, $\text{Dropout}(X) W^\top$. Wrong: $\text{LayerNorm}(X) W$ and $\operatorname{GELU}(X W^\top) W^\top$.
                                                                                               ^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_eigendecomposition_sizes_its_factors(tmp_path: Path) -> None:
    # K = U \Lambda U^\top of a known n×n K: U and \Lambda are n×n (and L of K = L L^\top);
    # K = \Phi \Phi^\top says nothing of \Phi's width; A^K = U \Lambda^K U^\top states a power
    # of A (no name A^K defined), so A^K X stays n×d after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $K \in \mathbb{R}^{n \times n}$, $S \in \mathbb{R}^{p \times p}$, $X \in \mathbb{R}^{n \times d}$ and $z \in \mathbb{R}^p$.
        Eigendecompose $K = U \Lambda U^\top$ and $S = V D V^\top$, and factor $K = L L^\top$; then $K^M = U \Lambda^M U^\top$.
        Let $G = \Phi \Phi^\top$ with $G \in \mathbb{R}^{n \times n}$; then $\Phi z$ says nothing.
        Fine: $U \Lambda U^\top X$, $L^{-1} X$, $V D^{-1} z$, $X^\top K^M X$.
        Wrong: $U \Lambda V^\top$ and $D + \Lambda$ and $L z$ and $K^M X z$.
                ^^^^^^^^^^^^^^^^       ^^^^^^^^^^^       ^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(
        fx, "matmul-mismatch", "add-mismatch", "matmul-mismatch", "matmul-mismatch", name="notes.md"
    )
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! kernels.md
        Let $K_{mm} \in \mathbb{R}^{m \times m}$, $K_{nn} \in \mathbb{R}^{n \times n}$, $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^p$.
        Factor $K_{mm} = L L^\top$ and $K_{nn} = U_k \Lambda_k U_k^\top$: $L^{-1} A$ and $A^\top L$ are fine, $U_k y$ says nothing, $A L$ is wrong.
                                                                                                                                     ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="kernels.md")


def test_an_eigendecomposition_of_each_member_listed_sizes_its_factors(tmp_path: Path) -> None:
    r"""``K_d = Q_d \Lambda_d Q_d^\top`` "for $d = 1, 2$", with ``K_1`` and ``K_2`` declared one
    by one (a Kronecker GP's factors): ``Q_1``, ``\Lambda_1`` are n_1×n_1, ``Q_2``, ``\Lambda_2``
    n_2×n_2; without the members listed (or with one not square) nothing is sized."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K_1 \in \mathbb{R}^{n_1 \times n_1}$, $K_2 \in \mathbb{R}^{n_2 \times n_2}$, $A_1 \in \mathbb{R}^{n_1 \times p}$, $n = n_1 n_2$.
        Eigendecompose each factor, $K_d = Q_d \Lambda_d Q_d^\top$ for $d = 1, 2$, and $A_e = V_e D_e V_e^\top$.
        Fine: $(\Lambda_1 \otimes \Lambda_2 + I_n)^{-1}$, $Q_1^\top K_1 Q_1$, $V_1 D_1$.
        Wrong: $\Lambda_1 \otimes \Lambda_2 + I_{n_1}$ and $Q_2 K_1$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch")


def test_a_matrix_written_against_a_bracket_multiplies_it(tmp_path: Path) -> None:
    r"""``H\big(v - \tfrac1n K \mathbf{1}_n\big)`` for the centring matrix H is a product (an
    n-vector here): the score ``A \tilde v`` with A n×q is then found wrong."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times n}$, $A \in \mathbb{R}^{n \times q}$ and $v \in \mathbb{R}^n$, and
        $H = I_n - \tfrac1n \mathbf{1}_n \mathbf{1}_n^\top$. Centred, $\tilde v = H\big(v - \tfrac1n K \mathbf{1}_n\big)$;
        the score $A^\top \tilde v$ is fine, $A \tilde v$ is not.
                                              ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_matrix_s_name_before_a_point_or_a_bracket_that_disagrees_says_nothing(
    tmp_path: Path,
) -> None:
    r"""``J(x_k)``, ``J(x)``: a matrix-valued function at a point, not a product; and
    ``H(u + w)`` whose bracket is not as tall as H is wide is left alone."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $J \in \mathbb{R}^{m \times n}$, $x_k, x \in \mathbb{R}^n$, $\lambda > 0$,
        $H \in \mathbb{R}^{n \times n}$ and $u, w \in \mathbb{R}^m$.
        Then $J(x_k)^\top J(x_k) + \lambda I_n$, $J(x) + J$ and $H(u + w)$.
        """,
    )
    assert found(result) == set()


def test_a_diagonal_of_an_unknown_vector_takes_its_size_from_its_neighbour(tmp_path: Path) -> None:
    # Sinkhorn: P = diag(u) K diag(v) is n×m like K whatever u and v are; diag(A) of a matrix
    # is a vector, so it is not sized so
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times m}$, $a \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$, and
        $P = \operatorname{diag}(u) K \operatorname{diag}(v)$. Then $K \operatorname{diag}(A)$,
        $P \mathbf{1}_m - a$ and $P^\top \mathbf{1}_n - b$ are fine, but $P^\top \mathbf{1}_n - a$ is not.
                                                                          ^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_lowercase_letter_before_an_identity_scales_it(tmp_path: Path) -> None:
    # s I_n - A (the Laplace variable), z I_p (the z-transform), h I_m (a sampling period):
    # an undeclared lowercase letter right before a sized identity is a scalar
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$ and $C \in \mathbb{R}^{p \times n}$.
        Right: $C (s I_n - A)^{-1} B$ and $\begin{bmatrix} B \\ h I_m \end{bmatrix}$. Wrong: $\det(z I_p - A)$.
                                                                                                   ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_an_underbrace_label_names_what_it_braces(tmp_path: Path) -> None:
    # \underbrace{…}_{A_{\mathrm{cl}}} and _{=: M} define the letter; a label of sizes or a
    # dimension names nothing (n stays a size); what is braced is checked as any formula
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $K \in \mathbb{R}^{m \times n}$.
        $$\dot z = \underbrace{\begin{bmatrix} A - BK & BK \\ 0 & A \end{bmatrix}}_{A_{\mathrm{cl}}} z, \qquad y = \underbrace{K B}_{=: M} u$$
        and $\underbrace{K}_{m \times n} \underbrace{\mathbf{1}_n}_{n}$, $\underbrace{B A}_{\text{wrong}}$.
                                                                                      ^^^
        Right: $\frac{1}{n} A_{\mathrm{cl}} + I_{2n}$ and $M + I_m$. Wrong: $A_{\mathrm{cl}} + I_n$ and $M + I_n$.
                                                                             ^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch", "add-mismatch")


def test_a_power_of_a_gradient_or_said_entrywise_is_taken_entry_by_entry(tmp_path: Path) -> None:
    # (\nabla_W L)^2 in Adam and a square "entrywise" are Hadamard powers; B^2 of a matrix
    # that is not square stays an error, and so does an inverse whatever the sentence says
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{m \times n}$ and $L(W) = \lVert W \rVert_F^2$.
        Adam keeps $V = \beta V + (1 - \beta) (\nabla_W L)^2$, and $S = (W - B)^{2}$ squared entrywise.

        Wrong: $B^2$. And $(B^\top)^{-1}$ even entrywise.
                ^^^        ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_the_diagonal_of_a_square_matrix_added_to_a_matrix_is_a_matrix(tmp_path: Path) -> None:
    # diag(H) is H's diagonal, a vector, or the diagonal matrix: added to I_n, the matrix
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $H \in \mathbb{R}^{n \times n}$, $G \in \mathbb{R}^{p \times p}$ and $y \in \mathbb{R}^n$.
        Right: $(I_n - \operatorname{diag}(H))^{-1} y$ and $\operatorname{diag}(H) - y$. Wrong: $I_n + \operatorname{diag}(G)$.
                                                                                                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_matrix_differentiated_by_a_scalar_has_its_shape(tmp_path: Path) -> None:
    # \partial K / \partial \theta_j: by a scalar, or by a small letter nothing introduces (a
    # hyperparameter); by a bold or declared vector, or of a vector, nothing is said
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times n}$, $\alpha, v \in \mathbb{R}^n$, $t > 0$ and $u \in \mathbb{R}^m$.
        Fine: $\alpha^\top \frac{\partial K}{\partial \theta_j} \alpha$, $\frac{d K}{d t} \alpha$.
        Wrong: $\alpha \frac{\partial K}{\partial \theta_j} \alpha$ and $u^\top \frac{d K}{d t}$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^              ^^^^^^^^^^^^^^^^^^^^^^
        Unknown: $u \frac{\partial K}{\partial \mathbf{z}}$, $u \frac{\partial K}{\partial v}$,
        $u^\top \frac{\partial v}{\partial \theta}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_the_unknown_a_linear_system_solves_for_gets_its_shape(tmp_path: Path) -> None:
    # (K + \sigma^2 I_n) \alpha = y: \alpha is an n-vector from there on in its section
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{n \times n}$, $y \in \mathbb{R}^n$, $W \in \mathbb{R}^{m \times n}$
        and $\sigma^2 > 0$. Solve $(K + \sigma^2 I_n)\alpha = y$ and $A \beta = y$ (A unknown).
        Fine: $W \alpha$, $\alpha^\top K \alpha$, $\beta^\top W$. Wrong: $\alpha W$.
                                                                          ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, r"\alpha").short() == "n"  # type: ignore[union-attr]


def test_a_log_variance_head_defines_the_vector_it_is_the_log_of(tmp_path: Path) -> None:
    # a VAE's encoder: \log \sigma^2 = W h is entry by entry, so σ is a d-vector
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! vae.md
        Let $W \in \mathbb{R}^{d \times m}$, $h, x \in \mathbb{R}^m$ and $\mu, e \in \mathbb{R}^d$.
        Then $\log \sigma^2 = W h$, $z = \mu + \sigma \odot e$ but not $\sigma \odot x$.
                                                                        ^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "elementwise-mismatch")
    assert shape_of(result, "\\sigma \\odot e").short() == "d"  # type: ignore[union-attr]


def test_a_sampled_system_s_matrices_are_sized_by_their_definitions(tmp_path: Path) -> None:
    # zero-order hold: \Phi = e^{A_c h} (a matrix exponential), \Gamma = \int_0^h e^{A_c s} ds B_c
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A_c \in \mathbb{R}^{n \times n}$, $B_c \in \mathbb{R}^{n \times m}$, $h > 0$, $u \in \mathbb{R}^m$.
        \[ \Phi = e^{A_c h}, \qquad \Gamma = \int_0^h e^{A_c s} \, \mathrm{d}s \, B_c . \]
        Then $\Phi \Gamma u$ is fine, $\Phi u$ is not, nor is $\Gamma^\top \Phi u$.
                                       ^^^^^^                  ^^^^^^^^^^^^^^^^^^
        Elsewhere $\mathcal{B} u$ is another letter.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "\\Phi \\Gamma u").short() == "n"  # type: ignore[union-attr]
    assert shape_of(result, "\\mathcal{B} u") is None


def test_a_letter_redefined_from_itself_reads_its_value_before(tmp_path: Path) -> None:
    # h = W_2 h: the h on the right is W_1 x (m), not the k-vector this equation makes; after
    # it, h has k rows. A slip against the earlier value is still found.
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $W_1 \in \mathbb{R}^{m \times n}$, $W_2 \in \mathbb{R}^{k \times m}$.
        We first compute $h = W_1 x$, and then $h = W_2 h$, so that $W_2^\top h$ is fine.
        Then $g = W_1 x$, and then $g = W_1 g$ is a slip.
                                        ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_mismatch_inside_an_expectation_is_said_once(tmp_path: Path) -> None:
    # the body of \mathbb{E}[…] is inferred twice; each slip is still one diagnostic
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $z \in \mathbb{R}^n$ and $\mu \in \mathbb{R}^m$. Then $\Sigma = \mathbb{E}[(z-\mu)(z-\mu)^\top]$.
                                                                                        ^^^^^  ^^^^^
        """,
    )
    assert [(d.start, d.end) for d in result.diagnostics if d.code == "add-mismatch"] == sorted(
        fx.ranges[fx.main]
    )


def test_an_undeclared_greek_coefficient_over_a_count_scales(tmp_path: Path) -> None:
    # \frac{\lambda}{m} W: a weight decay over the batch size scales W, so the sum with a
    # matrix of another shape is checked; over a Greek letter (a ratio the text may size
    # otherwise, \frac{\sigma_1}{\sigma_2}) it says nothing
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{n \times k}$, $G \in \mathbb{R}^{n \times k}$, $V \in \mathbb{R}^{k \times n}$, $m \in \mathbb{N}$.
        Right: $G + \frac{\lambda}{m} W$, $G - \tfrac{\eta}{2m} W$, $V + \frac{\rho}{\tau} W$.
        Wrong: $V + \frac{\lambda}{m} W$.
        """,
    )
    text = result.doc.text
    got = [(text[d.start : d.end], d.code) for d in result.diagnostics]
    assert got == [(r"V + \frac{\lambda}{m} W", "add-mismatch")], got


def test_a_ratio_of_undeclared_squared_greek_letters_scales(tmp_path: Path) -> None:
    # the Bayesian ridge's \frac{\sigma^2}{\tau^2} I and a mixed model's (\sigma^2/\sigma_u^2) I:
    # a ratio of variances is a scalar, so the identity's size is checked (a ratio of letters
    # not squared, \frac{\rho}{\tau}, stays unsized: see the test above)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$ and $Z \in \mathbb{R}^{n \times q}$.
        Right: $X^\top X + \frac{\sigma^2}{\tau^2} I_p$, $Z^\top Z + (\sigma^2/\sigma_u^2) I_q$.
        Wrong: $X^\top X + \frac{\sigma^2}{\tau^2} I_n$ and $Z^\top Z + (\sigma^2/\sigma_u^2) I_n$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_diffusion_schedule_scales_as_a_coefficient(tmp_path: Path) -> None:
    # \bar\alpha_t, undeclared (the product of the \alpha_s), under a square root or in
    # 1 - \bar\alpha_t scales x_0, \epsilon and the identity: x_t and \Sigma_t get shapes
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_0, \mu, \epsilon \in \mathbb{R}^D$ and $\Sigma \in \mathbb{R}^{D \times D}$, and
        $x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon$ with
        $\Sigma_t = \bar\alpha_t \Sigma + (1 - \bar\alpha_t) I_D$.
        Right: $\Sigma_t^{-1} (x_t - \sqrt{\bar\alpha_t}\, \mu)$. Wrong: $x_t \Sigma_t^{-1}$.
                                                                          ^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_vector_function_named_alone_is_its_value(tmp_path: Path) -> None:
    # r for r(x_k) of r : R^n -> R^m, as Gauss-Newton notes write J^T r: an m-vector, and
    # r(x) = 0 (a root sought) defines no scalar function over it; a composition r \circ g
    # of maps, a scalar map named alone and an entry r_i say nothing
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $J \in \mathbb{R}^{m \times n}$, $p \in \mathbb{R}^n$, $r : \mathbb{R}^n \to \mathbb{R}^m$,
        $g : \mathbb{R}^k \to \mathbb{R}^n$ and $f : \mathbb{R}^n \to \mathbb{R}$. We look for $r(x) = 0$.
        Right: $J^\top r$, $J p + r$, $r \circ g$, $f p$, $r_i p$.
        Wrong: $J r$.
                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_gradient_of_a_log_density_has_the_shape_of_its_variables(tmp_path: Path) -> None:
    r"""``\nabla \log p(y \mid \hat f)`` with no subscript (R&W's GP classification): y and f
    both n-vectors, whichever it is taken by the gradient is an n-vector (``\hat f``, the mode
    where the density of f is taken, is f's).  Variables of different shapes, or one of
    unknown shape (``X``, ``\tilde f``), say nothing."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K \in \mathbb{R}^{m \times n}$, $f \in \mathbb{R}^n$, $y \in \{-1, 1\}^n$, $z \in \mathbb{R}^m$.
        Fine: $K \nabla \log p(y \mid f)$, $K \nabla \log p(y \mid \hat f)$. Wrong: $K^\top \nabla \log p(y \mid \hat f)$.
                                                                                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        Not said: $K^\top \nabla \log p(z \mid f)$, $K^\top \nabla \log p(y \mid X)$, $K^\top \nabla \log p(y \mid \tilde f)$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_the_limit_x_infinity_of_a_vector_has_its_shape(tmp_path: Path) -> None:
    r"""``x_\infty`` of ``x \in \mathbb{R}^n`` (``\xi_\infty`` of a family ``\xi_t``): the
    limit, an n-vector, also where a formula would define it otherwise (the equilibrium
    written with a term lost).  Never a norm's ``\|x\|_\infty`` nor ``H_\infty`` of a matrix,
    and a ``z_\infty`` declared itself keeps its own shape."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $\Phi, H \in \mathbb{R}^{n \times n}$, $G \in \mathbb{R}^{n \times m}$, $K \in \mathbb{R}^{m \times q}$.
        Let $\xi_t \in \mathbb{R}^q$, $z \in \mathbb{R}^q$ and $z_\infty \in \mathbb{R}^{q \times q}$.
        Fine: $x_\infty = \Phi x_\infty + G K \xi_\infty$, $\|x\|_\infty + \|H_\infty\|$, $z_\infty + I_q$. Wrong: $x_\infty = (I_n - \Phi)^{-1} G K$ and $G \xi_\infty$.
                                                                                                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "matmul-mismatch")
    (equation,) = [d for d in result.diagnostics if d.code == "equation-mismatch"]
    assert [r.message for r in equation.related][:1] == ["`x` declared ℝ^{n} here"]


def test_a_function_defined_second_in_a_row_of_two_statements(tmp_path: Path) -> None:
    r"""``T = …, \qquad V(\mathbf q) = …`` defines V as well as T: the Lagrangian that calls
    ``V(\mathbf q)`` is checked (a scalar, not a product of an unknown V), and a mistake
    beside the call is found."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $q \in \mathbb{R}^n$, $K \in \mathbb{R}^{n \times n}$, $G \in \mathbb{R}^{m \times n}$, $l \in \mathbb{R}^m$.
        $$T = \frac{1}{2} q^\top q, \qquad V(q) = \frac{1}{2} q^\top K q.$$
        Then $L(q) = V(q) - l^\top G q$ and $V(q) - G l$.
                                                    ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    from texgrad.calculus.unchecked import unknown_letters

    assert [u.message for u in unknown_letters(result)] == []  # (was: "`V` has no shape")


def test_a_kernel_of_vectors_applied_to_matrices_gives_their_gram_matrix(tmp_path: Path) -> None:
    r"""``k(\mathbf{x}, \mathbf{x}') = s^2 \exp(\dots)`` for ``\mathbf{x}, \mathbf{x}' \in
    \mathbb{R}^d`` (with "signal variance $s^2$": a number) is a kernel; ``k(Z, Z)`` and
    ``k(X, Z)`` of points stacked as rows are m×m and n×m.  Not a function of two matrices
    (``g(A, B) = \operatorname{tr}(A^\top B)``), nor matrices whose columns are not the points'
    (``k(X^\top, Z^\top)``)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Inducing points

        Let $X \in \mathbb{R}^{n \times d}$, $Z \in \mathbb{R}^{m \times d}$ and
        $A, B \in \mathbb{R}^{p \times q}$, with signal variance $s^2$ and the kernel
        $k(\mathbf{x}, \mathbf{x}') = s^2 \exp(-\lVert \mathbf{x} - \mathbf{x}' \rVert^2)$
        for $\mathbf{x}, \mathbf{x}' \in \mathbb{R}^d$, and $g(A, B) = \operatorname{tr}(A^\top B)$.
        Let $K_{mm} = k(Z, Z)$, $K_{nm} = k(X, Z)$, $G = g(A, B)$, $T = k(X^\top, Z^\top)$ and $\sigma^2 > 0$.

        Fine: $\sigma^2 K_{mm} + K_{nm}^\top K_{nm}$, $G A$, $T X$. Wrong: $\sigma^2 K_{mm} + K_{nm} K_{nm}^\top$.
                                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")
    assert shape_of(result, "K_{nm}").short() == "n×m"  # type: ignore[union-attr]
    assert shape_of(result, "K_{mm}").short() == "m×m"  # type: ignore[union-attr]
    assert shape_of(result, "T X") is None  # (T unknown: X^\top has n columns, not d)


def test_an_outer_product_of_gradients_written_with_a_trailing_transpose(tmp_path: Path) -> None:
    # the empirical Fisher F = sum_i grad l_i grad l_i^T: the transpose is of the gradient
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $\theta \in \mathbb{R}^d$, $\ell_i \in \mathbb{R}$ and $G \in \mathbb{R}^{N \times N}$.
        Then $F = \sum_i \nabla_\theta \ell_i \nabla_\theta \ell_i^\top \in \mathbb{R}^{d \times d}$ is fine,
        and so is $\nabla_\theta \log p\, \nabla_\theta \log p^\top$ with $p > 0$, but not $G + F$.
                                                                                            ^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")
