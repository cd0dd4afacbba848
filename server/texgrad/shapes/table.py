r"""The symbol table: what a project declares, and which declaration holds where.

``SymbolTable.lookup`` answers "which declaration of this symbol is in force here" the way
papers use letters (see its docstring); the edges of those scopes (sections, paragraphs,
sentences) are found by :mod:`texgrad.shapes.sections`.  A table is filled by
``declarations.collect``.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from texgrad.shapes.dims import ONE, Shape
from texgrad.shapes.facts import Fact
from texgrad.shapes.layout_statements import Statement, in_force
from texgrad.shapes.sections import (
    NOTATION_HEADING,
    NOTATION_SENTENCE,
    SENTENCE_LOOKBACK,
    SUPPOSING,
    WHERE_DISTANCE,
    Boundaries,
    clause_start,
    explains_display,
    goes_on,
    heading_kind,
    in_definition,
    next_break,
    sentence_start,
)
from texgrad.syntax.symbols import same_letter


@dataclass(frozen=True, slots=True)
class Declaration:
    key: str  # the symbol's identity: "A", "\hat{x}", "W_{1}", "W^{(l)}"
    font: str | None
    shape: Shape
    path: str
    start: int  # where the declaration is written
    end: int
    # "in", "bound", "under" (\min_{x \in …}), "prose", "comment", "definition", "row" (see
    # prose._row_vectors)
    how: str
    symmetric: bool = False
    positive_definite: bool = False
    values: tuple[float, ...] = ()  # the entries' finite set: (0, 1) of \{0,1\}^n labels
    call: str = ""  # of a function's value declared at a call (``\tau(y) \in …``): the call
    # a definition's ingredients: the letters (key, font) of the formula that defines it
    # (``\alpha = (K + \sigma^2 I)^{-1} y``: K, σ, y), for ``RuleBase._borrowed``
    made_of: tuple[tuple[str, str | None], ...] = ()
    complex: bool = False  # declared over the complex numbers (``z \in \mathbb{C}^n``)

    def means_same_as(self, other: Declaration) -> bool:
        """Does ``other`` say the same of the same symbol, wherever it is written in its file?
        (What inference uses of a declaration; only a diagnostic's related location uses
        its place.)"""
        mine = (self.key, self.font, self.shape, self.path, self.how, self.symmetric)
        theirs = (other.key, other.font, other.shape, other.path, other.how, other.symmetric)
        return (
            mine == theirs
            and self.positive_definite == other.positive_definite
            and self.values == other.values
            and self.call == other.call
            and self.made_of == other.made_of
            and self.complex == other.complex
        )


@dataclass(frozen=True, slots=True)
class Signature:
    key: str
    domain: Shape  # (of a product domain, ℝⁿ × ℝᵐ → …, the first argument's)
    codomain: Shape
    path: str
    start: int
    end: int
    # each argument's space of a product domain (f : ℝⁿ × ℝᵐ → ℝⁿ, called f(x, u)); () for one
    domains: tuple[Shape, ...] = ()
    font: str | None = None  # the function's name written in a font (\mathcal{I}(\beta) = …)
    # defined by a formula of one number (\phi(z) = \max(0, z)): applied entry by entry, of
    # its argument's shape whatever the letter z is declared elsewhere
    elementwise: bool = False


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
    # dimension facts stated in text (n = n_1 n_2), by the fact_key of the name they state
    facts: dict[str, list[Fact]] = field(default_factory=dict)
    # weak scalars (\lambda > 0): hold only where nothing declares or defines the letter
    weak: dict[str, list[Declaration]] = field(default_factory=dict)
    # plain Latin letters said positive (a margin $m > 0$) with no bold letter beside them:
    # no weak scalar for the shapes, but a number to calculus where its use leaves no other
    # reading (added to numbers only: `m - \mathbf{w}^\top\mathbf{x}`)
    plain_positive: dict[str, list[Declaration]] = field(default_factory=dict)
    # letters that size written constants only (m of I_m, \mathbf{1}_m): dimensions too
    constant_sizes: frozenset[str] = frozenset()
    # letters that count a range or bound a sum and name nothing else (n of ``\\sum_{i=1}^n``,
    # of ``\\mathbf{x}_1, \\dots, \\mathbf{x}_n``): counts, dimensions too (``\\frac1n`` is a scalar)
    counted: frozenset[str] = frozenset()
    # a plain R is the reals in these documents (x \\in R^n): see declarations._plain_reals
    plain_reals: bool = False
    # a project's files that include no other, in reading order (path -> place): another
    # file's declarations hold in one read before it only when made as notation
    reading_order: dict[str, int] = field(default_factory=dict)
    # families the prose sizes by a matrix ("$X$ stacks the $x_i^\\top$ as rows"), in any
    # file: a member's key -> the matrix's key and the part ("row", "column", "sample")
    stacks: dict[str, tuple[str, str]] = field(default_factory=dict)
    # of those, the members of a matrix declared nowhere (defined by a formula, ``P =
    # \operatorname{softmax}(Z)``): the statement, how "row of" or "column of", made_of the
    # matrix (its shape: inference's, at the use; see stacked_at)
    stacked: dict[str, list[Declaration]] = field(default_factory=dict)
    # per path, the layouts of derivatives stated in force there, in order (those the files
    # read before carry into it first): see layout_statements.stated_in
    layout_statements: dict[str, tuple[Statement, ...]] = field(default_factory=dict)
    # sets the document names (\\St(n,p) = \\{X \\in … : …\\}), by name (named_sets.NamedSet)
    named_sets: dict[str, list[Any]] = field(default_factory=dict)
    # members of named sets (U \\in \\St(n,p)) while collecting: declared once every named
    # set is known (named_sets.resolve), then emptied
    set_members: list[Any] = field(default_factory=list)
    # is_notation's answers (texts and boundaries do not change once collected)
    _notation: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    # local's, supposed's and sets_up's answers
    _local: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    _supposed: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    _sets_up: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    # recalls's answers per section of a file, with the list of sections they were read from
    _recalling: dict[str, tuple[list[int], list[bool]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # _changes_meaning's answers, by the later declaration's place
    _changes: dict[tuple[str, int], bool] = field(default_factory=dict, repr=False, compare=False)
    # the bindings of each symbol in each file by where their braces open (see _bound_at)
    _bound_index: dict[tuple[str, str], tuple[list[int], list[Any], int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # _plain_facts's answer, with the number of facts it was made of
    _plain: tuple[int, dict[Any, Any]] | None = field(default=None, repr=False, compare=False)
    # in_force's views of long lists of definitions and signatures, by the list's identity
    _lists: dict[tuple[int, str], tuple[list[Any], int, _FileView]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # lookup's view of each symbol's declarations per file (see _FileView)
    _views: dict[tuple[str, str | None, str], _FileView | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(self, d: Declaration) -> None:
        self.declarations.setdefault(d.key, []).append(d)
        self._views.clear()

    def add_bound(self, d: Declaration, start: int, end: int) -> None:
        self.bound.setdefault(d.key, []).append((d, start, end))
        self._bound_index.clear()

    def add_signature(self, sig: Signature) -> None:
        self.signatures.setdefault(sig.key, []).append(sig)

    def add_function_definition(self, key: str, path: str, at: int) -> None:
        self.function_definitions.setdefault(key, []).append((path, at))

    def layout_at(self, path: str, offset: int) -> str | None:
        """The layout of derivatives the project states for ``offset`` in ``path``
        ("denominator", "numerator"), or None where it states none."""
        said = self.layout_statements.get(path)
        return in_force(said, offset) if said else None

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
        Preliminaries section).  What a problem, an example or a supposing sentence
        declares is its own and does not count as another shape (``local``): a paper's
        letters carry past its examples, and from a Model or Parameters section until
        declared again (``_carried``).  A symbol declared only in other files of the
        project (a notation chapter) takes theirs, those made in running text first.
        """
        if key in self.bound:
            d = self._bound_at(key, font, path, offset)
            if d is not None:  # the x of \{x \in \mathbb{R}^n : Ax = b\}, inside the braces
                if d.how == "supposed":  # "For symmetric $B$": the square B declared, else any
                    return self._square_declared(key, font, path, offset, d.start)
                return None if d.how == "generic" else d  # "For square $A, B$: …": any A
        return self._declared_at(key, font, path, offset)

    def _square_declared(
        self, key: str, font: str | None, path: str, offset: int, said: int
    ) -> Declaration | None:
        """The declaration in force of a letter a supposition (at ``said``) speaks of ("For
        symmetric $B$", "If $X$ is invertible"), if it is a square matrix declared before
        the supposition: the letter keeps its shape."""
        found = self._declared_at(key, font, path, offset)
        square = (
            found is not None and found.shape.rows == found.shape.cols
            and (found.path != path or found.start < said)
        )  # fmt: skip
        return found if square and not found.shape.is_scalar else None  # type: ignore[union-attr]

    def _declared_at(
        self, key: str, font: str | None, path: str, offset: int
    ) -> Declaration | None:
        """:meth:`lookup` outside the braces and suppositions binding ``key``."""
        view = self._view_of(key, font, path)
        if view is None:
            return None  # undeclared, or x and \mathbf{x} both declared and this is neither
        found: Declaration | None = self._in_force(view, path, offset)
        if found is not None and view.contested(self, found):
            return None  # "y ∈ ℝⁿ … and y ∈ ℝᵐ" in one sentence: which is meant is unknown
        if found is not None or offset < 0:
            return found
        here: list[Declaration] = view.by_start
        starts = view.starts
        if not here:
            return None
        bounds = self.boundaries.get(path) or Boundaries([], [])
        j = bisect.bisect_right(starts, offset)  # here[j:] come after the use
        if view.agree:
            if (
                j < len(here) and self._next_holds(path, offset, here[j].start, bounds)
                and (view.spans is None or _holds(view.spans[j], offset))
            ):  # fmt: skip
                return here[j]  # used first, declared later in the paragraph
            if any(self.is_notation(d) for d in here):
                return here[j - 1] if j else here[0]
            return None
        # declared with several shapes: only the nearest scope counts, but a notation
        # section's letters hold everywhere if only problems and examples use them otherwise
        main = view.main(self)
        if main is not None and main.agree and any(self.is_notation(d) for d in main.items):
            k = bisect.bisect_right(main.starts, offset)
            notation: Declaration = main.items[k - 1] if k else main.items[0]
            return notation
        return None

    def _next_holds(self, path: str, offset: int, said: int, bounds: Boundaries) -> bool:
        """Does a declaration at ``said``, after a use at ``offset``, hold for it: in its
        paragraph, or opening the paragraph that explains the display holding the use
        (``sections.explains_display``: "$$ … $$ ⏎⏎ where …")?"""
        return not bounds.paragraph_between(offset, said) or explains_display(
            self.texts.get(path, ""), offset, said
        )

    def stacked_at(self, key: str, font: str | None, path: str, offset: int) -> Declaration | None:
        r"""The family statement in force at ``offset`` that makes ``key`` a row (or a column)
        of a matrix declared nowhere, defined by a formula ("Here $\mathbf p_i^\top$ is the
        $i$-th row of $P$", ``P = \operatorname{softmax}(Z)``: ``stacked``): the last one
        before it in its section, else the first after it that holds for it (in its
        paragraph, or explaining its display)."""
        found = [
            d for d in self.stacked.get(key, ()) if d.path == path and same_letter(font, d.font)
        ]
        if not found:
            return None
        bounds = self.boundaries.get(path) or Boundaries([], [])
        before = [d for d in found if d.start <= offset]
        if before:
            d = max(before, key=lambda d: d.start)
            return None if bounds.section_between(d.start, offset) else d
        d = min(found, key=lambda d: d.start)
        return d if self._next_holds(path, offset, d.start, bounds) else None

    def generic_at(self, key: str, path: str, offset: int) -> bool:
        """Does a supposition ("For invertible square $A, B$") make ``key`` any matrix at
        ``offset`` (in whatever font)?"""
        return any(
            d.path == path and s <= offset < e
            and (
                d.how == "generic"
                or d.how == "supposed"
                and self._square_declared(key, d.font, path, offset, d.start) is None
            )
            for d, s, e in self.bound.get(key, ())
        )  # fmt: skip

    def _bound_at(self, key: str, font: str | None, path: str, offset: int) -> Declaration | None:
        """The innermost binding of ``key`` in ``font`` whose braces hold ``offset`` (of
        those opening at one place, the first listed), found by bisection over the
        bindings of the file: a document binding x in thousands of sets is not quadratic."""
        k = (key, path)
        index = self._bound_index.get(k)
        if index is None:
            items = sorted(
                ((s, e, i, d) for i, (d, s, e) in enumerate(self.bound[key]) if d.path == path),
                key=lambda b: (b[0], b[2]),
            )
            longest = max((e - s for s, e, _, _ in items), default=0)
            index = self._bound_index[k] = ([b[0] for b in items], items, longest)
        starts, items, longest = index
        lo = bisect.bisect_left(starts, offset - longest)
        hi = bisect.bisect_right(starts, offset)
        best: tuple[int, int, int, Declaration] | None = None
        for b in items[lo:hi]:
            s, e, _, d = b
            if offset < e and d.font == font and (best is None or s > best[0]):
                best = b  # (max keeps the first of equal starts: so does this, in list order)
        return best[3] if best is not None else None

    def reads(self, key: str, font: str | None) -> bool:
        """Is ``key`` declared in ``font``, or in a font a use in ``font`` may read as its own
        (``\\mathbf{x}`` for ``x``; not ``\\mathcal{E}`` for ``E``)?"""
        return any(same_letter(font, d.font) for d in self.declarations.get(key, ()))

    def _view_of(self, key: str, font: str | None, path: str) -> _FileView | None:
        """A symbol's declarations (of one font) as ``lookup`` reads them in ``path``."""
        k = (key, font, path)
        if k in self._views:
            return self._views[k]
        view = None
        decls = self.declarations.get(key)
        if decls:
            same_font = [d for d in decls if d.font == font]
            fonts = {d.font for d in decls}
            if not same_font and len(fonts) == 1 and same_letter(font, next(iter(fonts))):
                same_font = decls
            if same_font:
                view = _FileView(same_font, path, self.boundaries.get(path))
        self._views[k] = view
        return view

    def _in_force(self, p: _FileView, path: str, offset: int) -> Any:
        """:meth:`in_force` over ``p.decls``, with what depends only on them computed once:
        a declaration just after the use in its sentence, else the nearest before it in its
        section or one it reaches, else the first in another file."""
        here = p.here
        if not here:
            return p.other(self)
        if offset < 0:
            return here[0]
        bounds = self.boundaries.get(path) or Boundaries([], [])
        starts, order = p.starts, p.order
        j = bisect.bisect_right(starts, offset)
        spans = p.spans  # (None: no declaration here is a lemma's own)
        if j < len(starts) and (spans is None or _holds(spans[j], offset)):
            d = here[order[j]]  # the first after the use (of equal ones, the first listed)
            if d.start - offset <= WHERE_DISTANCE and goes_on(
                self.texts.get(path, ""), offset, d.start
            ):
                return d
        if spans is not None:  # what a lemma declared holds in it (and its proof) only
            while j and not _holds(spans[j - 1], offset) and not self._outlives(p, j - 1):
                j -= 1
        boxes = p.boxes  # what a callout declares holds after it if the letter has one shape
        if boxes is not None and not self._one_shape(p):
            while j and not _holds(boxes[j - 1], offset):
                j -= 1
        if j:  # the last before it (of equal ones, the first listed)
            d = here[order[bisect.bisect_left(starts, starts[j - 1])]]
            if not bounds.section_between(d.start, offset):
                return d
            if (
                not self._travels(d, p) and bounds.left_section(d.start, offset)
                and not self.recalls(path, offset)
            ):  # fmt: skip
                return p.other(self)
            if (
                self._one_shape(p) and bounds.reaches(d.start, offset)
                and not (bounds.left_section(d.start, offset) and self.supposed(d))
            ):  # fmt: skip
                return d  # declared once for its subsections and the sections that follow
            carried = self._carried(p, bounds, offset, j)
            if carried is not None:
                return carried
        return p.other(self)

    def _one_shape(self, p: _FileView) -> bool:
        """Do the declarations of ``p`` give the symbol one shape, also where they agree only
        under the sizes the text states (``\\alpha`` of n rows, and of n_1 n_2 where
        ``n = n_1 n_2``)?"""
        if p.one_meaning:
            return True
        if not p.here or not self.facts:
            return False
        facts = self._plain_facts()
        if not facts:
            return False
        known = p.one_under  # (asked at every lookup of the letter: its declarations compared
        if known is not None and known[0] is facts:  # once per view and facts, not each time)
            return known[1]
        one = _one_meaning(p.here, facts)
        p.one_under = (facts, one)
        return one

    def _plain_facts(self) -> dict[Any, Any]:
        """The sizes made of others the text states once for the whole of it (``n = n_1 n_2``,
        ``d = hk``: one value a name, not a case's or a number), name -> value."""
        count = sum(len(v) for v in self.facts.values())
        if self._plain is not None and self._plain[0] == count:
            return self._plain[1]
        out: dict[Any, Any] = {}
        for found in self.facts.values():
            values = {f.value for f in found if f.sentence is None and not f.apart}
            if len(values) == 1 and len(found) == len(
                [f for f in found if f.sentence is None and not f.apart]
            ):
                value = next(iter(values))
                if not value.is_Number:
                    out[found[0].name] = value
        self._plain = (count, out)
        return out

    def _outlives(self, p: _FileView, i: int) -> bool:
        """Does ``p.by_start[i]``, made in a result (``p.spans[i]``), hold after it too?  What
        a theorem, a lemma or its proof declares does when the project gives the letter one
        shape and the result does not suppose it ("If $A \\in …$"): a book's "Theorem. Let
        $A \\in \\mathbb{R}^{m \\times n}$" sizes the chapter's A.  An example's, an exercise's
        letters stay its own, as does a lemma's letter declared elsewhere with another shape
        and what a proof defines by an equation (``B = C^{-1} + V A^{-1} U``, a step of its
        own: the next lemma re-uses B)."""
        span = p.spans[i] if p.spans is not None else None
        bounds = self.boundaries.get(p.path)
        if span is None or bounds is None or not bounds.states(span):
            return False
        d = p.by_start[i]
        if getattr(d, "how", "definition") == "definition":
            # (a definition, a signature or a fact: the result's own — unless a proposition
            # defines notation, once in the project, outside a proof: "The state posteriors
            # are $\gamma_t = …$" in a Proposition, used in the text after it)
            return isinstance(d, Declaration) and self._notation_of_result(p, d, span)
        return (
            p.one_meaning_outside_asides(self) and not self.supposed(d) and not self._quantified(d)
        )

    def _notation_of_result(self, p: _FileView, d: Declaration, span: tuple[int, int]) -> bool:
        """Is ``d`` the only definition of its letter in the project, made in the statement
        of a result (not its proof, nor a supposing sentence)?"""
        if len(p.decls) != 1 or d.key in self.declarations:
            return False  # (a lemma's "Let $A = u v^\top$" of the page's declared A: its own)
        text = self.texts.get(d.path, "")
        if _PROOF_BEGIN.search(text, span[0], d.start) is not None:
            return False
        return not self.supposed(d)

    def _quantified(self, d: Declaration) -> bool:
        """Is ``d`` made right after a "for" in its sentence ("For $C \\in …$, rank …", "for
        every $B \\in …$ of rank k"): a result's hypothesis on any such letter?"""
        text = self.texts.get(d.path, "")
        lo = sentence_start(text, max(0, d.start - _QUANTIFIER_REACH), d.start)
        return _QUANTIFIER.search(text, lo, d.start) is not None

    def _travels(self, d: Any, p: _FileView) -> bool:
        """May ``d`` hold past its section?  A declaration may; a definition (``K = P C^\top
        (C P C^\top + R)^{-1}``, a Kalman gain) names a computation of its section — notes
        re-use the letter in the next one (an LQR gain) — unless its section sets up the
        others ("Model", "Notation"), or every definition of the letter in the file gives
        it one shape and nothing declares it (``S = P + w d^\top`` used sections later)."""
        if getattr(d, "how", None) != "definition" or _named(d.key) or self.sets_up(d):
            return True
        return self._one_shape(p) and d.key not in self.declarations

    def borrowed(self, d: Declaration, path: str, offset: int) -> bool:
        """Is the definition ``d`` in force at ``offset`` only because a bare letter's one
        definition travels past its section (``_travels``)?  A Kalman gain ``K`` defined in
        one section and an LQR gain ``K`` used in the next are both written once."""
        if getattr(d, "how", None) != "definition" or _named(d.key) or self.sets_up(d):
            return False
        if self.recalls(path, offset):
            return False  # (a Summary restates what the sections before define)
        bounds = self.boundaries.get(path)
        return d.path != path or bounds is None or bounds.section_between(d.start, offset)

    def _carried(self, p: _FileView, bounds: Boundaries, offset: int, j: int) -> Any:
        """The nearest declaration before ``offset`` (of ``p.by_start[:j]``) made in running
        text of an earlier section it reaches, if the symbol's declarations made in running
        text agree (what a problem, an example or a supposing sentence declares is its own),
        or if it is made in a section that sets up the sections after it ("Notation",
        "Model", "Parameters"): it holds until the symbol is declared again."""
        main = p.main(self)
        if main is None:
            return None  # (most letters a reference re-uses)
        k = bisect.bisect_left(main.starts, p.starts[j - 1] + 1)  # those before the use
        for i in range(k - 1, -1, -1):
            if bounds.reaches(main.starts[i], offset):
                d = main.items[i]
                if main.agree or self.sets_up(d):
                    return d
                later = main.items[k] if k < len(main.items) else None
                return d if self._kept_until(d, later, bounds, offset) else None
        return None

    def _kept_until(
        self, d: Declaration, later: Declaration | None, bounds: Boundaries, offset: int
    ) -> bool:
        """Does ``d`` hold at ``offset``, in the top-level section (``\\section``, ``##``) right
        after its own, although the letter is declared with another shape elsewhere? Only
        when the next declaration says it changes the letter's meaning from there ("the keys
        now come from an encoder: $K \\in …$", "In this section $K$ denotes the Kalman gain"):
        a letter re-used without saying so (QuantEcon's A, n×n then n×k) is not carried."""
        if later is None or later.path != d.path or later.start <= offset:
            return False
        sections = bounds.sections
        i = bisect.bisect_right(sections, d.start) - 1  # (the cheap tests first)
        if i < 0 or bisect.bisect_right(sections, offset) - 1 != i + 1:
            return False
        text = self.texts.get(d.path, "")
        if not self._changes_meaning(text, sections, later):
            return False
        return all(0 < self._level(text, sections[k]) <= 2 for k in (i, i + 1))

    def _changes_meaning(self, text: str, sections: list[int], later: Declaration) -> bool:
        """Does the text before ``later`` in its section say the letter changes meaning?
        (Asked for every use after ``later``'s section: answered once.)"""
        known = self._changes.get((later.path, later.start))
        if known is None:
            at = bisect.bisect_right(sections, later.start) - 1  # said in its section, before it
            lo = max(sections[at] if at >= 0 else 0, later.start - _MEANING_REACH)
            known = _CHANGES_MEANING.search(text, lo, later.start) is not None
            self._changes[(later.path, later.start)] = known
        return known

    @staticmethod
    def _level(text: str, at: int) -> int:
        line_end = text.find("\n", at)
        return heading_kind(text[at : line_end if line_end >= 0 else len(text)])[0]

    def carried(self, d: Declaration, path: str, offset: int) -> bool:
        """Is ``d`` in force at ``offset`` only because it was declared in an earlier section
        (not as notation) and holds in the ones that follow, or in a result before (a
        theorem's letter, ``_outlives``)?"""
        if d.path != path or d.start > offset:
            return False
        bounds = self.boundaries.get(path) or Boundaries([], [])
        if bounds.left_section(d.start, offset) and not self.is_notation(d):
            return True
        span = bounds.result_of(d.start) if bounds.results else None
        return span is not None and span[1] <= offset

    def _contested(self, d: Declaration, decls: list[Declaration]) -> bool:
        """Is ``d`` contradicted in its own sentence (a ``redeclared`` warning)?  (``decls``:
        those near it; the cheap tests first, shapes compared last.)"""
        text = self.texts.get(d.path, "")
        for e in decls:
            if e.path != d.path or e is d or e.font != d.font:
                continue
            a, b = (e, d) if e.start < d.start else (d, e)
            if (
                b.start - a.end <= WHERE_DISTANCE
                and not e.shape.agrees(d.shape)
                and not next_break(text, a.end, b.start)
            ):
                return True
        return False

    def supposed(self, d: Declaration | Signature) -> bool:
        """Is a declaration made in a sentence that supposes ("Assume $A \\in …$", "If …",
        "For any …"), as references state each identity's hypotheses: for that part only?"""
        known = self._supposed.get((d.path, d.start))
        if known is None:
            known = self._supposed[(d.path, d.start)] = self._is_supposed(d)
        return known

    def _is_supposed(self, d: Declaration | Signature) -> bool:
        text = self.texts.get(d.path, "")
        start = sentence_start(text, max(0, d.start - SENTENCE_LOOKBACK), d.start)
        start = clause_start(text, start, d.start)
        return any(
            m.group().lower().startswith(("assum", "suppos", "if", "when"))
            or m.end() >= d.start - 12
            for m in SUPPOSING.finditer(text, start, d.start)
        )  # "for any" / "for all" only right before what it declares: "For any $x \in …$"

    def local(self, d: Declaration | Signature) -> bool:
        """Is a declaration made for one part only: in a problem, an exercise or an example,
        or in a sentence that supposes?"""
        known = self._local.get((d.path, d.start))
        if known is None:
            bounds = self.boundaries.get(d.path) or Boundaries([], [])
            known = (
                bounds.in_unit(d.start) or bounds.result_of(d.start) is not None
                or bounds.box_of(d.start) is not None or self.supposed(d)
            )  # fmt: skip
            self._local[(d.path, d.start)] = known
        return known

    def aside(self, d: Declaration) -> bool:
        """Is ``d`` made in a problem, an exercise or an example (a section or a theorem-like
        environment that is one), whose letters are its own?"""
        bounds = self.boundaries.get(d.path)
        if bounds is None:
            return False
        span = bounds.result_of(d.start) if bounds.results else None
        return bounds.in_unit(d.start) or (span is not None and not bounds.states(span))

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
            text, sentence_start(text, max(0, d.start - SENTENCE_LOOKBACK), d.start), d.start
        ):
            return True
        if in_definition(text, d.start):
            return True  # (a Definition's letters are notation for what follows it)
        sections = (self.boundaries.get(d.path) or Boundaries([], [])).sections
        i = bisect.bisect_right(sections, d.start) - 1
        if i < 0:
            return False
        line_end = text.find("\n", sections[i])
        heading = text[sections[i] : line_end if line_end >= 0 else len(text)]
        return bool(NOTATION_HEADING.search(heading))

    def sets_up(self, d: Declaration | Signature) -> bool:
        """Is a declaration made as notation, or in a section that sets up the sections
        after it (a paper's "Model", "Parameters", "Background")?"""
        known = self._sets_up.get((d.path, d.start))
        if known is None:
            known = self._sets_up[(d.path, d.start)] = self._is_set_up(d)
        return known

    def _is_set_up(self, d: Declaration | Signature) -> bool:
        if self.is_notation(d):  # type: ignore[arg-type]
            return True
        text = self.texts.get(d.path, "")
        sections = (self.boundaries.get(d.path) or Boundaries([], [])).sections
        i = bisect.bisect_right(sections, d.start) - 1
        if i < 0:
            return False
        line_end = text.find("\n", sections[i])
        return heading_kind(text[sections[i] : line_end if line_end >= 0 else len(text)])[4]

    def recalls(self, path: str, offset: int) -> bool:
        """Is ``offset`` in a section that recalls the ones before it (a Summary, a Recap, a
        list of bugs), or in a subsection of one ("### Student A" under "## Exercise: find
        the bugs"), where what they define holds?"""
        sections = (self.boundaries.get(path) or Boundaries([], [])).sections
        i = bisect.bisect_right(sections, offset) - 1
        if i < 0:
            return False
        known = self._recalling.get(path)
        if known is None or known[0] is not sections:
            known = self._recalling[path] = (
                sections,
                _recalling(self.texts.get(path, ""), sections),
            )
        return known[1][i]

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
                    and (at - sig.end > WHERE_DISTANCE or next_break(text, sig.end, at))
                ):
                    return None
        return sig

    def fact_in_force(self, facts: list[Fact], path: str, offset: int) -> Fact | None:
        """Which of a name's facts holds at ``path``/``offset``: one stated for its sentence
        only ("with $p = n$", ``Fact.sentence``) where that sentence is, else the one in
        force as a declaration would be."""
        if all(f.sentence is None for f in facts):
            found: Fact | None = self.in_force(facts, path, offset)
            return found
        here = [
            f for f in facts
            if f.sentence is not None and f.path == path and f.sentence[0] <= offset < f.sentence[1]
        ]  # fmt: skip
        if here:
            return min(here, key=lambda f: abs(f.start - offset))
        general = [f for f in facts if f.sentence is None]
        return self.in_force(general, path, offset) if general else None

    def in_force(self, decls: list[Any], path: str, offset: int) -> Any:
        """Which of a symbol's declarations (or signatures, or definitions) holds at
        ``path``/``offset``; see :meth:`lookup`."""
        if len(decls) < _VIEWED:
            return self._in_force(_FileView(decls, path, self.boundaries.get(path)), path, offset)
        # a letter defined hundreds of times in a thesis: its view made once per list, not
        # per use (lists of definitions and signatures are replaced, not changed, once made;
        # the length tells one that grew while collecting)
        k = (id(decls), path)
        known = self._lists.get(k)
        if known is None or known[0] is not decls or known[1] != len(decls):
            if len(self._lists) > 4096:
                self._lists.clear()
            known = self._lists[k] = (
                decls,
                len(decls),
                _FileView(decls, path, self.boundaries.get(path)),
            )
        return self._in_force(known[2], path, offset)


