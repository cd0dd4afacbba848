r"""Checking a document: read it and its project, parse, declare, infer, report.

The declarations of every file of a LaTeX project hold in all its files (a
notation chapter serves the others), and definitions (``y = Ax``) anywhere in
the project give undeclared symbols their shapes, so a document is checked in
two passes: the first learns, the second reports.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, pairwise
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any, TypeVar

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
from texgrad.shapes.placed import placed
from texgrad.shapes.questions import dimension_names
from texgrad.shapes.rows import PlacedRow, RowKey, moved_rows
from texgrad.shapes.rules.base import bold_first, merge_evidence
from texgrad.shapes.sections import Boundaries, next_break
from texgrad.shapes.table import Declaration, Signature, SymbolTable
from texgrad.shapes.words import row_tree
from texgrad.stop_points import Stopped, point
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import forget_keys

if TYPE_CHECKING:  # (the cache is the caller's: not imported where none is given, as by diff)
    from texgrad.syntax.parse_cache import ParseCache


@dataclass
class ParsedDocument:
    doc: DocumentRead
    rows: list[PlacedRow]
    ends: list[int] = field(default_factory=list)  # per region: where its rows end in rows
    _placed: tuple[list[int], list[RowKey]] | None = field(default=None, repr=False)

    @property
    def placed(self) -> tuple[list[int], list[RowKey]]:
        """Its rows' starts and keys (made once: every check of its project asks)."""
        if self._placed is None:
            self._placed = ([r.start for r in self.rows], [r.key for r in self.rows])
        return self._placed


@dataclass
class _ProjectRead:
    """A project's files as its checks read them — parsed, their texts, their rows' places,
    every row in reading order — made once per state of the project's parses, not once per
    file checked (a 300-file project's files each asked for the 300 parses, 90,000 calls,
    and built the texts and places again: as many dictionaries of 300 entries)."""

    project: Project
    folder: str | Path | None
    epoch: int  # the checker's parses when it was made (:attr:`Checker._epoch`)
    docs: list[ParsedDocument]  # in reading order
    texts: dict[str, str]
    placed: dict[str, tuple[list[int], list[RowKey]]]
    rows: list[PlacedRow]  # every file's rows, in reading order
    spans: dict[str, tuple[int, int, int]]  # per path: its place, where its rows are in ``rows``

    @classmethod
    def of(
        cls, project: Project, folder: str | Path | None, epoch: int, docs: list[ParsedDocument]
    ) -> _ProjectRead:
        rows: list[PlacedRow] = []
        spans: dict[str, tuple[int, int, int]] = {}
        for i, d in enumerate(docs):
            spans[d.doc.path] = (i, len(rows), len(rows) + len(d.rows))
            rows += d.rows
        texts = {d.doc.path: d.doc.text for d in docs}
        placed = {d.doc.path: d.placed for d in docs}
        return cls(project, folder, epoch, docs, texts, placed, rows, spans)

    def serves(
        self, target: ParsedDocument, project: Project, folder: str | Path | None, epoch: int
    ) -> bool:
        """Whether the check of ``target`` reads the project as this reads it: the same
        project, no parse changed since, and ``target`` the parse of its file here."""
        if self.project is not project or self.epoch != epoch or self.folder != folder:
            return False
        span = self.spans.get(target.doc.path)
        return span is not None and self.docs[span[0]] is target

    def elsewhere(self, target: ParsedDocument) -> list[PlacedRow]:
        """The rows of the project's files but ``target``'s, in reading order."""
        _, lo, hi = self.spans[target.doc.path]
        return self.rows[:lo] + self.rows[hi:]


@dataclass
class _Learned:
    """What a project's check learnt before reporting on its target — the table, and pass 1
    over every file — which depends on the project's files only: every other file of the
    project checked while none of them changed reuses it (a project of n files is checked
    in time linear in n, not quadratic)."""

    docs: tuple[ParsedDocument, ...]  # the project's files as read, in reading order
    state: int  # which state of the project's files this is (one more after each change)
    table: SymbolTable
    knowledge: dict[str, tuple[object, ...]]
    names: frozenset[object]
    learned: dict[str, list[RowRun]]  # pass 1: per path, one run per row
    defined: dict[str, list[Declaration]]  # what pass 1 defined (pass 2 gets a copy)
    signatures: dict[str, list[Signature]]  # the table's signatures after pass 1 (copied)
    declared: dict[str, dict[str, list[Declaration]]] | None = None  # per path (_redeclarations)

    def holds(self, docs: Sequence[ParsedDocument]) -> bool:
        return len(docs) == len(self.docs) and all(
            a is b for a, b in zip(docs, self.docs, strict=True)
        )


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


