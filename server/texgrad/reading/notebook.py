"""Jupyter notebooks (``.ipynb``): the math of their Markdown cells.

A notebook is JSON; its Markdown cells hold the prose and the math.  :func:`markdown_of`
joins the sources of the Markdown cells (each cell's source joined exactly, as Jupyter
shows it) into one Markdown text, a blank line between cells so that no paragraph runs
from one cell into the next, and keeps where each cell starts; code and raw cells are
left out.  :func:`cell_position` maps an offset of that text back to the cell's number
(1-based, counting every cell as Jupyter does) and the line and column in the cell's own
source, which is where an editor that opens the notebook shows it.

Editors that open a notebook (VS Code) give each cell to a language server as its own
document (a ``vscode-notebook-cell:`` URI): those are read as unsaved Markdown buffers
(``protocol/paths.py``), not here.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from texgrad.reading.source import line_col, line_starts

SUFFIX = ".ipynb"


@dataclass(frozen=True)
class Notebook:
    """The Markdown text of a notebook's Markdown cells and where each starts in it."""

    text: str
    # the offset in text at which each Markdown cell starts, ascending
    starts: tuple[int, ...]
    # the number of that cell among all the notebook's cells (1-based)
    numbers: tuple[int, ...]


class NotANotebook(ValueError):
    """The text is not a notebook's JSON (the reason is the message)."""


def markdown_of(raw: str) -> Notebook:
    """The Markdown cells of the notebook ``raw`` (its JSON text), joined; raises
    :class:`NotANotebook` when ``raw`` is not one."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise NotANotebook(f"it is not JSON ({type(e).__name__})") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotANotebook("it has no list of cells")
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    at = 0
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = _source(cell.get("source"))
        starts.append(at)
        numbers.append(number)
        # a blank line after each cell: its last paragraph (or an open $$) ends with it
        part = source + ("\n" if source.endswith(("\n", "\r")) else "\n\n")
        parts.append(part)
        at += len(part)
    return Notebook("".join(parts), tuple(starts), tuple(numbers))


def _source(source: object) -> str:
    """A cell's source: a string, or a list of strings joined exactly (nbformat)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return ""


def cell_position(notebook: Notebook, offset: int) -> tuple[int, int, int]:
    """The cell (its number, 1-based) holding ``offset`` of ``notebook.text`` and the
    zero-based line and column of ``offset`` in that cell's own source."""
    if not notebook.starts:
        return 0, *line_col(line_starts(notebook.text), offset)
    i = max(0, bisect.bisect_right(notebook.starts, offset) - 1)
    start = notebook.starts[i]
    end = notebook.starts[i + 1] if i + 1 < len(notebook.starts) else len(notebook.text)
    cell = notebook.text[start:end]
    line, col = line_col(line_starts(cell), min(offset, end) - start)
    return notebook.numbers[i], line, col
