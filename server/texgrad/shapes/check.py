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
from typing import cast

from texgrad.reading.document import DocumentRead, read_document
from texgrad.reading.edits import TextEdit
from texgrad.reading.project import Project
from texgrad.reading.regions import MathRegion
from texgrad.shapes.declarations import (
    NOTATION_SENTENCE,
    SENTENCE_BREAK,
    SUPPOSING,
    Boundaries,
    CollectMemo,
    Declaration,
    Row,
    RowKey,
    Signature,
    SymbolTable,
    collect,
    heading_kind,
)
from texgrad.shapes.diagnostics import Diagnostic, Related
from texgrad.shapes.dims import Dim, Shape
from texgrad.shapes.infer import (
    Inference,
    Question,
    answer_of,
    dimension_key,
    dimension_names,
    merge_evidence,
)
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


@dataclass
class ParsedDocument:
    doc: DocumentRead
    rows: list[Row]
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


@dataclass
class CheckResult:
    path: str
    doc: DocumentRead
    diagnostics: list[Diagnostic]
    shapes: Shapes = field(default_factory=lambda: Shapes([]))
    table: SymbolTable = field(default_factory=SymbolTable)
    # shapes of undeclared symbols as their use suggests them (rows, columns; None: unknown)
    inferred: dict[str, tuple[Dim | None, Dim | None]] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)  # the document's parsed rows
    stats: dict[str, int] = field(default_factory=dict)  # rows inferred again / reused


_Span = tuple[int, int, type]


@dataclass(frozen=True, slots=True)
class _RowRun:
    """What inferring one row read and produced; positions relative to the row's start,
    except the related locations of diagnostics, which are where they were then."""

    reads: frozenset[str]
    asked: tuple[object, ...]  # questions and answers, flat (see _asked)
    writes: tuple[Declaration | Signature, ...]
    diagnostics: tuple[Diagnostic, ...]
    shapes: dict[_Span, Shape]
    notes: tuple[tuple[str, Dim | None, Dim | None], ...]


@dataclass
class _History:
    """The last check of a document: what an edit to it can be compared against."""

    texts: dict[str, str]
    knowledge: dict[str, tuple[object, ...]]  # per symbol: its collected declarations
    boundaries: tuple[list[int], list[int]]
    names: frozenset[object]  # dimension names
    rows: dict[str, tuple[list[int], list[RowKey]]]  # per path: its rows' starts and keys
    first: dict[str, list[_RowRun]]  # per path, one run per row
    second: list[_RowRun]  # the target's rows
    # the runs that defined something: (path, the row's index, run)
    writers: list[tuple[str, int, _RowRun]] = field(init=False)

    def __post_init__(self) -> None:
        target = next(reversed(self.rows))  # (the target is checked last)
        self.writers = [
            (p, j, run)
            for p, runs in self.first.items()
            for j, run in enumerate(runs)
            if run.writes
        ] + [(target, j, run) for j, run in enumerate(self.second) if run.writes]


# How far after an edit the scope of a declaration may depend on the edited text: a use
# takes a declaration up to WHERE_DISTANCE after it, notation is told 400 characters back.
_REACH = 450


