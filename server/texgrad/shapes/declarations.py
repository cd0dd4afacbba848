r"""Where shapes come from: the symbol table of a document or project.

Read from, in this order of trust:

- ``\in`` a space: ``A \in \mathbb{R}^{m \times n}``, ``x, y \in \mathbb R^n``,
  ``S \in \mathbb{S}^n_{++}`` (symmetric, positive definite);
- signatures: ``f : \mathbb{R}^n \to \mathbb{R}^m``;
- prose, as papers write it: "Let $W$ be an $m \times n$ matrix", "an
  $n \times n$ matrix $A$", "a vector $x$ of length $n$", "$v$ is an
  $n$-dimensional vector", "$X$ of size $N \times D$", "a scalar $\lambda$";
- comments for documents that declare nothing: ``% texgrad: A n×m, x m,
  lambda scalar`` (LaTeX) or ``<!-- texgrad: … -->`` (Markdown).

A symbol is its name after macro expansion; a font alone does not make a new
symbol (``\mathbf{x}`` is ``x``) unless the document declares both.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from texgrad.reading.edits import TextEdit
from texgrad.shapes.dims import ONE, SCALAR, Shape, dim_of, same, shape_of_space
from texgrad.syntax import tree as t
from texgrad.syntax.show import show


@dataclass(frozen=True, slots=True)
class Declaration:
    key: str  # the symbol's identity: "A", "\hat{x}", "W_{1}", "W^{(l)}"
    font: str | None
    shape: Shape
    path: str
    start: int  # where the declaration is written
    end: int
    how: str  # "in", "prose", "comment", "definition"
    symmetric: bool = False
    positive_definite: bool = False


@dataclass(frozen=True, slots=True)
class Signature:
    key: str
    domain: Shape
    codomain: Shape
    path: str
    start: int
    end: int


@dataclass
class SymbolTable:
    declarations: dict[str, list[Declaration]] = field(default_factory=dict)
    signatures: dict[str, list[Signature]] = field(default_factory=dict)
    boundaries: dict[str, Boundaries] = field(default_factory=dict)  # per path
    texts: dict[str, str] = field(default_factory=dict)  # per path
    # f(x) = … : where each function is (re)defined; a definition ends the signature before it
    function_definitions: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # variables bound by a set, \{x \in \mathbb{R}^n : …\}: they hold inside its braces only
    # (declaration, where the braces open, where they close)
    bound: dict[str, list[tuple[Declaration, int, int]]] = field(default_factory=dict)
    # is_notation's answers (texts and boundaries do not change once collected)
    _notation: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    # lookup's view of each symbol's declarations per file (see _Placed)
    _placed: dict[tuple[str, str | None, str], _Placed | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(self, d: Declaration) -> None:
        self.declarations.setdefault(d.key, []).append(d)
        self._placed.clear()

    def add_bound(self, d: Declaration, start: int, end: int) -> None:
        self.bound.setdefault(d.key, []).append((d, start, end))

    def lookup(
        self, key: str, font: str | None, path: str = "", offset: int = -1
    ) -> Declaration | None:
        """The declaration in force for a symbol written with ``font`` at ``path``/``offset``.

        A font alone does not make a new symbol (``\\mathbf{x}`` is ``x``) unless the
        document declares both.  Papers re-use letters from section to section, so:
        a declaration just after the use in the same paragraph wins ("…, where
        $x \\in \\mathbb{R}^n$"); else the nearest one before it in the same section.
        A symbol the document declares with one shape only also holds before its
        declaration in the same paragraph (papers declare after use), and everywhere in
        the document when it is declared as notation ("Throughout, …", a Notation or
        Preliminaries section).  A symbol declared only in other files of the project
        (a notation chapter) takes theirs.
        """
        inner = [
            (d, s, e)
            for d, s, e in self.bound.get(key, ())
            if d.path == path and s <= offset < e and d.font == font
        ]
        if inner:  # the x of \{x \in \mathbb{R}^n : Ax = b\}, inside the braces
            return max(inner, key=lambda b: b[1])[0]
        placed = self._placed_for(key, font, path)
        if placed is None:
            return None  # undeclared, or x and \mathbf{x} both declared and this is neither
        found = self._in_force(placed, path, offset)
        if found is not None and placed.contested(self, found):
            return None  # "y ∈ ℝⁿ … and y ∈ ℝᵐ" in one sentence: which is meant is unknown
        if found is not None or offset < 0:
            return found
        here, starts = placed.by_start, placed.starts
        if not here or not placed.agree:
            return None  # declared with several shapes: only the nearest scope counts
        bounds = self.boundaries.get(path) or Boundaries([], [])
        j = bisect.bisect_right(starts, offset)  # here[j:] come after the use
        if j < len(here) and not bounds.paragraph_between(offset, here[j].start):
            return here[j]  # used first, declared later in the paragraph
        if any(self.is_notation(d) for d in here):
            return here[j - 1] if j else here[0]
        return None

    def _placed_for(self, key: str, font: str | None, path: str) -> _Placed | None:
        """A symbol's declarations (of one font) as ``lookup`` reads them in ``path``."""
        k = (key, font, path)
        if k in self._placed:
            return self._placed[k]
        placed = None
        decls = self.declarations.get(key)
        if decls:
            same_font = [d for d in decls if d.font == font]
            if not same_font and len({d.font for d in decls}) <= 1:
                same_font = decls
            if same_font:
                placed = _Placed(same_font, path)
        self._placed[k] = placed
        return placed

    def _in_force(self, p: _Placed, path: str, offset: int) -> Any:
        """:meth:`in_force` over ``p.decls``, with what depends only on them computed once:
        a declaration just after the use in its sentence, else the nearest before it in its
        section or one it reaches, else the first in another file."""
        here = p.here
        if not here:
            return p.decls[0]
        if offset < 0:
            return here[0]
        bounds = self.boundaries.get(path) or Boundaries([], [])
        starts, order = p.starts, p.order
        j = bisect.bisect_right(starts, offset)
        if j < len(starts):  # the first after the use (of equal ones, the first listed)
            d = here[order[j]]
            if d.start - offset <= WHERE_DISTANCE and not SENTENCE_BREAK.search(
                self.texts.get(path, ""), offset, d.start
            ):
                return d
        if j:  # the last before it (of equal ones, the first listed)
            d = here[order[bisect.bisect_left(starts, starts[j - 1])]]
            if not bounds.section_between(d.start, offset):
                return d
            if (
                p.one_meaning and bounds.reaches(d.start, offset)
                and not (bounds.left_section(d.start, offset) and self.supposed(d))
            ):  # fmt: skip
                return d  # declared once for its subsections and the sections that follow
        return p.elsewhere

    def carried(self, d: Declaration, path: str, offset: int) -> bool:
        """Is ``d`` in force at ``offset`` only because it was declared in an earlier section
        (not as notation) and holds in the ones that follow?"""
        bounds = self.boundaries.get(path) or Boundaries([], [])
        return (
            d.path == path and d.start <= offset and bounds.left_section(d.start, offset)
            and not self.is_notation(d)
        )  # fmt: skip

    def _contested(self, d: Declaration, decls: list[Declaration]) -> bool:
        """Is ``d`` contradicted in its own sentence (a ``redeclared`` warning)?"""
        text = self.texts.get(d.path, "")
        for e in decls:
            if e.path != d.path or e is d or e.font != d.font or e.shape.agrees(d.shape):
                continue
            a, b = (e, d) if e.start < d.start else (d, e)
            if b.start - a.end <= WHERE_DISTANCE and not SENTENCE_BREAK.search(
                text, a.end, b.start
            ):
                return True
        return False

    def supposed(self, d: Declaration | Signature) -> bool:
        """Is a declaration made in a sentence that supposes ("Assume $A \\in …$", "If …",
        "For any …"), as references state each identity's hypotheses: for that part only?"""
        text = self.texts.get(d.path, "")
        start = sentence_start(text, max(0, d.start - 400), d.start)
        return any(
            m.group().lower().startswith(("assum", "suppos", "if", "when"))
            or m.end() >= d.start - 12
            for m in SUPPOSING.finditer(text, start, d.start)
        )  # "for any" / "for all" only right before what it declares: "For any $x \in …$"

    def is_notation(self, d: Declaration) -> bool:
        """Is a declaration made as notation for the whole document: in a sentence that
        says "throughout" or in a section named Notation, Preliminaries, Setup …?"""
        known = self._notation.get((d.path, d.start))
        if known is None:
            known = self._notation[(d.path, d.start)] = self._is_notation(d)
        return known

    def _is_notation(self, d: Declaration) -> bool:
        text = self.texts.get(d.path, "")
        if not text:
            return False
        if NOTATION_SENTENCE.search(
            text, sentence_start(text, max(0, d.start - 400), d.start), d.start
        ):
            return True
        sections = (self.boundaries.get(d.path) or Boundaries([], [])).sections
        i = bisect.bisect_right(sections, d.start) - 1
        if i < 0:
            return False
        line_end = text.find("\n", sections[i])
        heading = text[sections[i] : line_end if line_end >= 0 else len(text)]
        return bool(NOTATION_HEADING.search(heading))

    def written(self, d: Declaration | Signature) -> str:
        """A declared symbol as the document writes it (``\\mA``, not its expansion)."""
        text = self.texts.get(d.path, "")[d.start : d.end]
        return " ".join(text.split()) or d.key

    def signature(self, key: str, path: str = "", offset: int = -1) -> Signature | None:
        sigs = self.signatures.get(key)
        sig = self.in_force(sigs, path, offset) if sigs else None
        if sig is not None and sig.path == path:
            # f(x) = … after the signature defines f anew (problem sets reuse f), unless it
            # defines the same f in the same sentence ("f : R^n → R, f(x) = …")
            text = self.texts.get(path, "")
            for def_path, at in self.function_definitions.get(key, ()):
                if (
                    def_path == path
                    and sig.start < at <= offset
                    and (at - sig.end > WHERE_DISTANCE or SENTENCE_BREAK.search(text, sig.end, at))
                ):
                    return None
        return sig

    def in_force(self, decls: list[Any], path: str, offset: int) -> Any:
        """Which of a symbol's declarations (or signatures, or definitions) holds at
        ``path``/``offset``; see :meth:`lookup`."""
        return self._in_force(_Placed(decls, path), path, offset)


class _Placed:
    """A symbol's declarations (or signatures, or definitions) as seen from one file, in
    the orders ``in_force`` and ``lookup`` read them.  ``lookup`` keeps one per symbol, font
    and file for a table: ~10 µs a lookup otherwise, and a row asks several."""

    def __init__(self, decls: list[Any], path: str) -> None:
        self.decls = decls
        self.here = [d for d in decls if d.path == path]  # (in their order)
        # indices into here by start, of equal starts the first listed first
        self.order = sorted(range(len(self.here)), key=lambda i: (self.here[i].start, i))
        self.starts = [self.here[i].start for i in self.order]
        self.by_start = [self.here[i] for i in self.order]
        self.elsewhere = next((d for d in decls if d.path != path), None)
        self._contested: dict[int, bool] = {}

    @functools.cached_property
    def one_meaning(self) -> bool:
        return bool(self.here) and _one_meaning(self.here)

    @functools.cached_property
    def agree(self) -> bool:
        """Do the declarations here all agree with the first (by start)?"""
        first = self.by_start[0] if self.by_start else None
        return first is not None and all(d.shape.agrees(first.shape) for d in self.by_start[1:])

    def contested(self, table: SymbolTable, d: Declaration) -> bool:
        known = self._contested.get(id(d))
        if known is None:
            known = self._contested[id(d)] = table._contested(d, self.decls)
        return known


def _one_meaning(items: list[Any]) -> bool:
    """Do all these declarations (or signatures) of one symbol give it the same shape?"""
    first = items[0]
    if isinstance(first, Signature):
        return all(
            s.domain.agrees(first.domain) and s.codomain.agrees(first.codomain) for s in items[1:]
        )
    return all(d.shape.agrees(first.shape) for d in items[1:])


# How far after a use a declaration may come and still be the one meant (", where …").
WHERE_DISTANCE = 300
# Between a use and a declaration: the end of a sentence, paragraph or list item.
SENTENCE_BREAK = re.compile(
    r"\n[ \t]*\n|\\item\b|\\\\(?![\[\]()])|\\textbf\{\(|\n[ \t]*(?:[-*+]|\d+[.)])[ \t]|[.!?](?:\s|\$|\\\]|$)"
)


# a sentence or a section that sets notation for the whole document
NOTATION_SENTENCE = re.compile(
    r"\b[Tt]hroughout\b|\b(?:[Ii]n|[Ff]or) the rest of (?:this|the) (?:paper|document|article|note|chapter|book)"
)


def sentence_start(text: str, lo: int, at: int) -> int:
    """Where the sentence holding ``at`` starts, looking no further back than ``lo``."""
    breaks = [m.end() for m in SENTENCE_BREAK.finditer(text, lo, at)]
    return breaks[-1] if breaks else lo


# a sentence that supposes, for the identity or example at hand
SUPPOSING = re.compile(
    r"\b(?:[Aa]ssum(?:e|ing)|[Ss]uppos(?:e|ing)|[Ii]f|[Ww]hen(?:ever)?|[Ff]or (?:any|all|every|each|some))\b"
)
NOTATION_HEADING = re.compile(
    r"\b(?:[Nn]otations?|[Pp]reliminar(?:y|ies)|[Ss]et-?up|[Cc]onventions)\b|\b[Pp]roblem (?:[Ss]etting|[Ff]ormulation|[Ss]tatement)\b"
)
_HEADING = re.compile(
    r"^[ \t]*(?:\\(?P<command>part|chapter|section|subsection|subsubsection)\*?\s*[\[{]|(?P<hashes>#{1,6})[ \t])",
    re.M,
)
_LEVELS = {"part": 0, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4}
# a heading that makes its section a unit of its own: a problem, an exercise, an example
# (whose letters are its own); the sections under "Examples" or "Exercises" are such units
UNIT_HEADING = re.compile(
    r"\b(?:[Pp]roblem|[Ee]xercise|[Ee]xample|[Qq]uestion|[Hh]omework)(?P<plural>s)?\b"
)


def heading_kind(line: str) -> tuple[int, bool, bool, bool]:
    """A heading line's level (``\\section`` 2, ``##`` 2), whether it names a Notation section,
    whether it names a unit (a problem, an example) and whether a plural one (Examples)."""
    m = _HEADING.match(line)
    if m is None:
        return (-1, False, False, False)
    level = _LEVELS[m.group("command")] if m.group("command") else len(m.group("hashes"))
    notation = bool(NOTATION_HEADING.search(line))
    unit = None if notation else UNIT_HEADING.search(line, m.end())
    return (level, notation, unit is not None, bool(unit and unit.group("plural")))


_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.M | re.S)


