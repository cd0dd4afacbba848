r"""A notation table that defines ``*`` by an example, "$A \ast B$ & Hadamard product"
(survey-tabularx-tensors-31: a miss on main, which reads ``\ast`` as a convolution unless
the sign alone is named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

TABLE = r"""
%! survey.tex
\begin{tabular}{ll} $B \in \mathbb{R}^{J\times R}$ & factors \\ ROW \end{tabular}
Let $C \in \mathbb{R}^{K\times R}$. The Gram matrix is $(C^\top C) \ast (B^\top B)$, not $(C C^\top) \ast (B^\top B)$.
"""


@pytest.mark.parametrize(
    ("row", "codes"),
    [
        (r"$A \ast B$ & Hadamard product \\", [(2, "elementwise-mismatch")]),
        (r"$A*B$ & the Hadamard product \\", [(2, "elementwise-mismatch")]),
        (r"$A \ast B$ & convolution \\", []),  # * a convolution: no shape
        (
            r"$A \ast B \odot C$ & Hadamard product \\",
            [],
        ),  # more math than the sign between letters
    ],
)
def test_a_table_row_names_the_star_by_an_example(
    row: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    assert codes_by_line(TABLE.replace("ROW", row), tmp_path) == codes


def test_a_convolution_of_functions_named_beside_hadamard_is_no_definition(tmp_path: Path) -> None:
    # "$f * g$, unlike the Hadamard product, …": lowercase letters convolve; * stays unread
    row = r"$f * g$ & convolution, unlike the Hadamard product \\"
    assert codes_by_line(TABLE.replace("ROW", row), tmp_path) == []