class Checker:
    """Checks documents; remembers what it has read, parsed and inferred, per path and text.

    After an edit, rows whose text did not change are not parsed again, and are not
    inferred again unless they use a symbol whose knowledge changed — one whose
    declarations, definitions (``y = Ax``) or signatures differ, or lie near the edit
    (where the text around a declaration decides its scope) — and the questions they
    asked about it (``Inference.asked``) now get other answers.
    """

    def __init__(self) -> None:
        self._parsed: dict[str, ParsedDocument] = {}
        # per path: row text and map (relative to the row) -> (tree, where it was parsed)
        self._trees: dict[str, dict[RowKey, tuple[t.Node | None, int]]] = {}
        self._history: dict[str, _History] = {}
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
            return cached
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
            rows = self._rows(doc.path, doc.regions, known, trees)
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
    ) -> list[Row]:
        """The rows of these regions, parsed unless ``known`` has the tree of their key; the
        trees, and where they were parsed, go ``into`` the next parse's ``known``."""
        rows = []
        for region in regions:
            for row in region.rows:
                key = row.text.key(row.start)
                hit = known.get(key)
                if hit is None:
                    hit = (parse_row(row.text).tree, row.start)
                into[key] = hit  # the tree as parsed, and where: moved when asked for
                rows.append(Row(path, row.start, row.end, hit[0], key, row.start - hit[1]))
        return rows

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
        texts = {d.doc.path: d.doc.text for d in docs}
        memo = self._collected.setdefault(target.doc.path, CollectMemo())
        table = collect((r for d in docs for r in d.rows), texts, memo=memo)
        knowledge = _knowledge(table)
        bounds = table.boundaries.get(target.doc.path) or Boundaries([], [])
        names = dimension_names(table)

        # what of the last check still holds: the edit, and the symbols it may have changed
        old = self._history.get(target.doc.path)
        edit: TextEdit | None = None
        redo: int | None = None
        dirty: set[str] = set()
        stats = {"inferred": 0, "reused": 0}
        found = _comparable(old, texts, target.doc.path, bounds) if old is not None else None
        if old is not None and found is not None:
            edit, lo, hi, redo = found  # symbols declared in lo..hi may be scoped otherwise
            dirty = _changed_knowledge(old, knowledge, edit, target.doc.path, lo, hi)
            # names that became or stopped being dimensions' (N of ℝ^{N×D}): rows asked
            dirty.update(dimension_key(x) for x in old.names ^ names)
            for p, j, run in old.writers:
                start = old.rows[p][0][j]
                for w in run.writes:  # definitions near the edit: their scope may have moved
                    if p == target.doc.path and (
                        lo <= start + w.start <= hi - edit.delta
                        or lo <= start + w.end <= hi - edit.delta
                    ):
                        dirty.add(w.key)

        # each row's run in the last check, if it had the same text and map, where it was
        placed = {d.doc.path: ([r.start for r in d.rows], [r.key for r in d.rows]) for d in docs}
        aligned = {
            d.doc.path: _aligned(
                old.rows.get(d.doc.path) if old is not None and found is not None else None,
                *placed[d.doc.path],
                edit if d is target else None,
            )
            for d in docs
        }
        if old is not None and edit is not None:  # rows gone: what they defined has changed
            _gone(old, aligned, dirty)
        # rows from here on are inferred again, whatever they read (sections changed)
        forced = len(target.rows)
        if redo is not None:
            forced = bisect.bisect_left(target.rows, redo, key=lambda r: r.start)

        reused = 0
        # pass 1: definitions anywhere in the project (y = Ax) give shapes to undeclared symbols
        learner = Inference(table, "", "", report=False, names=names)
        first: dict[str, list[_RowRun]] = {}
        for d in docs:
            learner.path, learner.source = d.doc.path, d.doc.text
            olds = old.first.get(d.doc.path, []) if old is not None else []
            runs: list[_RowRun] = []
            for i, (row, j) in enumerate(zip(d.rows, aligned[d.doc.path], strict=True)):
                prior = olds[j] if j >= 0 else None
                if prior is not None and not prior.writes and prior.reads.isdisjoint(dirty):
                    if d is not target or i < forced:
                        reused += 1  # (most rows: the loop's fast path)
                        runs.append(prior)
                        continue
                force = d is target and i >= forced
                runs.append(self._infer_row(learner, row, prior, dirty, stats, force=force))
            first[d.doc.path] = runs

        # pass 2: report on the target
        inference = Inference(table, target.doc.path, target.doc.text, names=names)
        inference.defined = learner.defined
        olds = old.second if old is not None else []
        second: list[_RowRun] = []
        diagnostics = _redeclarations(table, target.doc.path, target.doc.text)
        evidence: dict[str, tuple[Dim | None, Dim | None]] = {}
        conflicting: set[str] = set()
        shapes = []
        for i, (row, j) in enumerate(zip(target.rows, aligned[target.doc.path], strict=True)):
            prior = olds[j] if j >= 0 and olds else None
            if (
                prior is not None
                and i < forced
                and not (prior.writes or prior.diagnostics or prior.notes)
                and prior.reads.isdisjoint(dirty)
            ):
                reused += 1  # (most rows: the loop's fast path)
                second.append(prior)
                shapes.append((row.start, row.end, prior.shapes))
                continue
            run = self._infer_row(
                inference, row, prior, dirty, stats, edit, target.doc.path, force=i >= forced
            )
            second.append(run)
            diagnostics += [_placed(g, row.start) for g in run.diagnostics]
            for note in run.notes:
                merge_evidence(evidence, conflicting, *note)
            shapes.append((row.start, row.end, run.shapes))
        diagnostics.sort(key=lambda d: (d.start, d.end))
        stats["reused"] += reused

        self._history[target.doc.path] = _History(
            texts,
            knowledge,
            (bounds.sections, bounds.paragraphs),
            names,
            placed,
            first,
            second,
        )
        return CheckResult(
            target.doc.path,
            target.doc,
            diagnostics,
            Shapes(shapes),  # (rows come in document order)
            table,
            evidence,
            target.rows,
            stats,
        )

    def _infer_row(
        self,
        inference: Inference,
        row: Row,
        prior: _RowRun | None,
        dirty: set[str],
        stats: dict[str, int],
        edit: TextEdit | None = None,
        path: str = "",
        force: bool = False,
    ) -> _RowRun:
        """Infer one row, or redo what it did last time if nothing it read has changed
        (unless forced), or if what it asked of what did change has the same answers."""
        if prior is not None and (
            (not force and prior.reads.isdisjoint(dirty))
            or (not prior.diagnostics and _same_answers(inference, prior, row.start, dirty, force))
        ):
            for w in prior.writes:
                inference.apply(replace(w, start=w.start + row.start, end=w.end + row.start))
            stats["reused"] += 1
            if edit is not None and any(g.related for g in prior.diagnostics):
                prior = replace(
                    prior,
                    diagnostics=tuple(_related_moved(g, edit, path) for g in prior.diagnostics),
                )
            return prior
        stats["inferred"] += 1
        inference.reads, inference.writes, inference.notes = set(), [], []
        inference.diagnostics, inference.shapes, inference.asked = [], {}, []
        inference.infer(row.tree)
        base = row.start
        run = _RowRun(
            frozenset(inference.reads),
            _asked(inference.asked, base),
            tuple(replace(w, start=w.start - base, end=w.end - base) for w in inference.writes),
            tuple(_placed(g, -base) for g in inference.diagnostics),
            {(s - base, e - base, k): shape for (s, e, k), shape in inference.shapes.items()},
            tuple(inference.notes),
        )
        if prior is not None and run.writes != prior.writes:
            dirty.update(w.key for w in (*run.writes, *prior.writes))
        elif prior is None:
            dirty.update(w.key for w in run.writes)
        return run