_VIEWED = 1  # in_force keeps the views of lists this long


class _FileView:
    """A symbol's declarations (or signatures, or definitions) as seen from one file, in
    the orders ``in_force`` and ``lookup`` read them.  ``lookup`` keeps one per symbol, font
    and file for a table: ~10 µs a lookup otherwise, and a row asks several."""

    def __init__(self, decls: list[Any], path: str, bounds: Boundaries | None = None) -> None:
        self.decls = decls
        self.path = path
        self.here = [d for d in decls if d.path == path]  # (in their order)
        # indices into here by start, of equal starts the first listed first
        self.order = sorted(range(len(self.here)), key=lambda i: (self.here[i].start, i))
        self.starts = [self.here[i].start for i in self.order]
        self.by_start = [self.here[i] for i in self.order]
        # by start: the lemma (and proof) each is made in, where it alone holds; None if none is
        self.spans: list[tuple[int, int] | None] | None = None
        if bounds is not None and bounds.results and self.starts:
            spans = [bounds.result_of(a) for a in self.starts]
            if any(spans):
                self.spans = spans
        # by start: the callout each is made in; None if none is
        self.boxes: list[tuple[int, int] | None] | None = None
        if bounds is not None and bounds.boxes and self.starts:
            boxes = [bounds.box_of(a) for a in self.starts]
            if any(boxes):
                self.boxes = boxes
        self._elsewhere: Any = False  # (not yet known)
        self._contested: dict[int, bool] = {}
        self._sorted: tuple[list[Any], list[tuple[str, int]], int] | None = None
        self._main: _MainLine | None | bool = False  # (not yet known)
        self._one_outside: bool | None = None  # (not yet known)
        # whether ``here`` gives one shape under the facts (the table's ``_plain_facts``)
        self.one_under: tuple[dict[Any, Any], bool] | None = None

    def other(self, table: SymbolTable) -> Any:
        """What holds here from the project's other files: the first declaration there (in
        reading order) made in running text — not what an example, a problem or a supposing
        sentence there declares for itself ("Take $N = D = 1$" in a section's Example); of
        the files read after this one, only what they declare as notation ("Throughout, …")."""
        if self._elsewhere is False:
            others = [d for d in self.decls if d.path != self.path]
            order = table.reading_order
            place = order.get(self.path)
            if place is not None:  # a later file's letters, as a later section's, do not hold
                others = [
                    d for d in others if order.get(d.path, -1) < place or table.is_notation(d)
                ]
            self._elsewhere = next((d for d in others if not table.local(d)), None)
        return self._elsewhere

    def main(self, table: SymbolTable) -> _MainLine | None:
        """The declarations here made in running text (not ``table.local``), if any."""
        if self._main is False:
            items = [d for d in self.by_start if not table.local(d)]
            self._main = _MainLine(items) if items else None
        return self._main  # type: ignore[return-value]

    @functools.cached_property
    def one_meaning(self) -> bool:
        return bool(self.here) and _one_meaning(self.here)

    def one_meaning_outside_asides(self, table: SymbolTable) -> bool:
        """Do the declarations in every file of the project give the symbol one shape, but
        for what examples, exercises and problems declare (``SymbolTable.aside``)?"""
        if self._one_outside is None:
            kept = [d for d in self.decls if not table.aside(d)]
            self._one_outside = bool(kept) and _one_meaning(kept)
        return self._one_outside

    @functools.cached_property
    def agree(self) -> bool:
        """Do the declarations here all agree with the first (by start)?"""
        first = self.by_start[0] if self.by_start else None
        return first is not None and all(d.shape.agrees(first.shape) for d in self.by_start[1:])

    def contested(self, table: SymbolTable, d: Declaration) -> bool:
        known = self._contested.get(id(d))
        if known is None:
            known = self._contested[id(d)] = table._contested(d, self._near(d))
        return known

    def _near(self, d: Declaration) -> list[Declaration]:
        """The declarations of ``d``'s file that may share its sentence (within
        ``WHERE_DISTANCE`` of it), found by bisection: a symbol declared 2,000 times is not
        compared 4 million times."""
        if self._sorted is None:
            ordered = sorted(self.decls, key=lambda e: (e.path, e.start))
            keys = [(e.path, e.start) for e in ordered]
            longest = max((e.end - e.start for e in ordered), default=0)
            self._sorted = (ordered, keys, longest)
        ordered, keys, longest = self._sorted
        lo = bisect.bisect_left(keys, (d.path, d.start - WHERE_DISTANCE - longest))
        hi = bisect.bisect_right(keys, (d.path, d.end + WHERE_DISTANCE))
        return ordered[lo:hi]