@dataclass(frozen=True)
class _Step:
    """How a project's files went from one state to the next (a check of the file edited
    found it): for the project's other files, whose own text did not change."""

    before: int
    after: int
    # the symbols whose knowledge (declarations, definitions, signatures, dimension names)
    # the edit changed; None: anything may have (the project's files changed otherwise)
    dirty: frozenset[str] | None
    path: str  # the file edited
    edit: TextEdit | None  # (to move related locations there)


_STEPS_KEPT = 64  # steps kept per project (a file checked further back is checked afresh)


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
    # the text of every file of its project, in reading order (this one's too; empty: alone)
    project_texts: dict[str, str] = field(default_factory=dict)
    # the rows of the project's other files (their definitions serve this one: Q = XW_Q in
    # the setup section, for the appendix)
    elsewhere: list[PlacedRow] = field(default_factory=list)
    # the definitions (``y = Ax``) of undeclared letters, by key, as pass 1 read them
    defined: dict[str, list[Declaration]] = field(default_factory=dict)


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

    def __init__(self, parse_cache: ParseCache | None = None) -> None:
        # trees kept on disk between runs (syntax/parse_cache.py): read at a document's first
        # parse, written when it parsed rows the cache did not have
        self._parse_cache = parse_cache
        self._parsed: dict[str, ParsedDocument] = {}
        # per path: row text and map (relative to the row) -> (tree, where it was parsed)
        self._trees: dict[str, dict[RowKey, tuple[t.Node | None, int]]] = {}
        self._history: dict[str, History] = {}
        self._collected: dict[str, CollectMemo] = {}  # per project (its root), else document
        self._learned: dict[str, _Learned] = {}  # per project (its root), else document
        self._steps: dict[str, list[_Step]] = {}  # per project: how its states followed
        self._state_of: dict[str, int] = {}  # per checked path: the state of its History
        self._states = 0
        # per path: the project file and macros its parse was read from (see parsed)
        self._read_from: dict[str, tuple[object, object]] = {}
        # one more whenever a path's parse changes (a project read stands while it does not)
        self._epoch = 0
        self._reads: dict[str, _ProjectRead] = {}  # per project (its root): its files read

    def forget(self, path: str) -> None:
        """Let go of what is kept of the document at ``path`` (an editor closed it and no
        open document's project holds it): its parse, its trees, its runs, and what it
        learnt as a project of its own.  Checked again, it is read and inferred afresh."""
        kept: list[dict[str, Any]] = [self._parsed, self._trees, self._history, self._state_of,
                                      self._read_from, self._collected, self._learned, self._steps]  # fmt: skip
        for memory in kept:
            memory.pop(path, None)
        self._epoch += 1
        self._reads.clear()

    def parsed(
        self,
        path: str,
        project: Project | None,
        folder: str | Path | None = None,
        text: str | None = None,
    ) -> ParsedDocument:
        """A document's parsed rows.  After an edit, only rows whose text changed are parsed
        again; the others are reused, moved by what the edit inserted before them."""
        entry = project.files.get(path) if project is not None and text is None else None
        if entry is not None:  # (a project's file as its project read it: the last parse?)
            assert project is not None
            last = self._read_from.get(path)
            if last is not None and last[0] is entry.scan:
                if last[1] is project.macros or last[1] == project.macros:
                    self._read_from[path] = (entry.scan, project.macros)
                    return self._parsed[path]
        doc = read_document(path, project=project, folder=folder, text=text)
        if entry is None or project is None or doc.text is not entry.text:
            self._read_from.pop(doc.path, None)
        else:
            self._read_from[doc.path] = (entry.scan, project.macros)
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
                [*cached.rows[:head], *mid_rows, *moved_rows(cached.rows[tail:], d)],
                [*cached.ends[:kept], *(head + e for e in accumulate(len(r.rows) for r in mid)),
                 *(e + shift for e in cached.ends[n_old - moved :])],
            )  # fmt: skip
            if len(known) > 2 * len(result.rows) + 64:  # trees of rows gone: forget them
                self._trees[doc.path] = {
                    r.key: (r.tree_as_parsed, r.start - r.shift) for r in result.rows
                }
        else:
            trees: dict[RowKey, tuple[t.Node | None, int]] = {}
            stored = self._parse_cache if doc.path not in self._trees else None  # first parse
            if stored is not None:
                known = stored.load(doc.path)
            try:
                rows = self._rows(doc.path, doc.regions, known, trees)
            except Stopped:  # (stopped between rows: what was parsed is kept for the next)
                self._trees[doc.path] = known | trees
                raise
            if stored is not None and not trees.keys() <= known.keys():
                stored.save(doc.path, trees)
            result = ParsedDocument(doc, rows, list(accumulate(len(r.rows) for r in doc.regions)))
            self._trees[doc.path] = trees
        if self._parsed.get(doc.path) is not result:
            self._epoch += 1
        self._parsed[doc.path] = result
        return result

    def _since(
        self,
        where: str,
        shared: _Learned,
        old: History | None,
        target: ParsedDocument,
        moves: list[tuple[str, TextEdit]],
    ) -> tuple[Change | None, History | None]:
        """What changed for ``target`` since its last check, when another file of its
        project changed since and was checked (``shared``): the symbols the edits made dirty,
        its rows each where it was (its own text is the same), and the ``moves`` of the
        edits, for its diagnostics' related locations.  (None, old) when it is checked in
        the state of its last check (``what_changed`` tells); (a full change, None) when
        what changed is not known."""
        path = target.doc.path
        state = self._state_of.get(path)
        if old is None or state == shared.state:
            return None, old
        dirty: set[str] = set()
        steps = self._steps.get(where, [])
        at = next((i for i, s in enumerate(steps) if s.before == state), len(steps))
        for step in steps[at:]:
            if step.dirty is None or step.path == path or step.before != state:
                return None, None  # (not known, or its own text changed: afresh)
            dirty |= step.dirty
            if step.edit is not None:
                moves.append((step.path, step.edit))
            state = step.after
        starts, keys = target.placed
        if state != shared.state or old.rows.get(path) != (starts, keys):
            moves.clear()
            return None, None
        n = len(starts)
        return Change(None, dirty, {path: list(range(n))}, n), old

    def _project_read(
        self, target: ParsedDocument, project: Project | None, folder: str | Path | None
    ) -> _ProjectRead | None:
        """The project's files read as the check of ``target`` reads them, kept for the
        checks of its other files while no parse changes (None: no project)."""
        if project is None:
            return None
        where = project.root
        read = self._reads.get(where)
        if read is not None and read.serves(target, project, folder, self._epoch):
            return read
        docs = self._project_docs(target, project, folder)
        read = _ProjectRead.of(project, folder, self._epoch, docs)
        entry = project.files.get(target.doc.path)
        if entry is not None and entry.text == target.doc.text:
            # (its other files would read the target as this check did: kept for them)
            self._reads[where] = read
        else:
            self._reads.pop(where, None)
        return read

    def _project_docs(
        self, target: ParsedDocument, project: Project | None, folder: str | Path | None
    ) -> list[ParsedDocument]:
        """The project's files parsed, in reading order (the target at its place, or last
        when the project does not hold it): the order the table and pass 1 read them in,
        whichever file is checked."""
        paths = project.paths if project is not None else []
        if target.doc.path not in paths:
            return [*(self.parsed(p, project, folder) for p in paths), target]
        return [target if p == target.doc.path else self.parsed(p, project, folder) for p in paths]

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
                hit = into.get(key)  # a row written twice ($\mathbf{A}$) is parsed once
                if hit is None:
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
        forget_keys()  # (those of the checks before: their nodes, kept by the cache)
        target = self.parsed(path, project, folder, text)
        read = self._project_read(target, project, folder)
        if read is not None:
            docs, texts, placed = read.docs, read.texts, read.placed
        else:
            docs = [target]
            texts, placed = {target.doc.path: target.doc.text}, {target.doc.path: target.placed}
        where = project.root if project is not None else target.doc.path
        old = self._history.get(target.doc.path)
        shared = self._learned.get(where)
        stats = {"inferred": 0, "reused": 0}
        moves: list[tuple[str, TextEdit]] = []
        answers: dict[tuple[Any, ...], Any] = {}  # (both passes read one table)
        if shared is not None and shared.holds(docs):
            # another file of the project was checked with the same files: what it learnt holds
            table = replace(shared.table, signatures=_copied(shared.signatures))
            knowledge, names, learned = shared.knowledge, shared.names, shared.learned
            bounds = table.boundaries.get(target.doc.path) or Boundaries([], [])
            change, old = self._since(where, shared, old, target, moves)
            if change is None:
                change = what_changed(old, texts, target.doc.path, placed, knowledge, bounds, names)
            defined = _copied(shared.defined)
            # (its pass-1 runs of this file did not report: pass 2 infers every row)
            first: list[RowRun] | None = None
        else:
            memo = self._collected.setdefault(where, CollectMemo())
            rows = (r for d in docs for r in d.rows)
            table = collect(rows, texts, _ordered(project), memo=memo)
            knowledge = knowledge_of(table)
            bounds = table.boundaries.get(target.doc.path) or Boundaries([], [])
            names = dimension_names(table)
            change = what_changed(old, texts, target.doc.path, placed, knowledge, bounds, names)
            learner, learned = _learn(docs, target, table, names, old, change, stats, answers)
            self._states += 1
            incremental = old is not None and change.edit is not None
            if shared is not None:  # (the other files' text is the same: what changed for them)
                before = shared.state
                dirty = frozenset(change.dirty) if incremental else None
                if self._state_of.get(target.doc.path) != before:
                    dirty = None  # (the edit is told since another state than the last)
                steps = self._steps.setdefault(where, [])
                steps.append(_Step(before, self._states, dirty, target.doc.path, change.edit))
                del steps[:-_STEPS_KEPT]
            shared = _Learned(
                tuple(docs), self._states, table, knowledge, names, learned,
                _copied(learner.defined), _copied(table.signatures),
            )  # fmt: skip
            self._learned[where] = shared
            defined = learner.defined
            first = learned[target.doc.path]
        report = _report(
            target, table, names, defined, old, change, stats, first, shared, moves, answers
        )
        told = undeclared.note(table, target.rows, target.doc.path, target.doc.text)  # how
        if told is not None:
            report.diagnostics.insert(0, told)

        sections_and_paragraphs = (bounds.sections, bounds.paragraphs, bounds.scopes)
        self._history[target.doc.path] = History(
            texts,
            knowledge,
            sections_and_paragraphs,
            names,
            placed,
            learned,
            report.runs,
            target.doc.path,
        )
        self._state_of[target.doc.path] = shared.state
        return CheckResult(
            target.doc.path,
            target.doc,
            report.diagnostics,
            Shapes(report.shapes),  # (rows come in document order)
            table,
            report.evidence,
            target.rows,
            stats,
            texts if len(texts) > 1 else {},
            read.elsewhere(target) if read is not None else [],
            defined,
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
    answers: dict[tuple[Any, ...], Any] | None = None,
) -> tuple[Inference, dict[str, list[RowRun]]]:
    """Pass 1: definitions anywhere in the project (``y = Ax``) give shapes to undeclared
    symbols.  The learner (holding them) and, per path, one run per row."""
    learner = Inference(table, "", "", report=False, names=names)
    learner.answers = answers
    dirty, forced_from = change.dirty, change.forced_from
    learned: dict[str, list[RowRun]] = {}
    reused = 0
    for d in docs:
        learner.path, learner.source = d.doc.path, d.doc.text
        # the target's diagnostics too: its rows whose questions pass 2 answers alike are not
        # inferred again there
        learner.report = d is target
        old_runs = old.first.get(d.doc.path, []) if old is not None else []
        aligned = change.aligned[d.doc.path]
        runs: list[RowRun] = []
        start = 0
        if not dirty and old_runs and (d is not target or forced_from >= len(d.rows)):

            def again(i: int, prior: RowRun | None, d: ParsedDocument = d) -> RowRun:
                return _infer_row(learner, d.rows[i], prior, dirty, stats)

            start, plain = _while_clean(aligned, old_runs, False, dirty, runs, again)
            reused += plain
        for i in range(start, len(d.rows)):
            row, j = d.rows[i], aligned[i]
            prior = old_runs[j] if j >= 0 else None
            if prior is not None and not prior.writes and dirty.isdisjoint(prior.reads):
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
    first: list[RowRun] | None,
    shared: _Learned,
    moves: Sequence[tuple[str, TextEdit]] = (),
    answers: dict[tuple[Any, ...], Any] | None = None,
) -> _Report:
    """Pass 2: infer the target's rows again, with the definitions pass 1 ``defined``, and
    report what disagrees.  A row with no run of its own from the last check whose pass-1
    run (``first``) asked questions answered alike now is not inferred again."""
    path = target.doc.path
    inference = Inference(table, path, target.doc.text, names=names)
    inference.defined = defined
    inference.answers = answers
    dirty, forced_from = change.dirty, change.forced_from
    old_runs = old.second if old is not None else []
    runs: list[RowRun] = []
    diagnostics = _redeclarations(table, path, target.doc.text, shared)
    evidence: dict[str, tuple[Dim | None, Dim | None]] = {}
    conflicting: set[str] = set()
    reused = 0
    rows, aligned = target.rows, change.aligned[path]

    def step(i: int, prior: RowRun | None) -> RowRun:
        """One row's run, unless it is reused as it was (or may not be)."""
        nonlocal reused
        row = rows[i]
        if prior is None and first is not None:  # (a cold check: all of them)
            run = first[i]  # (asked of this table: what pass 1 defined is asked again)
            if not run.diagnostics and same_answers(inference, run, row.start, dirty, True, True):
                reused += 1
                # (what it defines pass 1 has defined: inferred again, it would write nothing)
                run = replace(run, writes=()) if run.writes else run
                for note in run.notes:
                    merge_evidence(evidence, conflicting, *note)
                return run
        if (
            prior is not None
            and i < forced_from
            and not (prior.writes or prior.diagnostics or prior.notes)
            and dirty.isdisjoint(prior.reads)
        ):
            reused += 1  # (most rows: the loop's fast path)
            return prior
        force = i >= forced_from
        run = _infer_row(inference, row, prior, dirty, stats, change.edit, path, force=force)
        if moves and run is prior and run.diagnostics:  # (reused: another file was edited)
            run = replace(run, diagnostics=tuple(_through(g, moves) for g in run.diagnostics))
        diagnostics.extend(diagnostic_moved(g, row.start) for g in run.diagnostics)
        for note in run.notes:
            merge_evidence(evidence, conflicting, *note)
        return run

    start = 0
    if not dirty and old_runs and forced_from >= len(rows):
        start, plain = _while_clean(aligned, old_runs, True, dirty, runs, step)
        reused += plain
    for i in range(start, len(rows)):
        j = aligned[i]
        runs.append(step(i, old_runs[j] if j >= 0 and old_runs else None))
    shapes = [(row.start, row.end, run.shapes) for row, run in zip(rows, runs, strict=True)]
    diagnostics.sort(key=lambda d: (d.start, d.end))
    stats["reused"] += reused
    return _Report(runs, diagnostics, shapes, bold_first(evidence, conflicting))


