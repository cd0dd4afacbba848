"""Math regions and their rows: the values the reading layer hands to analysis.

A *raw* region is where a scanner found math (source offsets only).  Building
it expands macros, undoes format escapes and splits multi-line environments
into rows, each a :class:`MappedText` that the parser reads and whose every
character maps back to the source file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from texgrad.reading.edits import Splice
from texgrad.reading.macros import Macro, MacroTable, expand
from texgrad.reading.problems import ReadProblem
from texgrad.reading.source import MappedText

# Environments that lay an equation out over several rows; in them `\\` ends a
# row and `&` is an alignment point.  At the top level of a row they are
# transparent (the lexer skips their \begin/\end).
ROW_ENVIRONMENTS = frozenset(
    {
        "align", "align*", "alignat", "alignat*", "flalign", "flalign*", "gather",
        "gather*", "multline", "multline*", "eqnarray", "eqnarray*", "aligned",
        "alignedat", "split", "gathered", "multlined",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RawRegion:
    """Where a scanner found math, before expansion: plain source offsets."""

    kind: str  # "inline", "display", or the environment / fence name ("align*", "math")
    delimiter: str  # what opened it: "$", "$$", "\\(", "\\[", "\\begin", "```math", ...
    start: int  # the whole region, delimiters included
    end: int
    body_start: int  # the math between the delimiters
    body_end: int
    display: bool
    # Source spans inside the body that are not math (comments, fence option lines).
    excluded: tuple[tuple[int, int], ...] = ()
    # Markdown: undo backslash escapes such as \_ and \* inside the body.
    markdown_escapes: bool = False

    def shifted(self, d: int) -> RawRegion:
        """The same region ``d`` characters later (:func:`shifted_all` of one)."""
        return shifted_all((self,), d)[0]


def shifted_all(raws: Sequence[RawRegion], d: int) -> list[RawRegion]:
    """The regions ``d`` characters later, in one loop without a method call per region (an
    edit at the top of the Cookbook moves its 1,000 regions at every keystroke), each made
    without the frozen dataclass's ``__init__``, which sets each field through
    ``object.__setattr__``."""
    out: list[RawRegion] = []
    add, new = out.append, _new
    kind, delimiter, start, end = _kind, _delimiter, _start, _end
    body_start, body_end, display = _body_start, _body_end, _display
    excluded, escapes = _excluded, _markdown_escapes
    for r in raws:
        o = new(RawRegion)
        kind(o, r.kind)
        delimiter(o, r.delimiter)
        start(o, r.start + d)
        end(o, r.end + d)
        body_start(o, r.body_start + d)
        body_end(o, r.body_end + d)
        display(o, r.display)
        ex = r.excluded
        excluded(o, tuple([(a + d, b + d) for a, b in ex]) if ex else ex)
        escapes(o, r.markdown_escapes)
        add(o)
    return out


# (the slots' own setters, which the dataclass's __init__ reaches through object.__setattr__)
_new = object.__new__
_setters = {name: getattr(RawRegion, name).__set__ for name in RawRegion.__slots__}
_kind, _delimiter, _start, _end = (_setters[n] for n in ("kind", "delimiter", "start", "end"))
_body_start, _body_end, _display = (_setters[n] for n in ("body_start", "body_end", "display"))
_excluded, _markdown_escapes = _setters["excluded"], _setters["markdown_escapes"]


@dataclass(frozen=True, slots=True)
class RowText:
    """One equation of a region: the text the parser reads, mapped to the source."""

    text: MappedText
    start: int  # source range of the row (without surrounding white space)
    end: int
    index: int


class MathRegion:
    """A built region: where it is, and its rows.  Immutable.

    A region an edit moved is made in O(1): its rows (and problems) are moved only when
    first asked for, as most are never asked for before the next edit."""

    __slots__ = ("kind", "delimiter", "start", "end", "body_start", "body_end", "display", "_moved")

    def __init__(
        self,
        kind: str,
        delimiter: str,
        start: int,
        end: int,
        body_start: int,
        body_end: int,
        display: bool,
        rows: tuple[RowText, ...],
        problems: tuple[ReadProblem, ...] = (),
    ) -> None:
        self.kind, self.delimiter, self.display = kind, delimiter, display
        self.start, self.end, self.body_start, self.body_end = start, end, body_start, body_end
        # rows and problems, and how far they are behind (one value: threads may share it)
        self._moved: tuple[tuple[RowText, ...], tuple[ReadProblem, ...], int] = (rows, problems, 0)

    @property
    def rows(self) -> tuple[RowText, ...]:
        return self._settled()[0]

    @property
    def problems(self) -> tuple[ReadProblem, ...]:
        return self._settled()[1] if self._moved[1] else ()

    @property
    def has_problems(self) -> bool:
        """Has it problems (without moving them)?"""
        return bool(self._moved[1])

    def _settled(self) -> tuple[tuple[RowText, ...], tuple[ReadProblem, ...], int]:
        state = self._moved
        rows, problems, d = state
        if d:
            rows = tuple(RowText(r.text.shifted(d), r.start + d, r.end + d, r.index) for r in rows)
            problems = tuple(
                ReadProblem(p.message, p.start + d, p.end + d, p.severity, p.code) for p in problems
            )
            state = (rows, problems, 0)
            self._moved = state
        return state

    def moved(self, delta: int) -> MathRegion:
        """The same region ``delta`` characters later in the source (text inserted before it)."""
        if delta == 0:
            return self
        out = MathRegion.__new__(MathRegion)
        out.kind, out.delimiter, out.display = self.kind, self.delimiter, self.display
        out.start, out.end = self.start + delta, self.end + delta
        out.body_start, out.body_end = self.body_start + delta, self.body_end + delta
        rows, problems, d = self._moved
        out._moved = (rows, problems, d + delta)
        return out

    def _fields(self) -> tuple[object, ...]:
        return (self.kind, self.delimiter, self.start, self.end, self.body_start,
                self.body_end, self.display, self.rows, self.problems)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MathRegion):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"MathRegion(kind={self.kind!r}, delimiter={self.delimiter!r}, start={self.start}, "
            f"end={self.end}, body_start={self.body_start}, body_end={self.body_end}, "
            f"display={self.display}, rows={self.rows!r}, problems={self.problems!r})"
        )


def moved_regions(regions: Sequence[MathRegion], delta: int) -> list[MathRegion]:
    """``[r.moved(delta) for r in regions]`` in one loop, without a method call per region
    (the regions after an edit at the top of the Cookbook: 1,000 at every keystroke)."""
    if delta == 0:
        return list(regions)
    out: list[MathRegion] = []
    add, new = out.append, MathRegion.__new__
    for r in regions:
        o = new(MathRegion)
        o.kind, o.delimiter, o.display = r.kind, r.delimiter, r.display
        o.start, o.end, o.body_start, o.body_end = (
            r.start + delta, r.end + delta, r.body_start + delta, r.body_end + delta
        )  # fmt: skip
        rows, problems, d = r._moved
        o._moved = (rows, problems, d + delta)
        add(o)
    return out


@dataclass(frozen=True, slots=True)
class Include:
    r"""A reference to another file: ``\input{chapters/a}``, ``\import{dir/}{file}``."""

    command: str  # input, include, import …; quarto-include for {{< include … >}}
    target: str  # the path as written; directory and file joined for \import
    start: int  # source range of the whole command
    end: int

    @property
    def written(self) -> str:
        r"""The include as messages quote it: ``\input{a}``, ``{{< include a.qmd >}}``."""
        if self.command == "quarto-include":
            return f"{{{{< include {self.target} >}}}}"
        return f"\\{self.command}{{{self.target}}}"


@dataclass(slots=True)
class ScanResult:
    """What one pass over a file found (LaTeX or Markdown): plain source offsets."""

    regions: list[RawRegion] = field(default_factory=list)
    definitions: list[Macro] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    magic_root: str | None = None  # % !TEX root = …
    has_documentclass: bool = False
    # made by moving an earlier scan's regions after an edit (rescan.py): how
    origin: Splice | None = field(default=None, compare=False, repr=False)
    # Markdown: the paragraphs read for inline math outside quotes, (start, end) in order —
    # an edit inside one that leaves block structure alone reads that one again (rescan.py)
    paragraphs: list[tuple[int, int]] | None = field(default=None, compare=False, repr=False)
    # \includeonly{a,b}: the only \include targets LaTeX reads (as written, without ".tex")
    include_only: tuple[str, ...] | None = None


# Markdown escapes that authors add to keep emphasis out of math (a\_i, a\*b).
# A doubled backslash (a row break) and TeX's own \| \> \# are left alone.
_MD_ESCAPE = re.compile(r"\\\\|\\([_*])")
_EMPTY_ROW = re.compile(
    r"^(?:\s|\\(?:begin|end)\{(?:"
    + "|".join(re.escape(e) for e in sorted(ROW_ENVIRONMENTS))
    + r")\}"
    r"(?:\{[^}]*\})?|\\(?:nonumber|notag|hline|noalign\{[^}]*\}|label\{[^}]*\}|tag\*?\{[^}]*\})|&)*$"
)


def body_text(source: str, raw: RawRegion) -> MappedText:
    """The region's body as mapped text, with excluded spans cut out."""
    parts = []
    pos = raw.body_start
    for a, b in sorted(raw.excluded):
        if a > pos:
            parts.append(MappedText.identity(source[pos:a], pos))
        pos = max(pos, b)
    if raw.body_end > pos:
        parts.append(MappedText.identity(source[pos : raw.body_end], pos))
    text = MappedText.concat(parts)
    if raw.markdown_escapes:
        text = text.substitute(_MD_ESCAPE, lambda m: m.group(1))
    return text


