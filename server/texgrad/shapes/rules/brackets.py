r"""Rules for brackets and what they group: parentheses, lists and sequences, matrices written
out (``\begin{bmatrix}``), aligned rows and cases, text with math inside."""

from __future__ import annotations

from texgrad.shapes.dims import Shape, same
from texgrad.shapes.rules.base import RuleBase
from texgrad.syntax import tree as t


class BracketRules(RuleBase):
    """Parentheses, lists, matrices, cells, text."""

    def _paren(self, node: t.Paren) -> Shape | None:
        if node.open.removeprefix("\\left") in ("(", "["):
            return self.infer(node.body)
        self.infer(node.body)
        return None

    def _each(self, node: t.List | t.Sequence) -> None:
        for item in node.items:
            self.infer(item)
        return None

    def _cells(self, node: t.Aligned | t.Cases) -> None:
        for row in node.rows:
            for cell in row:
                self.infer(cell)
        return None

    def _text(self, node: t.Text) -> None:
        for m in node.math:
            self.infer(m)
        return None

    def _matrix(self, node: t.Matrix) -> Shape | None:
        grid = [[self.infer(c) for c in row] for row in node.rows]
        if not grid or any(s is None for row in grid for s in row):
            return None
        widths = [len(row) for row in grid]
        if len(set(widths)) != 1:
            return None
        heights = []
        for row in grid:
            h = row[0].rows  # type: ignore[union-attr]
            if not all(same(s.rows, h) for s in row):  # type: ignore[union-attr]
                return None
            heights.append(h)
        cols = []
        for j in range(widths[0]):
            w = grid[0][j].cols  # type: ignore[union-attr]
            if not all(same(row[j].cols, w) for row in grid):  # type: ignore[union-attr]
                return None
            cols.append(w)
        return Shape(sum(heights[1:], heights[0]), sum(cols[1:], cols[0]))