@dataclass
class Boundaries:
    """Where a text's sections and paragraphs begin: the edges of declarations' scopes."""

    sections: list[int]
    paragraphs: list[int]
    # per section: its heading's level, and the level of the headings that end what is
    # declared in it (that of the problem or example it is part of; -1: none ends it)
    levels: list[int] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Boundaries:
        # a `# comment` in a fenced code block is no heading: blank the fences out first
        if "```" in text or "~~~" in text:
            text = _FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        sections, levels, limits = [], [], []
        ancestors: list[tuple[int, bool, bool, bool]] = []  # the headings a section is under
        for m in _HEADING.finditer(text):
            end = text.find("\n", m.start())
            kind = heading_kind(text[m.start() : end if end >= 0 else len(text)])
            while ancestors and ancestors[-1][0] >= kind[0]:
                ancestors.pop()
            ancestors.append(kind)
            # what is declared here holds in the sections that follow under the same heading
            # (2.2 after 2.1, not 3), and within the innermost problem or example it is part of
            limit = kind[0] - 1
            for i in range(len(ancestors) - 1, -1, -1):
                level, _, unit, plural = ancestors[i]
                if unit:
                    unit_level = ancestors[i + 1][0] if plural and i + 1 < len(ancestors) else level
                    limit = max(limit, unit_level)
                    break
            sections.append(m.start())
            levels.append(kind[0])
            limits.append(limit)
        return cls(sections, [m.start() for m in _PARAGRAPH.finditer(text)], levels, limits)

    @classmethod
    def after(cls, old_text: str, old: Boundaries, text: str) -> Boundaries:
        """The boundaries of ``text``, from those of ``old_text`` when one edit inside a line
        changed neither a heading nor a blank line nor a code fence (they move with it)."""
        if text == old_text:
            return old
        edit = TextEdit.between(old_text, text)
        start, old_end, new_end = edit.start, edit.old_end, edit.new_end
        changed = old_text[start:old_end] + text[start:new_end]
        if any(c in changed for c in "\n\r\\#`~"):
            return cls.of(text)
        for src, end in ((old_text, old_end), (text, new_end)):
            # the edited line and those around it: no heading (\section may end on the next
            # line), no fence, and the edited line not blank (where paragraphs end)
            line = src.rfind("\n", 0, start) + 1
            line_end = src.find("\n", end)
            line_end = len(src) if line_end < 0 else line_end
            if not src[line:line_end].strip():
                return cls.of(text)
            lo = src.rfind("\n", 0, max(0, line - 1)) + 1
            hi = src.find("\n", line_end + 1)
            window = src[lo : len(src) if hi < 0 else hi]
            if _HEADING.search(window) or "```" in window or "~~~" in window:
                return cls.of(text)
        d = new_end - old_end
        return cls(
            [b if b < start else b + d for b in old.sections],
            [b if b < start else b + d for b in old.paragraphs],
            old.levels,
            old.limits,
        )

    def section_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.sections, a)
        return i < len(self.sections) and self.sections[i] < b

    def left_section(self, a: int, b: int) -> bool:
        """Does a heading between ``a`` and ``b`` end the section ``a`` is in (not a subsection
        of it)?"""
        i = bisect.bisect_right(self.sections, a) - 1
        level = self.levels[i] if 0 <= i < len(self.levels) else -1
        j = bisect.bisect_right(self.sections, b)
        return any(h <= level for h in self.levels[i + 1 : j])

    def reaches(self, a: int, b: int) -> bool:
        """Does what is declared at ``a`` hold at ``b``, in a later section?  Papers declare a
        letter once and use it in the sections that follow; what a problem, an exercise or
        an example declares ends with it (the next one reuses the letters)."""
        i = bisect.bisect_right(self.sections, a) - 1
        limit = self.limits[i] if 0 <= i < len(self.limits) else -1
        if limit < 0:
            return True
        j = bisect.bisect_right(self.sections, b)
        return all(level > limit for level in self.levels[i + 1 : j])

    def paragraph_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.paragraphs, a)
        return i < len(self.paragraphs) and self.paragraphs[i] < b


