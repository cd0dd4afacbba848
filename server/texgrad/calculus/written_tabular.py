r"""LaTeX tables of identities: ``$f(\mathbf x)$ & $\nabla_{\mathbf x} f$ \\`` in a tabular.

The LaTeX form of :mod:`~texgrad.calculus.written_tables`: a cheat sheet's ``tabular``
(``tabularx``, ``longtable``, ``tabu``) whose first line names the function in one column
and its derivative in another; every later line gives the two cells.  :func:`latex_tables`
finds them and the math row of every cell holding exactly one math span, by column (cells
split at ``&`` and lines at ``\\`` outside math and braces; ``\hline`` and rules skipped).
"""

from __future__ import annotations

import re

from texgrad.calculus.written_tables import Table
from texgrad.shapes.rows import PlacedRow

_BEGIN = re.compile(r"\\begin\{(tabular\*?|tabularx|longtable|tabulary|tabu)\}")


def latex_tables(text: str, rows: list[PlacedRow]) -> list[Table]:
    """The tabulars of ``text`` with the math rows of their cells."""
    if "\\begin{tab" not in text and "\\begin{long" not in text:
        return []
    out: list[Table] = []
    for m in _BEGIN.finditer(text):
        end = text.find(f"\\end{{{m[1]}}}", m.end())
        if end < 0:
            continue
        start = _after_arguments(text, m.end(), end)
        inside = [r for r in rows if start <= r.start and r.end <= end and r.tree is not None]
        every = _lines(text, start, end, inside)
        titles = _titles(text, start, end, inside)
        if every and titles and not every[0]:  # `Function & Gradient \\`: headed in words
            body = [c for c in every[1:] if c]
            if body:
                out.append(Table({}, body, titles))
            continue
        lines = [c for c in every if c]
        if len(lines) >= 2:
            out.append(Table(lines[0], lines[1:], titles if lines[0] is every[0] else {}))
    return out


_RULES = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|cline\{[^}]*\}|rowcolor\{[^}]*\})\s*")
_EMPHASIS = re.compile(r"\\(?:textbf|textit|emph|textsc|bfseries|itshape)\s*(?:\{([^{}]*)\})?")


def _titles(
    text: str, start: int, end: int, rows: list[PlacedRow]
) -> dict[int, tuple[int, int, str]]:
    """The first line's cells as written (rules and emphasis dropped), by column: (start,
    end, text) of each that is not empty."""
    out: dict[int, tuple[int, int, str]] = {}
    column, depth, i, cell = 0, 0, start, start
    while i <= end:
        inside = next((r for r in rows if r.start <= i < r.end), None)
        if inside is not None:
            i = inside.end
            continue
        at_end = i == end or (text.startswith("\\\\", i) and depth == 0)
        if at_end or (i < end and text[i] == "&" and depth == 0):
            raw = text[cell:i]
            plain = _EMPHASIS.sub(lambda m: m[1] or "", _RULES.sub("", raw)).strip()
            if plain:
                left = cell + raw.find(plain[:1]) if plain[:1] in raw else cell
                out[column] = (left, left + len(plain), plain)
            if at_end:
                return out
            column, cell = column + 1, i + 1
        elif text[i] == "\\":
            i += 2
            continue
        elif text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth = max(0, depth - 1)
        i += 1
    return out


def _after_arguments(text: str, at: int, end: int) -> int:
    """Past the column specification (and a width or position) after ``\\begin{tabular}``."""
    while at < end:
        while at < end and text[at] in " \t\n":
            at += 1
        if at >= end or text[at] not in "{[":
            return at
        close = "}" if text[at] == "{" else "]"
        depth = 0
        for i in range(at, end):
            if text[i] == text[at]:
                depth += 1
            elif text[i] == close:
                depth -= 1
                if depth == 0:
                    at = i + 1
                    break
        else:
            return end
    return at


def _lines(text: str, start: int, end: int, rows: list[PlacedRow]) -> list[dict[int, PlacedRow]]:
    """Each line's cells (their math rows, one per cell), split outside math and braces."""
    out: list[dict[int, PlacedRow]] = []
    column = 0
    cells: dict[int, list[PlacedRow]] = {}
    depth = 0
    i = start
    k = 0  # the next math row
    while i < end:
        while k < len(rows) and rows[k].end <= i:
            k += 1
        if k < len(rows) and rows[k].start <= i < rows[k].end:
            cells.setdefault(column, []).append(rows[k])
            i = rows[k].end
            continue
        ch = text[i]
        if ch == "%":  # a comment to the end of its line
            nl = text.find("\n", i, end)
            i = end if nl < 0 else nl + 1
            continue
        if ch == "\\" and text.startswith("\\\\", i) and depth == 0:
            out.append({c: found[0] for c, found in cells.items() if len(found) == 1})
            cells, column = {}, 0
            i += 2
            continue
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == "&" and depth == 0:
            column += 1
        i += 1
    if cells:
        out.append({c: found[0] for c, found in cells.items() if len(found) == 1})
    return out
