r"""Forms this session's own documents (tests/documents/own-*-22) showed texgrad did not read:
a step taken in an open interval of any positive length (``\tilde\mu \in (0, 2)``, the
normalised LMS step) is a number, and a scalar added to a square matrix keeps the matrix's
shape (RLS's gain written ``P x (\lambda + x x^\top P)^{-1}``: whether λ is added to every
entry or times I, the product disagrees)."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, expected, found, shape, shape_of
from texgrad.calculus.unchecked import unknown_letters


def test_a_step_in_an_open_interval_is_a_number(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Taps $\mathbf w \in \mathbb{R}^M$, regressor $\mathbf x \in \mathbb{R}^M$, error $e \in \mathbb{R}$,
        a step $\tilde\mu \in (0, 2)$ and $\gamma \in (0, 0.5)$.
        The update is $\mathbf w_{+} = \mathbf w + \tilde\mu\, e\, \mathbf x - \gamma \mathbf w$.
        """,
    )
    assert found(result) == set()
    assert unknown_letters(result) == []  # (was: "`\tilde\mu` has no shape: …")


def test_a_scalar_plus_a_square_matrix_has_the_matrix_shape(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{R}^{M \times M}$, $\mathbf x \in \mathbb{R}^M$ and $0 < \lambda \le 1$.
        The gain is $P \mathbf x (\lambda + \mathbf x^\top P \mathbf x)^{-1}$, never
        $P \mathbf x (\lambda + \mathbf x \mathbf x^\top P)^{-1}$.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert shape_of(result, r"(\lambda + \mathbf x \mathbf x^\top P)", 0) == shape("M", "M")
    assert found(result) == expected(fx, "matmul-mismatch")


def test_one_letter_twice_is_said_once_in_the_hint(tmp_path: Path) -> None:
    # "transposing `W` or transposing `W`" read as a stutter: either W may be transposed
    _, result = check_fixture(tmp_path, "Let $W \\in \\mathbb{R}^{d \\times k}$. Then $W W$.\n")
    (d,) = result.diagnostics
    assert d.message.endswith("transposing either `W` would make it agree")
    assert len(d.fixes) == 2  # (both quick fixes stay: each transposes its own W)