# -- symbols ------------------------------------------------------------------------


def tagged_key(base: str, bracket: str, label: str) -> str:
    """The key of a labelled member of a family: ``h^{(t)}``, ``a^{[l]}``."""
    close = ")" if bracket == "(" else "]"
    return f"{base}^{{{bracket}{label}{close}}}"


def symbol_key(node: t.Node) -> tuple[str, str | None] | None:
    """The identity of a symbol node (key, font), or None if the node is not a symbol."""
    if isinstance(node, t.Symbol):
        if not (node.name[:1].isalpha() or node.name.startswith("\\")) or node.name.isdigit():
            return None
        key = node.name
        for accent in node.accents:
            key = f"\\{accent}{{{key}}}"
        return key, node.font
    if isinstance(node, t.Sub):
        base = symbol_key(node.base)
        if base is None:
            return None
        return f"{base[0]}_{{{show(node.index)}}}", base[1]
    if isinstance(node, t.Tagged):
        base = symbol_key(node.base)
        if base is None:
            return None
        return tagged_key(base[0], node.bracket, show(node.tag)), base[1]
    return None


# -- reading declarations from trees -----------------------------------------------------


RowKey = Hashable  # a row's text and map (shapes/check.py)


class Row:
    """One parsed row of a document, as declarations need it.

    A row an edit moved keeps the tree it was parsed into and moves it only when the tree
    is asked for (most never are: their inference is reused); ``key`` names its text and
    map (see shapes/check.py), so that what was learnt from a row can be reused too.
    """

    __slots__ = ("path", "start", "end", "key", "_tree")

    def __init__(
        self,
        path: str,
        start: int,
        end: int,
        tree: t.Node | None,
        key: RowKey | None = None,
        shift: int = 0,
    ) -> None:
        self.path, self.start, self.end, self.key = path, start, end, key
        self._tree = (tree, shift)

    @property
    def parsed(self) -> bool:
        """Did the row parse (without moving its tree)?"""
        return self._tree[0] is not None

    @property
    def shift(self) -> int:
        """How far the row is from where its tree was parsed (0 once moved there)."""
        return self._tree[1]

    def moved(self, delta: int) -> Row:
        """The same row ``delta`` characters later (its tree moved when asked for)."""
        tree, shift = self._tree
        return Row(self.path, self.start + delta, self.end + delta, tree, self.key, shift + delta)

    @property
    def tree_as_parsed(self) -> t.Node | None:
        """The tree without moving it: its ranges may be where the row was when parsed.
        For readers that use only its structure (the calculus engine's definitions)."""
        return self._tree[0]

    @property
    def tree(self) -> t.Node | None:
        tree, shift = self._tree  # one read and one write: threads may share rows
        if shift and tree is not None:
            tree = t.shifted(tree, shift)
            self._tree = (tree, 0)
        return tree

    def __repr__(self) -> str:
        return f"Row({self.path!r}, {self.start}, {self.end})"


