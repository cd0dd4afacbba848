r"""A row or a paragraph written again in one document (a thesis repeats its notation, the
corpus thesis of benchmarks/scale.py its chapters) is read once by ``collect``: what it
declares, relative to where it stands, is placed at each of its places — the table is the
one made when nothing is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.shapes import declarations
from texgrad.shapes.check import Checker
from texgrad.shapes.declarations import collect
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.table import SymbolTable

CHAPTER = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^{n}$.\n\n"
    "The residual is\n\\begin{equation}\n  r = A x - b\n\\end{equation}\n"
    "where $b \\in \\mathbb{R}^{m}$ is given, and $f(x) = \\|r\\|^2$.\n\n"
)
_TABLE = ("declarations", "function_definitions", "bound", "facts", "weak", "stacks",
          "signatures")  # fmt: skip


def _table(table: SymbolTable) -> dict[str, object]:
    return {name: getattr(table, name) for name in _TABLE}


def _counted(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(declarations, name)
    monkeypatch.setattr(declarations, name, lambda *a: calls.append(1) or real(*a))
    return calls


def test_rows_and_paragraphs_written_again_are_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "thesis.tex"
    text = ("\\documentclass{article}\n\\begin{document}\n\\section{One}\n" + CHAPTER
            + "\\section{Two}\n" + CHAPTER + "\\section{Three}\n" + CHAPTER
            + "\\end{document}\n")  # fmt: skip
    doc.write_text(text, encoding="utf-8")
    result = Checker().check(str(doc))
    rows = result.rows
    assert len(rows) == 3 * len({r.key for r in rows}) > 3  # (each row three times)
    texts = {result.path: result.doc.text}
    read_rows = _counted(monkeypatch, "_row_declares")
    read_prose = _counted(monkeypatch, "from_prose")
    table = collect(iter(rows), texts)
    assert len(read_rows) == len(rows) // 3
    # (the paragraph opening each chapter holds its heading: three texts; the second
    # paragraphs are one text, read once)
    assert len(read_prose) == 3 + 1
    # nothing remembered (rows without a key): each row and paragraph read at each place
    read_rows.clear()
    read_prose.clear()
    unkeyed = [PlacedRow(r.path, r.start, r.end, r.tree) for r in rows]
    fresh = collect(iter(unkeyed), texts)
    assert len(read_rows) == len(rows)
    assert len(read_prose) == 3 + 3
    assert _table(table) == _table(fresh)
    # x declared in each chapter, at each chapter's own place
    starts = [d.start for d in table.declarations["x"]]
    at = [
        text.index("$x \\in", i) + 1 for i in (text.index(s) for s in ("{One}", "{Two}", "{Three}"))
    ]
    assert starts == at