def _asked(questions: list[Question], base: int) -> tuple[object, ...]:
    """A row's questions and answers as a run keeps them: each once, offsets relative to
    the row, in one flat tuple (kind, key, font, offset, answer, kind, …): there are about
    ten per row, kept for every row of every open document."""
    out: list[object] = []
    for q in dict.fromkeys(questions):  # (answers are the table's own objects: hashable)
        out += (q[0], q[1], q[2], None if q[3] is None else q[3] - base, q[4])
    return tuple(out)


# questions whose answers do not depend on where they are asked (nor on sections)
_UNSCOPED = frozenset({"declared", "dimension"})


def _same_answers(
    inference: Inference, run: _RowRun, start: int, dirty: set[str], every: bool
) -> bool:
    """Would the row's questions about symbols whose knowledge changed (``every``: all its
    questions) be answered as last time?  Then inferring it gives what it gave.

    A declaration found is compared without its place (inference uses its shape, font and
    kind; only a diagnostic's related location uses its place, and runs with diagnostics
    are not asked again)."""
    table, defined, names, path = (
        inference.table, inference.defined, inference.dimension_names, inference.path
    )  # fmt: skip
    asked = run.asked
    for i in range(0, len(asked), 5):
        kind, key, font, at, was = cast(Question, asked[i : i + 5])
        if key not in dirty and (not every or kind in _UNSCOPED):
            continue
        now = answer_of(table, defined, names, path, kind, key, font,
                        None if at is None else at + start)  # fmt: skip
        if now is was or now == was:
            continue
        if isinstance(now, Declaration) and isinstance(was, Declaration):
            if (now.key, now.font, now.shape, now.path, now.how, now.symmetric,
                    now.positive_definite) == (was.key, was.font, was.shape, was.path, was.how,
                                               was.symmetric, was.positive_definite):  # fmt: skip
                continue
        elif isinstance(now, Signature) and isinstance(was, Signature):
            if (now.key, now.domain, now.codomain, now.path) == (
                was.key, was.domain, was.codomain, was.path
            ):  # fmt: skip
                continue
        return False
    return True