class CollectMemo:
    """What ``collect`` learnt from each row (by its key) and each paragraph of prose (by
    its text and rows), relative to where they start, for the next collect after an edit."""

    def __init__(self) -> None:
        self.rows: dict[RowKey, list[tuple[object, ...]]] = {}
        self.prose: dict[tuple[object, ...], list[Declaration]] = {}
        self.boundaries: dict[str, tuple[str, Boundaries]] = {}  # per path: its last text's


def collect(
    rows: Iterable[Row],
    texts: dict[str, str],
    table: SymbolTable | None = None,
    memo: CollectMemo | None = None,
) -> SymbolTable:
    """Declarations from every row (``\\in``, signatures) and the prose and comments of each text."""
    table = table or SymbolTable()
    fresh = CollectMemo()
    by_path: dict[str, list[Row]] = {}
    for row in rows:
        by_path.setdefault(row.path, []).append(row)
        items = memo.rows.get(row.key) if memo is not None and row.key is not None else None
        if items is None:
            items = _row_items(row)
        if row.key is not None:
            fresh.rows[row.key] = items
        _add_items(table, items, row.path, row.start)
    for path, text in texts.items():
        last = memo.boundaries.get(path) if memo is not None else None
        bounds = Boundaries.of(text) if last is None else Boundaries.after(last[0], last[1], text)
        fresh.boundaries[path] = (text, bounds)
        table.boundaries[path] = bounds
        table.texts[path] = text
        path_rows = sorted(by_path.get(path, []), key=lambda r: r.start)
        _prose_by_paragraph(text, path, path_rows, table, memo, fresh)
        _from_comments(text, path, table)
    if memo is not None:
        memo.rows, memo.prose, memo.boundaries = fresh.rows, fresh.prose, fresh.boundaries
    return table


