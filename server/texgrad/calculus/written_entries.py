r"""A Jacobian written by its entries: ``\begin{bmatrix} \frac{\partial h_1}{\partial x_1} &
\cdots & \frac{\partial h_1}{\partial x_n} \\ \vdots & \ddots & \vdots \\ \frac{\partial
h_m}{\partial x_1} & \cdots & \frac{\partial h_m}{\partial x_n} \end{bmatrix} = A``.

A matrix whose cells are the partial derivatives ∂h_i/∂x_j of the entries of one function by
the entries of one variable, with dots for the rest, is the Jacobian of ``h`` by ``x`` — its
arrangement said by the cells themselves, not by any layout: ``h``'s index along a row's
cells the same ("rows": the m×n matrix of ∂h_i/∂x_j) or down a column's ("columns": its
transpose).  :func:`entry_jacobian` reads it as the derivative side of a claim; anything
else (a cell of another function, indices that do not run 1 … along both ways, a matrix
written out without dots, whose size may not be the Jacobian's) is no such matrix.
"""

from __future__ import annotations

from texgrad.syntax import tree as t
from texgrad.syntax.symbols import show

_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix")


def entry_jacobian(node: t.Node) -> tuple[t.Node, t.Node, str] | None:
    """(the function ``h``, the variable ``x``, "jacobian") of a matrix of entries ∂h_i/∂x_j
    (its arrangement: :func:`entries_arranged`); None for anything else."""
    read = _entries(node)
    return (read[0], read[1], "jacobian") if read is not None else None


def entries_arranged(node: t.Node) -> str | None:
    """ "rows" or "columns" for a matrix of entries (:func:`entry_jacobian`), else None."""
    read = _entries(node)
    return read[2] if read is not None else None


def _entries(node: t.Node) -> tuple[t.Node, t.Node, str] | None:
    if not isinstance(node, t.Matrix) or node.env not in _ENVIRONMENTS or len(node.rows) < 2:
        return None
    width = len(node.rows[0])
    if width < 2 or any(len(r) != width for r in node.rows):
        return None
    cells: dict[tuple[int, int], tuple[str, str, str, str]] = {}
    names: tuple[str, str] | None = None
    first: tuple[t.Node, t.Node] | None = None
    dotted = False
    for i, row in enumerate(node.rows):
        for j, cell in enumerate(row):
            if cell is None or isinstance(cell, t.Dots):
                dotted = True
                continue
            read = _cell(cell)
            if read is None:
                return None
            (fh, fi), (vx, vj), nodes = read
            if names is not None and (fh, vx) != names:
                return None
            names = (fh, vx)
            cells[(i, j)] = (fh, fi, vx, vj)
            if (i, j) == (0, 0):
                first = nodes
    last_i, last_j = len(node.rows) - 1, width - 1
    corners = [(0, 0), (0, last_j), (last_i, 0), (last_i, last_j)]
    if not dotted or first is None or any(c not in cells for c in corners):
        return None
    rows = _consistent(cells, along_row=1, down_column=3)
    columns = _consistent(cells, along_row=3, down_column=1)
    if rows and cells[(0, 0)][1] == "1" and cells[(0, 0)][3] == "1":
        return first[0], first[1], "rows"
    if columns and cells[(0, 0)][1] == "1" and cells[(0, 0)][3] == "1":
        return first[0], first[1], "columns"
    return None


def _consistent(cells: dict[tuple[int, int], tuple[str, str, str, str]], along_row: int,
                down_column: int) -> bool:  # fmt: skip
    """Whether every row's cells share the index at ``along_row`` and every column's the one
    at ``down_column``, and they differ from the first row (column) to the last."""
    by_row: dict[int, set[str]] = {}
    by_column: dict[int, set[str]] = {}
    for (i, j), read in cells.items():
        by_row.setdefault(i, set()).add(read[along_row])
        by_column.setdefault(j, set()).add(read[down_column])
    if any(len(v) != 1 for v in (*by_row.values(), *by_column.values())):
        return False
    first_row, last_row = by_row[min(by_row)], by_row[max(by_row)]
    first_col, last_col = by_column[min(by_column)], by_column[max(by_column)]
    return first_row != last_row and first_col != last_col


def _cell(cell: t.Node) -> tuple[tuple[str, str], tuple[str, str], tuple[t.Node, t.Node]] | None:
    r"""``\frac{\partial h_i}{\partial x_j}`` → ((h, i), (x, j), (the h, the x as written))."""
    if not isinstance(cell, t.Derivative) or cell.order is not None or len(cell.wrt) != 1:
        return None
    body, wrt = cell.body, cell.wrt[0]
    if not (isinstance(body, t.Sub) and isinstance(wrt, t.Sub)):
        return None
    if not (isinstance(body.base, t.Symbol) and isinstance(wrt.base, t.Symbol)):
        return None
    if body.base.accents or wrt.base.accents or body.base.name == wrt.base.name:
        return None
    fi, vj = show(body.index), show(wrt.index)
    if not (_an_index(fi) and _an_index(vj)):
        return None
    return (body.base.name, fi), (wrt.base.name, vj), (body.base, wrt.base)


def _an_index(text: str) -> bool:
    """``1``, ``n``, ``m``, ``d``: a number or one letter (not ``i+1``, not ``ij``)."""
    return text.isdigit() or (len(text) == 1 and text.isalpha())