def _aligned(
    old: tuple[list[int], list[RowKey]] | None,
    starts: list[int],
    keys: list[RowKey],
    edit: TextEdit | None,
) -> list[int]:
    """Per row, the index of the same row (same text and map) in the last check, or -1.

    Rows before an edit are where they were; rows after it were ``edit.delta`` earlier
    and are as many from the end; rows that start in what the edit inserted are new.
    (Without an edit: the file did not change, each row is where it was.)"""
    if old is None:
        return [-1] * len(starts)
    old_starts, old_keys = old
    m = len(old_starts)
    if edit is None:
        return [
            i if i < m and old_starts[i] == s and old_keys[i] == k else -1
            for i, (s, k) in enumerate(zip(starts, keys, strict=True))
        ]
    p = bisect.bisect_left(starts, edit.start)  # rows before the edit
    q = max(p, bisect.bisect_left(starts, edit.new_end))  # rows after it
    off, d = m - len(starts), edit.delta
    return [
        *(i if i < m and old_starts[i] == starts[i] and old_keys[i] == keys[i] else -1
          for i in range(p)),
        *([-1] * (q - p)),
        *(i + off if 0 <= i + off < m and old_starts[i + off] == starts[i] - d
          and old_keys[i + off] == keys[i] else -1
          for i in range(q, len(starts))),
    ]  # fmt: skip


def _gone(old: _History, aligned: dict[str, list[int]], dirty: set[str]) -> None:
    """Rows of the last check that defined something and have no row here now (the same,
    where the edit moved it): what they defined has changed."""
    matched = {p: set(js) for p, js in aligned.items()}
    for p, j, run in old.writers:
        if j not in matched.get(p, ()):
            dirty.update(w.key for w in run.writes)


def _comparable(
    old: _History, texts: dict[str, str], path: str, bounds: Boundaries
) -> tuple[TextEdit, int, int, int | None] | None:
    """The edit from the last check of ``path`` to this one, the span (in the new text)
    where declarations may be scoped otherwise now, and where rows must be inferred again
    from (None: nowhere) — if the rest of the project is as it was; None otherwise.

    Scopes depend on the text between a use and a declaration (sentence ends, "where"),
    up to _REACH after the edit, and on paragraph ends: a paragraph the edit split or
    joined is wholly in the span.  They depend on sections too: when a heading appeared,
    went or changed kind, the sections around it are in the span (whether what is declared
    there is notation), and every row from _REACH before them on is inferred again (which
    declarations a use there takes; uses before them take the same)."""
    if texts.keys() != old.texts.keys() or any(
        texts[p] != old.texts[p] for p in texts if p != path
    ):
        return None
    new, was = texts[path], old.texts[path]
    edit = TextEdit.between(was, new)
    lo, hi = edit.start - 1, edit.new_end + _reach(was, new, edit)
    redo = None
    changed = _sections_changed(old.boundaries[0], bounds.sections, edit, was, new)
    if changed is not None:
        lo, hi = min(lo, changed[0]), max(hi, changed[1])
        redo = max(0, changed[0] - _REACH)
    if not _same_cuts(old.boundaries[1], bounds.paragraphs, edit):
        # paragraphs split or joined by the edit: the same elsewhere?
        outside = [a for a in old.boundaries[1] if a < edit.start or a >= edit.old_end]
        now = [b for b in bounds.paragraphs if b < edit.start or b >= edit.new_end]
        if not _same_cuts(outside, now, edit):
            return None
        earlier = [b for b in now if b < edit.start]
        later = [b for b in now if b >= edit.new_end]
        lo = min(lo, earlier[-1] if earlier else 0)
        hi = max(hi, (later[0] if later else len(new)) + _REACH)
    return edit, lo, hi, redo


def _sections_changed(
    old: list[int], new: list[int], edit: TextEdit, was: str, text: str
) -> tuple[int, int] | None:
    """Where sections differ after an edit: from the start of the last section before the
    first heading that appeared, went or changed kind (its level; whether it names a
    Notation section, a problem or an example) to the start of the first section after the
    last one; None when they are the old ones, moved."""

    def same(a: int, b: int) -> bool:
        return b == edit.moved(a) or (a == edit.start and b == a + edit.delta)

    n = min(len(old), len(new))
    i = 0  # headings the same from the start …
    while i < n and same(old[i], new[i]):
        i += 1
    k = 0  # … and from the end
    while k < n - i and same(old[-1 - k], new[-1 - k]):
        k += 1
    differ: list[int] = []  # new indices of headings that differ
    if not (i == len(old) == len(new)):
        differ += [i, len(new) - k]  # (the span between holds what appeared or went)
    line_start = text.rfind("\n", 0, edit.start) + 1
    for j in [*range(i), *range(len(new) - k, len(new))]:
        if line_start <= new[j] <= edit.new_end:  # a heading on the edited line: of its kind?
            a = old[j] if j < i else old[len(old) - (len(new) - j)]
            end, was_end = text.find("\n", new[j]), was.find("\n", a)
            heading = text[new[j] : end if end >= 0 else len(text)]
            before = was[a : was_end if was_end >= 0 else len(was)]
            if heading_kind(heading) != heading_kind(before):
                differ += [j, j + 1]
    if not differ:
        return None
    first, last = min(differ), max(differ)
    return (
        new[first - 1] if first > 0 else 0,
        new[last] if last < len(new) else len(text),
    )


