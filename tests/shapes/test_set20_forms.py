r"""Forms the set-20 documents (tests/documents/*-20) showed texgrad did not read: sizes said
of a noun that is not "matrix" ("$X$ is the $n \times p$ fixed-effects design", "$Z$ the
$n \times q$ random-effects design"), a size in brackets after what a letter is ("the state
(an $n$-vector)"), "both $n \times n$" after two letters, a supposition with a few words
before it ("we assume a square plant, $m = p$"), and an algorithm's step
(``V \leftarrow Q P^\top``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, declaration, expected, found


@pytest.mark.parametrize(
    ("said", "letters", "size"),
    [
        (r"where $X$ is the $n \times p$ fixed-effects design.", ["X"], "n×p"),
        (r"where $y$ is a vector and, accordingly, $X$ is $n \times p$.", ["X"], "n×p"),
        (r"where $y$ is the response, $X$ the $n \times p$ fixed-effects design.", ["X"], "n×p"),
        (
            r"Each $y_i$ is drawn with $X$ a $n \times p$ positive" "\n" "definite matrix.",
            ["X"],
            "n×p",
        ),
        (r"where $X$ is the design (an $n \times p$ matrix), and", ["X"], "n×p"),
        (r"where $x$ is the state (an $n$-vector), $u$ the input (an $p$-vector).", ["x"], "n"),
        (r"where $u$ is the input (an $p$-vector), $x$ the state (an $n$-vector).", ["x"], "n"),
        (r"where the reference $r$ and $x$ are $n$-vectors.", ["r", "x"], "n"),
        (r"Stacked, with $n$ rows: $y$ is an $n$-vector, $X$ is $n \times p$, and", ["X"], "n×p"),
        (r"with orthogonal $X$ and diagonal $L$, both $n \times p$.", ["X", "L"], "n×p"),
        (
            r"With $X = \operatorname{diag}\big(\boldsymbol{\mu} \odot (\mathbf{1} - "
            r"\boldsymbol{\mu})\big) B$, an $n \times p$ matrix,",
            ["X"],
            "n×p",
        ),
    ],
)
def test_a_size_said_in_words_declares_the_letter(
    tmp_path: Path, said: str, letters: list[str], size: str
) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        %! notes.md
        Let $M \in \mathbb{{R}}^{{m \times m}}$. {said}

        $$V = M X + M x$$
              ^^^
        """,
    )
    for letter in letters:
        d = declaration(result, letter)
        assert d is not None and d.shape.short() == size, letter
    if "X" in letters:
        assert found(result) == expected(fx, "matmul-mismatch")


def test_a_list_of_sizes_after_a_hypothesis_declares_nothing(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        If $y$ is an $n$-vector, $X$ is $n \times p$ and the fit is exact.
        """,
    )
    assert declaration(result, "X") is None


def test_a_size_in_brackets_needs_a_kind_or_two_sizes(tmp_path: Path) -> None:
    # "(an $n$)" says too little; "the sum (a $p$-vector)" names no letter of its own
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        where $x$ is the index (an $n$), and the average $\bar y$ is $x$ itself.
        """,
    )
    assert declaration(result, "x") is None