def _row_items(row: Row) -> list[tuple[object, ...]]:
    """What one row declares, relative to its start."""
    if row.tree is None:
        return []
    scratch = SymbolTable()
    functions: list[tuple[str, int]] = []
    for chain, scope in _chains(row.tree):
        _from_chain(chain, row.path, scratch, scope)
        head = (
            chain.items[0]
            if chain.relations and chain.relations[0] in ("=", ":=", "\\coloneqq")
            else None
        )
        if (
            isinstance(head, t.Apply)
            and (key := symbol_key(head.func)) is not None
            and all(symbol_key(a) is not None for a in head.args)
        ):  # f(x) = … defines f; f(x + p) = f(x) + … (Taylor) states something of it
            functions.append((key[0], head.start))
    base = row.start
    items: list[tuple[object, ...]] = []
    for decls in scratch.declarations.values():
        items += [("in", replace(d, start=d.start - base, end=d.end - base)) for d in decls]
    for bound in scratch.bound.values():
        items += [("bound", replace(d, start=d.start - base, end=d.end - base), s - base, e - base)
                  for d, s, e in bound]  # fmt: skip
    for sigs in scratch.signatures.values():
        items += [("signature", replace(g, start=g.start - base, end=g.end - base)) for g in sigs]
    items += [("function", key, at - base) for key, at in functions]
    return items


