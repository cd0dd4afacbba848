r"""Checking a document: read it and its project, parse, declare, infer, report.

The declarations of every file of a LaTeX project hold in all its files (a
notation chapter serves the others), and definitions (``y = Ax``) anywhere in
the project give undeclared symbols their shapes, so a document is checked in
two passes: the first learns, the second reports.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, pairwise
from pathlib import Path
from typing import TypeVar

from texgrad.reading.document import DocumentRead, read_document
from texgrad.reading.edits import TextEdit
from texgrad.reading.project import Project
from texgrad.reading.regions import MathRegion
from texgrad.shapes import messages, undeclared
from texgrad.shapes.declarations import CollectMemo, collect
from texgrad.shapes.diagnostics import Diagnostic, Related
from texgrad.shapes.dims import Dim, Shape
from texgrad.shapes.incremental import (
    Change,
    History,
    RowRun,
    diagnostic_moved,
    flat_questions,
    knowledge_of,
    related_moved,
    same_answers,
    what_changed,
)
from texgrad.shapes.infer import Inference
from texgrad.shapes.questions import dimension_names
from texgrad.shapes.rows import PlacedRow, RowKey
from texgrad.shapes.rules.base import merge_evidence
from texgrad.shapes.sections import SENTENCE_BREAK, Boundaries
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.stop_points import Stopped, point
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


@dataclass
class ParsedDocument:
    doc: DocumentRead
    rows: list[PlacedRow]
    ends: list[int] = field(default_factory=list)  # per region: where its rows end in rows


class Shapes:
    """The shapes of a document's subexpressions, found by node (for hovers and hints).

    Kept per row, relative to where the row starts, so the rows an edit did not touch keep
    theirs without being inferred again.
    """

    def __init__(self, rows: list[tuple[int, int, dict[_Span, Shape]]]) -> None:
        self._rows = rows  # (row start, row end, shapes by span relative to the start), sorted
        self._starts = [r[0] for r in rows]

    def get(self, node: t.Node) -> Shape | None:
        i = bisect.bisect_right(self._starts, node.start) - 1
        while i >= 0 and self._rows[i][0] <= node.start:
            start, end, shapes = self._rows[i]
            if node.end <= end:
                return shapes.get((node.start - start, node.end - start, type(node)))
            i -= 1
        return None

    def __contains__(self, node: t.Node) -> bool:
        return self.get(node) is not None


def _ordered(project: Project | None) -> SymbolTable | None:
    """A table that knows the project's files in reading order: those that include no
    other (a section's file), by their place; a root with its own text around its
    ``\\input``s has no one place and is left out (its letters hold in every file)."""
    if project is None:
        return None
    leaves = [p for p, f in project.files.items() if not f.scan.includes]
    return SymbolTable(reading_order={p: i for i, p in enumerate(leaves)})


@dataclass
class CheckResult:
    path: str
    doc: DocumentRead
    diagnostics: list[Diagnostic]
    shapes: Shapes = field(default_factory=lambda: Shapes([]))
    table: SymbolTable = field(default_factory=SymbolTable)
    # shapes of undeclared symbols as their use suggests them (rows, columns; None: unknown)
    inferred: dict[str, tuple[Dim | None, Dim | None]] = field(default_factory=dict)
    rows: list[PlacedRow] = field(default_factory=list)  # the document's parsed rows
    stats: dict[str, int] = field(default_factory=dict)  # rows inferred again / reused


_Span = tuple[int, int, type]
_T = TypeVar("_T")


class Checker:
    """Checks documents; remembers what it has read, parsed and inferred, per path and text.

    After an edit, rows whose text did not change are not parsed again, and are not
    inferred again unless they use a symbol whose knowledge changed — one whose
    declarations, definitions (``y = Ax``) or signatures differ, or lie near the edit
    (where the text around a declaration decides its scope) — and the questions they
    asked about it (``Inference.asked``) now get other answers (see shapes/incremental.py).
    """

    def __init__(self) -> None:
        self._parsed: dict[str, ParsedDocument] = {}
        # per path: row text and map (relative to the row) -> (tree, where it was parsed)
        self._trees: dict[str, dict[RowKey, tuple[t.Node | None, int]]] = {}
        self._history: dict[str, History] = {}
        self._collected: dict[str, CollectMemo] = {}  # per checked document

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
            # the same text read in another project (other macros) reads as other rows
            if cached.doc.regions is doc.regions or cached.doc.regions == doc.regions:
                return cached
            cached = None
        known = self._trees.get(doc.path, {})
        splice = doc.splice
        if cached is not None and splice is not None and splice.previous is cached.doc.regions:
            # regions kept or moved by the edit: their rows were parsed last time
            kept, moved, d = splice.kept, splice.moved, splice.delta
            n_old = len(cached.doc.regions)
            head = cached.ends[kept - 1] if kept else 0  # rows of the kept regions
            tail = cached.ends[n_old - moved - 1] if n_old - moved else 0  # … and before moved
            mid = doc.regions[kept : len(doc.regions) - moved]
            mid_rows = self._rows(doc.path, mid, known, known)
            shift = head + len(mid_rows) - tail
            result = ParsedDocument(
                doc,
                [*cached.rows[:head], *mid_rows, *(r.moved(d) for r in cached.rows[tail:])],
                [*cached.ends[:kept], *(head + e for e in accumulate(len(r.rows) for r in mid)),
                 *(e + shift for e in cached.ends[n_old - moved :])],
            )  # fmt: skip
            if len(known) > 2 * len(result.rows) + 64:  # trees of rows gone: forget them
                self._trees[doc.path] = {
                    r.key: (r.tree_as_parsed, r.start - r.shift) for r in result.rows
                }
        else:
            trees: dict[RowKey, tuple[t.Node | None, int]] = {}
            try:
                rows = self._rows(doc.path, doc.regions, known, trees)
            except Stopped:  # (stopped between rows: what was parsed is kept for the next)
                self._trees[doc.path] = known | trees
                raise
            result = ParsedDocument(doc, rows, list(accumulate(len(r.rows) for r in doc.regions)))
            self._trees[doc.path] = trees
        self._parsed[doc.path] = result
        return result

    @staticmethod
    def _rows(
        path: str,
        regions: Sequence[MathRegion],
        known: dict[RowKey, tuple[t.Node | None, int]],
        into: dict[RowKey, tuple[t.Node | None, int]],
    ) -> list[PlacedRow]:
        """The rows of these regions, parsed unless ``known`` has the tree of their key; the
        trees, and where they were parsed, go ``into`` the next parse's ``known``."""
        rows = []
        for region in regions:
            for row in region.rows:
                key = row.text.key(row.start)
                hit = known.get(key)
                if hit is None:
                    point()  # (a server's stop: between rows, what is parsed is whole)
                    hit = (parse_row(row.text).tree, row.start)
                into[key] = hit  # the tree as parsed, and where: moved when asked for
                rows.append(PlacedRow(path, row.start, row.end, hit[0], key, row.start - hit[1]))
        return rows

    def check(
        self,
        path: str,
        project: Project | None = None,
        folder: str | Path | None = None,
        text: str | None = None,
    ) -> CheckResult:
        """Check one document (``text``: its current text, e.g. an editor buffer).

        Parse the project's documents (rows unchanged since the last check keep their
        trees), collect what they declare, tell what changed since the last check, learn
        the definitions every document makes (pass 1), and report on this one (pass 2)."""
        target = self.parsed(path, project, folder, text)
        others = [
            self.parsed(p, project, folder)
            for p in (project.paths if project else [])
            if p != target.doc.path
        ]
        docs = [*others, target]
        texts = {d.doc.path: d.doc.text for d in docs}
        memo = self._collected.setdefault(target.doc.path, CollectMemo())
        table = collect((r for d in docs for r in d.rows), texts, _ordered(project), memo=memo)
        knowledge = knowledge_of(table)
        bounds = table.boundaries.get(target.doc.path) or Boundaries([], [])
        names = dimension_names(table)
        placed = {d.doc.path: ([r.start for r in d.rows], [r.key for r in d.rows]) for d in docs}

        old = self._history.get(target.doc.path)
        change = what_changed(old, texts, target.doc.path, placed, knowledge, bounds, names)
        stats = {"inferred": 0, "reused": 0}
        learner, learned = _learn(docs, target, table, names, old, change, stats)
        report = _report(target, table, names, learner.defined, old, change, stats)
        told = undeclared.note(table, target.rows, target.doc.path)  # nothing declared: how
        if told is not None:
            report.diagnostics.insert(0, told)

        sections_and_paragraphs = (bounds.sections, bounds.paragraphs, bounds.scopes)
        self._history[target.doc.path] = History(
            texts, knowledge, sections_and_paragraphs, names, placed, learned, report.runs
        )
        return CheckResult(
            target.doc.path,
            target.doc,
            report.diagnostics,
            Shapes(report.shapes),  # (rows come in document order)
            table,
            report.evidence,
            target.rows,
            stats,
        )


@dataclass
class _Report:
    """What the second pass found in the target."""

    runs: list[RowRun]  # one per row
    diagnostics: list[Diagnostic]
    shapes: list[tuple[int, int, dict[_Span, Shape]]]  # per row: its start, end and shapes
    # shapes of undeclared symbols as their use suggests them
    evidence: dict[str, tuple[Dim | None, Dim | None]]


def _learn(
    docs: list[ParsedDocument],
    target: ParsedDocument,
    table: SymbolTable,
    names: frozenset[object],
    old: History | None,
    change: Change,
    stats: dict[str, int],
) -> tuple[Inference, dict[str, list[RowRun]]]:
    """Pass 1: definitions anywhere in the project (``y = Ax``) give shapes to undeclared
    symbols.  The learner (holding them) and, per path, one run per row."""
    learner = Inference(table, "", "", report=False, names=names)
    dirty, forced_from = change.dirty, change.forced_from
    learned: dict[str, list[RowRun]] = {}
    reused = 0
    for d in docs:
        learner.path, learner.source = d.doc.path, d.doc.text
        old_runs = old.first.get(d.doc.path, []) if old is not None else []
        runs: list[RowRun] = []
        for i, (row, j) in enumerate(zip(d.rows, change.aligned[d.doc.path], strict=True)):
            prior = old_runs[j] if j >= 0 else None
            if prior is not None and not prior.writes and prior.reads.isdisjoint(dirty):
                if d is not target or i < forced_from:
                    reused += 1  # (most rows: the loop's fast path)
                    runs.append(prior)
                    continue
            force = d is target and i >= forced_from
            runs.append(_infer_row(learner, row, prior, dirty, stats, force=force))
        learned[d.doc.path] = runs
    stats["reused"] += reused
    return learner, learned


def _report(
    target: ParsedDocument,
    table: SymbolTable,
    names: frozenset[object],
    defined: dict[str, list[Declaration]],
    old: History | None,
    change: Change,
    stats: dict[str, int],
) -> _Report:
    """Pass 2: infer the target's rows again, with the definitions pass 1 ``defined``, and
    report what disagrees."""
    path = target.doc.path
    inference = Inference(table, path, target.doc.text, names=names)
    inference.defined = defined
    dirty, forced_from = change.dirty, change.forced_from
    old_runs = old.second if old is not None else []
    runs: list[RowRun] = []
    diagnostics = _redeclarations(table, path, target.doc.text)
    evidence: dict[str, tuple[Dim | None, Dim | None]] = {}
    conflicting: set[str] = set()
    shapes = []
    reused = 0
    for i, (row, j) in enumerate(zip(target.rows, change.aligned[path], strict=True)):
        prior = old_runs[j] if j >= 0 and old_runs else None
        if (
            prior is not None
            and i < forced_from
            and not (prior.writes or prior.diagnostics or prior.notes)
            and prior.reads.isdisjoint(dirty)
        ):
            reused += 1  # (most rows: the loop's fast path)
            runs.append(prior)
            shapes.append((row.start, row.end, prior.shapes))
            continue
        force = i >= forced_from
        run = _infer_row(inference, row, prior, dirty, stats, change.edit, path, force=force)
        runs.append(run)
        diagnostics += [diagnostic_moved(g, row.start) for g in run.diagnostics]
        for note in run.notes:
            merge_evidence(evidence, conflicting, *note)
        shapes.append((row.start, row.end, run.shapes))
    diagnostics.sort(key=lambda d: (d.start, d.end))
    stats["reused"] += reused
    return _Report(runs, diagnostics, shapes, evidence)


def _infer_row(
    inference: Inference,
    row: PlacedRow,
    prior: RowRun | None,
    dirty: set[str],
    stats: dict[str, int],
    edit: TextEdit | None = None,
    path: str = "",
    force: bool = False,
) -> RowRun:
    """Infer one row, or redo what it did last time if nothing it read has changed
    (unless forced), or if what it asked of what did change has the same answers."""
    if prior is not None and (
        (not force and prior.reads.isdisjoint(dirty))
        or (not prior.diagnostics and same_answers(inference, prior, row.start, dirty, force))
    ):
        for w in prior.writes:
            inference.apply(replace(w, start=w.start + row.start, end=w.end + row.start))
        stats["reused"] += 1
        if edit is not None and any(g.related for g in prior.diagnostics):
            prior = replace(
                prior,
                diagnostics=tuple(related_moved(g, edit, path) for g in prior.diagnostics),
            )
        return prior
    point()  # (a server's stop: the history of the last whole check is kept)
    stats["inferred"] += 1
    inference.reads, inference.writes, inference.notes = set(), [], []
    inference.diagnostics, inference.shapes, inference.asked = [], {}, []
    inference.infer(row.tree)
    base = row.start
    run = RowRun(
        _shared(frozenset(inference.reads)),
        _shared(flat_questions(inference.asked, base)),
        tuple(replace(w, start=w.start - base, end=w.end - base) for w in inference.writes),
        tuple(diagnostic_moved(g, -base) for g in inference.diagnostics),
        # (pass 1's shapes are never read: its runs keep none, a third of a run's memory)
        {(s - base, e - base, k): shape for (s, e, k), shape in inference.shapes.items()}
        if inference.report
        else {},
        tuple(inference.notes),
    )
    if prior is not None and run.writes != prior.writes:
        dirty.update(w.key for w in (*run.writes, *prior.writes))
    elif prior is None:
        dirty.update(w.key for w in run.writes)
    return run


# Runs of both passes, and of rows alike, mostly read the same symbols and ask the same
# questions: one object each, kept for every row of every open document (a fifth of what
# the analysis of the corpus keeps, before).
_SHARED: dict[object, object] = {}
_SHARED_LIMIT = 200_000


def _shared(value: _T) -> _T:
    if len(_SHARED) > _SHARED_LIMIT:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


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
            if "under" in (first.how, d.how):
                continue  # \min_{x \in \mathbb{R}^n} …, then \min_{x \in \mathbb{R}^d}: each problem's x
            message = messages.redeclared(table.written(d), d.shape, first.shape)
            before = messages.declared_here(table.written(first), first.shape)
            related = (Related(first.path, first.start, first.end, before),)
            out.append(
                Diagnostic("redeclared", "warning", message, d.path, d.start, d.end, related)
            )
    return out
