r"""Markdown tables of identities: ``| $f(\mathbf x)$ | $\nabla_{\mathbf x} f$ |``.

A cheat sheet often writes its identities as a table whose header names the function in
one column and its derivative in another, and each line gives the two cells.
:func:`markdown_tables` finds the tables of a Markdown text and the math row of every cell
(a cell holding one math span; any other cell is left out), by column:
:mod:`~texgrad.calculus.written_derivatives` pairs a header's derivative with the column of
its function and checks each line as the claim ``derivative of that cell = this cell``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from texgrad.shapes.rows import PlacedRow

_SEPARATOR = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*")


@dataclass(frozen=True)
class Table:
    header: dict[int, PlacedRow]  # column → the header cell's math row
    lines: list[dict[int, PlacedRow]]  # a line's cells, by column
    # column → the header cell as written (start, end, text): "Gradient", "Function"
    titles: dict[int, tuple[int, int, str]] = field(default_factory=dict)


def markdown_tables(text: str, rows: list[PlacedRow]) -> list[Table]:
    """The tables of ``text`` (Markdown pipes) with the math rows of their cells."""
    if "|" not in text or "--" not in text:
        return []
    lines: list[tuple[int, str]] = []
    at = 0
    for line in text.split("\n"):
        lines.append((at, line))
        at += len(line) + 1
    out: list[Table] = []
    k = 0
    while k + 1 < len(lines):
        head, sep = lines[k], lines[k + 1]
        if "|" not in head[1] or "|" not in sep[1] or not _SEPARATOR.fullmatch(sep[1]):
            k += 1
            continue
        header = _cells(head, rows)
        body: list[dict[int, PlacedRow]] = []
        k += 2
        while k < len(lines) and lines[k][1].strip().startswith("|"):
            body.append(_cells(lines[k], rows))
            k += 1
        if body:
            out.append(Table(header, body, _titles(head, rows)))
    return out


def _cells(line: tuple[int, str], rows: list[PlacedRow]) -> dict[int, PlacedRow]:
    """The math row of every cell of a table line holding exactly one."""
    start, content = line
    end = start + len(content)
    inside = [r for r in rows if start <= r.start and r.end <= end and r.tree is not None]
    lead = 1 if content.strip().startswith("|") else 0
    cells: dict[int, list[PlacedRow]] = {}
    for row in inside:
        column = _pipes(content, start, row.start, inside) - lead
        cells.setdefault(column, []).append(row)
    return {c: found[0] for c, found in cells.items() if len(found) == 1}


def _titles(line: tuple[int, str], rows: list[PlacedRow]) -> dict[int, tuple[int, int, str]]:
    """Every cell of a header line as written, by column: (start, end, its text stripped)."""
    start, content = line
    inside = [r for r in rows if start <= r.start and r.end <= start + len(content)]
    bounds = [
        i
        for i, ch in enumerate(content)
        if ch == "|"
        and not (i > 0 and content[i - 1] == "\\")
        and not any(r.start <= start + i < r.end for r in inside)
    ]
    lead = 1 if content.strip().startswith("|") else 0
    edges = (
        ([] if lead else [-1]) + bounds + ([] if content.rstrip().endswith("|") else [len(content)])
    )
    out: dict[int, tuple[int, int, str]] = {}
    for column, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
        cell = content[a + 1 : b]
        text = cell.strip()
        if text:
            left = a + 1 + (len(cell) - len(cell.lstrip()))
            out[column] = (start + left, start + left + len(text), text)
    return out


def _pipes(content: str, start: int, upto: int, rows: list[PlacedRow]) -> int:
    """The cell separators before ``upto``: pipes outside math, not escaped."""
    count = 0
    for i in range(upto - start):
        at = start + i
        if content[i] != "|" or (i > 0 and content[i - 1] == "\\"):
            continue
        if any(r.start <= at < r.end for r in rows):
            continue
        count += 1
    return count
