r"""Checking a document: read it and its project, parse, declare, infer, report.

The declarations of every file of a LaTeX project hold in all its files (a
notation chapter serves the others), and definitions (``y = Ax``) anywhere in
the project give undeclared symbols their shapes, so a document is checked in
two passes: the first learns, the second reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from texgrad.reading.document import DocumentRead, read_document
from texgrad.reading.project import Project
from texgrad.reading.source import MappedText
from texgrad.shapes.declarations import SENTENCE_BREAK, Row, SymbolTable, collect
from texgrad.shapes.diagnostics import Diagnostic, Related
from texgrad.shapes.dims import Dim, Shape
from texgrad.shapes.infer import Inference
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


@dataclass
class ParsedDocument:
    doc: DocumentRead
    rows: list[Row]


@dataclass
class CheckResult:
    path: str
    doc: DocumentRead
    diagnostics: list[Diagnostic]
    shapes: dict[int, Shape] = field(default_factory=dict)
    table: SymbolTable = field(default_factory=SymbolTable)
    # shapes of undeclared symbols as their use suggests them (rows, columns; None: unknown)
    inferred: dict[str, tuple[Dim | None, Dim | None]] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)  # the document's parsed rows


class Checker:
    """Checks documents; remembers what it has read and parsed, per path and text."""

    def __init__(self) -> None:
        self._parsed: dict[str, ParsedDocument] = {}
        # per path: row text and map (relative to the row) -> (tree, where it was parsed)
        self._trees: dict[str, dict[tuple[object, ...], tuple[t.Node | None, int]]] = {}

    def parsed(
        self,
        path: str,
        project: Project | None,
        folder: str | Path | None = None,
        text: str | None = None,
    ) -> ParsedDocument:
        """A document's parsed rows.  After an edit, only rows whose text changed are parsed
        again; the others are reused, moved by what the edit inserted before them."""
        doc = read_document(path, project=project, folder=folder, text=text)
        cached = self._parsed.get(doc.path)
        if cached is not None and cached.doc.text == doc.text:
            return cached
        old = self._trees.get(doc.path, {})
        trees: dict[tuple[object, ...], tuple[t.Node | None, int]] = {}
        rows = []
        for region in doc.regions:
            for row in region.rows:
                key = _row_key(row.text, row.start)
                hit = old.get(key)
                if hit is not None:
                    tree = t.shifted(hit[0], row.start - hit[1]) if hit[0] is not None else None
                else:
                    tree = parse_row(row.text).tree
                trees[key] = (tree, row.start)
                rows.append(Row(doc.path, row.start, row.end, tree))
        self._trees[doc.path] = trees
        result = ParsedDocument(doc, rows)
        self._parsed[doc.path] = result
        return result

    def check(
        self,
        path: str,
        project: Project | None = None,
        folder: str | Path | None = None,
        text: str | None = None,
    ) -> CheckResult:
        """Check one document (``text``: its current text, e.g. an editor buffer)."""
        target = self.parsed(path, project, folder, text)
        others = [
            self.parsed(p, project, folder)
            for p in (project.paths if project else [])
            if p != target.doc.path
        ]
        docs = [*others, target]
        table = collect((r for d in docs for r in d.rows), {d.doc.path: d.doc.text for d in docs})

        # pass 1: definitions anywhere in the project (y = Ax) give shapes to undeclared symbols
        learner = Inference(table, "", "", report=False)
        for d in docs:
            learner.path, learner.source = d.doc.path, d.doc.text
            for row in d.rows:
                learner.infer(row.tree)
        # pass 2: report on the target
        inference = Inference(table, target.doc.path, target.doc.text)
        inference.defined = learner.defined
        for row in target.rows:
            inference.infer(row.tree)
        diagnostics = (
            _redeclarations(table, target.doc.path, target.doc.text) + inference.diagnostics
        )
        diagnostics.sort(key=lambda d: (d.start, d.end))
        return CheckResult(
            target.doc.path,
            target.doc,
            diagnostics,
            inference.shapes,
            table,
            inference.evidence,
            target.rows,
        )


def _redeclarations(table: SymbolTable, path: str, text: str) -> list[Diagnostic]:
    """Conflicting declarations of one symbol in one sentence.  Papers re-declare
    symbols from section to section, and problem sets from item to item, on
    purpose (each declaration then holds until the next), so only a conflict
    within one statement is reported."""
    out = []
    for decls in table.declarations.values():
        here = sorted((d for d in decls if d.path == path), key=lambda d: d.start)
        for first, d in pairwise(here):
            if d.font != first.font or (d.shape.rows, d.shape.cols) == (
                first.shape.rows,
                first.shape.cols,
            ):
                continue
            if SENTENCE_BREAK.search(text, first.end, d.start):
                continue  # each item of a problem set may declare x afresh
            out.append(
                Diagnostic(
                    "redeclared", "warning",
                    f"`{table.written(d)}` is declared {d.shape.unicode()} here but {first.shape.unicode()} just before",
                    d.path, d.start, d.end,
                    (Related(first.path, first.start, first.end, f"`{table.written(first)}` declared {first.shape.unicode()} here"),),
                )
            )  # fmt: skip
    return out


def _row_key(text: MappedText, base: int) -> tuple[object, ...]:
    """What a row's tree depends on: its text and its map, relative to where it starts."""
    segs = tuple(
        (g.start, g.end, g.src_start - base, g.src_end - base, g.verbatim) for g in text.segments
    )
    return (text.text, segs)
