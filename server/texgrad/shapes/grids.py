r"""Declarations in Markdown tables: a table of notation with a column of shapes,

    | symbol | meaning | shape |
    |---|---|---|
    | $X$ | inputs | $B \times d$ |
    | $W_1$, $b_1$ | first layer | $d \times h$, $h$ |

gives each symbol of a row the shape written in the same row (pairwise when a cell lists
several; a single dimension is a vector's length, as in prose). A LaTeX ``tabular`` is read
the same way: rows end at ``\\``, cells at ``&``, rules (``\hline``, ``\midrule``) are no row.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from texgrad.shapes.dims import SCALAR, Shape, shape_of_space
from texgrad.shapes.formulas import tag_key
from texgrad.shapes.prose import dims_shape
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

# the header of the column of shapes, and of the column of symbols (else the first column)
_SHAPE_HEADER = re.compile(
    r"^[\W_]*(?:(?:shapes?|sizes?|dims?|dimensions?)\b|(?:type|space|domain)[\W_]*$)", re.I
)  # "Shape", "Dimensions (rows x cols)", "Space"
_SYMBOL_HEADER = re.compile(
    r"^[\W_]*(?:symbols?|notation|names?|variables?|quantit(?:y|ies)|tensors?|parameters?)[\W_]*$",
    re.I,
)
_DELIMITER = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")
_MATH = re.compile(r"\$\$?`?([^$]+?)`?\$\$?")  # also GitLab's and GitHub's $`x`$
_SCALAR_WORDS = re.compile(r"^[\W_]*(?:scalar|number|1\s*[x×]\s*1)[\W_]*$", re.I)


def from_tables(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Add to ``table`` what the Markdown tables of ``text[lo:hi]`` (one paragraph) declare."""
    if text.find("\\begin{tabular", lo, hi) >= 0:
        for grid in _tabulars(text, lo, hi):
            _from_grid(text, path, rows, table, grid)
    if text.find("|", lo, hi) < 0 or text.find("-", lo, hi) < 0:
        return
    lines = _lines(text, lo, hi)
    for k in range(1, len(lines)):
        if not _DELIMITER.fullmatch(text, *lines[k]):
            continue
        header = [text[a:b] for a, b in _cells(text, *lines[k - 1])]
        shape_col = next((i for i, h in enumerate(header) if _SHAPE_HEADER.match(h)), None)
        if shape_col is None:
            continue
        sym_col = next((i for i, h in enumerate(header) if _SYMBOL_HEADER.match(h)), 0)
        if sym_col == shape_col:
            continue
        for a, b in lines[k + 1 :]:
            if text.find("|", a, b) < 0:
                break  # the table ends
            cells = _cells(text, a, b)
            if len(cells) > max(sym_col, shape_col):
                _declare(text, path, rows, table, cells[sym_col], cells[shape_col])


def _from_grid(
    text: str,
    path: str,
    rows: list[PlacedRow],
    table: SymbolTable,
    lines: list[list[tuple[int, int]]],
) -> None:
    """A LaTeX table given as its rows of cells: the header is the first row naming a column
    of shapes; the rows after it declare."""
    for k, header in enumerate(lines):
        names = [_header_text(text[a:b]) for a, b in header]
        shape_col = next((i for i, h in enumerate(names) if _SHAPE_HEADER.match(h)), None)
        if shape_col is None:
            continue
        sym_col = next((i for i, h in enumerate(names) if _SYMBOL_HEADER.match(h)), 0)
        if sym_col == shape_col:
            return
        for cells in lines[k + 1 :]:
            if len(cells) > max(sym_col, shape_col):
                _declare(text, path, rows, table, cells[sym_col], cells[shape_col])
        return


_TEX_HEADER_MARKUP = re.compile(r"\\[A-Za-z]+\*?|[{}]")


def _header_text(cell: str) -> str:
    r"""``\textbf{Dimension}`` → ``Dimension``."""
    return _TEX_HEADER_MARKUP.sub("", cell).strip()


_TABULAR = re.compile(r"\\begin\{tabular[x*]?\}(?:\{[^{}]*\})?(?:\{(?:[^{}]|\{[^{}]*\})*\})")
_RULES = re.compile(
    r"(?:\s|\\(?:hline|toprule|midrule|bottomrule|cmidrule(?:\([^()]*\))?\{[^{}]*\}"
    r"|cline\{[^{}]*\}|addlinespace(?:\[[^\]]*\])?))*"
)