def _while_clean(
    aligned: list[int],
    old_runs: list[RowRun],
    reports: bool,
    dirty: set[str],
    runs: list[RowRun],
    again: Callable[[int, RowRun | None], RowRun],
) -> tuple[int, int]:
    """A pass's rows while nothing is dirty (the common edit: ``dirty`` empty, no row
    forced): each row with a run last time that writes nothing (and, in the pass that
    ``reports``, has no diagnostics nor notes) is reused as it was, all at once (its reads
    cannot meet an empty ``dirty``); the others, in order, are the runs ``again`` makes (the
    pass's own step).  Stops after the row that made something dirty: the row to go on
    from, and how many rows were reused here."""
    last = [old_runs[j] if j >= 0 else None for j in aligned]
    done = plain = 0
    if reports:  # (pass 2; one comprehension each: a call per row took most of the time)
        marked = [
            i for i, r in enumerate(last) if r is None or r.writes or r.diagnostics or r.notes
        ]
    else:
        marked = [i for i, r in enumerate(last) if r is None or r.writes]
    for i in marked:
        runs += last[done:i]  # type: ignore[arg-type]  # (none is None: not marked)
        plain += i - done
        runs.append(again(i, last[i]))
        done = i + 1
        if dirty:
            return done, plain
    runs += last[done:]  # type: ignore[arg-type]
    return len(aligned), plain + len(aligned) - done


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
        (not force and dirty.isdisjoint(prior.reads))
        or (not prior.diagnostics and same_answers(inference, prior, row.start, dirty, force))
    ):
        for w in prior.writes:
            inference.apply(placed(w, w.start + row.start, w.end + row.start))
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
    inference.infer(row_tree(row))  # \operatorname{head}_i: a letter
    base = row.start
    run = RowRun(
        _shared(tuple(sorted(_interned(inference.reads)))),
        _shared(flat_questions(inference.asked, base)),
        tuple(replace(w, start=w.start - base, end=w.end - base) for w in inference.writes),
        tuple(diagnostic_moved(g, -base) for g in inference.diagnostics),
        # (pass 1's shapes are never read: its runs keep none, a third of a run's memory;
        # the spans, relative to the row, mostly the same few: (0, 1, Symbol)…, shared)
        {_shared((s - base, e - base, k)): shape for (s, e, k), shape in inference.shapes.items()}
        if inference.report
        else _NO_SHAPES,
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


# the shapes of a run of pass 1 (none), one dict for all: a run's shapes are only read
_NO_SHAPES: dict[tuple[int, int, type], Shape] = {}


def _interned(names: set[str]) -> Iterator[str]:
    """The names, each once for the process (a row's reads held their own copies)."""
    for name in names:
        yield intern(name) if type(name) is str else name


def _shared(value: _T) -> _T:
    if len(_SHARED) > _SHARED_LIMIT:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


def _through(g: Diagnostic, moves: Sequence[tuple[str, TextEdit]]) -> Diagnostic:
    """A diagnostic's related locations moved by edits made in other files since."""
    for path, edit in moves:
        if any(r.path == path for r in g.related):
            g = related_moved(g, edit, path)
    return g


def _copied(lists: dict[str, list[_T]]) -> dict[str, list[_T]]:
    """A copy of definitions or signatures by symbol that inference may add to (it replaces
    a symbol's list, never changes one: ``Inference.apply``)."""
    return dict(lists)


def _declared_in(table: SymbolTable) -> dict[str, dict[str, list[Declaration]]]:
    """The table's declarations per path, per symbol (in the table's order)."""
    out: dict[str, dict[str, list[Declaration]]] = {}
    for key, decls in table.declarations.items():
        for d in decls:
            out.setdefault(d.path, {}).setdefault(key, []).append(d)
    return out


# a clause of its own conditions between two declarations of one letter in a sentence
_NEW_CLAUSE = re.compile(
    r"[,;]\s*(?:(?:and|but|while|whereas)\s+)?(?:for|if|when|whenever|with|given)\b"
)


def _redeclarations(table: SymbolTable, path: str, text: str, shared: _Learned) -> list[Diagnostic]:
    """Conflicting declarations of one symbol in one sentence.  Papers re-declare
    symbols from section to section, and problem sets from item to item, on
    purpose (each declaration then holds until the next), so only a conflict
    within one statement is reported."""
    out = []
    if shared.declared is None:  # (once per project: not every declaration for every file)
        shared.declared = _declared_in(table)
    for decls in shared.declared.get(path, {}).values():
        here = sorted(decls, key=lambda d: d.start)
        for first, d in pairwise(here):
            if d.font != first.font or (d.shape.rows, d.shape.cols) == (
                first.shape.rows,
                first.shape.cols,
            ):
                continue
            if next_break(text, first.end, d.start):
                continue  # each item of a problem set may declare x afresh
            if _NEW_CLAUSE.search(text, first.end, d.start):
                continue  # "for invertible X ∈ ℝ^{n×n}, …, and for k(X) with X ∈ ℝ^{n×p}"
            if "under" in (first.how, d.how):
                continue  # \min_{x \in \mathbb{R}^n} …, then \min_{x \in \mathbb{R}^d}: each problem's x
            message = messages.redeclared(table.written(d), d.shape, first.shape)
            before = messages.declared_here(table.written(first), first.shape)
            related = (Related(first.path, first.start, first.end, before),)
            out.append(
                Diagnostic("redeclared", "warning", message, d.path, d.start, d.end, related)
            )
    return out
