r"""Rules for brackets and what they group: parentheses, lists and sequences, matrices written
out (``\begin{bmatrix}``, block matrices: see ``shapes/blocks.py``), aligned rows and cases,
text with math inside."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from texgrad.shapes import messages
from texgrad.shapes.blocks import Block, Disagreement, completed, solve
from texgrad.shapes.diagnostics import Fix
from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape, same
from texgrad.shapes.primes import another_letter, transposes_with_primes
from texgrad.shapes.rules.base import RuleBase, span_key
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

# matrices whatever surrounds them; array, matrix … are matrices only inside ( ) or [ ]
# (alone they lay out rows: \begin{array}{rcl} … \end{array})
_MATRICES = frozenset("pmatrix bmatrix Bmatrix vmatrix Vmatrix psmallmatrix bsmallmatrix".split())
_DETERMINANTS = frozenset({"vmatrix", "Vmatrix"})
# the index a family of vectors is declared with: x_i \in \mathbb{R}^d
_MEMBER_LABELS = ("i", "j", "k", "n", "t")
# the letters entries are indexed by: A = (a_{ij}), [x_{kl}]
_ENTRY_INDICES = frozenset("ijklmnpqrstuv")  # (u, v: users and items, nodes)
# a wide space between blocks written side by side in brackets: \;\;, \quad, \qquad
_WIDE_GAP = re.compile(r"(?:\\;){2,}|\\q?quad")
# a space between blocks written side by side in brackets, [Q \; K]: a thick space, or a
# word's space (``[B_1\ B_2]``, ``[B_1~B_2]``: ``\ `` read with its blank dropped), never a product's
_SPACES = frozenset({"\\;", "\\:", "\\>", "\\", "~"})


class BracketRules(RuleBase):
    """Parentheses, lists, matrices, cells, text."""

    if TYPE_CHECKING:  # (rules/products.py, rules/symbols.py)

        def _identity(self, node: t.Node) -> bool: ...

        def _size(self, node: t.Node | None) -> Dim | None: ...

    def _paren(self, node: t.Paren) -> Shape | None:
        bracket = node.open.removeprefix("\\left")
        if bracket in ("(", "["):
            body = node.body
            if isinstance(body, t.Matrix):  # \left[\begin{array}{cc} … \end{array}\right]
                return self._blocks(body)
            if isinstance(body, t.Product) and self._separated(body.factors, _SPACES):
                return self._side_by_side(body)
            if isinstance(body, t.Sequence) and self._widely_separated(body.items):
                return self._beside(body.items)
            if bracket == "[" and isinstance(body, t.Sequence) and self._separated(body.items, ";"):
                return self._stacked(body)
            if self._entries(body):
                return None  # (a_{ij}): the matrix whose entries are a_{ij}, of a size not written
            inner = self.infer(body)
            if inner is None and bracket == "(" and _time(body):
                return SCALAR  # x(t), e(\tau): the time a signal is taken at, read as a factor
            return inner
        self.infer(node.body)
        return None

    def _entries(self, body: t.Node | None) -> bool:
        r"""Is ``body`` one entry with two index letters (``a_{ij}``, ``A_{i,j}``), so that the
        bracket around it builds a matrix from its entries: ``A = (a_{ij})``?"""
        if not isinstance(body, t.Sub):
            return False
        index = "".join(
            c for c in self.source[body.index.start : body.index.end] if c not in "{}, "
        )
        return len(index) == 2 and all(c in _ENTRY_INDICES for c in index)

    def _separated(self, items: tuple[t.Node, ...], mark: str | frozenset[str]) -> bool:
        """Are ``items`` written with ``mark`` (or one of the marks) and nothing else between
        each two (``Q \\; K``, ``B_1\\ B_2``, ``x; 1``)?"""
        if len(items) < 2 or not self._written_apart(items):
            return False
        marks = frozenset({mark}) if isinstance(mark, str) else mark
        gaps = (self.source[a.end : b.start] for a, b in zip(items, items[1:], strict=False))
        return all("".join(g.split()).replace("\\,", "") in marks for g in gaps)

    def _written_apart(self, items: tuple[t.Node, ...]) -> bool:
        """Is what the source holds between each two of ``items`` written there, between
        them: each is written in the text or is a macro's call of its own (``\\va_1^\\top``),
        not made together by one macro's body (``[A \\; B]`` of one call)?"""
        calls = [(i.start, i.end) for i in items if i.from_macro]
        if len(set(calls)) < len(calls):
            return False
        return all(a.end <= b.start for a, b in zip(items, items[1:], strict=False))

    def _widely_separated(self, items: tuple[t.Node, ...]) -> bool:
        """Are ``items`` written with a wide space and nothing else between each two
        (``[J \\;\\; J_\\theta]``, ``[A \\quad B]``): blocks side by side, never a product?"""
        if len(items) < 2 or not self._written_apart(items):
            return False
        gaps = (self.source[a.end : b.start] for a, b in zip(items, items[1:], strict=False))
        return all(_WIDE_GAP.fullmatch("".join(g.split())) for g in gaps)

    def _beside(self, items: tuple[t.Node, ...]) -> Shape | None:
        r"""``[J \;\; J_\theta]``: blocks side by side, which need the same rows (reported as
        a block-row's blocks are); the whole is as wide as they are together."""
        shapes = [self.infer(f) for f in items]
        known = [s for s in shapes if s is not None]
        if len(known) < len(shapes) or any(s.is_scalar for s in known):
            return None
        for factor, shape in zip(items[1:], known[1:], strict=True):
            if not self._same(shape.rows, known[0].rows, factor.start):
                first = Block("fixed", 0, 0, known[0], items[0])
                block = Block("fixed", 0, 1, shape, factor)
                self._disagreement(Disagreement(block, first, "rows"))
                return None
        return Shape(known[0].rows, _sum([s.cols for s in known]))

    def _side_by_side(self, node: t.Product) -> Shape | None:
        r"""``[Q \; K]``: matrices side by side, when they have the same rows and cannot be
        multiplied; a product when only that reading fits (``(A \; x)``); nothing said when
        both or neither fit (``[A \; B]`` of two n×n matrices)."""
        shapes = [self.infer(f) for f in node.factors]
        known = [s for s in shapes if s is not None]
        if len(known) < len(shapes) or any(s.is_scalar for s in known):
            return None
        beside = all(same(s.rows, known[0].rows) for s in known)
        product = all(same(a.cols, b.rows) for a, b in zip(known, known[1:], strict=False))
        if beside and not product:
            return Shape(known[0].rows, _sum([s.cols for s in known]))
        if product and not beside:
            return Shape(known[0].rows, known[-1].cols)
        return None

    def _stacked(self, node: t.Sequence) -> Shape | None:
        """``[x; 1]``: one above the other, as MATLAB writes it, when they have the same
        columns and one is a vector or a matrix (``[0 ; 1]`` of numbers is an interval, as
        French writes it); ``[A_1; \\dots; A_h]``, h members of one family: h times its rows.
        Never reported: the brackets may mean something else."""
        shapes = [self.infer(i) for i in node.items]
        if len(shapes) == 3 and isinstance(node.items[1], t.Dots):  # [A_1; \dots; A_h]
            members = self._members_one_to(node.items, shapes)
            return None if members is None else Shape(members[1] * members[0].rows, members[0].cols)
        known = [s for s in shapes if s is not None]
        if (
            len(known) < len(shapes)
            or all(s.is_scalar for s in known)
            or not all(same(s.cols, known[0].cols) for s in known)
        ):
            return None
        return Shape(_sum([s.rows for s in known]), known[0].cols)

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
            return self._listed(cells)  # … unless they are members 1 to N of one family
        grid = [[self._block(c, i, j) for j, c in enumerate(row)] for i, row in enumerate(cells)]
        solved = solve(grid)
        if solved.disagreements and self._all_stated_equal(solved.disagreements, node.start):
            # d_k and d_v where the text says d_k = d_v
            solved = solve(grid, lambda a, b: self._same(a, b, node.start))
        if solved.disagreements and _concatenated_vectors(grid):
            return None  # [x_k & u_k]^\top: vectors of two lengths "concatenated", sloppily
        for d in solved.disagreements:
            self._disagreement(d)
        if solved.disagreements:
            return None
        for blocks in grid:  # what the block-rows and block-columns tell of undeclared letters
            for b in blocks:
                rows, cols = solved.rows[b.row], solved.cols[b.col]
                if b.kind == "unknown" and isinstance(b.ref, t.Node) and (rows or cols):
                    self._note(b.ref, rows, cols)
        if node.env.rstrip("*") in _DETERMINANTS:
            return SCALAR
        return solved.shape

    def _completed(self, node: t.Node, rows: Dim | None, cols: Dim | None) -> Shape | None:
        r"""The shape of a matrix written out whose zeros of no written size fill what the
        factor beside it asks (``[C \; 0] \xi_k`` with ξ_k of n + m rows: the zero is p×m)."""
        if not isinstance(node, t.Matrix) or node.env.rstrip("*") not in _MATRICES:
            return None
        width = max((len(row) for row in node.rows), default=0)
        cells = [[*row, *(None,) * (width - len(row))] for row in node.rows]
        if not cells or width == 0 or any(_elided(c) for row in cells for c in row):
            return None
        grid = [[self._block(c, i, j) for j, c in enumerate(row)] for i, row in enumerate(cells)]
        return completed(grid, rows, cols)

    def _listed(self, cells: list[list[t.Node | None]]) -> Shape | None:
        r"""``[x_1 \; \cdots \; x_n]`` (scalars, columns or matrices side by side) and
        ``[\mathbf{x}_1^\top; \vdots; \mathbf{x}_N^\top]`` (rows or blocks one above the other): members
        1 to N of one family, of one shape, N a number or a dimension of the document."""
        across = len(cells) == 1
        line = cells[0] if across else [row[0] for row in cells if len(row) == 1]
        if len(line) != len(cells) and not across or len(line) < 3:
            return None
        if sum(isinstance(c, t.Dots) for c in line) != 1 or not isinstance(line[-2], t.Dots):
            return None
        members = [c for c in line if c is not None and not isinstance(c, t.Dots)]
        indices = [_index(m) for m in members]
        first, last = indices[0], indices[-1]
        if (
            len(members) != len(line) - 1 or first is None or last is None
            or not isinstance(first[1], t.Number) or first[1].text != "1"
            or any(i is None or i[0] != first[0] for i in indices)
        ):  # fmt: skip
            return None
        count = self._size(last[1])
        shapes = {self._member_shape(m) for m in members}
        if count is None or len(shapes) != 1 or None in shapes:
            return None
        (one,) = shapes
        assert one is not None
        if ONE not in (one.rows, one.cols):  # matrices: [H_1 \cdots H_h] is T × h d_k
            return (
                Shape(one.rows, count * one.cols) if across else Shape(count * one.rows, one.cols)
            )
        if across:  # (vectors stacked the other way may be a sloppy data matrix: unknown)
            return Shape(one.rows, count) if one.cols == ONE else None
        return Shape(count, one.cols) if one.rows == ONE else None

    def _member_shape(self, cell: t.Node) -> Shape | None:
        r"""The shape of ``x_1``, or of ``\mathbf{x}_1^\top``: its own, or that of the family
        declared as ``x_i``."""
        shape = self.shapes.get(span_key(cell))
        if shape is not None:
            return shape
        turned = isinstance(cell, t.Transpose)
        sub = cell.base if isinstance(cell, t.Transpose) else cell
        if not isinstance(sub, t.Sub):
            return None
        for label in _MEMBER_LABELS:
            key = symbol_key(replace(sub, index=t.Symbol(label)))
            decl = self._lookup(key, cell.start) if key is not None else None
            if decl is not None:
                return decl.shape.transposed() if turned else decl.shape
        return None

    def _block(self, cell: t.Node | None, i: int, j: int) -> Block:
        if cell is None or _zero(cell):
            return Block("zero", i, j)
        if self._identity(cell):
            return Block("identity", i, j)
        shape = self.infer(cell)
        if shape is None and isinstance(cell, t.Prime):
            shape = self._primed_block(cell)
        if shape is None:
            return Block("unknown", i, j, ref=cell)
        return Block("scalar" if shape.is_scalar else "fixed", i, j, shape, cell)

    def _primed_block(self, cell: t.Prime) -> Shape | None:
        r"""``t_i'`` as a block, ``\begin{bmatrix} \mathbf{1}_{n_i} & t_i' \end{bmatrix}``, of a
        vector or matrix ``t_i`` the document sizes: its transpose, in a document that
        transposes with primes (``Z_i D Z_i'``, ``X_i' V_i^{-1} X_i``), unless the primed
        letter is written elsewhere as one of its own (``k(x, x')``: a second point)."""
        if cell.count != 1 or any(isinstance(n, t.Prime) for n in cell.base.walk()):
            return None
        base = self.shapes.get(span_key(cell.base)) or self.infer(cell.base)
        if base is None or base.is_scalar:
            return None
        spelling = self.source[cell.start : cell.end]
        if self.path in self.table.texts:  # (asked, as every row may read it: gates.py)
            if not self._gate("primed", spelling):
                return None
        elif not transposes_with_primes(self.source) or another_letter(self.source, spelling):
            return None
        shape = base.transposed()
        self.shapes[span_key(cell)] = shape
        return shape

    def _all_stated_equal(self, found: tuple[Disagreement, ...], at: int) -> bool:
        """Does every disagreement vanish under the facts in force at ``at`` (``d_k = d_v``)?"""
        for d in found:
            assert d.block.shape is not None and d.first.shape is not None
            a, b = (d.block.shape, d.first.shape)
            pair = (a.rows, b.rows) if d.along == "rows" else (a.cols, b.cols)
            if not self._same(*pair, at):
                return False
        return True

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


