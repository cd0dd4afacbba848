"""Chinese row statements size a family by a matrix's rows: "$X$ 的第 $i$ 行为 $x_i^\\top$"
and "$X \\in …$，其第 $i$ 行为 $x_i^\\top$" (其: its) make x_i a p-vector of X n×p."""

from __future__ import annotations

import pytest

from texgrad.shapes.check import Checker


def _codes(text: str) -> list[tuple[int, str]]:
    result = Checker().check("doc.md", text=text)
    return sorted((text.count("\n", 0, d.start) + 1, d.code) for d in result.diagnostics)


@pytest.mark.parametrize(
    "said",
    [
        r"设 $X \in \mathbb{R}^{n \times p}$，其第 $i$ 行为 $x_i^\top$。",
        r"设 $X \in \mathbb{R}^{n \times p}$。$X$ 的第 $i$ 行为 $x_i^\top$。",
        r"设 $X \in \mathbb{R}^{n \times p}$，其第 $i$ 行是 $x_i^\top$。",
    ],
)
def test_a_row_said_in_chinese_sizes_the_member(said: str) -> None:
    text = f"{said}\n\n$$ z = x_i^\\top X $$\n\n$$ w = X x_i $$\n"
    assert _codes(text) == [(3, "matmul-mismatch")]


def test_a_column_said_in_chinese() -> None:
    text = "设 $V \\in \\mathbb{R}^{n \\times k}$，其第 $j$ 列为 $v_j$。\n\n$$ z = V v_j $$\n"
    assert _codes(text) == [(3, "matmul-mismatch")]