def test_a_supposition_after_a_few_words_holds_on(tmp_path: Path) -> None:
    # lecture notes: "From here on we assume a square plant, $m = p$": the steady-state
    # matrix (n+p)×(n+m) is square in the displays that follow
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.tex
        Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $C \in \mathbb{R}^{p \times n}$.
        From here on we assume a square plant, $m = p$. Then
        \[ \begin{pmatrix} A - I_n & B \\ C & 0 \end{pmatrix}^{-1} \]
        is the steady-state map.

        Let $D \in \mathbb{R}^{m \times m}$, with $m = n$ in the example only.
        \[ B + D \]
           ^^^^^
        """,
        name="notes.tex",
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_an_algorithm_step_is_checked_as_an_equation(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $P \in \mathbb{R}^{q \times r}$, $Q \in \mathbb{R}^{r \times r}$, $V \in \mathbb{R}^{q \times r}$, $x \in \mathbb{R}^{q}$.

        1. set $V \leftarrow Q P^\top$;
                ^^^^^^^^^^^^^^^^^^^^^
        2. set $V \gets V - 2 P Q$ and then grow it, $V \gets \begin{bmatrix} V & x \end{bmatrix}$;
        3. set $k \gets k + 1$.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_step_that_updates_a_letter_from_itself_may_resize_it(tmp_path: Path) -> None:
    # pseudo-code: a submatrix, a projection, a transpose, a grown matrix; what follows
    # uses the new value (the letter is unsized from there, never against its old shape)
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.tex
        Let $A \in \mathbb{R}^{n \times n}$, $x \in \mathbb{R}^n$, $V \in \mathbb{R}^{n \times k}$,
        $X \in \mathbb{R}^{n \times d}$, $W \in \mathbb{R}^{d \times k}$, $M \in \mathbb{R}^{k \times m}$ and $\eta > 0$.
        \begin{enumerate}
        \item $V \gets \mathbf{0}_{n \times k}$, $x \gets x / \|x\|$, $A \gets A_{S,S}$, $x \gets x_{1:k}$;
        \item $V \gets [V \; x]$, $x \leftarrow x - \eta A x$;
        \item $X \leftarrow X W$, then $Y \leftarrow X M$.
        \end{enumerate}
        """,
        name="notes.tex",
    )
    assert found(result) == set()


def test_a_letter_set_to_blocks_of_letters_of_another_size_is_a_mismatch(tmp_path: Path) -> None:
    # control notes: "writing $\tilde C = [C \; 0_{p \times p}]$" for the p×(n+m) \tilde C;
    # a matrix of numbers stays an example's (C = [1, 0] of a 1×2 case), and so do blocks
    # whose size holds a number (a VAR(2)'s 2K×2K companion matrix for the Kp×Kp one)
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $C \in \mathbb{R}^{p \times n}$ and $\tilde C \in \mathbb{R}^{p \times (n+m)}$.

        Writing $\tilde C = \begin{pmatrix} C & 0_{p \times p} \end{pmatrix}$ is wrong,
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        $\tilde C = \begin{pmatrix} C & 0_{p \times m} \end{pmatrix}$ is right, and for one
        output and two states $C = \begin{pmatrix} 1 & 0 \end{pmatrix}$.

        The companion matrix $F \in \mathbb{R}^{Kp \times Kp}$ of lags $A_1, A_2 \in \mathbb{R}^{K \times K}$
        is, for a VAR(2), $F = \begin{bmatrix} A_1 & A_2 \\ I_K & 0_{K \times K} \end{bmatrix}$ (2K: a case).
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_unsized_zeros_take_the_size_the_factor_beside_them_asks(tmp_path: Path) -> None:
    # y_k = [C \; 0] \xi_k: the zero is p×m, so y_k is a p-vector (and checked later); a zero
    # that would need a negative size (A n×n beside an m-vector) sizes nothing
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $C \in \mathbb{R}^{p \times n}$, $\xi \in \mathbb{R}^{n+m}$, $A \in \mathbb{R}^{n \times n}$,
        $B \in \mathbb{R}^{n \times m}$ and $u \in \mathbb{R}^{m}$.

        $$y = \underbrace{\begin{pmatrix} C & 0 \end{pmatrix}}_{\tilde C} \xi, \qquad w = \begin{pmatrix} A & 0 \end{pmatrix} u$$

        $$B y + B u$$
          ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "w") is None


def test_the_rows_of_a_matrix_said_after_its_size_size_the_family(tmp_path: Path) -> None:
    # a thesis's notation list: "$X$ is the $n \times p$ design matrix, whose rows are the $x_i^T$"
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Here $X$ is the $n \times p$ design matrix, whose rows are the $x_i^T$, and $A \in \mathbb{R}^{n \times n}$.

        $$A x_i$$
          ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")  # (x_i: a p-vector)
