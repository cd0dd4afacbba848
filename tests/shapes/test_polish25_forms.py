r"""Forms users meet that texgrad read wrongly or not at all (set 25, polish): a family
declared by one member only, its first or last (``P_0 \in \mathbb{S}^n``, ``P_N``), sizes
every ``P_k``, ``P_{k\pm1}`` of a Riccati recursion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

RICCATI = r"""
%! notes.md
Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$, $R \in \mathbb{R}^{m \times m}$ and DECL.

$$ G_k = B P_{k+1} $$

$$ H_k = B P_{k-1} $$
"""


@pytest.mark.parametrize(
    "decl",
    [r"$P_N \in \mathbb{S}^n$", r"$P_0 \in \mathbb{R}^{n \times n}$", r"$P_k \in \mathbb{S}^n$"],
)
def test_one_member_sizes_the_family(decl: str, tmp_path: Path) -> None:
    assert codes_by_line(RICCATI.replace("DECL", decl), tmp_path) == [
        (3, "matmul-mismatch"),
        (5, "matmul-mismatch"),
    ]


@pytest.mark.parametrize(
    "decl",
    [
        r"$P_0 \in \mathbb{R}^{n_0 \times n_0}$",  # a size of its own label: not the family's
        r"$P_0 \in \mathbb{S}^n$ and $P_N \in \mathbb{S}^m$",  # two: which one is unknown
        r"$P_2 \in \mathbb{S}^n$",  # not a first or last member
        r"$P_0 = 1$",  # a number (a worked example's) beside the family: not its shape
    ],
)
def test_otherwise_nothing_is_said(decl: str, tmp_path: Path) -> None:
    assert codes_by_line(RICCATI.replace("DECL", decl), tmp_path) == []