def _add_items(table: SymbolTable, items: list[tuple[object, ...]], path: str, base: int) -> None:
    for item in items:
        kind = item[0]
        if kind == "in":
            d = item[1]
            assert isinstance(d, Declaration)
            table.add(replace(d, path=path, start=d.start + base, end=d.end + base))
        elif kind == "bound":
            d, s, e = item[1], item[2], item[3]
            assert isinstance(d, Declaration) and isinstance(s, int) and isinstance(e, int)
            table.add_bound(replace(d, path=path, start=d.start + base, end=d.end + base),
                            s + base, e + base)  # fmt: skip
        elif kind == "signature":
            g = item[1]
            assert isinstance(g, Signature)
            table.signatures.setdefault(g.key, []).append(
                replace(g, path=path, start=g.start + base, end=g.end + base)
            )
        else:
            key, at = item[1], item[2]
            assert isinstance(key, str) and isinstance(at, int)
            table.function_definitions.setdefault(key, []).append((path, at + base))


def _prose_by_paragraph(
    text: str,
    path: str,
    rows: list[Row],
    table: SymbolTable,
    memo: CollectMemo | None,
    fresh: CollectMemo,
) -> None:
    """Prose declarations, one paragraph at a time (none spans a blank line), each
    remembered by its text and the keys of its rows."""
    if "$" not in text:
        return
    cuts = [0, *(m.start() for m in _PARAGRAPH.finditer(text)), len(text)]
    starts = [r.start for r in rows]
    keys = [r.key for r in rows]
    keyed = None not in keys  # (rows without a key: nothing is remembered)
    i = 0
    for a, b in pairwise(cuts):
        if text.find("$", a, b) < 0:
            continue
        i = bisect.bisect_left(starts, a, i)
        j = bisect.bisect_left(starts, b, i)
        key = (text[a:b], tuple(keys[i:j]))
        found = memo.prose.get(key) if memo is not None and keyed else None
        if found is None:
            scratch = SymbolTable()
            _from_prose(text, path, rows[i:j], scratch, a, b)
            found = [replace(d, start=d.start - a, end=d.end - a)
                     for decls in scratch.declarations.values() for d in decls]  # fmt: skip
        if keyed:
            fresh.prose[key] = found
        for d in found:
            table.add(replace(d, path=path, start=d.start + a, end=d.end + a))


def _chains(node: t.Node) -> Iterator[tuple[t.Chain, tuple[int, int] | None]]:
    """Relation chains at statement level: the row itself, items of lists and sequences,
    math nested in text, and braces (``\\{x_i \\in \\mathbb{R}^d\\}``); each with the range
    of the set-builder braces that bind its variables (``\\{x \\in \\mathbb{R}^n : Ax = b\\}``),
    or None for a statement about the document."""
    stack: list[tuple[t.Node, tuple[int, int] | None]] = [(node, None)]
    while stack:
        n, scope = stack.pop()
        if isinstance(n, t.Chain):
            yield n, scope
            stack.extend((i, scope) for i in n.items if isinstance(i, (t.Paren, t.Text)))
        elif isinstance(n, (t.Sequence, t.List)):
            stack.extend((i, scope) for i in n.items)
        elif isinstance(n, t.Text):
            stack.extend((m, scope) for m in n.math)
        elif isinstance(n, t.Paren) and n.body is not None:
            builder = _is_set_builder(n)
            stack.append((n.body, (n.start, n.end) if builder else scope))
        elif isinstance(n, t.Product):
            # "x \in R^n \text{ and } y \in R^m": statements joined by text
            stack.extend((f, scope) for f in n.factors if isinstance(f, (t.Text, t.Chain)))


_SET_OPEN = frozenset({"\\{", "\\left\\{", "\\lbrace", "\\left\\lbrace"})
_SUCH_THAT = frozenset({":", "\\colon", "\\mid", "|", "\\vert"})


def _is_set_builder(paren: t.Paren) -> bool:
    """``\\{x \\in \\mathbb{R}^n : …\\}``, ``\\{f(x) \\mid x \\in C\\}``: braces with a "such that"."""
    body = paren.body
    return (
        paren.open in _SET_OPEN
        and isinstance(body, t.Chain)
        and any(rel in _SUCH_THAT for rel in body.relations)
    )


def _space(node: t.Node | None) -> tuple[Shape, t.Space] | None:
    if isinstance(node, t.Product) and node.factors:  # \mathbb{R}^n \text{ for all } n
        node = node.factors[0]
    if isinstance(node, t.Space):
        shape = shape_of_space(node)
        return (shape, node) if shape is not None else None
    return None


