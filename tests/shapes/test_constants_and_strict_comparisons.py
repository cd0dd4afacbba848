r"""A loss "plus a constant" (``+ c``, ``+ C``, ``+ \text{const}``, ``+ \mathrm{const}``) is a
number where its other terms are, and "a scale $s > 0$" makes a plain Latin letter a number
as "$\lambda > 0$" makes a Greek one: each with a planted error found at its exact range, and
correct documents that must stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, expected, found


@pytest.mark.parametrize(
    "constant",
    ["c", "C", r"\text{const}", r"\mathrm{const}", r"\mathrm{const.}", r"\text{constant}"],
)
def test_a_sum_of_numbers_plus_a_constant_is_a_number(tmp_path: Path, constant: str) -> None:
    # the gradient said equal to the loss itself: a vector against a number (the sum was of
    # unknown shape, the constant's letter being declared nowhere)
    wrong = r"\nabla_w \mathcal{L} = \frac{1}{2}\|y - Xw\|^2 + " + constant
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $X \in \mathbb{{R}}^{{n \times d}}$, $y \in \mathbb{{R}}^n$ and $w \in \mathbb{{R}}^d$.
        $$ \mathcal{{L}}(w) = \frac{{1}}{{2}}\|y - Xw\|^2 + {constant} $$
        $$ {wrong} $$
           {"^" * len(wrong)}
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


@pytest.mark.parametrize(
    "row",
    [
        # C declared a matrix: a matrix added to a number (λI meant?), not checked (its
        # shape, C's under either reading, is: tests/shapes/test_own22_forms.py)
        r"$C \in \mathbb{R}^{d \times d}$ and $H = \frac{1}{2}\|y - Xw\|^2 + C$",
        # beside a vector, c is broadcast or a vector: its shape is not guessed
        r"$\nabla_w \mathcal{L} = X^\top (Xw - y) + c$",
        # c defined: its definition's shape
        r"$c = X^\top y$ and $\nabla_w \mathcal{L} = \frac{1}{2}\|y - Xw\|^2 \cdot 0 + c$",
        # a number plus a constant said equal to a number
        r"$\mathcal{L}(w) = \frac{1}{2}\|y - Xw\|^2 + \mathrm{const}$",
    ],
)
def test_a_constant_is_not_guessed_beside_arrays_or_when_given_a_meaning(
    tmp_path: Path, row: str
) -> None:
    _, result = check_fixture(
        tmp_path,
        rf"""
        Let $X \in \mathbb{{R}}^{{n \times d}}$, $y \in \mathbb{{R}}^n$ and $w \in \mathbb{{R}}^d$.
        Then {row}.
        """,
    )
    assert found(result) == set()


def test_a_latin_letter_strictly_compared_with_a_number_is_a_number(tmp_path: Path) -> None:
    # "a scale $s > 0$": s X is X scaled, so s X (s X w - y) is an n×d times an n-vector
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$, $w \in \mathbb{R}^d$, $y \in \mathbb{R}^n$ and a scale $s > 0$.
        $$ g = s X (s X w - y) $$
               ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "said",
    [
        r"a slack $s \ge 0$",  # (may be a vector's entrywise sign)
        r"a slack $s \in \mathbb{R}^n$ with $s > 0$",  # (declared: its declaration)
    ],
)
def test_a_letter_compared_otherwise_keeps_what_else_is_said(tmp_path: Path, said: str) -> None:
    _, result = check_fixture(
        tmp_path,
        rf"""
        Let $X \in \mathbb{{R}}^{{n \times d}}$, $w \in \mathbb{{R}}^d$ and {said}.
        $$ r = X w + s $$
        """,
    )
    assert found(result) == set()