# Bounds of one region: past them texgrad says "skipped: too large" for that part (the rest
# of the document is read).  No formula people write comes near them; a runaway one (an
# environment never closed, generated tables) would only cost time.
MAX_REGION_CHARS = 100_000
MAX_ROWS_PER_REGION = 2_000


def build_region(source: str, raw: RawRegion, macros: MacroTable | None = None) -> MathRegion:
    """Expand, split into rows and map a raw region."""
    size = raw.body_end - raw.body_start
    if size > MAX_REGION_CHARS:
        return _skipped(
            raw,
            f"skipped: too large: a math region of {size:,} characters "
            f"(the limit is {MAX_REGION_CHARS:,})",
        )
    text = body_text(source, raw)
    problems: list[ReadProblem] = []
    if macros:
        text, expansion_problems = expand(text, macros)
        problems.extend(expansion_problems)
    if "<" in text.text and _OVERLAY_NAME.search(text.text):
        text = without_overlays(text)
    if text.segments:
        rows = tuple(split_rows(text))
    else:  # empty math (`\[\]`, or only a comment): one empty row where the body is
        rows = (RowText(text, raw.body_start, raw.body_start, 0),)
    if len(rows) > MAX_ROWS_PER_REGION:
        first = rows[MAX_ROWS_PER_REGION]
        message = (
            f"skipped: too large: rows after the {MAX_ROWS_PER_REGION:,}th of this region "
            f"({len(rows) - MAX_ROWS_PER_REGION:,} rows) are not read"
        )
        problems.append(ReadProblem(message, first.start, rows[-1].end, "information", "too-large"))
        rows = rows[:MAX_ROWS_PER_REGION]
    return MathRegion(
        kind=raw.kind,
        delimiter=raw.delimiter,
        start=raw.start,
        end=raw.end,
        body_start=raw.body_start,
        body_end=raw.body_end,
        display=raw.display,
        rows=rows,
        problems=tuple(problems),
    )


