r"""Where shapes come from: ``collect`` fills the symbol table of a document or project.

Declarations are read (by :mod:`~texgrad.shapes.formulas` and :mod:`~texgrad.shapes.prose`)
from, in this order of trust:

- ``\in`` a space: ``A \in \mathbb{R}^{m \times n}``, ``x, y \in \mathbb R^n``,
  ``S \in \mathbb{S}^n_{++}`` (symmetric, positive definite);
- signatures: ``f : \mathbb{R}^n \to \mathbb{R}^m``;
- prose, as papers write it: "Let $W$ be an $m \times n$ matrix", "an
  $n \times n$ matrix $A$", "a vector $x$ of length $n$", "$v$ is an
  $n$-dimensional vector", "$X$ of size $N \times D$", "a scalar $\lambda$";
- comments for documents that declare nothing: ``% texgrad: A n×m, x m,
  lambda scalar`` (LaTeX) or ``<!-- texgrad: … -->`` (Markdown).

A symbol is its name after macro expansion (``syntax.symbols.symbol_key``); a font alone
does not make a new symbol (``\mathbf{x}`` is ``x``) unless the document declares both.
Which declaration holds where is the table's to say (:mod:`~texgrad.shapes.table`); what
each row and paragraph declared is remembered (``CollectMemo``) for the next collect.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from texgrad.reading.edits import TextEdit, longest_same
from texgrad.reading.memo import by_text
from texgrad.shapes.dims import ONE, Dim, Shape
from texgrad.shapes.facts import Fact, apart_key, fact_key, facts_of, scoped
from texgrad.shapes.formulas import PLAIN_REALS, WEAK_BESIDE_BOLD, from_formula, weak_scalars
from texgrad.shapes.generic_members import generic_members
from texgrad.shapes.grids import from_tables
from texgrad.shapes.layout_statements import stated_in
from texgrad.shapes.named_sets import NamedSet, SetMember, resolve
from texgrad.shapes.placed import placed
from texgrad.shapes.prose import (
    LEADING_ALL_IN,
    Family,
    defined_before,
    defines_function,
    displays_all_in,
    families,
    family_declarations,
    from_comments,
    from_prose,
    generic_letters,
    stacked_matrices,
    stacked_members,
)
from texgrad.shapes.questions import dimension_names
from texgrad.shapes.recalled import recalled
from texgrad.shapes.rows import PlacedRow, RowKey
from texgrad.shapes.sections import (
    PARAGRAPH_BREAK,
    SENTENCE_LOOKBACK,
    WHERE_DISTANCE,
    Boundaries,
    errata_spans,
    next_break,
    sentence_start,
)
from texgrad.shapes.table import Declaration, Signature, SymbolTable
from texgrad.shapes.words import row_tree
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

# rows that may state facts or weak scalars: n = n_1 n_2, \lambda > 0, "n = 2, m = 1"
_STATEMENTS = (t.Chain, t.List, t.Sequence, t.Text)


class _RowDeclares(NamedTuple):
    """What one row declares, relative to its start: what the memo keeps of a row."""

    declarations: tuple[Declaration, ...]  # x \in R^n
    bound: tuple[tuple[Declaration, int, int], ...]  # (x, the set-builder braces binding it)
    signatures: tuple[Signature, ...]  # f : R^n \to R
    functions: tuple[tuple[str, int], ...]  # f(x) = …: (f's key, where)
    facts: tuple[Fact, ...] = ()  # n = n_1 n_2 (kept if its names are dimensions')
    weak: tuple[Declaration, ...] = ()  # \lambda > 0: a scalar where nothing else says
    named_sets: tuple[NamedSet, ...] = ()  # \St(n,p) = \{X \in \mathbb{R}^{n \times p} : …\}
    set_members: tuple[SetMember, ...] = ()  # U \in \St(n,p)


_NOTHING = _RowDeclares((), (), (), ())


# what a paragraph of prose declares, relative to its start: declarations, the families it
# sizes by a matrix, the letters it binds (with the braces binding them)
_Found = tuple[list[Declaration], list[Family], list[tuple[Declaration, int, int]]]


class _Paragraph(NamedTuple):
    key: tuple[object, ...]  # its text (from where its rows are read) and its rows' keys
    found: _Found
    # what its reading asked of the whole text, with the answers (prose.from_prose): the
    # reading is kept only while they hold (a definition f(x) = … added or deleted elsewhere)
    asked: tuple[tuple[str, bool], ...] = ()
    # what it asked of the text just before it (prose.defined_before: the letter, where it
    # asked relative to the paragraph's start, the answer): kept only while they hold too
    looked_back: tuple[tuple[str, int, bool], ...] = ()


def _still_holds(paragraph: _Paragraph | None, text: str, start: int) -> bool:
    """Do the answers ``paragraph``'s reading had from the whole text, and from the text
    before it (the paragraph starting at ``start`` now), hold in ``text``?"""
    if paragraph is None:
        return True
    if paragraph.asked and not all(defines_function(text, n) == a for n, a in paragraph.asked):
        return False
    return not paragraph.looked_back or all(
        defined_before(text, letter, start + at, start) == a
        for letter, at, a in paragraph.looked_back
    )


class _Paragraphs(NamedTuple):
    """What the prose of one text declared, paragraph by paragraph, and what it was read
    from: after an edit, the paragraphs before and after it are taken as they are (moved),
    without their keys being made and looked up again."""

    breaks: list[int]  # where the paragraph breaks (PARAGRAPH_BREAK's matches) start
    found: list[_Paragraph | None]  # per paragraph (None: no math in it)
    declaring: list[int]  # the paragraphs whose prose declares something (few), in order


class _Rows(NamedTuple):
    """What the rows of one text declared, in order, with their starts and keys: after an
    edit, the rows before and after it are taken as they are (moved)."""

    text: str
    starts: list[int]
    keys: list[RowKey]
    declares: list[_RowDeclares]
    declaring: list[int]  # the rows that declare something (few), in order
    drawn: list[int]  # the rows _drawn_sizes reads (products, draws: few), in order


class _Alike(NamedTuple):
    """How a text's rows compare with those of its last collect: the edit between the two
    texts, and how many rows at the head (at the same places) and at the tail (moved by the
    edit) have the same keys."""

    edit: TextEdit
    head: int
    tail: int
    old_starts: list[int]  # the starts of the rows last read


class CollectMemo:
    """What ``collect`` learnt from each row (by its key) and each paragraph of prose (by
    its text and rows), relative to where they start, for the next collect after an edit."""

    def __init__(self) -> None:
        self.rows: dict[str, _Rows] = {}  # per path
        self.prose: dict[str, _Paragraphs] = {}  # per path
        self.boundaries: dict[str, tuple[str, Boundaries]] = {}  # per path: its last text's
        self.conventions: dict[str, tuple[str, list[int]]] = {}  # per path: text, marks
        self.plain_reals = False  # R read as the reals (formulas.PLAIN_REALS)


def collect(
    rows: Iterable[PlacedRow],
    texts: dict[str, str],
    table: SymbolTable | None = None,
    memo: CollectMemo | None = None,
) -> SymbolTable:
    """Declarations from every row (``\\in``, signatures) and the prose and comments of each text.

    With ``memo``, what a row or a paragraph of prose declared at the last collect is reused
    if its key (its text, and for prose its rows' keys) is unchanged, and the memo is
    replaced by what this collect learnt."""
    rows = list(rows)
    plain = _plain_reals(rows, texts)
    fresh = CollectMemo()
    fresh.plain_reals = plain
    if memo is not None and memo.plain_reals != plain:
        memo = None  # its rows were read with R the other way
    table = table or SymbolTable()
    table.plain_reals = plain
    token = PLAIN_REALS.set(plain)
    try:
        return _collect(rows, texts, table, memo, fresh)
    finally:
        PLAIN_REALS.reset(token)


# The reals written as a set, besides a plain R: a document writing any of these is not read
# with R for the reals (nor one that defines or names a macro \R)
_OTHER_REALS = re.compile(r"\\(?:mathbb|Bbb|mathds|mathbbm|symbb|R\b)|ℝ|\\mathbf\s*\{?\s*R\b")
# a plain R where a set goes: x \in R^n, f : R^n \to R
_PLAIN_R = re.compile(r"(?:\\in|\\to|:)\s*\{?\s*R(?![A-Za-z])")
_SET_RELATIONS = frozenset({"\\in", "\\to", ":", "\\subset", "\\subseteq", "\\notin"})


def _plain_reals(rows: list[PlacedRow], texts: dict[str, str]) -> bool:
    r"""Is a plain ``R`` the reals in these documents (``x \in R^n``, ``A \in R^{m \times n}``)?
    Only where no text writes the reals another way (``\mathbb{R}``, ``ℝ``, ``\mathbf{R}``)
    and every plain R of every row stands where a set goes: right after ``\in`` (or ``\to``,
    ``:``), alone or raised to its size; an R anywhere else (``R = A^\top A``, ``R x``, "the
    matrix $R$") makes no R the reals."""
    # (the other reals first: most texts write them early, and a search for a plain R
    # scans the whole of a text that writes none, 1.6 ms of the Cookbook's every edit)
    if any(_OTHER_REALS.search(text) for text in texts.values()):
        return False
    if not any(_PLAIN_R.search(text) for text in texts.values()):
        return False
    seen = False
    for row in rows:
        tree = row.tree
        if tree is None:
            continue
        where = _set_places(tree)
        for node in tree.walk():
            if isinstance(node, t.Symbol) and node.name == "R" and node.font is None:
                if id(node) not in where:
                    return False
                seen = True
    return seen


def _set_places(tree: t.Node) -> set[int]:
    """The plain R nodes of ``tree`` that stand where a set goes (by id)."""
    places: set[int] = set()
    for node in tree.walk():
        if not isinstance(node, t.Chain):
            continue
        for rel, item in zip(node.relations, node.items[1:], strict=False):
            if rel not in _SET_RELATIONS or item is None:
                continue
            base = item.base if isinstance(item, (t.Power, t.Tagged)) else item
            base = base.base if isinstance(base, t.Sub) else base
            if isinstance(base, t.Symbol) and base.name == "R" and not base.accents:
                places.add(id(base))
    return places


def _collect(
    rows: list[PlacedRow],
    texts: dict[str, str],
    table: SymbolTable,
    memo: CollectMemo | None,
    fresh: CollectMemo,
) -> SymbolTable:
    by_path, alike = _from_rows(rows, texts, table, memo, fresh)
    if table.set_members:
        resolve(table)  # U \in \St(n,p), once every named set is known
    sized: dict[str, list[Family]] = {}  # per path: families sized by a matrix
    for path, text in texts.items():
        path_rows = by_path.get(path, [])
        alike_here = alike.get(path)
        seen = fresh.rows.get(path)  # (its rows' starts, in the order read)
        if alike_here is None or seen is None or seen.starts != sorted(seen.starts):
            path_rows, alike_here = sorted(path_rows, key=lambda r: r.start), None
        sized[path] = _from_text(text, path, path_rows, table, memo, fresh, alike_here)
    sized = {path: _unless_numbers(fams, path, table) for path, fams in sized.items()}
    found = [d for path, fams in sized.items() for d in family_declarations(fams, path, table)]
    table.stacks = {
        f.key: (f.matrix[0], f.part)
        for fams in sized.values()
        for f in fams
        if f.part not in ("scalar", "initial")  # (targets t_1, …, t_N: numbers, stacked by nothing)
    }
    for d in found:  # (once every matrix's declaration is known)
        table.add(d)
    table.layout_statements = {
        path: stated
        for path, text in texts.items()
        if (stated := tuple(stated_in(path, text, texts)))
    }
    table.constant_sizes = _constant_sizes(texts, table)
    table.counted = _counted(texts, table)
    for d in [d for path, fams in sized.items() for d in stacked_matrices(fams, path, table)]:
        table.add(d)  # X, the rows of which are the x_i^\top of x_1, …, x_n: n×d
    for d in [d for path, fams in sized.items() for d in stacked_members(fams, path, table)]:
        table.stacked.setdefault(d.key, []).append(d)  # the rows p_i^\top of P = softmax(Z)
    for d in _drawn_sizes(
        by_path, table, fresh
    ):  # (once the drawn vectors' declarations are known)
        table.add(d)
    for d in generic_members(by_path, table):  # W_t(\mathbf{s}) = … beside \mathbf{s}_t \in …
        table.add(d)
    for d in recalled(texts, by_path, table):  # "with $X$ as in Problem 1": X's again
        table.add(d)
    if table.facts:
        _keep_stated_facts(table)
    _apart_by_shape(table)
    _drop_other_conventions(table, memo, fresh)
    _drop_described_values(table)
    _beside_bold_only(table)
    if memo is not None:
        memo.rows, memo.prose, memo.boundaries = fresh.rows, fresh.prose, fresh.boundaries
        memo.conventions = fresh.conventions
    return table


_BOLD = frozenset({"mathbf", "boldsymbol", "bm", "pmb", "vb", "symbf"})


def _beside_bold_only(table: SymbolTable) -> None:
    r"""Keep the weak scalars of plain Latin letters compared with a number ("a weight $w >
    0$": ``WEAK_BESIDE_BOLD``) only where the letter is declared in bold alone, as an array
    (``\mathbf{w} \in \mathbb{R}^p``): the plain one is then a number of its own."""
    for key in [k for k, ws in table.weak.items() if any(w.how == WEAK_BESIDE_BOLD for w in ws)]:
        decls = table.declarations.get(key, [])
        bold = bool(decls) and all(d.font in _BOLD and not d.shape.is_scalar for d in decls)
        if bold:
            continue
        kept = [w for w in table.weak[key] if w.how != WEAK_BESIDE_BOLD]
        if not decls:  # (for calculus only: see SymbolTable.plain_positive)
            table.plain_positive[key] = [w for w in table.weak[key] if w.how == WEAK_BESIDE_BOLD]
        if kept:
            table.weak[key] = kept
        else:
            del table.weak[key]


def _unless_numbers(fams: list[Family], path: str, table: SymbolTable) -> list[Family]:
    """The families but those whose member its own row declares a number: in "samples
    $x_i \\in \\mathbb{R}^d$ with labels $y_i \\in \\{0,1\\}$, stacked as the rows of $X$" the
    math just before "stacked" is the labels', not the rows' (which the sentence leaves unsure)."""
    out = []
    for f in fams:
        if f.part in ("row", "column"):
            own = table.lookup(f.key, f.font, path, f.end)
            if own is not None and own.start >= f.start and own.shape.is_scalar:
                continue
        out.append(f)
    return out


# a sentence that tells another text's convention, not this one's: "Some texts use the
# transposed convention $B \in \mathbb{R}^{m \times n}$ — not ours"
_OTHER_CONVENTION = re.compile(
    r"\bnot ours\b|\bnot the one (?:we|used here)\b|\b(?:[Ss]ome|[Oo]ther|[Mm]any)\s+(?:texts|authors|books|"
    r"references|papers|sources|libraries)\s+(?:use|write|define|prefer|adopt|take)\b"
)


_CONVENTION_WORDS = ("not ours", "not the one", "texts ", "authors ", "books ", "references ",
                     "papers ", "sources ", "libraries ")  # fmt: skip


def _drop_other_conventions(
    table: SymbolTable, memo: CollectMemo | None = None, fresh: CollectMemo | None = None
) -> None:
    """Forget what a sentence declares when it tells another text's convention."""
    last = memo.conventions if memo is not None else {}
    marks = {p: _convention_marks(text, last.get(p)) for p, text in table.texts.items()}
    if fresh is not None:
        fresh.conventions = {p: (table.texts[p], m) for p, m in marks.items()}
    if not any(marks.values()):
        return  # (most documents tell none)
    for key, decls in list(table.declarations.items()):
        kept = [
            d for d in decls
            if d.how == "definition" or not _other_convention(table, d, marks.get(d.path, []))
        ]  # fmt: skip
        if len(kept) != len(decls):
            if kept:
                table.declarations[key] = kept
            else:
                del table.declarations[key]


# what follows the letter of a definition the prose sizes ("$K = k(X, X)$, an $n \times n$ matrix")
_DEFINED_BY = re.compile(r"\s*(?:=|:=|\\coloneqq|\\triangleq|\\equiv|\\defeq)")
# a sentence that names a letter anew ("Now let $x = …$, an $nk$-vector"), whatever it meant
_NAMES_ANEW = re.compile(
    r"\b(?:[Ll]et|[Nn]ow|[Dd]efine|[Dd]enote|[Ww]rite|[Rr]edefine|[Cc]all|[Ss]et)\b"
)


def _drop_described_values(table: SymbolTable) -> None:
    r"""Forget the size prose gives a definition's letter ("$K_k = S_k^{-1} C P$, which is a
    $p \times n$ matrix") when the same paragraph declared that letter before with another
    shape (``K_k \in \mathbb{R}^{n \times p}``), and the sentence does not name it anew
    ("Now let …"): the words size the value written, a wrong one, which the equation's
    check reports; they do not redeclare the letter."""
    for key, decls in list(table.declarations.items()):
        if len(decls) < 2 or all(d.how != "prose" for d in decls):
            continue  # (most letters: one declaration, or none in words)
        dropped = [d for d in decls if _describes_value(table, d, decls)]
        if dropped:
            table.declarations[key] = [d for d in decls if d not in dropped]


def _describes_value(table: SymbolTable, d: Declaration, decls: list[Declaration]) -> bool:
    if d.how != "prose":
        return False
    text = table.texts.get(d.path, "")
    if not _DEFINED_BY.match(text, d.end):
        return False  # (not the letter of a definition)
    bounds = table.boundaries.get(d.path)
    if bounds is None:
        return False
    before = [
        e for e in decls
        if e.path == d.path and e.font == d.font and e.start < d.start and e.how != "definition"
        and not _DEFINED_BY.match(text, e.end) and not bounds.paragraph_between(e.start, d.start)
    ]  # fmt: skip
    if not before or max(before, key=lambda e: e.start).shape.agrees(d.shape):
        return False
    lo = sentence_start(text, max(0, d.start - SENTENCE_LOOKBACK), d.start)
    return _NAMES_ANEW.search(text, lo, d.start) is None


def _convention_marks(text: str, last: tuple[str, list[int]] | None = None) -> list[int]:
    """Where ``text`` tells another convention (its words found first: a regular expression
    over a whole long document at every keystroke would cost milliseconds).  With ``last``
    (a text before an edit, and its marks), only the marks near the edit are found again:
    one depends on the text within 16 characters of a word (and the character beyond)."""
    if last is None:
        return sorted(_marks_between(text, 0, len(text)))
    old, marks = last
    if old == text:
        return marks
    edit = TextEdit.between(old, text)
    reach = _MARK_REACH
    lo, hi = edit.start - reach, edit.new_end + reach
    kept = marks[: bisect.bisect_left(marks, lo)]
    moved = [m + edit.delta for m in marks[bisect.bisect_right(marks, edit.old_end + reach) :]]
    near = sorted(m for m in _marks_between(text, lo - reach, hi + reach) if lo <= m <= hi)
    return [*kept, *near, *moved]


_MARK_REACH = 64  # (> the longest of _CONVENTION_WORDS + 2 × 17)


def _marks_between(text: str, lo: int, hi: int) -> set[int]:
    """The marks of the convention words found from ``lo`` to ``hi``."""
    marks = set()
    lo, hi = max(0, lo), min(len(text), hi)
    for w in _CONVENTION_WORDS:
        i = text.find(w, lo, hi + len(w))
        while i >= 0:
            m = _OTHER_CONVENTION.search(text, max(0, i - 16), i + len(w) + 16)
            if m is not None:
                marks.add(m.start())
            i = text.find(w, i + 1, hi + len(w))
    return marks


def _other_convention(table: SymbolTable, d: Declaration, marks: list[int]) -> bool:
    i = bisect.bisect_left(marks, d.start - SENTENCE_LOOKBACK)
    if i == len(marks) or marks[i] > d.end + WHERE_DISTANCE:
        return False
    text = table.texts.get(d.path, "")
    lo = sentence_start(text, max(0, d.start - SENTENCE_LOOKBACK), d.start)
    stop = next_break(text, d.end, min(len(text), d.end + WHERE_DISTANCE))
    return _OTHER_CONVENTION.search(text, lo, stop.start() if stop else d.end + 80) is not None


# what may stand before the ``_`` of a sized identity, ones or zeros with a one-letter size:
# I_m, I_{K}, \mathbf{I}_n, \mathbf 1_m, \boldsymbol{1}_n, 1_n, \mathbf{0}_m (the ones and
# zeros in a lowercase size only: \mathbf{1}_A is an indicator)
_CONSTANT_BEFORE = re.compile(
    r"(?:(?<![A-Za-z\\])I|(?<![\w\\.^])(?P<one>[01])|\\(?:mathbf|bm|boldsymbol)\s*"
    r"(?:\{\s*(?:I|(?P<braced>[01]))\s*\}|(?:I|(?P<bare>[01]))(?![A-Za-z])))\s*\Z"
)
_CONSTANT_AFTER = re.compile(r"\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))")
# the end of a range, a count: i = 1, \dots, K; \sum_{i=1}^{K}, \prod_{k=1}^K (each pattern
# led by its literal character, for speed)
_RANGE_ENDS = (
    re.compile(r"=\s*1\s*,\s*\\[lc]?dots\s*,\s*([A-Za-z])(?![A-Za-z])"),
    re.compile(
        r"_\s*\{\s*[a-z]\s*=\s*1\s*\}\s*\^\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))"
    ),
)


@by_text()
def _sizes_written(text: str) -> frozenset[str]:
    """The one-letter sizes of the identities, ones and zeros ``text`` writes."""
    return frozenset().union(*(_piece_scan(piece)[2] for piece in _pieces(text)))


def _sizes_written_in(text: str) -> frozenset[str]:
    """:func:`_sizes_written` of one piece (a scan of its underscores: a regular expression
    over the whole text took 50 ms on the Cookbook)."""
    out = set()
    i = text.find("_")
    while i >= 0:
        j = i - 1
        while j >= 0 and text[j] in " \t\n":
            j -= 1
        k = j - 1 if j >= 0 and text[j] == "}" else j  # (\mathbf{I}_m: the I in braces)
        while 0 < k < j and text[k] in " \t\n":
            k -= 1
        if k >= 0 and text[k] in "I01" and (after := _CONSTANT_AFTER.match(text, i + 1)):
            before = _CONSTANT_BEFORE.search(text[max(0, j - 24) : j + 1])
            name = after[1] or after[2]
            if before and (
                name.islower() or not (before["one"] or before["braced"] or before["bare"])
            ):
                out.add(name)
        i = text.find("_", i + 1)
    return frozenset(out)


@by_text()
def _range_ends(text: str) -> frozenset[str]:
    return frozenset().union(*(_piece_scan(piece)[0] for piece in _pieces(text)))


def _range_ends_in(text: str) -> frozenset[str]:
    return frozenset(
        next(g for g in m.groups() if g) for rx in _RANGE_ENDS for m in rx.finditer(text)
    )


# About how long a piece of a text is (:func:`_pieces`)
_PIECE = 4096
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _pieces(text: str, step: int = _PIECE) -> list[str]:
    r"""``text`` cut into pieces of about ``step`` characters for the scans of sizes and
    counts (:func:`_piece_scan`), each remembered by its text: after an edit only the pieces
    it touched are scanned again (the scans of the whole Cookbook took ~0.8 ms an edit).

    A piece after the first starts at a ``$`` that starts a line, the first one from a
    multiple of ``step`` on (so that an edit moves few of the cuts after it), and only where
    the last character before it that is not blank is no ASCII letter.  No match of the
    scans crosses such a cut: those of the counts' and sizes' patterns hold no ``$`` (and
    their lookarounds read a ``$`` as they read the end or the start of a text), and a
    comparison of sizes (``$n > p$``) holds ``$`` only at its ends, its closing one after a
    letter and blanks.  So the scans of the pieces find what the scan of the whole text finds,
    in order."""
    cuts = [0]
    n = len(text)
    grid = step
    while grid < n:
        at = text.find("\n$", grid)
        if at < 0:
            break
        at += 1  # (the $)
        k = at - 1
        while k >= 0 and text[k].isspace():
            k -= 1
        if k < 0 or text[k] not in _ASCII_LETTERS:
            cuts.append(at)
            grid = (at // step + 1) * step
        else:
            grid = at
    if len(cuts) == 1:
        return [text]
    cuts.append(n)
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


@by_text(max_chars=600_000, maxsize=1024)
def _piece_scan(
    piece: str,
) -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[tuple[str, str], ...]]:
    """What one piece of a text (:func:`_pieces`) says of sizes and counts: the letters ending
    a range (``_range_ends``), those ending a listed family or a sum of sizes, the sizes of
    the identities, ones and zeros it writes, and the pairs of letters it compares."""
    listed = {next(g for g in m.groups() if g) for m in _LISTED_LAST.finditer(piece)}
    listed.update(name for m in _summed_sizes_in(piece) for name in _summed(m))
    compared = tuple((m[1], m[2]) for m in _COMPARED_SIZES.finditer(piece))
    return _range_ends_in(piece), frozenset(listed), _sizes_written_in(piece), compared


def _drawn_sizes(
    by_path: dict[str, list[PlacedRow]], table: SymbolTable, fresh: CollectMemo | None = None
) -> list[Declaration]:
    r"""``\mathbf x \sim \mathcal{N}(\boldsymbol\mu, \Sigma)`` with x a declared column of d
    entries: the mean and the covariance, where the document declares and defines neither, are
    d and d×d (what the distribution says of them), declared where the row is."""
    out: list[Declaration] = []
    for path, rows in by_path.items():
        text = table.texts.get(path, "")
        read = fresh.rows.get(path) if fresh is not None else None
        if read is not None and read.starts == sorted(read.starts):
            # (the rows in order, and which may say something here: _from_rows kept them)
            for k in read.drawn:
                out.extend(_drawn_at(rows[k - 1] if k else None, rows[k], text, path, table))
            continue
        rows = sorted(rows, key=attrgetter("start"))
        for before, row in zip([None, *rows], rows, strict=False):
            out.extend(_drawn_at(before, row, text, path, table))
    return out


def _may_draw(row: PlacedRow) -> bool:
    """Whether :func:`_drawn_at` may find something in ``row`` (by its tree alone: a normal
    with no point, or a ``\\sim``)."""
    from texgrad.shapes.rules.distributions import normal_parts

    tree = row.tree_as_parsed
    if isinstance(tree, t.Product):
        parts = normal_parts(*tree.factors) if len(tree.factors) == 2 else None
        return parts is not None and parts[0] is None
    return isinstance(tree, t.Chain) and "\\sim" in tree.relations


def _drawn_at(
    before: PlacedRow | None, row: PlacedRow, text: str, path: str, table: SymbolTable
) -> list[Declaration]:
    """What :func:`_drawn_sizes` finds in one row (``before``: the row before it)."""
    from texgrad.shapes.rules.distributions import normal_parts

    tree = row.tree_as_parsed
    if isinstance(tree, t.Product):
        said = _drawn_in_prose(before, row, tree, text, path, table) if before is not None else []
        return said or _mean_by_covariance(row, tree, path, table)
    if not isinstance(tree, t.Chain) or "\\sim" not in tree.relations:
        return []
    out: list[Declaration] = []
    for i, rel in enumerate(tree.relations):
        drawn, law = tree.items[i], tree.items[i + 1]
        if rel != "\\sim" or drawn is None or not isinstance(law, t.Product):
            continue
        parts = normal_parts(*law.factors, plain=True) if len(law.factors) == 2 else None
        key = symbol_key(drawn)
        if parts is None or parts[0] is not None or key is None:
            continue
        if _italic_n(law.factors[0]) and "N" in table.declarations:
            continue  # (an italic N the document declares: not a normal's)
        decl = table.lookup(key[0], key[1], path, row.start)
        if decl is None or decl.shape.cols != ONE or decl.shape.rows == ONE:
            continue
        shift = row.start - tree.start  # (an edit may have moved the row)
        out.extend(_normal_sized(parts, decl.shape.rows, path, shift, table))
    return out


# "$\mathbf{x}_1, \dots, \mathbf{x}_n \in \mathbb{R}^d$ be i.i.d. draws from $\mathcal{N}(…)$"
_DRAWN_FROM = re.compile(
    r"^[^.;$]{0,40}\b(?:drawn|draws|sampled|samples|distributed|generated)\s+"
    r"(?:from|as|according\s+to)\s*$"
)
_IID = re.compile(r"\bi\.\s*i\.\s*d\.(?:\\\s)?|\biid\b")


def _drawn_in_prose(
    before: PlacedRow, row: PlacedRow, law: t.Product, text: str, path: str, table: SymbolTable
) -> list[Declaration]:
    r"""The mean and covariance of a normal the prose says the vectors declared just before
    are drawn from, in one sentence ("Let $\mathbf{x}_1, \dots, \mathbf{x}_n \in
    \mathbb{R}^d$ be i.i.d. draws from $\mathcal{N}(\boldsymbol\mu, \Sigma)$"): d and d×d,
    where the document declares and defines neither."""
    from texgrad.shapes.formulas import space_shape
    from texgrad.shapes.rules.distributions import normal_parts

    parts = normal_parts(*law.factors) if len(law.factors) == 2 else None
    declared = before.tree_as_parsed
    if (
        parts is None or parts[0] is not None or before.path != path or before.end > row.start
        or not _DRAWN_FROM.search(_IID.sub(" ", text[before.end : row.start].replace("$", "")))
        or "$" in text[before.end : row.start].strip("$ \t")
        or not isinstance(declared, t.Chain) or declared.relations != ("\\in",)
    ):  # fmt: skip
        return []
    shape = space_shape(declared.items[1])
    if shape is None or shape.cols != ONE or shape.rows == ONE:
        return []
    shift = row.start - law.start  # (a row an edit moved keeps its tree's offsets)
    return _normal_sized(parts, shape.rows, path, shift, table)


def _mean_by_covariance(
    row: PlacedRow, law: t.Product, path: str, table: SymbolTable
) -> list[Declaration]:
    r"""The mean of a normal written alone whose covariance is a letter declared d×d in force
    there ("a Gaussian $\mathcal{N}(\boldsymbol\mu, \Sigma)$ with $\Sigma \in
    \mathcal{S}^d_{++}$"): a column of d, where the document declares and defines it not (the
    calculus sizes it so from the same normal: one answer for both)."""
    from texgrad.shapes.rules.distributions import normal_parts

    parts = normal_parts(*law.factors) if len(law.factors) == 2 else None
    if parts is None or parts[0] is not None or "N" in table.declarations:
        return []
    covariance = parts[2]
    if isinstance(covariance, t.Power) and show(covariance.exponent) == "(Neg 1)":
        covariance = covariance.base  # N(\nu, \Lambda^{-1}) of a precision Λ: its size
    cov = symbol_key(covariance)
    decl = table.lookup(cov[0], cov[1], path, row.start) if cov is not None else None
    if decl is None or decl.shape.is_scalar or decl.shape.rows != decl.shape.cols:
        return []
    mean = parts[1]
    k = symbol_key(mean)
    known = (table.declarations, table.function_definitions, table.weak)
    if k is None or not isinstance(mean, t.Symbol | t.Sub) or any(k[0] in m for m in known):
        return []  # (\mathbf m_0 as \mu: a subscripted mean too, as authors write it)
    shift = row.start - law.start
    at = (mean.start + shift, mean.end + shift)
    return [Declaration(k[0], k[1], Shape(decl.shape.rows, ONE), path, *at, "in")]


def _italic_n(name: t.Node) -> bool:
    """Is a normal's name written as a plain italic ``N``?"""
    base = name.base if isinstance(name, t.Sub) else name
    return getattr(base, "font", None) is None


def _normal_sized(
    parts: tuple[t.Node | None, t.Node, t.Node], d: Dim, path: str, shift: int, table: SymbolTable
) -> list[Declaration]:
    """The mean (d) and covariance (d×d) of a normal a column of d entries is drawn from,
    each where it is written, where the document declares and defines neither (``0``, ``I``,
    ``\\sigma^2 I`` are sized by the row; a declared letter keeps its own shape)."""
    out = []
    for node, sized in ((parts[1], Shape(d, ONE)), (parts[2], Shape(d, d))):
        k = symbol_key(node)
        known = (table.declarations, table.function_definitions, table.weak)
        if k is None or not isinstance(node, t.Symbol) or any(k[0] in m for m in known):
            continue
        at = (node.start + shift, node.end + shift)
        out.append(Declaration(k[0], k[1], sized, path, *at, "in"))
    return out


# the last member of a listed family, x_1, \dots, x_n (its subscript counts them)
_LISTED_LAST = re.compile(
    r"_\s*\{?\s*1\s*\}?\s*,\s*\\[lc]?dots\s*,\s*[^,$]{1,40}?_\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))"
)


# a size defined as the sum of a family's sizes: "$K = k_1 + \dots + k_M$" (the widths of the
# equations of a system, stacked): k_1 and k_M are sizes (the family's members X_1, X_M are
# sized by them), as M counts
_SUMMED_SIZES = re.compile(
    r"[A-Za-z]\s*=\s*([a-z])_\s*(?:\{\s*1\s*\}|1)\s*\+\s*(?:\1_\s*(?:\{\s*2\s*\}|2)\s*\+\s*)?"
    r"\\[lc]?dots\s*\+\s*\1_\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))"
)


# what a match of _SUMMED_SIZES is made of, its \dots too: letters, blanks (\s: whatever
# str.isspace takes), k_{1}, +, =
_SUMMED_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_{}+=12\\")
_NOT_SUMMED_CHAR = re.compile(r"[^A-Za-z_{}+=12\\\s]")


def _summed_sizes_in(text: str) -> list[re.Match[str]]:
    r"""``_SUMMED_SIZES.finditer(text)``, searched only around each ``dots``: a match is made
    of ``_SUMMED_CHARS`` (its ``\dots`` too) and holds a ``dots``, so it lies in the run of
    those characters around one; scanning every letter of a long text for one took 2–4 ms
    at each edit of the Cookbook.  (The match's last lookahead reads the character after
    the run: it is included.)"""
    found: list[re.Match[str]] = []
    end = 0  # (where the last window searched ended: runs around two dots are one)
    at = text.find("dots")
    while at >= 0:
        if at >= end:
            lo = at
            while lo > end and (text[lo - 1] in _SUMMED_CHARS or text[lo - 1].isspace()):
                lo -= 1
            stop = _NOT_SUMMED_CHAR.search(text, at)
            end = len(text) if stop is None else stop.end()
            found += _SUMMED_SIZES.finditer(text, lo, end)
        at = text.find("dots", at + 4)
    return found


def _summed(m: re.Match[str]) -> tuple[str, ...]:
    """The sizes a match of ``_SUMMED_SIZES`` names: ``k_1``, ``k_2`` where written, ``k_M``."""
    letter, last = m[1], m[2] or m[3]
    second = (f"{letter}_2",) if m[0].count(f"{letter}_") > 2 else ()
    return (f"{letter}_1", *second, f"{letter}_{last}")


# two letters compared in math of their own: "$n > p$", "$k \le d$", "$r \ll \min$" not
_COMPARED_SIZES = re.compile(
    r"\$\s*([A-Za-z])\s*(?:>|<|\\geq?|\\leq?|\\gg|\\ll|\\geqslant|\\leqslant)\s*([A-Za-z])\s*\$"
)


@by_text()
def _counting_letters(text: str) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """What ``text`` alone says of counts (scanned once per text, not at every edit): the
    letters ending a range or a listed family, and the pairs of letters compared."""
    ends: set[str] = set()
    scans = [_piece_scan(piece) for piece in _pieces(text)]
    if "dots" in text or "sum" in text:
        for range_ends, listed, _, _ in scans:
            ends |= range_ends
            ends |= listed
    compared = tuple(pair for scan in scans for pair in scan[3])
    return frozenset(ends), compared


def _counted(texts: dict[str, str], table: SymbolTable) -> frozenset[str]:
    r"""The letters that bound a sum, count a range or are compared with a size ("$n > p$";
    ``\sum_{i=1}^n``, ``i = 1, \dots, K``,
    ``\mathbf{x}_1, \dots, \mathbf{x}_n``) and that the document declares, defines and sizes
    nothing with otherwise: counts, so scalars where used as numbers (``\frac1n``)."""
    found: set[str] = set()
    sizes: set[str] | None = None
    for text in texts.values():
        ends, compared = _counting_letters(text)
        found |= ends
        for a, b in compared:  # "$n > p$" of a p×p Σ: n counts too
            if sizes is None:
                sizes = {str(getattr(d, "name", "")) for d in dimension_names(table)}
            if b in sizes:
                found.add(a)
            if a in sizes:
                found.add(b)
    if not found:
        return frozenset()
    return frozenset(
        name
        for name in found
        if name not in table.declarations
        and name not in table.signatures
        and name not in table.function_definitions
        and name not in table.weak
    )


def _constant_sizes(texts: dict[str, str], table: SymbolTable) -> frozenset[str]:
    r"""The letters written as the size of an identity, ones or zeros (m of ``I_m``,
    ``\mathbf{1}_m``) that no declared shape names and the document introduces as no
    symbol, but tells as sizes (a fact relates them to another, "$n = J m$", or they count a
    range, ``i = 1, \dots, K``; ``I_k`` alone may be an index's): sizes too (so that ``I_m``
    is m×m and "$n = J m$" is a fact), but sizes the text relates to the others only by the
    equations it writes (``Z = I_m \otimes \mathbf{1}_r`` for Z n×q says q = m there: see
    ``rules/relations._states_sizes``)."""
    found = {name for text in texts.values() for name in _sizes_written(text)}
    if not found:
        return frozenset()
    told = {  # sizes told as such: in a fact with another name (n = J m), or counting a range
        getattr(d, "name", None)
        for facts in table.facts.values()
        for f in facts
        if f.value.free_symbols
        for d in (f.name, *f.value.free_symbols)
    }
    for text in texts.values():
        told.update(_range_ends(text))
    found &= told
    named = {getattr(d, "name", None) for d in dimension_names(table)}
    return frozenset(
        name
        for name in found
        if name not in named
        and name.swapcase() not in named  # (I_N where n sizes the shapes: another N, or n?)
        and name not in table.declarations
        and name not in table.signatures
        and name not in table.function_definitions
    )


# the name of a size indexed by a letter, one per group or step: n_i, n_{g}, T_i
_INDEXED_SIZE = re.compile(r"[A-Za-z]_\{?[a-z]\}?")


def _apart_by_shape(table: SymbolTable) -> None:
    r"""A matrix declared of a group's size by a number, ``Z_i \in \mathbb{R}^{n_i \times 2}``
    (a design of an intercept and a slope per group, of sizes n_1, …, n_m), is not square
    for every group: the text sets the indexed size apart from the number (``Fact.apart``, as
    "for $n > 6$" does), so that ``Z_i^\top \Sigma Z_i`` of a 2×2 Σ is no instance of a square
    case.  Not a plain name (``J \in \mathbb{R}^{6 \times n}`` may be a 6×6 example of it),
    nor a definition's computed shape."""
    for decls in list(table.declarations.values()):
        for d in decls:
            if d.how == "definition":
                continue
            for name, number in ((d.shape.rows, d.shape.cols), (d.shape.cols, d.shape.rows)):
                if not (name.is_Symbol and number.is_Number and number > 1):
                    continue
                if not _INDEXED_SIZE.fullmatch(str(getattr(name, "name", ""))):
                    continue
                key = apart_key(name, number)
                known = table.facts.get(key, [])
                if not any(f.path == d.path and f.start == d.start for f in known):
                    made = Fact(name, number, d.path, d.start, d.end, apart=True)
                    table.facts[key] = [*known, made]


def _keep_stated_facts(table: SymbolTable) -> None:
    """Keep the facts about dimensions (names in declared shapes), each with its scope (a
    special case, "with $p = n$", holds in its sentence only)."""
    names = dimension_names(table)
    numbers: set[object] | None = None
    for key, facts in list(table.facts.items()):
        found = (scoped(f, table.texts.get(f.path, ""), names) for f in facts)
        kept = [f for f in found if f is not None]
        if kept and kept[0].apart:  # n < 6 of a J ∈ ℝ^{6×n}: 6 a size the text declares too
            numbers = _declared_numbers(table) if numbers is None else numbers
            kept = [f for f in kept if f.value in numbers]
        if kept:
            table.facts[key] = kept
        else:
            del table.facts[key]


def _declared_numbers(table: SymbolTable) -> set[object]:
    """The numbers the declarations size a shape by (the 6 of ``J \\in \\mathbb{R}^{6 \\times n}``):
    only those a size compared with them ("when $n < 6$") is kept apart from (a "$d > 2$" says
    nothing against a 2×2 instance of a d×d matrix no declaration sizes by 2)."""
    return {
        dim
        for decls in table.declarations.values()
        for d in decls
        for dim in (d.shape.rows, d.shape.cols)
        if dim.is_Number and dim != 1
    }


def _orient(table: SymbolTable, row: Declaration) -> None:
    """Replace the column declared where ``row`` (a vector prose says is a row) is."""
    decls = table.declarations.get(row.key, [])
    table.declarations[row.key] = [
        d for d in decls if not (d.path == row.path and d.start == row.start and d.font == row.font)
    ]
    table.add(replace(row, how="in"))


def _from_rows(
    rows: Iterable[PlacedRow],
    texts: dict[str, str],
    table: SymbolTable,
    memo: CollectMemo | None,
    fresh: CollectMemo,
) -> tuple[dict[str, list[PlacedRow]], dict[str, _Alike]]:
    """Add what each row declares to ``table``; the rows by path, and for each path whose
    rows its last collect read too, how they compare (``_Alike``)."""
    groups = [(path, list(group)) for path, group in groupby(rows, attrgetter("path"))]
    by_path = dict(groups)
    alike: dict[str, _Alike] = {}
    if len(by_path) != len(groups):  # (one path's rows in two runs: row by row, in order)
        every = _known_rows(memo)  # (nothing is remembered for the next)
        for _, group in groups:
            for row in group:
                got = _declares(row, every, every)
                if got is not _NOTHING:
                    _replay(table, got, row.path, row.start)
        return by_path, alike
    known: dict[RowKey, _RowDeclares] | None = None
    seen: dict[RowKey, _RowDeclares] = {}  # (a row written again in this collect: read once)
    for path, group in groups:
        starts = [r.start for r in group]
        keys = [r.key for r in group]
        text = texts.get(path)
        last = memo.rows.get(path) if memo is not None and text is not None else None
        declares: list[_RowDeclares]
        if last is not None and None not in keys:
            same = _alike(last, text, starts, keys)  # type: ignore[arg-type]
            alike[path] = same
            n, head, tail = len(group), same.head, same.tail
            lo, hi = head, max(head, n - tail)
            shift = n - len(last.starts)
            declares = [
                *last.declares[:head],
                *[_NOTHING] * (hi - lo),
                *last.declares[hi - shift :],
            ]
            before, after = _outside(last.declaring, head, hi, shift)
            drawn_before, drawn_after = _outside(last.drawn, head, hi, shift)
        else:
            lo, hi = 0, len(group)
            declares = [_NOTHING] * hi
            before, after, drawn_before, drawn_after = [], [], [], []
        middle, drawn = [], []
        for k in range(lo, hi):
            row = group[k]
            if known is None and (hi - lo > 8 or last is None):
                known = _known_rows(memo)
            got = _declares(row, known or {}, seen)
            declares[k] = got
            if got is not _NOTHING:
                middle.append(k)
            if _may_draw(row):
                drawn.append(k)
        declaring = [*before, *middle, *after]
        for k in declaring:
            _replay(table, declares[k], path, starts[k])
        if text is not None and None not in keys:
            drawn = [*drawn_before, *drawn, *drawn_after]
            fresh.rows[path] = _Rows(text, starts, keys, declares, declaring, drawn)
    return by_path, alike


def _outside(marked: list[int], head: int, hi: int, shift: int) -> tuple[list[int], list[int]]:
    """Of the rows ``marked`` at the last collect (their indices, in order), those of the
    head kept (before ``head``) and those of the tail, moved (from ``hi - shift`` on, now
    ``shift`` further)."""
    before = marked[: bisect.bisect_left(marked, head)]
    after = [k + shift for k in marked[bisect.bisect_left(marked, hi - shift) :]]
    return before, after


def _known_rows(memo: CollectMemo | None) -> dict[RowKey, _RowDeclares]:
    """What every row the last collect read declared, by its key."""
    if memo is None:
        return {}
    return {k: d for rs in memo.rows.values() for k, d in zip(rs.keys, rs.declares, strict=True)}


def _declares(
    row: PlacedRow,
    known: dict[RowKey, _RowDeclares],
    seen: dict[RowKey, _RowDeclares] | None = None,
) -> _RowDeclares:
    """What ``row`` declares: as the last collect found (``known``) or this one found
    already (``seen``, which gets what is found anew) for a row of the same key (its text
    and map, relative to its start), else read."""
    key = row.key
    if key is None:
        return _row_declares(row)
    got = known.get(key)
    if got is None and seen is not None:
        got = seen.get(key)
    if got is None:
        got = _row_declares(row)
        if seen is not None:
            seen[key] = got
    return got


def _alike(last: _Rows, text: str, starts: list[int], keys: list[RowKey]) -> _Alike:
    """How a text's rows compare with those its last collect read (``last``)."""
    edit = TextEdit.between(last.text, text)
    delta = edit.delta
    n, n_old = len(starts), len(last.starts)
    head = _common_length(keys, last.keys, min(n, n_old), False)
    if starts[:head] != last.starts[:head]:
        head = next(i for i, (s, o) in enumerate(zip(starts, last.starts, strict=False)) if s != o)
    tail = _common_length(keys, last.keys, min(n, n_old) - head, True)
    if tail and [s - delta for s in starts[n - tail :]] != last.starts[n_old - tail :]:
        tail = next(
            m for m in range(tail) if starts[n - 1 - m] - delta != last.starts[n_old - 1 - m]
        )
    return _Alike(edit, head, tail, last.starts)


def _from_text(
    text: str,
    path: str,
    rows: list[PlacedRow],
    table: SymbolTable,
    memo: CollectMemo | None,
    fresh: CollectMemo,
    alike: _Alike | None = None,
) -> list[Family]:
    """A text's boundaries (moved with the edit when they can be), prose and comments; the
    families its prose sizes by a matrix."""
    last = memo.boundaries.get(path) if memo is not None else None
    bounds = Boundaries.of(text) if last is None else Boundaries.after(last[0], last[1], text)
    fresh.boundaries[path] = (text, bounds)
    table.boundaries[path] = bounds
    table.texts[path] = text
    fams = _prose_by_paragraph(text, path, rows, table, memo, fresh, alike)
    from_comments(text, path, table)
    return fams


def _row_declares(row: PlacedRow) -> _RowDeclares:
    """What one row declares, relative to its start."""
    tree = row_tree(row)
    if tree is None:
        return _NOTHING
    scratch = SymbolTable()
    from_formula(tree, row.path, scratch)  # \operatorname{head}_i = …
    facts = tuple(facts_of(row.tree, row.path)) if isinstance(row.tree, _STATEMENTS) else ()
    weak = tuple(weak_scalars(row.tree, row.path)) if isinstance(row.tree, _STATEMENTS) else ()
    weak += tuple(d for named in scratch.weak.values() for d in named)  # U(a, b) = \{P \in …\}
    if not (scratch.declarations or scratch.bound or scratch.signatures
            or scratch.function_definitions or facts or weak
            or scratch.named_sets or scratch.set_members):  # fmt: skip
        return _NOTHING
    base = row.start
    return _RowDeclares(
        tuple(replace(d, start=d.start - base, end=d.end - base)
              for decls in scratch.declarations.values() for d in decls),
        tuple((replace(d, start=d.start - base, end=d.end - base), s - base, e - base)
              for bound in scratch.bound.values() for d, s, e in bound),
        tuple(replace(g, start=g.start - base, end=g.end - base)
              for sigs in scratch.signatures.values() for g in sigs),
        tuple((key, at - base)
              for key, defs in scratch.function_definitions.items() for _, at in defs),
        tuple(replace(f, start=f.start - base, end=f.end - base) for f in facts),
        tuple(replace(d, start=d.start - base, end=d.end - base) for d in weak),
        tuple(placed(s, s.start - base, s.end - base)
              for sets in scratch.named_sets.values() for s in sets),
        tuple(_member_moved(m, -base, m.path) for m in scratch.set_members),
    )  # fmt: skip


def _member_moved(m: SetMember, delta: int, path: str) -> SetMember:
    """A set's member ``delta`` further (and at ``path``), with its binding braces."""
    scope = None if m.scope is None else (m.scope[0] + delta, m.scope[1] + delta)
    d = placed(m.decl, m.decl.start + delta, m.decl.end + delta, path)
    return replace(m, decl=d, scope=scope, path=path, start=m.start + delta, end=m.end + delta)


def _replay(table: SymbolTable, declares: _RowDeclares, path: str, base: int) -> None:
    """Add what a row declares to ``table``, the row being at ``path``/``base``."""
    for d in declares.declarations:
        table.add(placed(d, d.start + base, d.end + base, path))
    for d, s, e in declares.bound:
        table.add_bound(placed(d, d.start + base, d.end + base, path),
                        s + base, e + base)  # fmt: skip
    for g in declares.signatures:
        table.add_signature(placed(g, g.start + base, g.end + base, path))
    for key, at in declares.functions:
        table.add_function_definition(key, path, at + base)
    for f in declares.facts:
        table.facts.setdefault(
            apart_key(f.name, f.value) if f.apart else fact_key(f.name), []
        ).append(placed(f, f.start + base, f.end + base, path))
    for d in declares.weak:
        table.weak.setdefault(d.key, []).append(placed(d, d.start + base, d.end + base, path))
    for named in declares.named_sets:
        table.named_sets.setdefault(named.name, []).append(
            placed(named, named.start + base, named.end + base, path)
        )
    table.set_members.extend(_member_moved(m, base, path) for m in declares.set_members)


def _prose_by_paragraph(
    text: str,
    path: str,
    rows: list[PlacedRow],
    table: SymbolTable,
    memo: CollectMemo | None,
    fresh: CollectMemo,
    alike: _Alike | None = None,
) -> list[Family]:
    """Prose declarations, one paragraph at a time (none spans a blank line), each
    remembered by its text and the keys of its rows; the families sized by a matrix.

    After an edit, the paragraphs before and after it whose rows are the same (most) are
    taken from the last collect as they are (``_follow``); the others are looked up by key."""
    fams: list[Family] = []
    if "$" not in text and "\\(" not in text:  # (MkDocs and MathJax write \( … \) too)
        return fams
    starts = [r.start for r in rows]
    keys = [r.key for r in rows]
    keyed = None not in keys  # (rows without a key: nothing is remembered)
    last = memo.prose.get(path) if memo is not None and keyed and alike else None
    breaks, found, lo, hi, declaring = _kept_or_none(last, alike, text, starts)
    if lo == 0 and hi == len(found) and not declaring[0]:
        last = None  # (every paragraph to be read)
    cuts = [0, *breaks, len(text)]
    known: dict[tuple[object, ...], _Paragraph] | None = None
    misses = 0
    middle = []  # (the paragraphs between lo and hi that declare something)
    i = 0
    for k in range(lo, hi):
        a, b = cuts[k], cuts[k + 1]
        if found[k] is not None or (text.find("$", a, b) < 0 and text.find("\\(", a, b) < 0):
            continue
        i = bisect.bisect_left(starts, a, i)
        j = bisect.bisect_left(starts, b, i)
        # "all in $\mathbb{R}^n$" opening a paragraph speaks of the display ending the one
        # before: its rows are read with this paragraph's (and make part of its key)
        reach = cuts[k - 1] if k and LEADING_ALL_IN.match(text, a, b) else a
        h = bisect.bisect_left(starts, reach, 0, i) if reach < a else i
        key = (text[reach:b], tuple(keys[h:j]))
        if known is None and (last is None or (misses := misses + 1) > 4):
            # (what every paragraph of the project declared last time, by key: after an
            # edit, made only when more than a few paragraphs are to be read again)
            known = {p.key: p for ps in memo.prose.values() for p in ps.found if p} if (
                memo is not None and keyed) else {}  # fmt: skip
        para = known.get(key) if known is not None else None
        if para is None or not _still_holds(para, text, a):
            para = _read_paragraph(text, path, rows, (h, i, j), (reach, a, b), key)
            if keyed and known is not None:  # (a paragraph written again: read once)
                known[key] = para
        found[k] = para
        got = para.found
        if got[0] or got[1] or got[2]:
            middle.append(k)
    declared = [*declaring[0], *middle, *declaring[1]]
    if keyed:
        fresh.prose[path] = _Paragraphs(breaks, found, declared)
    errata = errata_spans(text)
    for k in declared:
        a = cuts[k]
        decls, fs, bound = found[k].found  # type: ignore[union-attr]
        decls, bound = _outside_errata(errata, a, decls, bound)
        for d in decls:
            if d.how == "row":  # "…, written as a row vector": instead of the column
                _orient(table, placed(d, d.start + a, d.end + a, path))
                continue
            table.add(placed(d, d.start + a, d.end + a, path))
        for d, s, e in bound:
            table.add_bound(placed(d, d.start + a, d.end + a, path), s + a, e + a)
        if fs:
            fams += [f._replace(start=f.start + a, end=f.end + a, at=f.at + a) for f in fs]
    return fams


def _outside_errata(
    errata: tuple[tuple[int, int], ...],
    a: int,
    decls: list[Declaration],
    bound: list[tuple[Declaration, int, int]],
) -> tuple[list[Declaration], list[tuple[Declaration, int, int]]]:
    """What a paragraph at ``a`` declares outside the sections that list mistakes: an errata
    list sizes the wrong formulas it quotes ("$\\Sigma = \\frac{1}{n} X X^\\top$ is an $n
    \\times n$ matrix, not the covariance"), not the text's letters."""

    def kept(at: int) -> bool:
        return not any(x <= a + at < y for x, y in errata)

    if not errata or (all(kept(d.start) for d in decls) and all(kept(b[0].start) for b in bound)):
        return decls, bound
    return [d for d in decls if kept(d.start)], [b for b in bound if kept(b[0].start)]


def _kept_or_none(
    last: _Paragraphs | None, alike: _Alike | None, text: str, starts: list[int]
) -> tuple[list[int], list[_Paragraph | None], int, int, tuple[list[int], list[int]]]:
    """:func:`_follow` where the last collect can be followed and what its kept paragraphs
    asked of the whole text still holds; else every paragraph to be read."""
    if last is not None and alike is not None:
        kept = _follow(last, alike, text, starts)
        cuts = [0, *kept[0]]
        # (only the few paragraphs that asked the whole text something: 580 of the
        # Cookbook's paragraphs are kept at each edit, most asked nothing)
        asking = [(k, f) for k, f in enumerate(kept[1]) if f and (f.asked or f.looked_back)]
        if all(_still_holds(f, text, cuts[k]) for k, f in asking):
            return kept
        # (a kept paragraph read "scalar $f$" where a definition f(x) = … came or went)
    breaks = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
    return breaks, [None] * (len(breaks) + 1), 0, len(breaks) + 1, ([], [])


def _read_paragraph(
    text: str,
    path: str,
    rows: list[PlacedRow],
    row_range: tuple[int, int, int],
    span: tuple[int, int, int],
    key: tuple[object, ...],
) -> _Paragraph:
    """What the paragraph ``text[a:b]`` declares (its rows ``rows[i:j]``; an "all in"
    opening it reads from ``reach``, row ``h``), relative to its start."""
    h, i, j = row_range
    reach, a, b = span
    asked: list[tuple[str, bool]] = []
    looked_back: list[tuple[str, int, bool]] = []
    scratch = SymbolTable()
    from_prose(text, path, rows[i:j], scratch, a, b, asked, looked_back)
    displays_all_in(text, path, rows[h:j], scratch, reach, b)
    from_tables(text, path, rows[i:j], scratch, a, b)
    generic_letters(text, path, rows[i:j], scratch, a, b)
    got = (
        [replace(d, start=d.start - a, end=d.end - a)
         for decls in scratch.declarations.values() for d in decls],
        [f._replace(start=f.start - a, end=f.end - a, at=f.at - a)
         for f in families(text, rows[i:j], a, b)],
        [(replace(d, start=d.start - a, end=d.end - a), s - a, e - a)
         for bound in scratch.bound.values() for d, s, e in bound],
    )  # fmt: skip
    return _Paragraph(key, got, tuple(asked), tuple(looked_back))


def _follow(
    last: _Paragraphs, alike: _Alike, text: str, starts: list[int]
) -> tuple[list[int], list[_Paragraph | None], int, int, tuple[list[int], list[int]]]:
    """The paragraph breaks of ``text``, and per paragraph what the last collect found in it
    where that holds as it is: a paragraph wholly before or after the edit (and the one
    before it, which an "all in" may read), whose rows have the same keys and places (after
    the edit, moved by it) as last time (``alike``).  None for the others, all between
    ``lo`` and ``hi`` (read again); and the paragraphs before ``lo`` and from ``hi`` on that
    declare something."""
    edit, head, tail, old_starts = alike
    delta = edit.delta
    n, n_old = len(starts), len(old_starts)
    # breaks: those that end before the edit are found again where they were; the scan
    # resumes after the last of them and stops at a break the last scan found (moved)
    # (a break before the edit ends where it ended if it ends before the edit in this text:
    # the text up to the edit is the same)
    breaks_old = last.breaks
    x = bisect.bisect_left(breaks_old, edit.start)
    resume = 0
    while x:
        m = PARAGRAPH_BREAK.match(text, breaks_old[x - 1])
        if m is not None and m.end() <= edit.start:
            resume = m.end()
            break
        x -= 1
    breaks = breaks_old[:x]
    y = len(breaks_old)  # (the old break the new scan met: those from it on are moved ones)
    for m in PARAGRAPH_BREAK.finditer(text, resume):
        a = m.start()
        if a >= edit.new_end:  # (the text from a on is the old one from a - delta on)
            met = bisect.bisect_left(breaks_old, a - delta, x)
            if met < len(breaks_old) and breaks_old[met] == a - delta:
                y = met
                break
        breaks.append(a)
    z = len(breaks)  # (breaks[z:] are the old ones from y, moved)
    if y < len(breaks_old):
        breaks += [a + delta for a in breaks_old[y:]]
    found: list[_Paragraph | None] = [None] * (len(breaks) + 1)
    # before: paragraphs k < x ending before the edit and before the first row that differs
    # (a row that differs, now or last time: the paragraph holding it is read again)
    limit = min(edit.start, starts[head] if head < n else len(text))
    limit = min(limit, old_starts[head] if head < n_old else limit)
    before = min(x, bisect.bisect_right(breaks, limit, 0, x)) if x else 0
    found[:before] = last.found[:before]
    declaring = last.declaring
    head_declaring = declaring[: bisect.bisect_left(declaring, before)]
    # after: paragraphs k > z + 1 (so the one before it starts at a break moved too), from
    # the first whose paragraph before starts after the last row that differs
    after = len(found)
    if y < len(breaks_old):
        first, first_old = n - tail, n_old - tail  # (rows from these on are alike)
        floor = starts[first - 1] + 1 if first > 0 else 0
        if first_old > 0:
            floor = max(floor, old_starts[first_old - 1] + delta + 1)
        for k in range(z + 2, len(breaks) + 1):
            if breaks[k - 2] >= floor:
                found[k:] = last.found[k - z + y :]
                after = k
                break
    shift = z - y
    tail_declaring = [k + shift for k in declaring[bisect.bisect_left(declaring, after - shift) :]]
    return breaks, found, before, after, (head_declaring, tail_declaring)


def _common_length(new: list[RowKey], old: list[RowKey], most: int, tail: bool) -> int:
    """How many of the first (``tail``: last) items of two lists are the same, ``most`` at
    most (lists compare in C, objects by identity first: a search by halving)."""
    n, n_old = len(new), len(old)

    def same(k: int) -> bool:
        return new[n - k :] == old[n_old - k :] if tail else new[:k] == old[:k]

    return longest_same(same, most)
