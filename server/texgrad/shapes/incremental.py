"""What one check of a document leaves for the next, and what an edit changed since.

The incremental contract of inference (docs/internals/shapes.md, "After an edit"): a row's
run (``RowRun``) is reused when its text and map are unchanged and nothing it read
changed; a row that read a symbol whose knowledge changed asks its questions about it
again (``same_answers``) and is reused when they get the same answers.  ``what_changed``
finds the edit, the symbols whose knowledge changed (declared, defined or signed
otherwise, or near the edit, where the text decides a declaration's scope), and which
rows are the same.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from sys import intern
from typing import cast

from texgrad.reading.edits import TextEdit, longest_same
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.shapes.dims import Dim, Shape
from texgrad.shapes.facts import Fact
from texgrad.shapes.gates import GATES_KEY, changed_near
from texgrad.shapes.infer import Inference
from texgrad.shapes.placed import placed
from texgrad.shapes.questions import (
    LAYOUT_KEY,
    TABLE_ONLY,
    UNSCOPED,
    Question,
    answer_of,
    dimension_key,
)
from texgrad.shapes.rows import RowKey
from texgrad.shapes.sections import (
    BREAK_MASKS,
    DISPLAY_MARKS,
    NOTATION_SENTENCE,
    SENTENCE_BREAK,
    SENTENCE_LOOKBACK,
    SUPPOSING,
    WHERE_DISTANCE,
    Boundaries,
    heading_kind,
)
from texgrad.shapes.table import Declaration, Signature, SymbolTable


@dataclass(frozen=True, slots=True)
class RowRun:
    """What inferring one row read and produced; positions relative to the row's start,
    except the related locations of diagnostics, which are where they were then."""

    # the symbols' keys it read, sorted (a tuple: 48 bytes and 8 a name, where a frozenset
    # of a few names takes 216; kept for every row of every open document)
    reads: tuple[str, ...]
    asked: tuple[object, ...]  # questions and answers, flat (see flat_questions)
    writes: tuple[Declaration | Signature, ...]
    diagnostics: tuple[Diagnostic, ...]
    shapes: dict[tuple[int, int, type], Shape]  # relative to the row
    notes: tuple[tuple[str, Dim | None, Dim | None], ...]


@dataclass
class History:
    """The last check of a document: what an edit to it can be compared against."""

    texts: dict[str, str]
    knowledge: dict[str, tuple[object, ...]]  # per symbol: its collected declarations
    # sections, paragraphs, and theorem-like environments (Boundaries.results)
    boundaries: tuple[list[int], list[int], list[tuple[int, int]]]
    names: frozenset[object]  # dimension names
    rows: dict[str, tuple[list[int], list[RowKey]]]  # per path: its rows' starts and keys
    first: dict[str, list[RowRun]]  # per path, one run per row
    second: list[RowRun]  # the target's rows
    target: str = ""  # its path ("": the last of rows)

    @functools.cached_property
    def writers(self) -> list[tuple[str, int, RowRun]]:
        """The runs that defined something: (path, the row's index, run).  (Asked after an
        edit only: a project's files checked one after another never ask.)"""
        target = self.target or next(reversed(self.rows))
        return [
            (p, j, run)
            for p, runs in self.first.items()
            for j, run in enumerate(runs)
            if run.writes
        ] + [(target, j, run) for j, run in enumerate(self.second) if run.writes]


# How far around an edit _reach compares sentence marks (a mark that starts before the
# edited text, or ends after it, may change with it: "Throughout" when typing "Through").
_MARKS_AROUND = 40
# How far after an edit the scope of a declaration may depend on the edited text: a use
# takes a declaration up to WHERE_DISTANCE after it, and whether a declaration is notation
# or supposed is told from the start of its sentence, looked for up to SENTENCE_LOOKBACK
# before it — counted from a mark that may lie _MARKS_AROUND after the edit.  So _REACH is
# at least the larger distance plus _MARKS_AROUND; 10 more to spare.  (450: the tests that
# count the rows inferred again after an edit rely on it.)
_REACH = max(WHERE_DISTANCE, SENTENCE_LOOKBACK) + _MARKS_AROUND + 10


@dataclass(slots=True)
class Change:
    """What changed since the last check of a document, as the two passes use it."""

    edit: TextEdit | None  # None: a first check, or other files changed too (nothing reused)
    # symbols (and dimension_keys) whose knowledge changed: the rows that read one ask their
    # questions about it again; grows during the passes as rows' definitions change
    dirty: set[str]
    # per path, per row: the index of the same row (same text and map) last time, or -1
    aligned: dict[str, list[int]]
    # the target's rows from this index on are inferred again, whatever they read
    forced_from: int


def what_changed(
    old: History | None,
    texts: dict[str, str],
    path: str,
    placed: dict[str, tuple[list[int], list[RowKey]]],
    knowledge: dict[str, tuple[object, ...]],
    bounds: Boundaries,
    names: frozenset[object],
) -> Change:
    """Compare a check of ``path`` (its project's ``texts``, rows ``placed``, ``knowledge``,
    section and paragraph ``bounds``, dimension ``names``) with the ``old`` one."""
    affected = _edit_since(old, texts, path, bounds) if old is not None else None
    edit: TextEdit | None = None
    reinfer_from: int | None = None  # (an offset)
    dirty: set[str] = set()
    if old is not None and affected is not None:
        edit, scope_lo, scope_hi, reinfer_from, gated = affected
        # symbols declared in scope_lo..scope_hi may be scoped otherwise
        dirty = _changed_knowledge(old, knowledge, edit, path, scope_lo, scope_hi)
        # names that became or stopped being dimensions' (N of ℝ^{N×D}): rows asked
        dirty.update(dimension_key(x) for x in old.names ^ names)
        dirty.update(_definitions_near(old, path, scope_lo, scope_hi - edit.delta))
        if gated:  # what every row may read may have changed: the rows that asked, ask again
            dirty.add(GATES_KEY)
    aligned = {
        p: _aligned(
            old.rows.get(p) if old is not None and affected is not None else None,
            starts,
            keys,
            edit if p == path else None,
        )
        for p, (starts, keys) in placed.items()
    }
    if old is not None and edit is not None:  # rows gone: what they defined has changed
        _gone(old, aligned, dirty)
    starts = placed[path][0]
    forced_from = len(starts) if reinfer_from is None else bisect.bisect_left(starts, reinfer_from)
    return Change(edit, dirty, aligned, forced_from)


def _definitions_near(old: History, path: str, lo: int, hi: int) -> set[str]:
    """What rows of ``path`` defined in lo..hi (old offsets) last time: the scope of those
    definitions may have moved."""
    near = set()
    for p, j, run in old.writers:
        if p != path:
            continue
        start = old.rows[p][0][j]
        for w in run.writes:
            if lo <= start + w.start <= hi or lo <= start + w.end <= hi:
                near.add(w.key)
    return near


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
    n = len(starts)
    # (most rows are where they were, or moved by the edit: those found list to list, in C;
    # the few others, the edited row among them, one by one)
    h = _alike_for(old_starts, old_keys, starts, keys, min(p, m), False, 0)
    t = _alike_for(old_starts, old_keys, starts, keys, min(n - q, m - max(0, q + off)), True, d)
    return [
        *range(h),
        *(i if i < m and old_starts[i] == starts[i] and old_keys[i] == keys[i] else -1
          for i in range(h, p)),
        *([-1] * (q - p)),
        *(i + off if 0 <= i + off < m and old_starts[i + off] == starts[i] - d
          and old_keys[i + off] == keys[i] else -1
          for i in range(q, n - t)),
        *range(n - t + off, n + off),
    ]  # fmt: skip


def _alike_for(
    old_starts: list[int],
    old_keys: list[RowKey],
    starts: list[int],
    keys: list[RowKey],
    most: int,
    tail: bool,
    d: int,
) -> int:
    """How many rows, ``most`` at most, are the same as last time (same key, at the same
    place moved by ``d``): the first ones, or the last ones (``tail``).  Found by halving,
    comparing slices."""
    n, m = len(starts), len(old_starts)

    def same(k: int) -> bool:
        if not tail:
            return old_keys[:k] == keys[:k] and old_starts[:k] == starts[:k]
        return old_keys[m - k :] == keys[n - k :] and old_starts[m - k :] == [
            s - d for s in starts[n - k :]
        ]

    return longest_same(same, most)


def _gone(old: History, aligned: dict[str, list[int]], dirty: set[str]) -> None:
    """Rows of the last check that defined something and have no row here now (the same,
    where the edit moved it): what they defined has changed."""
    matched = {p: set(js) for p, js in aligned.items()}
    for p, j, run in old.writers:
        if j not in matched.get(p, ()):
            dirty.update(w.key for w in run.writes)


def _edit_since(
    old: History, texts: dict[str, str], path: str, bounds: Boundaries
) -> tuple[TextEdit, int, int, int | None, bool] | None:
    """The edit from the last check of ``path`` to this one, the span (in the new text)
    where declarations may be scoped otherwise now, where rows must be inferred again
    from (None: nowhere), and whether it may have changed what a gate says (shapes/gates.py)
    — if the rest of the project is as it was; None otherwise.

    Scopes depend on the text between a use and a declaration (sentence ends, "where"),
    up to _REACH after the edit, and on paragraph ends: a paragraph the edit split or
    joined is wholly in the span.  They depend on sections too: when a heading appeared,
    went or changed kind, the text from the section before it to the end is in the span
    (what is declared there may now be notation, or in a problem or an example, which
    decides whether a letter's declarations in running text agree: uses before it ask
    again), and every row from _REACH before it on is inferred again (which declarations
    a use there takes)."""
    if texts.keys() != old.texts.keys() or any(
        texts[p] != old.texts[p] for p in texts if p != path
    ):
        return None
    new, was = texts[path], old.texts[path]
    edit = TextEdit.between(was, new)
    # (what every row may read, shapes/gates.py: the rows that asked ask again)
    gated = changed_near(was, new, edit.start, edit.old_end, edit.new_end)
    lo, hi = edit.start - 1, edit.new_end + _reach(was, new, edit)
    redo = None
    changed = _sections_changed(old.boundaries[0], bounds.sections, edit, was, new)
    if changed is not None:
        # what is declared from there on may now be in a problem or an example, or not:
        # whether the letter's declarations in running text agree may change (table.py)
        lo, hi = min(lo, changed[0]), len(new)
        redo = max(0, changed[0] - _REACH)
    moved = _results_changed(old.boundaries[2], bounds.scopes, edit)
    if moved is not None:
        # a lemma's letters are its own: what is declared from there on may now be a
        # lemma's, or not, and whether the declarations in running text agree may change
        lo, hi = min(lo, moved), len(new)
        redo = min(max(0, moved - _REACH), len(new) if redo is None else redo)
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
    return edit, lo, hi, redo, gated


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


def _results_changed(
    old: list[tuple[int, int]], new: list[tuple[int, int]], edit: TextEdit
) -> int | None:
    """Where the first theorem-like environment (a lemma and its proof) that appeared, went
    or changed its span starts (in the new text); None when they are the old ones, moved."""
    starts = [a for a, _ in old]
    ends = [b for _, b in old]
    if _same_cuts(starts, [a for a, _ in new], edit) and _same_cuts(
        ends, [b for _, b in new], edit
    ):
        return None
    moved = [(edit.moved(a), edit.moved(b)) for a, b in old]
    differ = [a for a, b in new if (a, b) not in moved]
    differ += [edit.start if a is None else a for a, b in moved if (a, b) not in new]
    return max(0, min([*differ, edit.start]))


def _same_cuts(old: list[int], new: list[int], edit: TextEdit) -> bool:
    """Are ``new`` boundaries (in order) the ``old`` ones moved by the edit?  (One at the
    edit itself may be before or after what was inserted there; none may be inside what it
    replaced.)  Compared list to list: a document has thousands of paragraphs."""
    if len(old) != len(new):
        return False
    start, d = edit.start, edit.delta
    if old != sorted(old):  # (the ends of nested scopes: pair by pair)
        return all(
            b in (edit.moved(a), a + d if a == start else None)
            for a, b in zip(old, new, strict=True)
        )
    i = bisect.bisect_left(old, start)  # before the edit: where they were
    j = bisect.bisect_right(old, start, i)  # at it: either
    k = max(j, bisect.bisect_left(old, edit.old_end, j))  # inside what it replaced: none
    return (
        k == j
        and old[:i] == new[:i]
        and all(b in (a, a + d) for a, b in zip(old[i:j], new[i:j], strict=True))
        and [a + d for a in old[k:]] == new[k:]  # after it: moved
    )


def _reach(old: str, new: str, edit: TextEdit) -> int:
    """How far after an edit the scopes of declarations may have changed: where a use takes
    a declaration made after it, or a declaration is notation, depends on where sentences
    end in between (SENTENCE_BREAK, "Throughout, …"); an edit that changes neither changes
    only what it overlaps."""
    lo = max(0, edit.start - _MARKS_AROUND)

    def marks(text: str, end: int, delta: int) -> list[tuple[int, str]]:
        hi = min(len(text), end + _MARKS_AROUND)
        found = [(m.start(), m.group()) for m in SENTENCE_BREAK.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in NOTATION_SENTENCE.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in SUPPOSING.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in BREAK_MASKS.finditer(text, lo, hi)]
        found += [(m.start(), m.group()) for m in DISPLAY_MARKS.finditer(text, lo, hi)]
        return [(a if a < edit.start else a - delta, g) for a, g in found]

    if marks(old, edit.old_end, 0) == marks(new, edit.new_end, edit.delta):
        return 1
    return _REACH


def knowledge_of(table: SymbolTable) -> dict[str, tuple[object, ...]]:
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
    for key, weak in table.weak.items():
        out.setdefault(key, []).extend(weak)
    for key, positive in table.plain_positive.items():
        out.setdefault(key, []).extend(("positive", w) for w in positive)
    for key, facts in table.facts.items():
        out.setdefault(key, []).extend(facts)
    for key, stacked in table.stacked.items():  # (rows of a matrix declared nowhere)
        out.setdefault(key, []).extend(stacked)
    for path, said in table.layout_statements.items():  # (an end at the text's end: None)
        size = len(table.texts.get(path, ""))
        out.setdefault(LAYOUT_KEY, []).extend(
            ("layout", path, s.layout, s.start, None if s.end >= size else s.end) for s in said
        )
    return {k: tuple(v) for k, v in out.items()}


def _changed_knowledge(
    old: History, now: dict[str, tuple[object, ...]], edit: TextEdit, path: str, lo: int, hi: int
) -> set[str]:
    """Symbols whose declarations differ beyond the move an edit made, or lie in lo..hi."""

    def at(offset: int) -> int:
        where = edit.moved(offset)
        return -1 if where is None else where  # in the replaced text: differs from anything

    dirty = set()
    for key in now.keys() | old.knowledge.keys():
        items = now.get(key, ())
        if any(lo <= x <= hi for item in items for x in _places(item, path)):
            dirty.add(key)
        elif tuple(_moved(i, path, at) for i in old.knowledge.get(key, ())) != items:
            dirty.add(key)
    return dirty


def _places(item: object, path: str) -> list[int]:
    """Where in ``path`` a piece of knowledge (see knowledge_of) is written."""
    if isinstance(item, Fact) and item.sentence is not None:
        return [item.start, item.end, *item.sentence] if item.path == path else []
    if isinstance(item, (Declaration, Signature, Fact)):
        return [item.start, item.end] if item.path == path else []
    assert isinstance(item, tuple)
    if item[0] == "layout":  # ("layout", path, layout, start, end or None)
        return [x for x in item[3:] if x is not None and x >= 0] if item[1] == path else []
    if item[0] == "function":
        return [item[2]] if item[1] == path else []
    if item[0] == "positive":  # ("positive", the declaration saying it: a margin m > 0)
        w = item[1]
        return [w.start, w.end] if w.path == path else []
    d, s, e = item[1], item[2], item[3]
    return [d.start, d.end, s, e] if d.path == path else []


def _moved(item: object, path: str, at: Callable[[int], int]) -> object:
    """A piece of knowledge as the edit of ``path`` moved it (``at``: an offset's new place)."""
    if isinstance(item, Fact) and item.sentence is not None and item.path == path:
        lo, hi = item.sentence  # (the sentence a special case holds in moves with it)
        return replace(item, start=at(item.start), end=at(item.end), sentence=(at(lo), at(hi)))
    if isinstance(item, (Declaration, Signature, Fact)):
        if item.path != path:
            return item
        start, end = at(item.start), at(item.end)
        if start == item.start and end == item.end:
            return item  # (before the edit: the same, not a copy made for each edit)
        return placed(item, start, end)
    assert isinstance(item, tuple)
    if item[0] == "layout":
        if item[1] != path:
            return item
        start, end = item[3], item[4]
        return (*item[:3], start if start < 0 else at(start), end if end is None else at(end))
    if item[0] == "function":
        return item if item[1] != path else ("function", path, at(item[2]))
    if item[0] == "positive":
        w = item[1]
        if w.path != path:
            return item
        start, end = at(w.start), at(w.end)
        return item if (start, end) == (w.start, w.end) else ("positive", placed(w, start, end))
    d, s, e = item[1], item[2], item[3]
    if d.path != path:
        return item
    return ("bound", placed(d, at(d.start), at(d.end)), at(s), at(e))


def flat_questions(questions: list[Question], base: int) -> tuple[object, ...]:
    """A row's questions and answers as a run keeps them: each once, offsets relative to
    the row, in one flat tuple (kind, key, font, offset, answer, kind, …): there are about
    ten per row, kept for every row of every open document.  A symbol's name is kept once
    for the process (``sys.intern``): each row's questions held their own copies, 27,000
    strings of 2,400 distinct names for the corpus (issue 17)."""
    out: list[object] = []
    for kind, key, font, offset, answer in dict.fromkeys(questions):  # (answers: hashable)
        if type(key) is str:
            key = intern(key)
        out += (kind, key, font, None if offset is None else offset - base, answer)
    return tuple(out)


_UNASKED = object()


def same_answers(
    inference: Inference,
    run: RowRun,
    start: int,
    dirty: set[str],
    every: bool,
    same_table: bool = False,
) -> bool:
    """Would the row's questions about symbols whose knowledge changed (``every``: all its
    questions) be answered as last time?  Then inferring it gives what it gave.
    ``same_table``: the run was inferred with this very symbol table (pass 1 of this
    check): only the questions of what inference adds to it are asked again.

    A declaration found is compared without its place (inference uses its shape, font and
    kind; only a diagnostic's related location uses its place, and runs with diagnostics
    are not asked again).

    Pass 2 asks again of a row what pass 1 asked (the runs of both passes share their
    questions, ``check._shared``): where every question asked was one the table alone
    answers (``TABLE_ONLY``: the same answer in both passes), the verdict is kept in the
    check's answers (``inference.answers``) for those questions, at that place, with that
    ``dirty`` (which only grows in a check: its size tells it) — a declaration edit of the
    Cookbook asked ~600 rows again in each pass."""
    memo = inference.answers
    if memo is None:
        return _same_answers(inference, run, start, dirty, every, same_table)[0]
    asked = run.asked
    key = (_VERDICT, id(asked), inference.path, start, every, same_table, len(dirty))
    hit = memo.get(key)
    if hit is not None and hit[0] is asked:
        return hit[1]  # type: ignore[no-any-return]
    same, table_only = _same_answers(inference, run, start, dirty, every, same_table)
    if table_only:
        memo[key] = (asked, same)  # (the questions kept with it: their id is not reused)
    return same


_VERDICT = object()  # (what leads the key of a verdict kept in a check's answers)


def _same_answers(
    inference: Inference,
    run: RowRun,
    start: int,
    dirty: set[str],
    every: bool,
    same_table: bool,
) -> tuple[bool, bool]:
    """:func:`same_answers`, and whether each question it asked again was ``TABLE_ONLY``."""
    table, defined, names, path = (
        inference.table, inference.defined, inference.dimension_names, inference.path
    )  # fmt: skip
    asked = run.asked
    table_only = True
    alike = TABLE_ONLY if same_table else ()  # (answered alike, whatever is dirty)
    # (pass 2 asks again what pass 1 asked of the same table, at the same places: a row
    # reading a letter whose declaration moved asks in both; each such answer is sought once)
    memo = inference.answers
    if every or same_table:
        places: Iterable[int] = range(0, len(asked), 5)
    else:  # (a row asks ~25 questions, one or two of them of a dirty symbol: only those)
        places = [5 * j for j, key in enumerate(asked[1::5]) if key in dirty]
    for i in places:
        kind, key, font, at, was = cast(Question, asked[i : i + 5])
        if kind in alike or (key not in dirty and (not every or kind in UNSCOPED)):
            continue
        offset = None if at is None else at + start
        if memo is not None and kind in TABLE_ONLY:
            asking = (kind, key, font, path, offset)
            now = memo.get(asking, _UNASKED)
            if now is _UNASKED:
                now = memo[asking] = answer_of(table, defined, names, path, kind, key, font, offset)
        else:
            table_only = False
            now = answer_of(table, defined, names, path, kind, key, font, offset)
        if now is was or now == was:
            continue
        if isinstance(now, Declaration) and isinstance(was, Declaration):
            if now.means_same_as(was):
                continue
        elif isinstance(now, Signature) and isinstance(was, Signature):
            if (now.key, now.domain, now.codomain, now.path, now.domains) == (
                was.key, was.domain, was.codomain, was.path, was.domains
            ):  # fmt: skip
                continue
        return False, table_only
    return True, table_only


def diagnostic_moved(g: Diagnostic, delta: int) -> Diagnostic:
    """A row's diagnostic moved with its row (its related locations stay where they are)."""
    if delta == 0:
        return g
    return replace(
        g,
        start=g.start + delta,
        end=g.end + delta,
        fixes=tuple(replace(f, start=f.start + delta, end=f.end + delta) for f in g.fixes),
    )


def related_moved(g: Diagnostic, edit: TextEdit, path: str) -> Diagnostic:
    related = []
    for r in g.related:
        if r.path == path:
            start, end = edit.moved(r.start), edit.moved(r.end)
            r = replace(r, start=start if start is not None else r.start,
                        end=end if end is not None else r.end)  # fmt: skip
        related.append(r)
    return replace(g, related=tuple(related))
