r"""Session 32's Markdown documents (tests/documents/*-32, docsb): forms of the shape check
they found, each on a short text.

- a rational power of a square matrix, Shampoo's ``L_t^{-1/4} G_t R_t^{-1/4}``, is a matrix
  of its size (only ``\pm 1/2`` were): a swapped ``R_t^{-1/4} G_t L_t^{-1/4}`` went unflagged
  (anki-shampoo-muon-32); a rational power of a rectangular matrix, maybe its entries'
  roots, is not flagged (nor sized).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

SHAMPOO = r"""
%! notes.md
Let $G \in \mathbb{R}^{m \times n}$, $L \in \mathbb{R}^{m \times m}$, $R \in \mathbb{R}^{n \times n}$ and $W \in \mathbb{R}^{m \times n}$.
Then $W - \eta\, L^{-1/4} G R^{-1/4}$ is the update, and $L^{\frac{1}{3}} G R^{-\frac{1}{3}}$ conforms.
Wrong: $W - \eta\, R^{POWER} G L^{POWER}$.
Not flagged: $W^{1/4}$ (its entries), nor $G^{-1/3}$.
"""


@pytest.mark.parametrize("power", ["-1/4", "1/4", "-\\frac{1}{4}", "1/3"])
def test_a_rational_power_of_a_square_matrix_keeps_its_size(power: str, tmp_path: Path) -> None:
    text = SHAMPOO.replace("POWER", power)
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]