def _from_chain(
    chain: t.Chain, path: str, table: SymbolTable, scope: tuple[int, int] | None = None
) -> None:
    items, rels = chain.items, chain.relations
    for i, rel in enumerate(rels):
        left, right = items[i], items[i + 1]
        if rel in ("\\in", "∈") and left is not None:
            if isinstance(right, t.List):  # A \in R^{m×n}, B \in …: the space ends at the comma
                right = right.items[0]
            if isinstance(left, t.List):  # … R^{m×n}, B \in …: the symbols after the last space
                spaces = [j for j, item in enumerate(left.items) if _space(item) is not None]
                left = t.List(left.items[spaces[-1] + 1 :]) if spaces else left
            found = _space(right)
            if found is None:
                continue
            shape, space = found
            symmetric = space.field == "S"
            pd = symmetric and space.sub is not None and show(space.sub) == "++"
            symbols = list(left.items if isinstance(left, t.List) else (left,))
            j = i  # \Phi = [ … ] \in \R^{n×p}: what is equal to the member is a member too
            while (
                j > 0
                and rels[j - 1] in ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv")
                and items[j - 1] is not None
            ):
                symbols.append(items[j - 1])  # type: ignore[arg-type]
                j -= 1
            for sym in symbols:
                key = symbol_key(sym)
                if key is None:
                    continue
                how = "in" if scope is None else "bound"
                d = Declaration(key[0], key[1], shape, path, sym.start, sym.end, how, symmetric, pd)
                if scope is None:
                    table.add(d)
                else:
                    table.add_bound(d, *scope)
        elif (
            rel in (":", "\\colon")
            and i + 2 < len(items)
            and rels[i + 1] in ("\\to", "\\rightarrow")
        ):
            key = symbol_key(left) if left is not None else None
            dom, cod = _space(items[i + 1]), _space(items[i + 2])
            if key is not None and dom is not None and cod is not None and left is not None:
                sig = Signature(key[0], dom[0], cod[0], path, left.start, left.end)
                table.signatures.setdefault(key[0], []).append(sig)


# -- prose -------------------------------------------------------------------------

_M = r"\$(?P<{}>[^$]{{1,80}})\$"
_ART = r"(?:an?|the|one|some)"
_KIND = r"(?P<kind>(?:real |complex |symmetric |positive[- ]definite |square |random |column |row |weight |data |design |input |output |feature )*(?:matrix|matrices|vector|vectors))"
_PROSE = [
    # "$A$ and $B$ are $n \times n$ matrices", "$x$, $y$ and $z$ are $n$-dimensional vectors"
    re.compile(_M.format("sym") + r"(?:,\s*" + _M.format("sym2") + r")?,?\s+and\s+" + _M.format("sym3")
               + r"\s+are\s+(?:both\s+|all\s+)?" + _M.format("dims") + r"(?:[- ]dimensional)?\s+" + _KIND),
    # "Let $W$ be an $m \times n$ matrix", "$v$ is an $n$-dimensional vector"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _M.format("dims")
               + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND),
    # "Let $A$ be …, $C$ an $n \times m$ matrix and $w$ a vector of …": apposition in a list
    re.compile(r"(?:,|\band)\s+" + _M.format("sym") + r"\s+an?\s+" + _M.format("dims")
               + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND),
    # "an $n \times n$ matrix $A$", "a $k \times 1$ vector $y_t$", "$n$-dimensional vector $v$", "an $m$-vector $y$"
    re.compile(_M.format("dims") + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND + r"\s+(?:called\s+|denoted\s+(?:by\s+)?)?" + _M.format("sym")),
    # "Let $v$ be a vector of length $n$", "$W$ is a matrix of size $m \times n$"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _KIND
               + r",?\s+(?:of|with)\s+(?:length|size|shape|dimensions?)\s+" + _M.format("dims")),
    # "…, $P$ an $n \times n$ matrix and $v$ a vector of length $m$": apposition in a list
    re.compile(r"(?:,|\band)\s+" + _M.format("sym") + r"\s+an?\s+" + _KIND
               + r",?\s+(?:of|with)\s+(?:length|size|shape|dimensions?)\s+" + _M.format("dims")),
    # "a vector $x$ of length $n$", "$X$ of size $N \times D$"
    re.compile(_M.format("sym") + r",?\s+(?:of|with)\s+(?P<kind>length|size|shape|dimensions?|order)\s+" + _M.format("dims")),
    # "Let $A$ be $m \times n$", "where $X$ is of size $N \times D$" (not "If $A$ is …": a hypothesis)
    # and the items of such a list ("…, $C$ is $n \times m$ and $G$ is $k \times n$"), or of a
    # bulleted one ("* $w_t$ is $k \times 1$")
    re.compile(r"(?P<lead>\b[Ll]et|\b[Ss]uppose|\b[Aa]ssume|\bwhere|(?m:^)[ \t]*(?:[-*+]|\d+[.)]|\\item)|,|\band)\s+" + _M.format("sym") + r"\s+(?:is|be)\s+(?:of\s+(?:size|shape|dimensions?)\s+)?" + r"\$(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "a scalar $\lambda$", "$\lambda$ is a scalar"
    re.compile(r"\b(?P<kind>scalar)s?\s+" + _M.format("sym")),
    re.compile(_M.format("sym") + r"\s+(?:is|be)\s+a\s+(?:real\s+)?(?P<kind>scalar)\b"),
]  # fmt: skip