def _concatenated_vectors(grid: list[list[Block]]) -> bool:
    r"""One row of columns, or one column of rows: what is often written for a concatenation
    (``\begin{bmatrix} x_k & u_k \end{bmatrix}^\top`` for the stacked state and input)."""
    fixed = [b.shape for row in grid for b in row if b.kind == "fixed" and b.shape is not None]
    if len(grid) == 1:
        return all(s.cols == ONE for s in fixed)
    return all(len(row) == 1 for row in grid) and all(s.rows == ONE for s in fixed)


def _sum(dims: list[Dim]) -> Dim:
    total = dims[0]
    for d in dims[1:]:
        total = total + d
    return total


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


def _index(cell: t.Node | None) -> tuple[object, t.Node] | None:
    r"""The family (base, transposed or not) and index of ``x_1``, ``\mathbf{x}_N^\top``."""
    turned = isinstance(cell, t.Transpose)
    sub = cell.base if isinstance(cell, t.Transpose) else cell
    if not isinstance(sub, t.Sub):
        return None
    key = symbol_key(sub.base)
    return ((key, turned), sub.index) if key is not None else None


def _elided(cell: t.Node | None) -> bool:
    r"""``\cdots``, ``\vdots``, ``\ddots`` as a cell, or entries listed with commas in one."""
    return isinstance(cell, (t.Dots, t.List, t.Sequence))


def _time(node: t.Node | None) -> bool:
    """A plain letter that names time: ``t``, ``\\tau``."""
    return (
        isinstance(node, t.Symbol)
        and node.name in ("t", "\\tau")
        and not (node.font or node.accents)
    )