class _MainLine:
    """A symbol's declarations in one file made in running text (in a section of its own,
    not in a problem or an example nor in a sentence that supposes), by start."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.starts = [d.start for d in items]
        self.agree = _one_meaning(items)
        self._sets_up: bool | None = None

    def sets_up(self, table: SymbolTable) -> bool:
        """Is any of them made in a section that sets up the others (``table.sets_up``)?"""
        if self._sets_up is None:
            self._sets_up = any(table.sets_up(d) for d in self.items)
        return self._sets_up


# a "for" before a declaration in its sentence, up to this far before it: "For $C \in …$",
# "for every $B \in …$ of rank at most k" (a result's hypothesis on any such letter)
_QUANTIFIER_REACH = 80
# a proof's start: what is defined after it in a result's span is a step of the proof
_PROOF_BEGIN = re.compile(r"\\begin\s*\{proof\*?\}|```\{prf:proof\}|:::\s*\{?\.proof")
_QUANTIFIER = re.compile(r"\b[Ff]or\b[^.;:]*$")

# words by which a text says a letter means something else from here on (looked for in the
# section of the new declaration, up to this far before it)
_MEANING_REACH = 1500
_CHANGES_MEANING = re.compile(
    r"\b(?:now|[Ii]n this (?:section|chapter|part)|[Ff]rom (?:here|now) on|[Hh]enceforth|"
    r"[Hh]ereafter|[Ff]or the rest of)\b"
)


def _recalling(text: str, sections: list[int]) -> list[bool]:
    """Per section: does its heading, or the heading of a section it is part of, recall the
    sections before it (``heading_kind``: a Summary, Errata, "find the bugs")?"""
    out: list[bool] = []
    open_: list[tuple[int, bool]] = []  # (level, recalls) of the headings it is under
    for at in sections:
        line_end = text.find("\n", at)
        kind = heading_kind(text[at : line_end if line_end >= 0 else len(text)])
        level = kind[0] if kind[0] >= 0 else 99
        while open_ and open_[-1][0] >= level:
            open_.pop()
        recalls = kind[5] or (bool(open_) and open_[-1][1])
        open_.append((level, recalls))
        out.append(recalls)
    return out


def _named(key: str) -> bool:
    r"""Is ``key`` more than a bare letter (``\Sigma_N``, ``\hat{x}``, ``m_{N}``)?  Such a name
    is coined for one quantity and keeps it from section to section, where a bare ``K`` is
    re-used (a Kalman gain, then an LQR gain)."""
    return "_" in key or "{" in key


def _holds(span: tuple[int, int] | None, offset: int) -> bool:
    """Does a declaration made in ``span`` (a lemma and its proof; None: running text) hold
    at ``offset``?"""
    return span is None or span[0] <= offset < span[1]


def _one_meaning(items: list[Any], facts: dict[Any, Any] | None = None) -> bool:
    """Do all these declarations (or signatures) of one symbol give it the same shape (with
    the names of ``facts`` replaced by their values, if given)?"""
    first = items[0]
    if isinstance(first, Signature):
        return all(
            (s.domain.agrees(first.domain) and s.codomain.agrees(first.codomain))
            or _row_wise(s, first)
            or _row_wise(first, s)
            for s in items[1:]
        )
    if facts:
        shape = _stated(first.shape, facts)
        return all(_stated(d.shape, facts).agrees(shape) for d in items[1:])
    return all(d.shape.agrees(first.shape) for d in items[1:])


def _row_wise(batch: Signature, one: Signature) -> bool:
    r"""Is ``batch`` the function of ``one`` applied to each row of a matrix: ``\phi(Q) = …``
    for Q n×d and ``\phi : \mathbb{R}^d \to \mathbb{R}^r`` (n×d to n×r, the rows stacked)?
    The same function, not another meaning of the letter."""
    if one.domains or batch.domains or one.domain.cols != ONE or one.codomain.cols != ONE:
        return False
    n = batch.domain.rows
    if n == ONE or one.domain.rows == ONE:
        return False
    return Shape(n, one.domain.rows).agrees(batch.domain) and Shape(n, one.codomain.rows).agrees(
        batch.codomain
    )


def _stated(shape: Shape, facts: dict[Any, Any]) -> Shape:
    """``shape`` with the names of ``facts`` replaced by their values (a few rounds)."""
    rows, cols = shape.rows, shape.cols
    for _ in range(4):
        new_rows, new_cols = rows.xreplace(facts), cols.xreplace(facts)
        if new_rows == rows and new_cols == cols:
            break
        rows, cols = new_rows, new_cols
    return Shape(rows, cols)