def _row_at(rows: list[Row], offset: int) -> Row | None:
    starts = [r.start for r in rows]
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and rows[i].start <= offset <= rows[i].end:
        return rows[i]
    return None


def _dims_shape(node: t.Node | None, kind: str) -> Shape | None:
    """``m \\times n`` → m×n; ``n`` with "vector" → n; ``n`` with "matrix" → n×n (an n×n … is common)."""
    if node is None:
        return None
    if isinstance(node, t.BinOp) and node.op in ("\\times", "x", "*") and node.right is not None:
        r, c = dim_of(node.left), dim_of(node.right)
        if r is None or c is None:
            return None
        if "row" in kind and not same(r, ONE):
            return None
        return Shape(r, c)
    if isinstance(node, t.Product) and len(node.factors) == 3 and show(node.factors[1]) == "x":
        r, c = dim_of(node.factors[0]), dim_of(node.factors[2])  # "n x m" typed with a letter x
        return Shape(r, c) if r is not None and c is not None else None
    d = dim_of(node)
    if d is None:
        return None
    if "vector" in kind:
        return Shape(ONE, d) if kind.startswith("row") else Shape(d, ONE)
    if "square" in kind or "symmetric" in kind:
        return Shape(d, d)
    return None  # "an $n$ matrix" says too little


_DECLARING = re.compile(r"\b(?:[Ww]here|[Ll]et|[Ss]uppose|[Aa]ssume|[Gg]iven)\b")
_HYPOTHESIS = re.compile(r"\b(?:[Ii]f|[Ww]hen|[Ww]henever|[Uu]nless)\b")


def _declaring(text: str, lo: int, at: int) -> bool:
    """Does the sentence up to ``at`` declare ("where $x$ is …, $A$ is …"), not suppose?"""
    sentence = text[sentence_start(text, lo, at) : at]
    return bool(_DECLARING.search(sentence)) and not _HYPOTHESIS.search(sentence)


def _from_prose(
    text: str, path: str, rows: list[Row], table: SymbolTable, lo: int = 0, hi: int | None = None
) -> None:
    if "$" not in text:
        return
    for pattern in _PROSE:
        for m in pattern.finditer(text, lo, len(text) if hi is None else hi):
            if m.groupdict().get("lead") in (",", "and") and not _declaring(text, lo, m.start()):
                continue  # "If $A$ is $m \times n$, $B$ is …": a hypothesis
            kind = (m.groupdict().get("kind") or "").lower()
            # "of length $n$" is a vector, "of order $n$" a square matrix
            kind = {"length": "vector", "size": "vector", "dimension": "vector", "dimensions": "vector",
                    "shape": "vector", "order": "square matrix"}.get(kind, kind)  # fmt: skip
            if kind == "scalar":
                shape: Shape | None = SCALAR
            else:
                dims_row = _row_at(rows, m.start("dims"))
                shape = _dims_shape(dims_row.tree if dims_row else None, kind)
            if shape is None:
                continue
            for group in ("sym", "sym2", "sym3"):
                if m.groupdict().get(group) is None:
                    continue
                sym_row = _row_at(rows, m.start(group))
                if sym_row is None or sym_row.tree is None:
                    continue
                sym = sym_row.tree
                if isinstance(sym, t.Chain) and sym.items[0] is not None:
                    sym = sym.items[0]  # "let $\\lambda > 0$ be a scalar"
                key = symbol_key(sym)
                if key is not None:
                    table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose",
                                          symmetric="symmetric" in kind, positive_definite="definite" in kind))  # fmt: skip


# -- texgrad comments ----------------------------------------------------------------

_COMMENT = re.compile(
    # a LaTeX comment ends at the end of its line; a Markdown one may span lines
    r"^[ \t]*%+[ \t]*texgrad:(?P<body>[^\n]*)$|<!--\s*texgrad:(?P<mbody>.*?)-->",
    re.M | re.S,
)
_ENTRY = re.compile(
    r"(?P<name>\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s+(?P<dims>scalar|[\w+]+(?:\s*(?:×|x|\\times)\s*[\w+]+)?)"
)
_GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)


def _from_comments(text: str, path: str, table: SymbolTable) -> None:
    if "texgrad:" not in text:
        return
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    for m in _COMMENT.finditer(text):
        group = "body" if m.group("body") is not None else "mbody"
        body, offset = m.group(group), m.start(group)
        for e in _ENTRY.finditer(body):
            name = e.group("name")
            if name in _GREEK_NAMES:
                name = "\\" + name
            dims = e.group("dims")
            if dims == "scalar":
                shape: Shape | None = SCALAR
            else:
                parsed = parse_row(
                    MappedText.identity(dims.replace("×", " \\times ").replace(" x ", " \\times "))
                )
                shape = _dims_shape(parsed.tree, "vector")
            if shape is None:
                continue
            start = offset + e.start("name")
            table.add(
                Declaration(name, None, shape, path, start, start + len(e.group("name")), "comment")
            )
