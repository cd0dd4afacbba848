r"""Block matrices: the size of every block-row and block-column of a matrix written out
(``\begin{bmatrix} A & B \\ 0 & I \end{bmatrix}``), and where two blocks certainly disagree.

Plain values only: a grid of :class:`Block` (what the rule in ``rules/brackets.py`` made of
each cell) in, the whole shape and the disagreements out.  A block of known shape
(*fixed*) fixes its block-row's rows and its block-column's columns; two fixed blocks that
differ there disagree (reported).  The other cells take what their block-row and
block-column force: a zero (``0``, ``\mathbf{0}``, an empty cell) any size, an identity
(``I``, ``\lambda I``) a square one, a scalar (``1``, ``c``) one row and one column — a
scalar beside a block is read as sloppy broadcasting (``[X \; 1]``), never reported; an
unknown cell (an undeclared letter) whatever its neighbours say.  A matrix of scalar
entries and zeros only is written entry by entry: each zero is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from texgrad.shapes.dims import ONE, Dim, Shape, same

Kind = Literal["fixed", "scalar", "zero", "identity", "unknown"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: Kind
    row: int  # its block-row and block-column
    col: int
    shape: Shape | None = None  # for a fixed block
    ref: object = None  # what the caller knows it by (its syntax node)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """``block`` has other rows (``along == "rows"``) or columns than ``first``, the first
    fixed block of its block-row or block-column."""

    block: Block
    first: Block
    along: Literal["rows", "cols"]


@dataclass(frozen=True, slots=True)
class Solved:
    shape: Shape | None  # the whole, when every block-row and block-column has a size
    rows: tuple[Dim | None, ...]  # each block-row's rows
    cols: tuple[Dim | None, ...]  # each block-column's columns
    disagreements: tuple[Disagreement, ...]


def solve(grid: list[list[Block]], agree: Callable[[Dim, Dim], bool] = same) -> Solved:
    """Sizes of the block-rows and block-columns of a rectangular ``grid``; ``agree`` tells
    whether two sizes agree (under the text's facts, where the caller knows them)."""
    n_rows, n_cols = len(grid), len(grid[0]) if grid else 0
    rows: list[Dim | None] = [None] * n_rows
    cols: list[Dim | None] = [None] * n_cols
    cells = [b for row in grid for b in row]
    disagreements = _fixed(cells, rows, cols, agree)
    consistent = not disagreements and _scalars(cells, rows, cols)
    consistent = consistent and _identities(cells, rows, cols, agree)
    if consistent and all(b.kind in ("scalar", "zero") for b in cells):
        # written entry by entry (``[0; 1; 0]``): every zero is one entry
        rows = [ONE if r is None else r for r in rows]
        cols = [ONE if c is None else c for c in cols]
    shape = None
    if consistent and rows and cols and None not in rows and None not in cols:
        shape = Shape(_total(rows), _total(cols))
    return Solved(shape, tuple(rows), tuple(cols), tuple(disagreements))


def _total(dims: list[Dim | None]) -> Dim:
    total = dims[0]
    for d in dims[1:]:
        total = total + d  # type: ignore[operator]
    assert total is not None
    return total


def _fixed(
    cells: list[Block],
    rows: list[Dim | None],
    cols: list[Dim | None],
    agree: Callable[[Dim, Dim], bool] = same,
) -> list[Disagreement]:
    """The sizes fixed blocks give; each block that disagrees with the first fixed block of
    its block-row or block-column (once per block)."""
    first_in_row: dict[int, Block] = {}
    first_in_col: dict[int, Block] = {}
    out: list[Disagreement] = []
    for b in cells:
        if b.kind != "fixed" or b.shape is None:
            continue
        found: Disagreement | None = None
        first = first_in_row.setdefault(b.row, b)
        if first is not b and not agree(b.shape.rows, first.shape.rows):  # type: ignore[union-attr]
            found = Disagreement(b, first, "rows")
        first = first_in_col.setdefault(b.col, b)
        if first is not b and not agree(b.shape.cols, first.shape.cols) and found is None:  # type: ignore[union-attr]
            found = Disagreement(b, first, "cols")
        if found is not None:
            out.append(found)
    for i, b in first_in_row.items():
        rows[i] = b.shape.rows  # type: ignore[union-attr]
    for j, b in first_in_col.items():
        cols[j] = b.shape.cols  # type: ignore[union-attr]
    return out


def _scalars(cells: list[Block], rows: list[Dim | None], cols: list[Dim | None]) -> bool:
    """A scalar is one row and one column; False when a block beside it is larger."""
    for b in cells:
        if b.kind != "scalar":
            continue
        for sizes, k in ((rows, b.row), (cols, b.col)):
            if sizes[k] is None:
                sizes[k] = ONE
            elif sizes[k] != ONE:
                return False  # [X \; 1]: a column of ones meant, or an example's 1×1
    return True


def _identities(
    cells: list[Block],
    rows: list[Dim | None],
    cols: list[Dim | None],
    agree: Callable[[Dim, Dim], bool] = same,
) -> bool:
    """An identity block is square: its block-row's size gives its block-column's, and back
    (again until nothing changes); False when both are known and differ."""
    identities = [b for b in cells if b.kind == "identity"]
    changed = True
    while changed:
        changed = False
        for b in identities:
            r, c = rows[b.row], cols[b.col]
            if r is not None and c is not None:
                if not agree(r, c):
                    return False
            elif r is not None:
                cols[b.col], changed = r, True
            elif c is not None:
                rows[b.row], changed = c, True
    return True


def completed(
    grid: list[list[Block]], rows_total: Dim | None, cols_total: Dim | None
) -> Shape | None:
    r"""The whole shape of a matrix of blocks whose one block-column (or block-row) holds
    zeros alone of no written size (``[C \; 0]``), sized by what it multiplies: the
    columns it must have (``cols_total``, the rows of the factor after it) or the rows
    (``rows_total``, the columns of the factor before it).  None unless every other size is
    known, the blocks agree, and the zeros' size left over is a positive one."""
    solved = solve(grid)
    if solved.disagreements or solved.shape is not None or not grid:
        return None
    rows, cols = list(solved.rows), list(solved.cols)
    for sizes, other, total, along in (
        (cols, rows, cols_total, "col"),
        (rows, cols, rows_total, "row"),
    ):
        missing = [k for k, d in enumerate(sizes) if d is None]
        if total is None or len(missing) != 1 or None in other:
            continue
        k = missing[0]
        if any(b.kind != "zero" for row in grid for b in row if getattr(b, along) == k):
            continue
        left = total - _total([d for d in sizes if d is not None]) if len(sizes) > 1 else total
        if not _positive(left):
            continue
        sizes[k] = left
        return Shape(_total(rows), _total(cols))
    return None


def _positive(d: Dim) -> bool:
    """Is ``d`` certainly a positive size (``m``, ``2n``, ``n + m``; not ``p - n``, ``0``)?"""
    if d.is_Number:
        return int(d) > 0
    if d.is_Add:
        return bool(d.coeff >= 0 and all(c > 0 for _, c in d.terms))
    if d.is_Mul:
        return bool(d.coeff > 0)
    return True