# Beamer's overlay commands around math, ``\only<2->{c_t &= … \\}``: what they show is math of
# the slide, rows and all (read, the braces would hold the rows of an align together); an
# overlay given as a switch (``\onslide<3->``) or to a highlight (``\alert<2>{W_f}``) is dropped
_OVERLAY_NAME = re.compile(
    r"\\(?:only|onslide|uncover|visible|invisible|alert|textcolor|pause)\s*<"
)
_SPEC = r"\s*<[^<>{}\n]{1,20}>"
_OVERLAY_TOKENS = re.compile(
    r"\\(?:only|onslide|uncover|visible|invisible)" + _SPEC + r"\s*\{"
    r"|(?P<keep>\\(?:alert|textcolor))"
    + _SPEC
    + r"|\\(?:only|onslide|uncover|visible|invisible|pause)"
    + _SPEC
    + r"|\\[\\{}]|[{}]"
)  # (``\\`` and ``\{``, ``\}`` are no braces)


def without_overlays(text: MappedText) -> MappedText:
    """``text`` with each overlay command's ``\\only<spec>{`` and its closing brace blanked, and
    the overlay specifications of switches and highlights dropped."""
    opened: list[bool] = []  # per open brace: an overlay's?

    def blank(m: re.Match[str]) -> str | None:
        tok = m.group(0)
        if m.group("keep") is not None:
            return m.group("keep")  # \alert<2>{W_f}: \alert{W_f}
        if tok.endswith("{") and len(tok) > 2:
            opened.append(True)
            return " "
        if tok.endswith(">"):
            return " "  # \onslide<3->: a switch
        if tok == "{":
            opened.append(False)
        elif tok == "}" and opened and opened.pop():
            return " "
        return None

    return text.substitute(_OVERLAY_TOKENS, blank)


def _skipped(raw: RawRegion, message: str) -> MathRegion:
    """A region not read: one empty row where its body starts, and why."""
    empty = RowText(MappedText("", ()), raw.body_start, raw.body_start, 0)
    problem = ReadProblem(message, raw.start, raw.end, "information", "too-large")
    return MathRegion(
        kind=raw.kind, delimiter=raw.delimiter, start=raw.start, end=raw.end,
        body_start=raw.body_start, body_end=raw.body_end, display=raw.display,
        rows=(empty,), problems=(problem,),
    )  # fmt: skip