def _same_cuts(old: list[int], new: list[int], edit: TextEdit) -> bool:
    """Are ``new`` boundaries the ``old`` ones moved by the edit?  (One at the edit itself
    may be before or after what was inserted there.)"""
    return len(old) == len(new) and all(
        b in (edit.moved(a), a + edit.delta if a == edit.start else None)
        for a, b in zip(old, new, strict=True)
    )


def _knowledge(table: SymbolTable) -> dict[str, tuple[object, ...]]:
    """Per symbol, what the document declares of it (before inference adds definitions)."""
    out: dict[str, list[object]] = {}
    for key, decls in table.declarations.items():
        out.setdefault(key, []).extend(decls)
    for key, sigs in table.signatures.items():
        out.setdefault(key, []).extend(sigs)
    for key, defs in table.function_definitions.items():
        out.setdefault(key, []).extend(("function", p, at) for p, at in defs)
    for key, bound in table.bound.items():
        out.setdefault(key, []).extend(("bound", d, s, e) for d, s, e in bound)
    return {k: tuple(v) for k, v in out.items()}


def _reach(old: str, new: str, edit: TextEdit) -> int:
    """How far after an edit the scopes of declarations may have changed: where a use takes
    a declaration made after it, or a declaration is notation, depends on where sentences
    end in between (SENTENCE_BREAK, "Throughout, …"); an edit that changes neither changes
    only what it overlaps."""
    lo = max(0, edit.start - 40)

    def marks(text: str, end: int, delta: int) -> list[tuple[int, str]]:
        hi = min(len(text), end + 40)
        found = [(m.start(), m.group()) for m in SENTENCE_BREAK.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in NOTATION_SENTENCE.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in SUPPOSING.finditer(text, lo, hi)]
        return [(a if a < edit.start else a - delta, g) for a, g in found]

    if marks(old, edit.old_end, 0) == marks(new, edit.new_end, edit.delta):
        return 1
    return _REACH


def _changed_knowledge(
    old: _History, now: dict[str, tuple[object, ...]], edit: TextEdit, path: str, lo: int, hi: int
) -> set[str]:
    """Symbols whose declarations differ beyond the move an edit made, or lie in lo..hi."""

    def places(item: object) -> list[int]:
        if isinstance(item, (Declaration, Signature)):
            return [item.start, item.end] if item.path == path else []
        assert isinstance(item, tuple)
        if item[0] == "function":
            return [item[2]] if item[1] == path else []
        d, s, e = item[1], item[2], item[3]
        return [d.start, d.end, s, e] if d.path == path else []

    def at(offset: int) -> int:
        where = edit.moved(offset)
        return -1 if where is None else where  # in the replaced text: differs from anything

    def moved(item: object) -> object:
        if isinstance(item, (Declaration, Signature)):
            if item.path != path:
                return item
            return replace(item, start=at(item.start), end=at(item.end))
        assert isinstance(item, tuple)
        if item[0] == "function":
            return item if item[1] != path else ("function", path, at(item[2]))
        d, s, e = item[1], item[2], item[3]
        if d.path != path:
            return item
        return ("bound", replace(d, start=at(d.start), end=at(d.end)), at(s), at(e))

    dirty = set()
    for key in now.keys() | old.knowledge.keys():
        items = now.get(key, ())
        if any(lo <= x <= hi for item in items for x in places(item)):
            dirty.add(key)
        elif tuple(moved(i) for i in old.knowledge.get(key, ())) != items:
            dirty.add(key)
    return dirty


def _placed(g: Diagnostic, delta: int) -> Diagnostic:
    """A row's diagnostic moved with its row (its related locations stay where they are)."""
    if delta == 0:
        return g
    return replace(
        g,
        start=g.start + delta,
        end=g.end + delta,
        fixes=tuple(replace(f, start=f.start + delta, end=f.end + delta) for f in g.fixes),
    )


def _related_moved(g: Diagnostic, edit: TextEdit, path: str) -> Diagnostic:
    related = []
    for r in g.related:
        if r.path == path:
            start, end = edit.moved(r.start), edit.moved(r.end)
            r = replace(r, start=start if start is not None else r.start,
                        end=end if end is not None else r.end)  # fmt: skip
        related.append(r)
    return replace(g, related=tuple(related))


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
