r"""Sizes a document names only by the constants it writes (m of ``I_m``, ``\mathbf{1}_m``, in
no declared shape) and tells as sizes (in a fact with another name, "$n = J m$", or as the end
of a range, ``i = 1, \dots, K``): ``I_m`` is m×m and the fact holds (``I_k`` alone is no size:
tests/shapes/test_inference.py); an equation that
differs from a declared shape only in such a size says how the sizes relate there (q = m in
"$Z = I_m \otimes \mathbf{1}_r$" for Z n×q), never a mismatch.  Each fixture marks with
``^^^`` exactly where a diagnostic must be; a fixture with no marks must give none."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, expected, found

MIXED_MODEL = (
    r"Let $y \in \mathbb{R}^n$, $X \in \mathbb{R}^{n \times p}$, $Z \in \mathbb{R}^{n \times q}$ "
    r"and $G \in \mathbb{R}^{q \times q}$."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (  # m sizes I_m and 1_m only, and the fact n = J m: I_m is m×m
            r"""
            For a random intercept only, $Z = I_J \otimes \mathbf{1}_m$ with $m$ observations per
            subject, so $n = J m$ and $Z^\top Z = m I_J$. But $Z^\top Z + I_m$ cannot be formed.
                                                               ^^^^^^^^^^^^^^
            """,
            "add-mismatch",
        ),
        (  # the shape of a Kronecker product of sized identities
            r"""
            For clusters $i = 1, \dots, K$ of $m$ visits, $n = K m$, $R = I_m$ and $V = I_K \otimes R + I_m$.
                                                                                        ^^^^^^^^^^^^^^^^^^^
            """,
            "add-mismatch",
        ),
        (  # ones of a size named only by them
            r"""
            The $r$ replicates of $s$ runs, $n = r s$, give $\mathbf{1}_r$; $X^\top \mathbf{1}_r$ does not multiply.
                                                                             ^^^^^^^^^^^^^^^^^^^
            """,
            "matmul-mismatch",
        ),
    ],
)
def test_planted(tmp_path: Path, text: str, code: str) -> None:
    fx, result = check_fixture(tmp_path, MIXED_MODEL + "\n" + _dedent(text))
    assert found(result) == expected(fx, code)


@pytest.mark.parametrize(
    "text",
    [
        # a declared letter set to constants sized otherwise: the case sets q = m, no mismatch
        r"For grouped data with $m$ groups of size $r$, $n = m r$ and $Z = I_m \otimes \mathbf{1}_r$, "
        r"so $Z Z^\top = I_m \otimes \mathbf{1}_r \mathbf{1}_r^\top$ is $n \times n$ and "
        r"$V = \sigma_b^2 (I_m \otimes J_r) + \sigma^2 I_n$ with $J_r = \mathbf{1}_r\mathbf{1}_r^\top$.",
        # a Kronecker product of the right size
        r"For clusters $i = 1, \dots, K$ of $m$ visits, $n = K m$, $R = I_m$ and $V = I_K \otimes R + I_{K m}$.",
        # an indicator is no vector of ones; I_N beside a declared n may be n's identity
        r"$\mathbf{1}_A$ is the indicator of $A$, and $X^\top X + I_N$ is written loosely.",
        # sizes never told as sizes (no fact, no range): I_m may be an index's, 1_r an indicator
        r"$Z^\top Z + I_m$ and $\mathbf{1}_r^\top y$.",
        # a size that a declared shape names is not only a constant's
        r"$X^\top X + \lambda I_p$ and $Z^\top \mathbf{1}_n$.",
    ],
)
def test_correct(tmp_path: Path, text: str) -> None:
    _, result = check_fixture(tmp_path, MIXED_MODEL + "\n" + text)
    assert found(result) == set()


def test_a_dispersion_compared_with_zero_is_a_scalar(tmp_path: Path) -> None:
    r"""``\phi > 0`` (a dispersion) makes ``\phi\, (A + B)`` the sum scaled: it is checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A, B \in \mathbb{R}^{n \times n}$, $C \in \mathbb{R}^{p \times p}$, dispersion $\phi > 0$.
        Right: $\phi\, (A + B) + A$. Wrong: $\phi\, (A + B) + C$.
                                             ^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_an_inverse_of_a_borrowed_definition_is_never_a_side(tmp_path: Path) -> None:
    r"""``V`` defined in one section and used in a later one is borrowed: ``V^{-1}`` too
    (GEE notes: $V = \phi (I_K \otimes R)$ in the balanced case, then $X^\top V^{-1} X$ in
    general), while a declared letter's inverse is still checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Model

        Let $X \in \mathbb{R}^{N \times p}$, $B \in \mathbb{R}^{m \times m}$, $W \in \mathbb{R}^{m \times m}$.

        # A case

        In the balanced case $V = B B^\top$.

        # Estimation

        The estimator uses $X^\top V^{-1} X$, not $X^\top W^{-1} X$.
                                                   ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