def split_rows(text: MappedText) -> list[RowText]:
    r"""Split on top-level ``\\``: outside braces, ``\left…\right`` and non-row environments.

    ``\intertext{…}`` (and ``\shortintertext``) ends a row too, as amsmath ends it there
    with or without a ``\\`` before; its words are prose, and each ``$…$`` in them is a
    row of its own (read as inline math in running text is)."""
    rows: list[RowText] = []
    for a, b in _row_spans(text.text):
        piece = text.slice(a, b)
        if _EMPTY_ROW.match(piece.text):
            continue
        s, e = piece.strip_range()
        src_start, src_end = piece.source_range(s, e)
        rows.append(RowText(piece, src_start, src_end, len(rows)))
    if not rows:
        s, e = text.strip_range()
        src = text.source_range(s, e) if text.segments else (0, 0)
        rows.append(RowText(text, src[0], src[1], 0))
    return rows


_SPLIT_TOKENS = re.compile(
    r"\\\\\*?(?:\s*\[[^\]\n]{0,40}\])?|\\(?:begin|end)\s*\{([^{}]*)\}|\\left\b|\\right\b|\\[A-Za-z]+|\\.|[{}]"
)
_INTERTEXT = frozenset({"\\intertext", "\\shortintertext"})
# the inline math in an \intertext's words: $…$ or \(…\)
_TEXT_MATH = re.compile(r"(?<!\\)\$((?:\\.|[^$\\])+)\$|\\\((.+?)\\\)", re.S)


def _row_spans(text: str) -> list[tuple[int, int]]:
    r"""The spans of ``text`` that are rows, in order: between top-level ``\\``s and
    ``\intertext{…}``s, and the inline math inside each ``\intertext``."""
    spans: list[tuple[int, int]] = []
    depth = 0  # braces, \left…\right and non-row environments
    row = 0  # where the current row began
    pos = 0
    while m := _SPLIT_TOKENS.search(text, pos):
        tok = m.group(0)
        pos = m.end()
        if tok.startswith("\\\\"):
            if depth == 0:
                spans.append((row, m.start()))
                row = pos
        elif tok in ("{", "\\left"):
            depth += 1
        elif tok in ("}", "\\right"):
            depth = max(0, depth - 1)
        elif m.group(1) is not None:
            env = m.group(1).strip()
            if env not in ROW_ENVIRONMENTS:
                depth = depth + 1 if tok.startswith("\\begin") else max(0, depth - 1)
        elif tok in _INTERTEXT and depth == 0:
            close = _group_end(text, pos)
            if close is None:
                continue
            spans.append((row, m.start()))
            spans.extend(
                (math.start(1), math.end(1)) if math.group(1) is not None
                else (math.start(2), math.end(2))
                for math in _TEXT_MATH.finditer(text, pos, close)
            )  # fmt: skip
            row = pos = close
    spans.append((row, len(text)))
    return [part for a, b in spans for part in _annotation_apart(text, a, b)]


# `&& \text{…}` (or `&& (\text{…}`, `&& \quad \text{…}`): words annotating a row of align
_NOTE = re.compile(r"&[ \t]*&(?=\s*(?:\\q?quad\s*)?\(?\s*\\(?:text|textrm|textit|mbox)\s*\{)")
_TEXT_GROUP = re.compile(r"\\(?:text|textrm|textit|mbox)\s*\{[^{}]*\}")


def _annotation_apart(text: str, a: int, b: int) -> list[tuple[int, int]]:
    r"""The row ``text[a:b]``, or its formula and its annotation as two rows when the words
    beside it break a bracket across their math: ``K &= P H^\top S^{-1} && \text{(gain, }
    n \times m)`` (read whole, the row would not be read at all; an annotation that reads,
    ``&& \text{(by cyclicity)}``, stays with its row, as a step's note)."""
    m = _NOTE.search(text, a, b)
    if m is None:
        return [(a, b)]
    note = _TEXT_GROUP.sub(" ", text[m.end() : b])
    if note.count("(") == note.count(")") and note.count("[") == note.count("]"):
        return [(a, b)]
    return [(a, m.start()), (m.end(), b)]


def _group_end(text: str, pos: int) -> int | None:
    """The end of the braced group that opens at ``pos`` (after white space), if it closes."""
    n = len(text)
    while pos < n and text[pos] in " \t\n":
        pos += 1
    if pos >= n or text[pos] != "{":
        return None
    depth = 0
    while pos < n:
        c = text[pos]
        if c == "\\":
            pos += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return None
