r"""Rules for brackets and what they group: parentheses, lists and sequences, matrices written
out (``\begin{bmatrix}``, block matrices: see ``shapes/blocks.py``), aligned rows and cases,
text with math inside."""

from __future__ import annotations

from typing import TYPE_CHECKING

from texgrad.shapes import messages
from texgrad.shapes.blocks import Block, Disagreement, solve
from texgrad.shapes.diagnostics import Fix
from texgrad.shapes.dims import SCALAR, Shape, same
from texgrad.shapes.rules.base import RuleBase
from texgrad.syntax import tree as t

# matrices whatever surrounds them; array, matrix … are matrices only inside ( ) or [ ]
# (alone they lay out rows: \begin{array}{rcl} … \end{array})
_MATRICES = frozenset("pmatrix bmatrix Bmatrix vmatrix Vmatrix psmallmatrix bsmallmatrix".split())
_DETERMINANTS = frozenset({"vmatrix", "Vmatrix"})


class BracketRules(RuleBase):
    """Parentheses, lists, matrices, cells, text."""

    if TYPE_CHECKING:  # (rules/products.py)

        def _identity(self, node: t.Node) -> bool: ...

    def _paren(self, node: t.Paren) -> Shape | None:
        if node.open.removeprefix("\\left") in ("(", "["):
            if isinstance(node.body, t.Matrix):  # \left[\begin{array}{cc} … \end{array}\right]
                return self._blocks(node.body)
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
        if node.env.rstrip("*") in _MATRICES:
            return self._blocks(node)
        for row in node.rows:  # an array laying out rows
            for cell in row:
                self.infer(cell)
        return None

    def _blocks(self, node: t.Matrix) -> Shape | None:
        """A matrix written out, of entries or blocks: blocks in one block-row share their
        rows, in one block-column their columns; cells of no written size (``0``, ``I``,
        a scalar) take what their block-row and block-column force."""
        width = max((len(row) for row in node.rows), default=0)
        cells = [[*row, *(None,) * (width - len(row))] for row in node.rows]  # as LaTeX pads
        if not cells or width == 0 or any(_elided(c) for row in cells for c in row):
            for written in cells:  # x_1, \dots, x_n: elided entries, of no size we can tell
                for c in written:
                    self.infer(c)
            return None
        grid = [[self._block(c, i, j) for j, c in enumerate(row)] for i, row in enumerate(cells)]
        solved = solve(grid)
        for d in solved.disagreements:
            self._disagreement(d)
        if solved.disagreements:
            return None
        for blocks in grid:  # what the block-rows and block-columns tell of undeclared letters
            for b in blocks:
                if b.kind == "unknown" and isinstance(b.ref, t.Node):
                    self._note(b.ref, solved.rows[b.row], solved.cols[b.col])
        if node.env.rstrip("*") in _DETERMINANTS:
            return SCALAR
        return solved.shape

    def _block(self, cell: t.Node | None, i: int, j: int) -> Block:
        if cell is None or _zero(cell):
            return Block("zero", i, j)
        if self._identity(cell):
            return Block("identity", i, j)
        shape = self.infer(cell)
        if shape is None:
            return Block("unknown", i, j, ref=cell)
        return Block("scalar" if shape.is_scalar else "fixed", i, j, shape, cell)

    def _disagreement(self, d: Disagreement) -> None:
        block, first = d.block.ref, d.first.ref
        assert isinstance(block, t.Node) and isinstance(first, t.Node)
        assert d.block.shape is not None and d.first.shape is not None
        fixes: tuple[Fix, ...] = ()
        turned = d.block.shape.transposed()
        if same(turned.rows if d.along == "rows" else turned.cols,
                d.first.shape.rows if d.along == "rows" else d.first.shape.cols):  # fmt: skip
            fixes = (self._transpose_fix(block),)
        message = messages.block_mismatch(
            d.along,
            self._described(first, d.first.shape),
            self._described(block, d.block.shape),
            self._hint(fixes),
        )
        related = self._related(first, block)
        self._emit("block-mismatch", message, block.start, block.end, related, fixes)


def _bare(node: t.Node) -> t.Node:
    """What is under a sign, a transpose or a font: ``0`` of ``-\\mathbf{0}^\\top``."""
    while True:
        if isinstance(node, t.Neg):
            node = node.operand
        elif isinstance(node, t.Transpose) and node.base is not None:
            node = node.base
        elif isinstance(node, t.Font):
            node = node.body
        else:
            return node


def _zero(node: t.Node) -> bool:
    r"""``0``, ``\mathbf{0}``, ``\boldsymbol 0^\top``: a zero block of no written size."""
    node = _bare(node)
    if isinstance(node, t.Number):
        return node.text == "0"
    return isinstance(node, t.Symbol) and node.name == "0" and not node.accents


def _elided(cell: t.Node | None) -> bool:
    r"""``\cdots``, ``\vdots``, ``\ddots`` as a cell, or entries listed with commas in one."""
    return isinstance(cell, (t.Dots, t.List, t.Sequence))