def _tabulars(text: str, lo: int, hi: int) -> Iterator[list[list[tuple[int, int]]]]:
    """The rows of cells of each ``tabular`` in ``text[lo:hi]``."""
    for m in _TABULAR.finditer(text, lo, hi):
        end = text.find("\\end{tabular", m.end(), hi)
        if end < 0:
            continue
        out = []
        for a, b in _split_outside_math(text, m.end(), end, "\\\\"):
            a = _RULES.match(text, a, b).end()  # type: ignore[union-attr]
            if a < b and text[a:b].strip():
                out.append(_split_outside_math(text, a, b, "&"))
        yield out


def _split_outside_math(text: str, a: int, b: int, sep: str) -> list[tuple[int, int]]:
    """``text[a:b]`` cut at ``sep`` outside ``$…$`` (``\\&`` is no cut; ``\\\\`` only when
    ``sep`` is it)."""
    out = []
    start, math, i = a, False, a
    while i < b:
        if text.startswith(sep, i) and not math:
            out.append((start, i))
            i += len(sep)
            start = i
            continue
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            math = not math
        i += 1
    out.append((start, b))
    return out


def _lines(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    a = lo
    while a < hi:
        b = text.find("\n", a, hi)
        b = hi if b < 0 else b
        out.append((a, b))
        a = b + 1
    return out


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The cells of a table line, split at the pipes outside math and not escaped."""
    out = []
    start, math, i = a, False, a
    while i < b:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":  # $…$, or kramdown's $$…$$
            math = not math
            i += 2 if text[i + 1 : i + 2] == "$" else 1
            continue
        if c == "|" and not math:
            out.append((start, i))
            start = i + 1
        i += 1
    out.append((start, b))
    if out and not text[out[0][0] : out[0][1]].strip():
        out = out[1:]  # | a | b |: nothing before the first pipe
    if out and not text[out[-1][0] : out[-1][1]].strip():
        out = out[:-1]
    return out


def _declare(
    text: str,
    path: str,
    rows: list[PlacedRow],
    table: SymbolTable,
    sym_cell: tuple[int, int],
    shape_cell: tuple[int, int],
) -> None:
    written = [s for node in _maths(text, rows, *sym_cell) for s in _items(node)]
    symbols = [s for s in written if s is not None and _key(s) is not None]
    if not symbols or len(symbols) != len(written):
        return  # $A = BC$, or math that did not parse: no table of symbols
    shapes: list[Shape | None]
    if _SCALAR_WORDS.match(text[shape_cell[0] : shape_cell[1]]):
        shapes = [SCALAR]
    else:
        shapes = [_shape(s) for node in _maths(text, rows, *shape_cell) for s in _items(node)]
    if len(shapes) == 1:
        shapes = shapes * len(symbols)
    if len(shapes) != len(symbols):
        return
    for sym, shape in zip(symbols, shapes, strict=True):
        key = _key(sym)
        if shape is not None and key is not None:
            table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "table"))


def _key(node: t.Node) -> tuple[str, str | None] | None:
    r"""The key a notation table declares: a letter's, or a tagged one's (``C^{u}_i``, which
    the parser leaves a power), as a formula declaring it would read it."""
    return symbol_key(node) or tag_key(node)


def _maths(text: str, rows: list[PlacedRow], a: int, b: int) -> Iterator[t.Node | None]:
    """The tree of each piece of math written in ``text[a:b]``."""
    starts = [r.start for r in rows]
    for m in _MATH.finditer(text, a, b):
        i = bisect.bisect_right(starts, m.start(1)) - 1
        row = rows[i] if i >= 0 and rows[i].start <= m.start(1) <= rows[i].end else None
        yield row.tree if row is not None else None


def _items(node: t.Node | None) -> list[t.Node | None]:
    if isinstance(node, t.List):
        return list(node.items)
    return [node]


def _shape(node: t.Node | None) -> Shape | None:
    """``B \\times d``, ``h`` (a vector's length), ``\\mathbb{R}^{B \\times d}``; not a number
    alone (``| $d$ | input size | $784$ |`` gives a dimension's value)."""
    if isinstance(node, t.Space):
        return shape_of_space(node)
    if isinstance(node, t.Number):
        return None
    return dims_shape(node, "vector")
