"""What a checked document says at a place: its symbols' shapes, its definitions, its notation.

:func:`context_of` reads them from a :class:`~texgrad.shapes.check.CheckResult`;
:func:`context_at` learns them once per checked document (a language server plans,
differentiates several variables and resolves on one result) and hands out copies,
since the engine adds to them.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from texgrad.calculus import notation
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.functions import written_for_arrays
from texgrad.calculus.indices import says_einstein
from texgrad.calculus.lower import (
    DefinitionIndex,
    Env,
    FunctionDef,
    IndexedFunctions,
    Lowerer,
    VarInfo,
    plain_key,
    rate_of,
)
from texgrad.calculus.matrix_notation import softmax_by_columns
from texgrad.calculus.normal_prose import define_named
from texgrad.calculus.printing import Style
from texgrad.calculus.sympy_dims import ONE, Shape, sympy_shape
from texgrad.calculus.tree_notation import entry_names
from texgrad.calculus.written import (
    KNOWN_FUNCTIONS,
    as_application,
    power_name,
    statements,
    text_application,
    upright_name,
)
from texgrad.reading.source import MappedText
from texgrad.shapes.check import CheckResult
from texgrad.shapes.formulas import ORDER_RELATIONS
from texgrad.shapes.language_cues import blame, sentence_end
from texgrad.shapes.properties import Stated, role_named, stated_properties, stated_scalars
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.rules.base import BOLD_FONTS
from texgrad.shapes.rules.relations import scalar_formula
from texgrad.shapes.table import Declaration
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import label_of, member_key, symbol_key


@dataclass
class Context:
    env: Env
    style: Style
    einstein: bool = False  # the document uses the Einstein summation convention
    # the text just before the row says the states are held fixed (teacher forcing): a
    # recurrence involving the variable is not differentiated through
    held_as_given: bool = False
    # vectors the text says are one-hot or a distribution (1ᵀy = 1), by key: "onehot" or
    # "simplex" (written_simplex.stated_sums)
    unit_sums: dict[str, str] = field(default_factory=dict)
    # names defined (without parameters) just after the row, never read into it: a result
    # may be written with them where their value appears whole (calculus.refold: X^T S X)
    after: dict[str, FunctionDef] = field(default_factory=dict)


def _fonts_written(trees: list[t.Node]) -> dict[str, str]:
    """The one font each letter is written in by ``trees`` (letters written in several
    fonts, or in none, are left out)."""
    seen: dict[str, set[str | None]] = {}
    for tree in trees:
        _fonts_seen(tree, seen)
    out: dict[str, str] = {}
    for letter, found in seen.items():
        font = next(iter(found)) if len(found) == 1 else None
        if font is not None:
            out[letter] = font
    return out


def _bold_elsewhere(trees: list[t.Node], in_force: dict[str, _Declared]) -> list[str]:
    r"""The letters the rows write only plain, alone (no member's letter: y of y_i may be the
    later bold y's entries) and as a sum's bound, whose declarations, none in force here, all
    write them bold: the batch size m of ``\sum_{i=1}^m`` is not the mean ``\mathbf{m} \in
    \mathbb{R}^p`` a later section declares."""
    seen: dict[str, set[str | None]] = {}
    for tree in trees:
        _fonts_seen(tree, seen)
    members = {
        k[0]
        for tree in trees
        for n in tree.walk()
        if isinstance(n, (t.Sub, t.Tagged, t.Prime)) and (k := symbol_key(n.base)) is not None
    }
    counts = {  # (only a sum's bound: a count, never the vector)
        k[0]
        for tree in trees
        for n in tree.walk()
        if isinstance(n, t.BigOp)
        and isinstance(n.upper, t.Symbol)
        and (k := symbol_key(n.upper)) is not None
    }
    out = []
    for key, fonts in seen.items():
        info = in_force.get(key)
        if fonts != {None} or info is None or key in out or key in members or key not in counts:
            continue
        if info.none_in_force() and all(
            d.font in _BOLD_FONTS for d in info._place.result.table.declarations.get(key, ())
        ):
            out.append(key)
    return out


_BOLD_FONTS = frozenset(("mathbf", "boldsymbol", "bm", "bold", "mathbfit", "pmb"))


def _fonts_seen(tree: t.Node, seen: dict[str, set[str | None]]) -> dict[str, set[str | None]]:
    """Into ``seen``: each letter ``tree`` writes, with the fonts it is written in (None: in
    no font)."""
    for node in tree.walk():
        named = symbol_key(node) if isinstance(node, _NAMED) else None
        if named is not None:
            seen.setdefault(named[0], set()).add(named[1])
    return seen


_NAMED = (t.Symbol, t.Sub, t.Tagged, t.Prime)


def _in_force(result: CheckResult, key: str, font: str | None, offset: int) -> Declaration | None:
    """The declaration of ``key`` in force at ``offset``; where the rows write it in one
    font (``\\mathbf{v}``), the one of that font — not a plain v declared elsewhere — as the
    shape check reads the same rows."""
    decl = result.table.lookup(key, None, result.path, offset)
    if font is not None and decl is not None and decl.font != font:
        decl = result.table.lookup(key, font, result.path, offset) or decl
    return decl


def _in_font(key: str, font: str | None) -> str:
    r"""A declared symbol written as its declaration writes it (``\mathbf{c}`` of a
    ``\mathbf c`` declared in another file of the project, which this file's rows never
    write: a result printed with it is read back as the same symbol)."""
    if font is None or not font.isalpha():
        return key
    base, sep, rest = key.partition("_{")
    return f"\\{font}{{{base}}}{sep}{rest}"


def context_of(result: CheckResult, offset: int, trees: list[t.Node]) -> Context:
    """Symbols, definitions and notation in force at ``offset`` of a checked document."""
    env = Env()
    fonts = _fonts_written(trees)
    in_force = _declared_vars(result, env, fonts, offset)
    _stated(result, offset, env, in_force)
    _squared_distances(result.doc.text, offset, env)
    inferred = []
    for key, (rows, cols) in [*result.inferred.items(), *_said_of(result).parameters.items()]:
        if key not in env.vars and rows is not None and cols is not None:
            if not _typed_by_use(result, key, rows, cols):
                continue
            env.vars[key] = VarInfo(key, Shape(rows, cols), key)
            inferred.append(key)
    if inferred:  # S_B = \sum_k n_k (\mu_k - \mu)(\mu_k - \mu)^\top, typed by its use
        _stated_of_inferred(result, offset, env, inferred)
    _iterates_typed(result, env)
    defined = _defined_of(result)
    index = _index_of(defined)
    if defined.before_sorted:  # (those up to the offset: a prefix, found by bisection)
        upto = bisect.bisect_right(defined.before_starts, offset)
        env.functions = IndexedFunctions(index, _defined_before(defined, upto))
    else:
        env.functions = IndexedFunctions(index)
        for start, replaces, key, fdef in defined.before:  # (read for their structure only)
            if start <= offset:
                if replaces:
                    env.functions[key] = fdef
                else:
                    env.functions.setdefault(key, fdef)
    fallback = [k for k in env.functions.keys() & in_force.keys() if in_force[k].none_in_force()]
    fallback += [k for k in _bold_elsewhere(trees, in_force) if k not in fallback]
    for key in fallback:  # μ = 1ᵀu/m here, a bold μ ∈ ℝ^J declared later
        del env.vars[key]
        in_force.pop(key, None)
    for key, fdef in defined.elsewhere:  # Q = XW_Q in the setup section, for the appendix
        if key not in env.vars:
            env.functions.setdefault(key, fdef)
    for tree in _where_after(result, offset):  # f = ‖r‖², where r = Ax - b
        _definitions(tree, env, defined.declared)
    env.softmax_columns = defined.softmax_columns
    define_named(result.doc.text, env)  # "$\\Phi$ the standard normal CDF": Φ(t), φ(t)
    # "…, where φ(z) = max(0, z)": unless defined before (the first after the offset of
    # each name, in their order: see _later_firsts)
    for _, key, fdef in _later_firsts(defined, offset):
        env.functions.setdefault(key, fdef)
    _said_scalars(result, offset, env, _last_defined(defined, offset))
    _like_its_family(env)
    _scalar_parameters(trees, env)
    _rates(trees, env)
    style = notation.copy_style(document_style(result))
    notation.learn_style(style, trees, result.doc.text, override=True)
    _declared_spellings(result, style, in_force, fonts)
    for key in env.vars.keys() & style.symbols.keys():  # (the others keep theirs)
        env.vars[key].latex = style.symbols[key]
    after = _defined_after(result, defined, offset, env)
    return Context(env, style, says_einstein(result.doc.text), after=after)


AFTER_REACH = 3000  # characters after a row whose definitions may name parts of its result
AFTER_MOST = 40  # and at most so many of them


def _defined_after(
    result: CheckResult, defined: _Defined, offset: int, env: Env
) -> dict[str, FunctionDef]:
    r"""The names equated to a value (a declared letter too: "where $S =
    \operatorname{diag}(…)$ is an n×n diagonal matrix") in the rows of the file within
    :data:`AFTER_REACH` characters after ``offset``, not defined by then, each by its first
    equation; not one in a line that calls something wrong ("Errado: $H = XSX^\top$").
    Each row is read for them once per document (:func:`_equated_in`)."""
    out: dict[str, FunctionDef] = {}
    first = bisect.bisect_right(defined.starts, offset) if defined.starts else 0
    for n in range(first, len(defined.own)):
        row = defined.own[n]
        if row.start <= offset:
            continue
        if row.start > offset + AFTER_REACH:
            if defined.starts:
                break
            continue
        for key, fdef in _equated_in(result, defined, n):
            if key not in env.functions and key not in out:
                out[key] = fdef
        if len(out) >= AFTER_MOST:
            break
    return out


def _equated_in(result: CheckResult, defined: _Defined, n: int) -> list[tuple[str, FunctionDef]]:
    """The names the ``n``-th row of the file equates to a value (``S = …``, no parameters),
    none where its line calls something wrong; read once per document."""
    with _FOLDING:
        hit = defined.equated.get(n)
        if hit is not None:
            return hit
    row = defined.own[n]
    tree = row.tree_as_parsed
    out: list[tuple[str, FunctionDef]] = []
    text = result.doc.text
    line = text.rfind("\n", 0, row.start) + 1
    if tree is not None and not _BLAMED.search(text, line, row.start):
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, (t.Sequence, t.List)):
                stack.extend(node.items)
                continue
            if not isinstance(node, t.Chain) or len(node.items) < 2:
                continue
            parts = statements(node)  # S = …, \quad D = …: one each
            if len(parts) > 1:
                stack.extend(parts)
                continue
            head, body = _after_where(node.items[0]), node.items[1]
            if node.relations[0] not in DEFINING or head is None or body is None:
                continue
            key = member_key(head)
            if key is not None and not _inline_code(body):
                out.append((key[0], FunctionDef(key[0], (), body)))
    with _FOLDING:
        defined.equated[n] = out
    return out


DEFINING = ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv")


_BLAMED = blame()


def _declared_vars(
    result: CheckResult, env: Env, fonts: dict[str, str], offset: int
) -> dict[str, _Declared]:
    """Every declared symbol into ``env``, as the declaration in force at ``offset`` (else
    its first) says, each looked up only when what it says is read (:class:`_Declared`):
    a claim of a 1 MB thesis reads a few of its thousand symbols, and looking up every one
    for every claim grew as the square of the document.  By symbol, what went in."""
    place = _Place(result, offset, fonts, _agreed_of(result))
    # (made as _Declared.made makes one, without a call per symbol: a claim of a 2 MB
    # thesis makes a thousand; ``positive`` is VarInfo's default)
    new, cls = object.__new__, _Declared
    declared: dict[str, _Declared] = {}
    for key in _letters_declared(result):
        info: _Declared = new(cls)
        info.key = key
        info._place = place
        declared[key] = info
    env.vars.update(declared)
    return declared


def _letters_declared(result: CheckResult) -> list[str]:
    r"""The symbols the document declares as letters: not one whose every declaration is of
    a call's value (``\psi(X) \in \mathbb{R}^{n \times D}``: \psi is a function, its value at
    X is n×D; read as a matrix \psi, ``\psi(\mathbf{x})`` would be a product).  Read once
    per checked document, as :func:`_agreed_of` reads its declarations (every claim's
    context asked: a look at every declaration of a thesis's thousand letters per claim)."""
    learnt = _learnt_of(result)
    if learnt.letters is None:
        heads = _definition_heads(result)
        learnt.letters = [
            key
            for key, decls in result.table.declarations.items()
            if not all(d.how == "value" for d in decls)
            and not all(d.how == "prose" and (d.path, d.start) in heads for d in decls)
        ]
    return learnt.letters


def _definition_heads(result: CheckResult) -> set[tuple[str, int]]:
    r"""Where the rows of the checked file that define a letter (``S = \diag(…)``) write
    it: a declaration by the prose there sizes the definition ("with $S = \diag(\mathbf p
    \odot (\mathbf 1 - \mathbf p))$, an $n \times n$ diagonal matrix"), and the letter is
    still what it defines (X^T S X read with S's value, not a free n×n matrix).  Only a
    letter defined once in the file: ``\mathbf p = \phi(x, y_w)``, "both in $\mathbb R^d$",
    beside a plain ``p = \sigma(\boldsymbol\theta^\top\mathbf z)`` keeps its declaration
    (the calculus keys both p: read by a definition, z = p - r would refer to itself)."""
    heads: dict[str, list[tuple[str, int]]] = {}
    for left, relation, right in _own_equations(result):
        if relation != "=" or _opaque_call(result, right):
            continue  # (\mathbf r = \phi(x, y_l), "both in R^d": its declaration holds)
        key = symbol_key(left)
        head = (result.path, left.start)
        heads.setdefault(key[0] if key is not None else f"@{head[1]}", []).append(head)
    return {places[0] for places in heads.values() if len(places) == 1}


def _own_equations(result: CheckResult) -> Iterator[tuple[t.Node, str, t.Node | None]]:
    """The checked file's rows of one relation with a left side (``S = …``, ``b := …``): the
    left side, the relation and the right side, for the readers of definitions' heads."""
    for row in result.rows:
        tree = row.tree
        if (
            row.path == result.path and isinstance(tree, t.Chain) and len(tree.items) == 2
            and tree.items[0] is not None
        ):  # fmt: skip
            yield tree.items[0], tree.relations[0], tree.items[1]


def _heads_defined(result: CheckResult) -> set[str]:
    """The letters rows of the checked file define by a list of their entries (``\\mathbf b
    = (r, 1)^\\top``, which the calculus does not read as a vector), by key."""
    out = {
        key[0]
        for left, relation, right in _own_equations(result)
        if relation in ("=", ":=") and _entries_listed(right)
        and (key := symbol_key(left)) is not None
    }  # fmt: skip
    return out - _parameters_written(result)


def _entries_listed(node: t.Node | None) -> bool:
    """``(r, 1)^\\top``, ``(r, 1)``: a list of entries, read at the top (no walk of a
    definition's body: robustness/test_shared_work counts those)."""
    if isinstance(node, t.Transpose):
        node = node.base
    if isinstance(node, t.Paren):
        node = node.body
    return isinstance(node, t.List)


def _parameters_written(result: CheckResult) -> set[str]:
    r"""The letters the checked file writes as a defined function's parameter (``L(\mathbf
    w) = …``): a variable, though an example sets it to numbers (``\mathbf w = (1, -1)^\top``)."""
    out: set[str] = set()
    for row in result.rows:
        tree = row.tree
        head = tree.items[0] if isinstance(tree, t.Chain) and tree.items else None
        if row.path == result.path and isinstance(head, t.Apply):
            out |= {k[0] for a in head.args if (k := symbol_key(a)) is not None}
    return out


def _opaque_call(result: CheckResult, body: t.Node | None) -> bool:
    r"""Does ``body`` apply a function the document defines nowhere (a feature map φ), or
    write a matrix out (``J = [J_c\; J_p]``), neither of which the calculus reads?"""
    for n in body.walk() if body is not None else ():
        if isinstance(n, t.Matrix):
            return True
        func = n.func if isinstance(n, t.Apply) else None
        key = symbol_key(func) if isinstance(func, (t.Symbol, t.Font)) else None
        if key is not None and key[0] not in result.table.function_definitions:
            return True  # (\log, \operatorname{…} are no letters: read)
    return False


class _Place:
    """Where a context is learnt: the declarations in force there, each looked up on first
    need (by the copies of the context's symbols too), with whether none is in force there
    (the first declaration of the symbol then stands for it)."""

    __slots__ = ("result", "offset", "fonts", "agreed", "found")

    def __init__(
        self, result: CheckResult, offset: int, fonts: dict[str, str], agreed: dict[str, _Agreed]
    ) -> None:
        self.result = result
        self.offset = offset
        self.fonts = fonts  # (the one font each letter is written in by the row)
        self.agreed = agreed
        self.found: dict[str, tuple[Declaration, bool]] = {}

    def of(self, key: str) -> tuple[Declaration, bool]:
        hit = self.found.get(key)
        if hit is None:
            decl = _in_force(self.result, key, self.fonts.get(key), self.offset)
            hit = (
                (decl, False)
                if decl is not None
                else (self.result.table.declarations[key][0], True)
            )
            self.found[key] = hit
        return hit


# VarInfo's fields a declaration gives (``key`` is known, ``positive`` is never declared)
_DECLARED_FIELDS = ("shape", "latex", "symmetric", "positive_definite", "values", "complex")


@dataclass
class _Agreed:
    """What every declaration of a symbol says alike (each that a lookup may find: its
    declarations and its bindings), by VarInfo field: read without a lookup; and the
    spelling its declarations give it (:func:`_declared_spellings`), if they give one alike
    (``spelled``: None none, ``_UNKNOWN`` not alike, each it may then be in ``may_spell``)."""

    fields: dict[str, Any]
    spelled: Any
    may_spell: frozenset[str] = frozenset()


_UNKNOWN = object()


def _agreed_of(result: CheckResult) -> dict[str, _Agreed]:
    learnt = _learnt_of(result)
    if learnt.agreed is not None:
        return learnt.agreed
    table = result.table
    out: dict[str, _Agreed] = {}
    for key, decls in table.declarations.items():
        every = [*decls, *(b[0] for b in table.bound.get(key, ()))]
        fields: dict[str, Any] = {}
        if every:
            first = every[0]
            if all(d.shape == first.shape for d in every):
                fields["shape"] = sympy_shape(first.shape)
            if all(d.font == first.font for d in every):
                fields["latex"] = _in_font(key, first.font)
            for name in ("symmetric", "positive_definite", "values", "complex"):
                value = getattr(first, name)
                if all(getattr(d, name) == value for d in every):
                    fields[name] = value
        # (of a letter the row does not write, the lookup in no font: those in no font, if
        # any, else any; or the first when none is in force)
        plain = [d for d in decls if d.font is None] or decls
        candidates = [
            *plain,
            decls[0],
            *(b[0] for b in table.bound.get(key, ()) if b[0].font is None),
        ]
        spellings = {_spelling(result, key, d) for d in candidates}
        out[key] = (
            _Agreed(fields, next(iter(spellings)))
            if len(spellings) == 1
            else _Agreed(fields, _UNKNOWN, frozenset(s for s in spellings if s is not None))
        )
    learnt.agreed = out
    return out


def _spellable_of(result: CheckResult) -> list[str]:
    """The declared symbols a declaration may spell (:func:`_declared_spellings`), in the
    order of the declarations: a claim's context looks at those only."""
    learnt = _learnt_of(result)
    if learnt.spellable is None:
        learnt.spellable = [k for k, a in _agreed_of(result).items() if a.spelled is not None]
    return learnt.spellable


class _Declared(VarInfo):
    """A declared symbol's :class:`~texgrad.calculus.lower.VarInfo` whose declaration in
    force is looked up when a field no declaration of it says alike is first read (a field
    set before that, or read since, is the object's own).  Every declared field is a
    :class:`_Field` (none reads VarInfo's defaults; ``positive``, never declared, does).
    Copied, pickled or compared, it is a VarInfo with the same fields."""

    _place: _Place

    @classmethod
    def made(cls, key: str, place: _Place) -> _Declared:
        info = object.__new__(cls)
        info.key = key
        info._place = place
        return info

    def declaration(self) -> Declaration:
        """The declaration in force (else the symbol's first)."""
        return self._place.of(self.key)[0]

    def none_in_force(self) -> bool:
        return self._place.of(self.key)[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VarInfo):
            return NotImplemented
        return _fields(self) == _fields(other)

    __hash__ = None  # type: ignore[assignment]  # (as VarInfo's: not hashable)

    def __repr__(self) -> str:
        return repr(VarInfo(*_fields(self)))

    def __reduce__(self) -> tuple[Any, ...]:
        return (VarInfo, _fields(self))

    def _fill(self) -> None:
        """Every field not set yet, from the declaration in force."""
        decl = self.declaration()
        own = self.__dict__
        own.setdefault("shape", sympy_shape(decl.shape))
        own.setdefault("latex", _in_font(self.key, decl.font))
        own.setdefault("symmetric", decl.symmetric)
        own.setdefault("positive_definite", decl.positive_definite)
        own.setdefault("values", decl.values)
        own.setdefault("complex", decl.complex)


def _fields(info: VarInfo) -> tuple[Any, ...]:
    return (
        info.key, info.shape, info.latex, info.symmetric, info.positive_definite,
        info.positive, info.values, info.complex,
    )  # fmt: skip


class _Field:
    """One field of a :class:`_Declared`: its own value, else what every declaration of the
    symbol says alike, else the declaration in force's (looked up then).  (A descriptor
    without ``__set__``: the object's own value, set or read before, is found before it,
    without a call — a claim's context sets the spelling of each of its symbols.)"""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, info: Any, owner: type | None = None) -> Any:
        if info is None:
            return self
        own = info.__dict__
        try:
            return own[self.name]
        except KeyError:
            pass
        agreed = own["_place"].agreed[own["key"]].fields
        if self.name in agreed:
            value = own[self.name] = agreed[self.name]
            return value
        info._fill()
        return own[self.name]


for _name in _DECLARED_FIELDS:
    setattr(_Declared, _name, _Field(_name))


@dataclass
class _Defined:
    """The definitions of a checked document, read once for the context of every row:
    each row's in the order they are read into the environment (``before``: the row's
    start, whether it replaces an earlier definition of the name or only adds one, the
    name, the definition), the functions each row defines for the rows before it ("…,
    where φ(z) = max(0, z)": ``later``), the rows of the document's own file (for a "where"
    after a row) and what the prose says of softmax.  The context at a row is then linear
    in the definitions, not in the rows (a 1 MB thesis has thousands of rows)."""

    declared: set[str]
    before: list[tuple[int, bool, str, FunctionDef]]
    elsewhere: list[tuple[str, FunctionDef]]  # what the project's other files define
    later: list[tuple[int, str, FunctionDef]]
    own: list[PlacedRow]  # the rows of the checked file, in order
    starts: list[int]  # their starts where sorted (else empty: a row is found by a scan)
    reach: list[int]  # the largest end of the rows up to each one
    softmax_columns: bool
    before_starts: list[int] = field(default_factory=list)  # the starts of ``before``
    before_sorted: bool = False  # (in order: a row's context reads a prefix of ``before``)
    later_starts: list[int] = field(default_factory=list)  # the starts of ``later``
    later_sorted: bool = False  # (in order: a row's context reads a suffix of ``later``)
    # (the first definition of each name in ``later`` from an index on, read last: see
    # _later_firsts; and the index of each one's next definition of its name, or -1)
    firsts: tuple[int, list[int]] | None = None
    later_next: list[int] | None = None
    # (the functions of ``before``'s first n, read so far: see _defined_before)
    folded: tuple[int, dict[str, FunctionDef]] | None = None
    index: DefinitionIndex | None = None  # (of every definition above: see _index_of)
    # (the starts of ``before``'s definitions of each name, in its order: _last_defined)
    starts_by_key: dict[str, list[int]] | None = None
    # (the names each row of ``own`` equates to a value, by its place: see _equated_in)
    equated: dict[int, list[tuple[str, FunctionDef]]] = field(default_factory=dict)


def _index_of(defined: _Defined) -> DefinitionIndex:
    """The definitions of ``defined`` by the names they name, made on first need."""
    with _FOLDING:
        if defined.index is None:
            defined.index = DefinitionIndex(
                [
                    *((key, fdef) for _, _, key, fdef in defined.before),
                    *defined.elsewhere,
                    *((key, fdef) for _, key, fdef in defined.later),
                ]
            )
        return defined.index


def rows_not_flagged(result: CheckResult) -> list[PlacedRow]:
    r"""``result``'s rows but those of its own file holding a shape error: "A slip: $O = VA$"
    (flagged, a product that does not fit) defines nothing beside ``O = AV`` — read as a
    definition, it replaced the right one for every claim after it."""
    errors = sorted(d.start for d in result.diagnostics if d.severity == "error")
    if not errors:
        return result.rows
    out = []
    for row in result.rows:
        i = bisect.bisect_left(errors, row.start)
        if row.path == result.path and i < len(errors) and errors[i] < row.end:
            continue
        out.append(row)
    return out


def _defined_of(result: CheckResult) -> _Defined:
    learnt = _learnt_of(result)
    if learnt.defined is not None:
        return learnt.defined
    declared = set(_letters_declared(result)) | _dimension_letters(result)
    before: list[tuple[int, bool, str, FunctionDef]] = []
    later: list[tuple[int, str, FunctionDef]] = []
    not_yet = _declared_later(result)
    last = _last_of(not_yet)
    for row in rows_not_flagged(result):
        tree = row.tree_as_parsed
        if tree is None:
            continue
        here = declared_at(result, declared, not_yet, row, tree, last)
        steps = _definition_steps(tree, here, _only_sized_in(result))
        before.extend((row.start, replaces, key, fdef) for replaces, key, fdef in steps)
        # the row read alone, as _definitions reads it, from the steps found once (every
        # row's definitions were found twice, and their names read twice for the index of
        # definitions: new FunctionDefs): its last definition of a function wins
        alone: dict[str, FunctionDef] = {}
        for replaces, key, fdef in steps:
            if replaces:
                alone[key] = fdef
            else:
                alone.setdefault(key, fdef)
        later.extend((row.start, k, f) for k, f in alone.items() if f.params)
    own = [r for r in result.rows if r.path == result.path]
    starts = [r.start for r in own]
    ordered = all(a <= b for a, b in zip(starts, starts[1:], strict=False))
    reach: list[int] = []
    for r in own:
        reach.append(max(reach[-1], r.end) if reach else r.end)
    elsewhere: list[tuple[str, FunctionDef]] = []
    for row in result.elsewhere:
        tree = row.tree_as_parsed
        if tree is not None:
            elsewhere.extend((key, fdef) for _, key, fdef in _definition_steps(tree, declared))
    before_starts = [b[0] for b in before]
    later_starts = [b[0] for b in later]
    learnt.defined = _Defined(
        declared, before, elsewhere, later, own, starts if ordered else [], reach,
        softmax_by_columns(result.doc.text), before_starts,
        all(a <= b for a, b in zip(before_starts, before_starts[1:], strict=False)),
        later_starts, all(a <= b for a, b in zip(later_starts, later_starts[1:], strict=False)),
    )  # fmt: skip
    return learnt.defined


def _declared_later(result: CheckResult) -> dict[str, tuple[int, frozenset[str | None]]]:
    """The letters declared only in the checked file, each in a font: where the first of
    those declarations is, and their fonts."""
    out: dict[str, tuple[int, frozenset[str | None]]] = {}
    for key, decls in result.table.declarations.items():
        if decls and all(d.path == result.path and d.font is not None for d in decls):
            out[key] = (min(d.start for d in decls), frozenset(d.font for d in decls))
    return out


def _last_of(later: dict[str, tuple[int, frozenset[str | None]]]) -> int:
    """Where the last letter of ``later`` (:func:`_declared_later`) is declared (-1: none)."""
    return max((at for at, _ in later.values()), default=-1)


def declared_at(
    result: CheckResult,
    declared: set[str],
    later: dict[str, tuple[int, frozenset[str | None]]],
    row: PlacedRow,
    tree: t.Node,
    last: int | None = None,
) -> set[str]:
    r"""The letters whose definition by ``row`` is not read (``declared``), less those the
    row writes in another font than the declarations of the letter, all after the row
    (``later``: :func:`_declared_later`): ``\mu = \frac1m \mathbf 1^\top\mathbf u``
    defines μ before a later section's ``\boldsymbol\mu \in \mathbb{R}^J``.  ``last``:
    where the last of ``later`` is (the caller's, read once for every row)."""
    if row.path != result.path:
        return declared
    if last is None:
        last = _last_of(later)
    if last <= row.start:  # (no letter declared after the row)
        return declared
    # (one walk of the row, not one per letter declared later: the Cookbook's 1,341 rows
    # made that 0.6 s of a code action's first context; the letters the row writes are
    # looked up in ``later``, not every letter of ``later`` compared with the row's start
    # for every row: a 2 MB thesis declares thousands, in thousands of rows)
    seen = _fonts_seen(tree, {})
    other = set()
    for k, fonts in seen.items():
        hit = later.get(k)
        if hit is None or hit[0] <= row.start:
            continue
        one = next(iter(fonts)) if len(fonts) == 1 else None  # (its one font, if any)
        if (one is not None or None in fonts) and one not in hit[1]:
            other.add(k)  # written plain, or in a font none of its later declarations has
    return declared - other if other else declared


def _defined_before(defined: _Defined, upto: int) -> dict[str, FunctionDef]:
    """The functions the first ``upto`` definitions of ``defined.before`` define, read in
    order (one replaces an earlier definition of its name, or only adds one): a copy of
    the last such reading, read on from where it stopped — the claims of a document come
    in its order, and each read them all again from the start (thousands in a 1 MB
    thesis).  (One thread at a time: a server's threads ask for contexts of one result.)"""
    with _FOLDING:
        if defined.folded is None or defined.folded[0] > upto:
            defined.folded = (0, {})
        done, functions = defined.folded
        for _, replaces, key, fdef in defined.before[done:upto]:
            if replaces:
                functions[key] = fdef
            else:
                functions.setdefault(key, fdef)
        defined.folded = (upto, functions)
        return dict(functions)


_FOLDING = threading.Lock()


def _later_firsts(defined: _Defined, offset: int) -> list[tuple[int, str, FunctionDef]]:
    """The definitions of ``defined.later`` after ``offset`` that set a function in a
    context (``setdefault``, in order: the first of each name), the same as those after the
    offset themselves: a thesis's claims each read all of them (460 definitions of 28 names,
    for each of 950 claims).  Where sorted, the first of each name in the suffix after the
    offset, carried on from the last offset asked (the claims come in the document's order):
    a name's first leaves with its definition, its next one takes its place."""
    later = defined.later
    if not defined.later_sorted:
        return [d for d in later if d[0] > offset]
    at = bisect.bisect_right(defined.later_starts, offset)
    with _FOLDING:
        if defined.later_next is None:
            following: dict[str, int] = {}
            nexts = [-1] * len(later)
            for j in range(len(later) - 1, -1, -1):
                key = later[j][1]
                nexts[j] = following.get(key, -1)
                following[key] = j
            defined.later_next = nexts
        nexts = defined.later_next
        if defined.firsts is None or defined.firsts[0] > at:
            seen: set[str] = set()
            firsts = []
            for j in range(at, len(later)):
                if later[j][1] not in seen:
                    seen.add(later[j][1])
                    firsts.append(j)
        else:
            done, firsts = defined.firsts
            for j in range(done, at):  # (j is the first of the suffix from j: firsts[0])
                firsts.pop(0)
                if nexts[j] >= 0:
                    bisect.insort(firsts, nexts[j])
        defined.firsts = (at, firsts)
        return [later[j] for j in firsts]


def _last_defined(defined: _Defined, offset: int) -> Callable[[str], int | None]:
    """Where a letter was last defined before ``offset`` (None: not before it): the last
    of ``defined.before``'s definitions of it that starts by ``offset``, each name's found
    when asked (a dict of every name, made for every claim, grew as the square of a thesis)."""
    with _FOLDING:
        if defined.starts_by_key is None:
            by_key: dict[str, list[int]] = {}
            for start, _, key, _ in defined.before:
                by_key.setdefault(key, []).append(start)
            defined.starts_by_key = by_key
        starts_by_key = defined.starts_by_key

    def at(key: str) -> int | None:
        return next((s for s in reversed(starts_by_key.get(key, ())) if s <= offset), None)

    return at


def _said_scalars(
    result: CheckResult,
    offset: int,
    env: Env,
    defined_at: Callable[[str], int | None] | None = None,
) -> None:
    """Scalars the text says where nothing declares or defines the letter: by their role
    ("the noise variance $\\sigma_n^2$") or by a comparison ("$\\lambda > 0$", "$\\ell > 0$").
    A letter said a scalar after its last definition is that scalar from there on: the loss
    $\\ell(\\mathbf w) = …$ of one section, "a length scale $\\ell > 0$" of the next."""
    for key, at in _said_of(result).scalars:
        if (
            key in env.functions
            and key not in env.vars
            and _defined_by(defined_at, key, offset) < at
        ):
            if at <= offset and env.functions[key].params:
                del env.functions[key]  # (a function's name: not a number-valued definition)
        if key not in env.vars and key not in env.functions and at <= offset:
            env.vars[key] = VarInfo(key, Shape(ONE, ONE), key)
    for key, weak in result.table.weak.items():
        if key not in env.vars and key not in env.functions and weak:
            env.vars[key] = VarInfo(key, weak[0].shape, key)
            env.weak.add(key)  # ℓ(y, ŷ) is then no product ℓ·(y, ŷ)
        elif key in env.vars and weak and weak[0].font is None and _bold_array(env.vars[key]):
            env.weak.add(key)  # "$\sigma > 0$" beside a declared \boldsymbol\sigma: two letters
            plain = plain_key(key)  # (the plain one a number of its own: sampled as one)
            env.vars.setdefault(plain, VarInfo(plain, weak[0].shape, key))
    for key in result.table.plain_positive:
        if key not in env.vars and key not in env.functions:
            env.weak.add(key)  # (not in vars: a number only beside numbers, lower._add)


def _defined_by(defined_at: Callable[[str], int | None] | None, key: str, offset: int) -> int:
    last = defined_at(key) if defined_at is not None else None
    return offset if last is None else last


def _bold_array(info: VarInfo) -> bool:
    r"""A symbol declared as an array in a font of its own (``\boldsymbol\sigma \in ℝ^d``)."""
    written = info.latex.strip()
    return not info.shape.is_scalar and written.startswith(("\\mathbf", "\\boldsymbol", "\\bm"))


def _like_its_family(env: Env) -> None:
    r""" "labels $\mathbf{y}_i \in \mathbb{R}^K$ …, one label $\mathbf{y}$": a letter nothing
    declares or defines, whose family of vectors is declared (one shape for every index), is a
    vector like its members."""
    found: dict[str, set[Shape]] = {}
    for key, info in env.vars.items():
        base, sep, _ = key.partition("_{")
        if not sep or not base or base in env.vars or base in env.functions:
            continue  # (the letter declared or defined: its members' shapes are not read)
        if not info.shape.is_scalar and info.shape.cols == ONE:
            found.setdefault(base, set()).add(info.shape)
    for base, shapes in found.items():
        if len(shapes) == 1:
            env.vars[base] = VarInfo(base, next(iter(shapes)), base)


def _declared_spellings(
    result: CheckResult, style: Style, in_force: dict[str, _Declared], fonts: dict[str, str]
) -> None:
    r"""A symbol the row does not write is spelled as its declaration in force writes it
    when that is in a font (``\mathbf y \in \mathbb{R}^N``), not as the document first
    wrote the letter (a plain ``y`` in "a target $y$"): the result's ``X^\top(X\mathbf w -
    \mathbf y)`` of a sum of ``(\mathbf w^\top\mathbf x_i - y_i)^2``."""
    # (what every declaration a symbol may be spells alike is read once per document and
    # set at once, less the symbols the row writes and those not in force: a claim of a 1 MB
    # thesis looked at each of hundreds; only the others are looked up)
    alike, unknown = _spelled_of(result)
    symbols = style.symbols
    left_out = (alike.keys() & fonts.keys()) | (alike.keys() - in_force.keys())
    saved: list[tuple[str, str | None]] = [(k, symbols.get(k)) for k in left_out]
    symbols.update(alike)
    for key, was in saved:
        if was is None:
            del symbols[key]
        else:
            symbols[key] = was
    for key, may in unknown:  # (in the order of the declarations, as in_force's)
        info = in_force.get(key)
        if info is None or key in fonts:
            continue
        if not may or (len(may) == 1 and symbols.get(key) in may):
            continue  # (none, or the spelling it has is the only one a declaration gives: kept
            # without a lookup, which grew as the square of a thesis — its letters in bold
            # declared again plainly in a later chapter)
        spelled = _spelling(result, key, info.declaration())
        if spelled is not None:
            symbols[key] = spelled


def _spelled_of(result: CheckResult) -> tuple[dict[str, str], list[tuple[str, frozenset[str]]]]:
    """The spellings every declaration of a symbol gives alike (:class:`_Agreed`), by
    symbol, and the symbols whose declarations spell them differently (looked up per
    claim, with the spellings a declaration of each may give), each in the order of the
    declarations."""
    learnt = _learnt_of(result)
    if learnt.spelled is None:
        agreed = _agreed_of(result)
        alike: dict[str, str] = {}
        unknown: list[tuple[str, frozenset[str]]] = []
        for key in _spellable_of(result):
            spelled = agreed[key].spelled
            if spelled is _UNKNOWN:
                unknown.append((key, agreed[key].may_spell))
            elif spelled is not None:
                alike[key] = spelled
        learnt.spelled = (alike, unknown)
    return learnt.spelled


def _spelling(result: CheckResult, key: str, decl: Declaration) -> str | None:
    """How ``decl`` spells ``key`` if in a font, written alone: see :func:`_declared_spellings`."""
    if decl.font is None or decl.how == "definition":
        return None
    text = result.doc.text if decl.path == result.path else result.table.texts.get(decl.path)
    if text is None or decl.end > len(text):
        return None
    spelled = text[decl.start : decl.end].strip()
    if spelled and len(spelled) < 40 and (_spells(spelled, key) or _MACRO.fullmatch(spelled)):
        return spelled  # (a macro, \vy: the declaration read of it is the symbol in its font)
    return None


_MACRO = re.compile(r"\\[A-Za-z]+")


@functools.lru_cache(maxsize=4096)
def _spells(written: str, key: str) -> bool:
    r"""Is ``written`` the symbol ``key`` alone (``\mathbf y``; not a list ``\mathbf{x}_1,
    \dots, \mathbf{x}_N`` that a family's declaration spans)?"""
    from texgrad.syntax.parse import parse_row

    tree = parse_row(MappedText.identity(written)).tree
    named = symbol_key(tree) if isinstance(tree, _NAMED) else None
    return named is not None and named[0] == key


def _scalar_parameters(trees: list[t.Node], env: Env) -> None:
    r"""The parameters of a function the rows define by a formula of numbers
    (``\sigma(t) = 1/(1 + e^{-t})``, ``g(u) = u^2 + \sin u``) that nothing declares: numbers,
    as the formula reads them (it is then applied entrywise to arrays)."""
    for tree in trees:
        for node in tree.walk():
            if not isinstance(node, t.Chain) or node.relations[:1] not in (("=",), (":=",)):
                continue
            head = as_application(node.items[0]) if node.items[0] is not None else None
            body = node.items[1]
            if not isinstance(head, t.Apply) or body is None:
                continue
            params = [symbol_key(a) for a in head.args]
            one = params[0] if len(params) == 1 and isinstance(head.args[0], t.Symbol) else None
            if (
                one is not None and one[0] not in env.functions and scalar_formula(body, one)
                and not _in_another_font(trees, one)
            ):  # fmt: skip
                # \phi(z) = \max(0, z) where a bold z is declared: the z of the formula is a
                # number (the function is applied entrywise), not the declared vector
                env.vars[one[0]] = VarInfo(one[0], Shape(ONE, ONE), one[0])
                continue
            unknown = [p[0] for p in params if p is not None and p[0] not in env.vars]
            if not unknown or len(unknown) != len(params) or set(unknown) & set(env.functions):
                continue
            if written_for_arrays(body) or any(p is not None and p[1] for p in params):
                continue  # (a transpose, a norm …; a bold \mathbf x: written for arrays)
            trial = Env(dict(env.vars), dict(env.functions), env.softmax_columns, set(env.numbers))
            for p in unknown:
                trial.vars[p] = VarInfo(p, Shape(ONE, ONE), p)
            try:
                value = Lowerer(trial).lower(body)
            except (CalculusError, RecursionError):
                continue
            if isinstance(value, Expr) and value.is_scalar:
                for p in unknown:
                    env.vars[p] = trial.vars[p]


def _rates(trees: list[t.Node], env: Env) -> None:
    r"""∂D/∂q̇: the rate ``\dot{\mathbf q}`` of a declared q the row writes, a variable of its
    own with q's shape (a definition's body meets its rates when lowered)."""
    for tree in trees:
        for node in tree.walk():
            rate = rate_of(node, env) if isinstance(node, t.Symbol) and node.accents else None
            if rate is not None:
                env.vars[rate.key] = rate


def _in_another_font(trees: list[t.Node], key: tuple[str, str | None]) -> bool:
    """Do the rows write the letter of ``key`` in another font too (a bold z beside the
    plain z of a formula)?"""
    return any(
        isinstance(n, t.Symbol) and n.name == key[0] and n.font != key[1]
        for tree in trees
        for n in tree.walk()
    )


def _stated(result: CheckResult, offset: int, env: Env, in_force: dict[str, _Declared]) -> None:
    """Symmetry and definiteness the text states before ``offset`` of a matrix still
    declared as it was there ("$K$ … is symmetric positive definite")."""
    said = _said_around(result, offset)
    at = _learnt_of(result).stated_at  # (each statement's declaration, found once)
    for s in said:
        if s.path is None and s.until >= 0 and offset > s.until:
            continue  # ("If $P$ is symmetric, then …": only within that sentence)
        found = in_force.get(s.key)  # (looked up only for what is said before the offset)
        decl = found.declaration() if found is not None else None
        info = env.vars.get(s.key)
        if decl is None or info is None or decl.shape.rows != decl.shape.cols:
            continue
        if info.symmetric and (info.positive_definite or not s.positive_definite):
            continue  # (it would say nothing new)
        key = (s.key, decl.font, s.path or result.path, s.start)
        there = at[key] if key in at else at.setdefault(key, result.table.lookup(*key))
        if s.path is not None:  # an earlier file of the project: of the same declaration
            if there is not decl:
                continue
        elif there is not decl and not _declared_just_after(result, s, decl):
            continue  # the letter was declared again since (an Example's own K)
        info.symmetric = True
        info.positive_definite = info.positive_definite or s.positive_definite


def _stated_of_inferred(result: CheckResult, offset: int, env: Env, keys: list[str]) -> None:
    """Letters typed by their use, not declared, symmetric (or definite) where the text
    states so before ``offset`` in force (a scatter matrix defined by its Gram form): sampled
    so, which can only make fewer claims wrong."""
    said = [s for s in _said_around(result, offset) if s.path is None and s.key in keys]
    for s in said:
        info = env.vars[s.key]
        if (s.until < 0 or offset <= s.until) and info.shape.rows == info.shape.cols:
            info.symmetric = True
            info.positive_definite = info.positive_definite or s.positive_definite


# what may stand between a displayed row and the clause after it that says what its letters
# are: the display's end, punctuation, a comment, blank lines
_DISPLAY_END = re.compile(
    r"(?:\s|\$\$|\\\]|\\end\{[a-zA-Z*]+\}|\\(?:nonumber|notag|label\{[^}]*\})|[.,;:，。]"
    r"|%[^\n]*|<!--.*?-->)*",
    re.S,
)
# the words that open that clause: "where $\Sigma$ is symmetric", "其中 … 对称正定", "wobei"
_WHERE_CLAUSE = re.compile(
    r"(?:where|here|wherein|in which|wobei|hierbei|dabei|où|donde|其中|这里|這裡|式中|此处|此處)"
    r"(?![a-zäöüéèà])",
    re.I,
)


# D_{ij} = \|\mathbf{x}_i - \mathbf{x}_j\|^2 (or _2^2, \lVert…\rVert): a matrix of squared
# distances, as a kernel's is
_SQUARED_DISTANCES = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z])_\{\s*([a-z])\s*,?\s*([a-z])\s*\}\s*=\s*"
    r"(?:\\left)?\s*(?:\\\||\\lVert)\s*(.{1,40}?)_\{?\s*\2\s*\}?\s*-\s*(.{1,40}?)_\{?\s*\3\s*\}?\s*"
    r"(?:\\right)?\s*(?:\\\||\\rVert)\s*(?:_\{?2\}?)?\s*\^\s*\{?\s*2\s*\}?"
)


def _squared_distances(text: str, offset: int, env: Env) -> None:
    r"""Mark the square matrices the text writes before ``offset`` entry by entry as
    squared distances between members of one family, ``D_{ij} = \|\mathbf{x}_i -
    \mathbf{x}_j\|^2``: sampled so by the verifier (symmetric, zero on the diagonal)."""
    for start, key in _distances_written(text):
        info = env.vars.get(key) if start < offset else None
        if info is not None and info.shape.rows == info.shape.cols and not info.positive_definite:
            info.distances = True
            info.symmetric = True


@functools.lru_cache(maxsize=8)
def _distances_written(text: str) -> tuple[tuple[int, str], ...]:
    """Where the text writes a matrix's entries as squared distances, and its letter (read
    once per text: every row's context asks)."""
    if "_{" not in text or ("\\|" not in text and "\\lVert" not in text):
        return ()
    return tuple(
        (m.start(), m[1])
        for m in _SQUARED_DISTANCES.finditer(text)
        if m[2] != m[3] and "".join(m[4].split()) == "".join(m[5].split())
    )


def _where_clause(result: CheckResult, offset: int) -> tuple[int, int]:
    """The sentence opened by "where" just after the displayed row at ``offset`` ("…
    \\end{equation} where $\\Sigma$ is symmetric positive definite."): what it states of a
    matrix holds in the row as a statement before it does; (0, 0) when there is none."""
    end = _row_end_around(result, offset)
    if end is None:
        return (0, 0)
    text = result.doc.text
    skipped = _DISPLAY_END.match(text, end)
    m = _WHERE_CLAUSE.match(text, skipped.end() if skipped is not None else end)
    if m is None:
        return (0, 0)
    return (m.start(), sentence_end(text, m.end()))


def stated_of_held(result: CheckResult, offset: int, ctx: Context, before: Env) -> Context:
    """``ctx`` with the names it holds as constants that ``before`` had not (a defined sum
    read as a constant matrix, :func:`~texgrad.calculus.defined_sums.held_sums`) symmetric
    where the text states them so before ``offset`` ("$S_B = \\sum_k n_k (\\mu_k -
    \\mu)(\\mu_k - \\mu)'$", "both symmetric"): sampled so, which can only make fewer
    claims wrong."""
    new = [k for k, info in ctx.env.vars.items() if k not in before.vars and not info.symmetric]
    if not new:
        return ctx
    said = {s.key for s in _said_around(result, offset) if s.symmetric and s.until < 0}
    marked = {
        k for k in new if k in said and ctx.env.vars[k].shape.rows == ctx.env.vars[k].shape.cols
    }
    if not marked:
        return ctx
    vars_ = {k: (replace(v, symmetric=True) if k in marked else v) for k, v in ctx.env.vars.items()}
    return replace(ctx, env=replace(ctx.env, vars=vars_))


def _said_around(result: CheckResult, offset: int) -> list[Stated]:
    """What :func:`_stated` reads at ``offset``: what other files state, what this one
    states up to the offset, and after it what the "where" clause just after the row
    states (each found by bisection over what the document states, sorted by place, not by
    a look at every statement for every claim)."""
    learnt = _learnt_of(result)
    if learnt.said_by_start is None:
        said = _said_of(result).properties
        own = sorted((s for s in said if s.path is None), key=lambda s: s.start)
        opened = [s.start for s in own if s.until < 0]
        learnt.said_by_start = (
            [s for s in said if s.path is not None], own, [s.start for s in own], opened
        )  # fmt: skip
    others, own, starts, opened = learnt.said_by_start
    upto = bisect.bisect_right(starts, offset)
    out = [*others, *own[:upto]]
    k = bisect.bisect_right(opened, offset)  # (one said within 2,000 characters after it)
    if k < len(opened) and opened[k] - offset < 2000:
        where = _where_clause(result, offset)
        for s in own[bisect.bisect_left(starts, max(where[0], offset + 1)) :]:
            if s.start >= where[1]:
                break
            if s.until < 0:
                out.append(s)
    return out


def _row_end_around(result: CheckResult, offset: int) -> int | None:
    """The last end of the document's own rows that hold ``offset`` (start <= offset <=
    end), or None: the greatest end of the rows starting at or before it, if it reaches the
    offset (found by bisection: a scan of every row for every claim grew as the square of
    the document)."""
    learnt = _learnt_of(result)
    if learnt.row_ends is None:
        spans = sorted((r.start, r.end) for r in result.rows if r.path == result.path)
        reach = list(itertools.accumulate((e for _, e in spans), max))
        learnt.row_ends = ([s for s, _ in spans], reach)
    starts, reach = learnt.row_ends
    upto = bisect.bisect_right(starts, offset)
    if upto == 0 or reach[upto - 1] < offset:
        return None
    return reach[upto - 1]


def _declared_just_after(result: CheckResult, s: Stated, decl: Declaration) -> bool:
    """Is ``decl`` the declaration a statement just before it in its paragraph speaks of
    ("Let $P$ and $Q$ be symmetric positive definite, $P \\in …$ and $Q \\in …$", where the
    table reads the "Let … be" as a supposition and finds no declaration at the statement)?"""
    if decl.path != result.path or not 0 <= decl.start - s.start <= 200:
        return False
    bounds = result.table.boundaries.get(result.path)
    return bounds is None or not bounds.paragraph_between(s.start, decl.start)


# What is learnt from a checked document is kept as long as the document's
# CheckResult lives (a language server plans, differentiates several variables and
# resolves on one result): the notation of the whole document, and the context of
# each row asked about.  Callers get copies, since the engine adds to them.


@dataclass
class _Said:
    """What the prose of a checked document states (read once, for every row's context)."""

    properties: list[Stated]
    scalars: list[tuple[str, int]]
    # letters named by a scalar's role, in any font ("a margin $\mathbf m$": role_named)
    roles: frozenset[str] = frozenset()
    # the shapes declared of each family's members, by the family's letter (b_1, b_2: "b")
    families: dict[str, set[tuple[Any, Any]]] = field(default_factory=dict)
    # letters sized only as the parameter of a function defined by a formula (_parameters)
    parameters: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # the iterates of a bold letter a recursion is written of, by its letter (_iterates)
    iterates: dict[str, set[str]] = field(default_factory=dict)
    # the letters the checked file's rows define (_heads_defined)
    defined: frozenset[str] = frozenset()


# The contexts of the rows asked about last that are kept (each holds every symbol and
# definition in force at its row: all of them kept, a 1 MB thesis's derivative check grew by
# ~350 MB, 2 MB by ~1 GB — past the memory bound).  A server asks about a few rows at a time;
# the derivative check asks about each of its rows in turn.
CONTEXTS_KEPT = 64


@dataclass
class _Learnt:
    style: Style | None = None
    contexts: dict[int, tuple[t.Node, Context | None]] = field(default_factory=dict)
    said: _Said | None = None
    defined: _Defined | None = None
    agreed: dict[str, _Agreed] | None = None  # (see _agreed_of)
    spellable: list[str] | None = None  # (see _spellable_of)
    spelled: tuple[dict[str, str], list[tuple[str, frozenset[str]]]] | None = None  # (_spelled_of)
    row_ends: tuple[list[int], list[int]] | None = None  # (see _row_end_around)
    said_by_start: tuple[list[Stated], list[Stated], list[int], list[int]] | None = None
    letters: list[str] | None = None  # (see _letters_declared)
    # (see _stated: the declaration a statement's letter has where it is said)
    stated_at: dict[tuple[str, str | None, str, int], Declaration | None] = field(
        default_factory=dict
    )


_learnt: dict[int, tuple[weakref.ref[CheckResult], _Learnt]] = {}


def _learnt_of(result: CheckResult) -> _Learnt:
    key = id(result)
    hit = _learnt.get(key)
    if hit is not None and hit[0]() is result:
        return hit[1]
    learnt = _Learnt()

    def forget(ref: weakref.ref[CheckResult], table: dict[int, Any] = _learnt) -> None:
        # (the table bound here: at the interpreter's exit the module's names are gone)
        current = table.get(key)
        if current is not None and current[0] is ref:
            del table[key]

    try:
        _learnt[key] = (weakref.ref(result, forget), learnt)
    except TypeError:  # not weakly referable: nothing kept
        pass
    return learnt


def forget_contexts(result: CheckResult) -> None:
    """Let go of the contexts :func:`context_at` learnt for ``result``'s rows (one per row
    of a claim, each with every symbol of the document: a document's derivative check
    learns hundreds), once a front's checks of it are done; asked again, one is learnt
    again, the same."""
    hit = _learnt.get(id(result))
    if hit is not None and hit[0]() is result:
        hit[1].contexts = {}


def document_style(result: CheckResult) -> Style:
    """:func:`~texgrad.calculus.notation.document_style`, learnt once per checked document
    (do not change it: it is shared)."""
    learnt = _learnt_of(result)
    if learnt.style is None:
        learnt.style = notation.document_style(result)
    return learnt.style


def _said_of(result: CheckResult) -> _Said:
    learnt = _learnt_of(result)
    if learnt.said is None:
        rows = [r for r in result.rows if r.path == result.path]
        text = result.doc.text
        scalars = stated_scalars(text, rows) + _compared_members(rows)
        learnt.said = _Said(
            _said_before(result) + stated_properties(text, rows),
            scalars,
            role_named(text, rows),
            _families_declared(result),
            _parameters(result),
            _iterates(result),
            frozenset(_heads_defined(result)),
        )
    return learnt.said


def _iterates_typed(result: CheckResult, env: Env) -> None:
    r"""The iterates (``\mathbf w_t``, ``\mathbf w^{(k)}``, ``\mathbf w^{(0)}``) of a vector
    the document declares or its uses type, where it writes their recursion: of its shape
    (``\nabla \ell(\mathbf w_t) = X^\top(\sigma(X\mathbf w_t) - \mathbf y)`` checked)."""
    for letter, keys in _said_of(result).iterates.items():
        info = env.vars.get(letter)
        if info is None or not info.shape.is_vector:
            continue
        for key in keys:
            if key not in env.vars and key not in env.functions:
                if key not in result.table.declarations:
                    env.vars[key] = VarInfo(key, info.shape, key)


def _label(node: t.Node) -> tuple[str, str, tuple[str | None, int]] | None:
    r"""A bold letter's iterate as written, with the letter's key: ``\mathbf w_{t+1}``
    ("w", ``_``, (t, 1)), ``\mathbf w^{(k)}`` ("w", ``(``, (k, 0)), ``\mathbf w^{(0)}``
    ("w", ``(``, (None, 0))."""
    if isinstance(node, t.Sub):
        base, index, form = node.base, node.index, "_"
    elif isinstance(node, t.Tagged) and node.bracket == "(":
        base, index, form = node.base, node.tag, "("
    elif (
        isinstance(node, t.Power) and isinstance(node.exponent, t.Paren)
        and node.exponent.open == "(" and node.exponent.body is not None
    ):  # fmt: skip
        base, index, form = node.base, node.exponent.body, "("  # \mathbf w^{(k+1)}
    else:
        return None
    if not (isinstance(base, t.Symbol) and base.font in BOLD_FONTS and not base.accents):
        return None
    key, label = symbol_key(base), label_of(index)
    return None if key is None or label is None else (key[0], form, label)


def _iterates(result: CheckResult) -> dict[str, set[str]]:
    r"""The iterates of each bold letter whose recursion the checked file writes
    (``\mathbf w_{t+1} = \mathbf w_t - \eta\nabla\ell(\mathbf w_t)``, ``\mathbf
    w^{(k+1)} = \mathbf w^{(k)} - H^{-1}\mathbf g``): the members it writes labelled by
    that round's letter or by a number, by the letter's key.  Only a round's letter (k, t:
    ``\mathbf x_i`` is a sample, another vector) and only so written, head and body."""
    own = [r.tree for r in result.rows if r.path == result.path and r.tree is not None]
    rounds: set[tuple[str, str, str | None]] = set()  # (letter, form, round's letter)
    for tree in own:
        if not (isinstance(tree, t.Chain) and tree.relations[:1] in (("=",), (":=",))):
            continue
        head, body = tree.items[0], tree.items[1]
        found = _label(head) if head is not None else None
        if found is None or body is None or found[2][0] not in ("k", "t") or found[2][1] != 1:
            continue
        key, form, (letter, _) = found
        if any(_label(n) == (key, form, (letter, 0)) for n in body.walk()):
            rounds.add((key, form, letter))
    out: dict[str, set[str]] = {}
    if not rounds:
        return out
    for tree in own:
        for node in tree.walk():
            found = _label(node)
            if found is None:
                continue
            key, form, (letter, _) = found
            if (key, form, letter) in rounds or (
                letter is None and any(k == key and f == form for k, f, _ in rounds)
            ):
                member = symbol_key(node)
                if member is not None:
                    out.setdefault(key, set()).add(member[0])
    return out


def _parameters(result: CheckResult) -> dict[str, tuple[Any, Any]]:
    r"""The letters nothing declares that the shape check sizes only as the parameter of a
    function the document defines, by its use there (``\ell(\mathbf w) = \mathbf 1^\top
    \log(\mathbf 1 + \exp(X\mathbf w))``: a d-vector, as ``X\mathbf w`` is written): typed
    so, like a letter its uses size (``result.inferred``).  Not a letter also defined by an
    equation of its own (``\mathbf w = 2\mathbf u``), nor one sized two ways."""
    heads: set[tuple[str, int]] = set()
    for row in result.rows:
        tree = row.tree
        if not (isinstance(tree, t.Chain) and tree.relations[:1] in (("=",), (":=",))):
            continue
        head = tree.items[0]
        if isinstance(head, t.Apply) and len(head.args) == 1:
            heads.add((row.path, head.args[0].start))
    out: dict[str, tuple[Any, Any]] = {}
    for key, decls in result.defined.items():
        if key in result.table.declarations or not decls:
            continue
        sizes = {(d.shape.rows, d.shape.cols) for d in decls}
        if len(sizes) == 1 and all(
            d.how == "definition" and (d.path, d.start) in heads for d in decls
        ):
            out[key] = next(iter(sizes))
    return out


def _families_declared(result: CheckResult) -> dict[str, set[tuple[Any, Any]]]:
    r"""The shapes (rows, columns) the document declares members of each family with, by the
    family's letter: ``b`` of ``\mathbf b_1 \in \mathbb R^h``."""
    out: dict[str, set[tuple[Any, Any]]] = {}
    for key, decls in result.table.declarations.items():
        base, sep, _ = key.partition("_{")
        if sep and base:
            out.setdefault(base, set()).update((d.shape.rows, d.shape.cols) for d in decls)
    return out


def _typed_by_use(result: CheckResult, key: str, rows: Any, cols: Any) -> bool:
    r"""May a letter nothing declares be typed by what its use says of it (``X\mathbf w``:
    a d-vector)?  Not where the prose names it by a scalar's role ("a margin $\mathbf m$":
    the words and the use disagree), nor where the document declares members of its family
    in shapes other than its use's (``\mathbf b_1 \in \mathbb R^h``, ``\mathbf b_2 \in
    \mathbb R^k``: ``\mathbf b^\top\mathbf z`` may be either's) — members that are numbers
    (``w_j \in \mathbb R``, its entries) agree with any vector."""
    said = _said_of(result)
    if key in said.roles or key in said.defined:
        return False  # (\mathbf b = (r, 1)^\top: its definition, unread, says why, not its use)
    members = said.families.get(key)
    if not members or not Shape(rows, cols).is_vector:
        return True  # (J typed n×(p+q) by its blocks J_c, J_p: a matrix, no member's)
    others = {m for m in members if not Shape(*m).is_scalar}
    return not others or others == {(rows, cols)}


def stated_in_prose(result: CheckResult) -> list[Stated]:
    """The properties the checked document's prose states (and its earlier files')."""
    return _said_of(result).properties


def _said_before(result: CheckResult) -> list[Stated]:
    """What the project's files read before this one state of their matrices ("$\bM$ …
    positive semidefinite" in the setup section, for the gradients section): statements,
    not suppositions, which hold in their own sentence only."""
    out: list[Stated] = []
    if result.path not in result.project_texts:
        return out
    for path, text in result.project_texts.items():
        if path == result.path:
            break
        if not _MAY_STATE.search(text):
            continue
        rows = [r for r in result.elsewhere if r.path == path]
        out.extend(replace(s, path=path) for s in stated_properties(text, rows) if s.until < 0)
    return out


_MAY_STATE = re.compile(r"symmetric|definite|SPD|s\.p\.d\.|diagonal|\\succ|\\top|\\intercal|\^T")


def _compared_members(rows: list[PlacedRow]) -> list[tuple[str, int]]:
    r"""Members of a family in a plain lowercase letter that a row compares with a number
    ("weights $w_i > 0$", "responsibilities $r_{ik} \ge 0$"), each with where: numbers, for
    where nothing declares the member (a sum's ``w_i (y_i - \mathbf{x}_i^\top\boldsymbol
    \beta)^2``, though a bold ``\mathbf{w}`` or ``\mathbf{r}`` is declared); a bold letter
    compared with 0 is compared entrywise and is not read so."""
    out: list[tuple[str, int]] = []
    for row in rows:
        tree = row.tree_as_parsed
        if not isinstance(tree, t.Chain) or len(tree.items) != 2:
            continue
        left, right = tree.items
        if tree.relations[0] not in ORDER_RELATIONS or not isinstance(right, t.Number):
            continue
        # ("$\theta_1, \theta_2 > 0$ are the signal and noise variances": each of the list)
        for item in left.items if isinstance(left, t.List) else (left,):
            key = _compared_member(item)
            if key is not None:
                out.append((key, row.start))
    return out


def _compared_member(left: t.Node | None) -> str | None:
    """The key of ``w_i``, ``r_{ik}``, ``\\theta_1`` (a plain lowercase letter, Latin or
    Greek, with an index), else None."""
    if not (isinstance(left, t.Sub) and isinstance(left.base, t.Symbol)):
        return None
    letter = left.base
    if letter.font is not None or letter.accents or not letter.name.islower():
        return None
    greek = letter.name.startswith("\\") and letter.name[1:] in _GREEK_LOWER
    if (len(letter.name) != 1 and not greek) or (
        label_of(left.index) is None and entry_names(left.index) is None
    ):  # w_i, w_{t-1}, and r_{ik} (the responsibilities of EM)
        return None
    key = symbol_key(left)
    return key[0] if key is not None else None


_GREEK_LOWER = frozenset(
    "alpha beta gamma delta epsilon varepsilon eta theta vartheta kappa lambda mu nu xi rho "
    "sigma tau phi varphi chi psi omega".split()
)


def context_at(result: CheckResult, row: PlacedRow) -> Context:
    """:func:`context_of` for the row, learnt once per checked document; a copy."""
    assert row.tree is not None
    learnt = _learnt_of(result)
    hit = learnt.contexts.pop(row.start, None)
    asked = hit is not None and hit[0] is row.tree
    ctx = hit[1] if asked and hit is not None else None
    if ctx is None:
        ctx = context_of(result, row.start, [row.tree])
    # (the row asked first: the context itself, and only that the row was asked is kept —
    # the derivative check asks each row once, and copying every symbol of each claim's
    # context grew as the square of the document; asked again, it is learnt and kept)
    learnt.contexts[row.start] = (row.tree, ctx if asked else None)  # (the last asked, last)
    if len(learnt.contexts) > CONTEXTS_KEPT:
        del learnt.contexts[next(iter(learnt.contexts))]  # the least recently asked
    if not asked:
        return ctx
    return Context(
        Env(
            {k: _copied(v) for k, v in ctx.env.vars.items()},
            _copied_functions(ctx.env.functions),
            ctx.env.softmax_columns,
            set(ctx.env.numbers),
            set(ctx.env.weak),
        ),  # fmt: skip
        notation.copy_style(ctx.style),
        ctx.einstein,
        after=ctx.after,
    )


def _copied_functions(functions: dict[str, FunctionDef]) -> dict[str, FunctionDef]:
    if isinstance(functions, IndexedFunctions):
        return functions.copied()
    return dict(functions)


def _copied(info: VarInfo) -> VarInfo:
    """A copy of ``info`` (``dataclasses.replace`` without its look at the fields: every
    claim's context copies every symbol's)."""
    copy = object.__new__(type(info))
    copy.__dict__.update(info.__dict__)
    return copy


def _dimension_letters(result: CheckResult) -> set[str]:
    r"""The letters written alone before an ``=`` that size declared symbols (``d_k`` and
    ``d_{\text{model}}`` of ``W \in \mathbb{R}^{d_{\text{model}} \times d_k}``): ``d_k =
    d_{\text{model}}/h``, ``d_{\text{model}} = h d_k`` state a dimension's value, never a
    function to differentiate (read as one, the pair refers to itself)."""
    from texgrad.shapes.dims import dim_of
    from texgrad.shapes.questions import dimension_names

    dims = dimension_names(result.table)
    out: set[str] = set()
    for row in result.rows:
        tree = row.tree_as_parsed
        if tree is None or not dims:
            continue
        for node in tree.walk():
            if isinstance(node, t.Chain) and node.relations[:1] == ("=",):
                head, body = node.items[0], node.items[1]
                key = symbol_key(head) if isinstance(head, t.Symbol | t.Sub) else None
                if key is None or key[1] is not None or key[0] in out:
                    continue  # (\mathbf h = \phi(\mathbf z) is a vector's definition)
                if dim_of(head) in dims and _dimension_value(body, result.table.declarations):
                    out.add(key[0])
    return out


def _dimension_value(node: t.Node | None, declared: Mapping[str, Any]) -> bool:
    """``h d_k``, ``d/h``, ``\frac{n}{2}``, ``2``: a value made of numbers and plain letters
    none of which is a declared symbol (``h``, the number of heads)."""
    from texgrad.shapes.dims import dim_of

    if isinstance(node, t.BinOp) and node.op == "/":
        return _dimension_value(node.left, declared) and _dimension_value(node.right, declared)
    if isinstance(node, t.Frac):
        return _dimension_value(node.num, declared) and _dimension_value(node.den, declared)
    value = dim_of(node)
    symbols = getattr(value, "free_symbols", None)
    return symbols is not None and not any(str(s) in declared for s in symbols)


def _parameterised_head(head: t.Node) -> t.Node:
    r"""``\boldsymbol\epsilon_\theta(\mathbf{x})`` of a definition's head (a function named with
    its parameters' letter, ``f_\theta``, ``g_\phi``) as the application it is, as ``\mu(x)`` is
    read; any other head as it is."""
    if not (isinstance(head, t.Product) and len(head.factors) == 2):
        return head
    name, bracket = head.factors
    if not (isinstance(name, t.Sub) and isinstance(name.base, t.Symbol)):
        return head
    if not (isinstance(name.index, t.Symbol) and name.index.name in _PARAMETER_LETTERS):
        return head
    if not (isinstance(bracket, t.Paren) and bracket.open in ("(", "\\left(")):
        return head
    body = bracket.body
    if body is None:
        return head
    args = tuple(a for a in body.items if a is not None) if isinstance(body, t.List) else (body,)
    return t.Apply(name, args, True, start=head.start, end=head.end)


_PARAMETER_LETTERS = frozenset({"\\theta", "\\phi", "\\psi", "\\vartheta", "\\varphi"})


def _definitions(tree: t.Node, env: Env, declared: set[str]) -> None:
    """``f(x) = …``, ``y = …`` and ``\\sigma^2 = …`` (for an undeclared y, σ) as definitions."""
    for replaces, key, fdef in _definition_steps(tree, declared):
        if replaces:
            env.functions[key] = fdef
        else:
            env.functions.setdefault(key, fdef)


_SAID_OF = (t.Nabla, t.Partial, t.Derivative, t.Differential)


def _only_sized_in(result: CheckResult) -> Callable[[str, t.Node], bool]:
    r"""Whether the only declarations of a letter are in ``chain`` itself (``\sigma =
    \exp(…) \in \mathbb{R}^d``): what it equals defines it.  Not a letter declared elsewhere
    too (data, ``\mathbf{y} = X\beta + \epsilon \in \mathbb{R}^n`` of a declared y: a model
    statement), nor one written of its own entries (``\mathbf{x} = (x_1, …, x_n)^\top \in …``)."""

    def only(key: str, chain: t.Node) -> bool:
        decls = result.table.declarations.get(key, [])
        here = [d for d in decls if d.path == result.path and chain.start <= d.start < chain.end]
        if not here or len(here) != len(decls):
            return False
        name = key.split("_")[0]
        items = chain.items[1:] if isinstance(chain, t.Chain) else ()
        if not items or not isinstance(items[0], t.Apply):
            # only a function applied (\sigma = \exp(…), \mathbf{p} = \operatorname{softmax}(…)):
            # not \mathbf{y} = \mathbf{e}_c \in \mathbb{R}^K (a label), nor S = QK^\top \in …,
            # which the written derivatives about S read as a letter of its own
            return False
        return not any(
            isinstance(n, _SAID_OF)
            or (isinstance(n, t.Sub) and isinstance(n.base, t.Symbol) and n.base.name == name)
            for item in items
            if item is not None
            for n in item.walk()
        )  # (G = \partial L / \partial Y \in …: an upstream gradient, given, not a formula)

    return only


def _definition_steps(
    tree: t.Node, declared: set[str], sized_in: Callable[[str, t.Node], bool] | None = None
) -> list[tuple[bool, str, FunctionDef]]:
    """The definitions ``tree`` makes, in order, each with whether it replaces an earlier
    definition of the name (a function's: ``f(x) = …``) or only adds one (a name's)."""
    out: list[tuple[bool, str, FunctionDef]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (t.Sequence, t.List)):
            stack.extend(node.items)
            continue
        if not isinstance(node, t.Chain) or len(node.items) < 2:
            continue
        parts = statements(node)  # z = Wx + b, \qquad a = \sigma(z): one definition each
        if len(parts) > 1:
            stack.extend(parts)
            continue
        if node.relations[0] not in ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"):
            continue
        head, body = node.items[0], node.items[1]
        head = _after_where(head)  # "…, \quad\text{where } z_i = \mathbf w^\top\mathbf x_i"
        if isinstance(body, t.List) and len(node.relations) > 1 and body.items:
            body = body.items[0]  # h = \phi(Wx), \quad x \in \mathbb{R}^D: the first item
        if head is None or body is None or _inline_code(body):
            continue
        head = as_application(_parameterised_head(head))  # \mu(x) = …, read as a product
        if isinstance(head, t.Product) and len(head.factors) == 2:  # \text{GELU}(x) = …
            head = text_application(head.factors[0], head.factors[1]) or head
        if isinstance(head, t.Apply):
            key = _function_key(head.func)
            if key is not None and key[0] in declared:
                continue
            params = [symbol_key(a) for a in head.args]
            if key is not None and all(p is not None for p in params):
                fdef = FunctionDef(key[0], tuple(p[0] for p in params if p is not None), body)
                # (\psi(X) = … \in \mathbb{R}^{n \times D}, a value sized at a batch: the map
                # restated for the batch, not in place of its definition at a point)
                out.append((node.relations[-1] != "\\in", key[0], fdef))
        else:
            named = power_name(head)  # \sigma^2 = …: a name of its own, σ its root
            base = symbol_key(head.base) if isinstance(head, t.Power) else None
            if named is not None and base is not None and base[0] not in declared:
                out.append((_redefines(named, body), named, FunctionDef(named, (), body)))
                continue
            head, body = _squared(head, body)  # (a square not read as a name: σ is its root)
            key = member_key(head)  # (H^{(l+1)} = σ(ÂH^{(l)}W^{(l)}): the parser's power of H)
            upright = upright_name(head) if key is None else None
            if upright is not None:  # \mathrm{KL} = …, \text{loss} = …: a name in upright letters
                key = (upright, None)
            # (\sigma = \exp(…) \in \mathbb{R}^d defines σ though the row declares it too)
            sized_here = (
                key is not None and sized_in is not None
                and node.relations[1:] == ("\\in",) and sized_in(key[0], node)
            )  # fmt: skip
            if key is not None and (key[0] not in declared or sized_here):
                out.append((_redefines(key[0], body), key[0], FunctionDef(key[0], (), body)))
    return out


def _after_where(head: t.Node | None) -> t.Node | None:
    r"""The letter a row's "where" clause defines (``\text{where } z_i``: ``z_i``); any
    other head as it is."""
    if (
        isinstance(head, t.Product)
        and len(head.factors) == 2
        and isinstance(head.factors[0], t.Text)
        and re.fullmatch(r"\\(?:text|mbox|textrm|mathrm)\{\s*where\s*\}", head.factors[0].text)
        and isinstance(head.factors[1], (t.Symbol, t.Sub, t.Font))
    ):
        return head.factors[1]
    return head


def _redefines(key: str, body: t.Node) -> bool:
    r"""Whether a name's definition replaces an earlier one where it stands ("we now replace
    $L$ by $L = \mathbf r^\top\Omega\mathbf r$", a bold c after a cost c(F)): unless its
    body is a bare letter or number (``r = x``, ``\mu = 0``: a case or a value named, not
    a new meaning) or writes the name itself (``L = L + \lambda R``: an update, whose
    earlier meaning it needs)."""
    if isinstance(body, (t.Symbol, t.Number, t.Sub)):
        return False
    return not any(
        (k := symbol_key(n)) is not None and k[0] == key
        for n in body.walk()
        if isinstance(n, (t.Symbol, t.Sub, t.Tagged, t.Prime))
    )


_WHERE = re.compile(r"\b(where|with)\b", re.IGNORECASE)
_AND = re.compile(r"^[\s,;]*(and)?[\s,;]*$")


def _inline_code(body: t.Node) -> bool:
    """``n = `r n` ``: R Markdown's inline code stands for a value the document does not
    write, not a definition."""
    return any(isinstance(n, t.Opaque) and n.text == "`" for n in body.walk())


def _where_after(result: CheckResult, offset: int) -> list[t.Node]:
    """The rows that define what the row at ``offset`` uses, right after it: "where
    $r = …$" (and "$…$, and $…$" following on)."""
    text = result.doc.text
    defined = _defined_of(result)
    rows = defined.own
    at = _row_index(defined, offset)
    if at is None:
        return []
    out: list[t.Node] = []
    end = rows[at].end
    # (by index: a copy of the rows after it, for every claim, grew as the square of a thesis)
    for i in range(len(rows) - at - 1):
        row = rows[at + 1 + i]
        gap = text[end : row.start]
        words = _strip_math_marks(gap)
        if not (_WHERE.search(words) and len(words) < 80 if i == 0 else _AND.match(words)):
            break
        tree = row.tree_as_parsed
        if tree is None:
            break
        out.append(tree)
        end = row.end
    return out


def _row_index(defined: _Defined, offset: int) -> int | None:
    """The first of the document's own rows holding ``offset`` (start ≤ offset ≤ end)."""
    rows = defined.own
    if not defined.starts:  # not in order: a scan
        return next((i for i, r in enumerate(rows) if r.start <= offset <= r.end), None)
    last = bisect.bisect_right(defined.starts, offset)  # rows[:last] start at or before it
    first = bisect.bisect_left(defined.reach, offset, 0, last)  # the first reaching it
    return first if first < last else None


def _strip_math_marks(gap: str) -> str:
    """The prose between two rows without the math delimiters around them."""
    for mark in ("$$", "$", "\\]", "\\[", "\\)", "\\(", "\\end{equation}", "\\begin{equation}"):
        gap = gap.replace(mark, " ")
    return gap.strip()


def _squared(head: t.Node, body: t.Node) -> tuple[t.Node, t.Node]:
    r"""``\sigma^2 = …`` defines σ as the square root of the right-hand side (σ² is then read
    as the square of that root); any other head as it is."""
    if (
        isinstance(head, t.Power)
        and isinstance(head.exponent, t.Number)
        and head.exponent.text == "2"
        and isinstance(head.base, t.Symbol)
    ):
        return head.base, t.Sqrt(body, start=body.start, end=body.end, span=body.span)
    return head, body


def _function_key(func: t.Node) -> tuple[str, str | None] | None:
    r"""The key of a function being defined: a symbol's (``\sigma``), or the name of an
    operator the engine does not know (``\operatorname{swish}``: ``swish``)."""
    if isinstance(func, t.Func):
        if func.sub is not None or func.sup is not None or func.name in KNOWN_FUNCTIONS:
            return None
        return func.name, None
    return symbol_key(func)


def row_at(result: CheckResult, start: int, end: int) -> PlacedRow | None:
    """The first parsed row overlapping [start, end)."""
    for row in result.rows:
        if row.start < end and row.end >= start and row.tree is not None:
            return row
    return None


def function_named_at(result: CheckResult, offset: int) -> str | None:
    r"""The definition of the function whose name is at ``offset`` (``\sigma(t) =
    1/(1+e^{-t})``), in LaTeX, for the hover of its name; None if it names none."""
    from texgrad.shapes.query import node_at
    from texgrad.syntax.latex import latex_of

    node = node_at(result, offset)
    key = symbol_key(node) if node is not None else None
    row = row_at(result, offset, offset + 1)
    if key is None or row is None:
        return None
    try:
        fdef = context_at(result, row).env.functions.get(key[0])
    except Exception:  # noqa: BLE001 - a hover's line: never a failed hover
        return None
    if fdef is None or not fdef.params:
        return None
    own = _written_definition(result, fdef)
    if own is not None:  # the document's own spelling (its macros, \mathbf, as written)
        return own
    return f"{latex_of(node)}({', '.join(fdef.params)}) = {latex_of(fdef.body)}"


def _written_definition(result: CheckResult, fdef: FunctionDef) -> str | None:
    """The source of the row of this file that defines ``fdef``, as the document writes it;
    None where another file of the project defines it."""
    defined = _defined_of(result)
    starts = [start for start, _, _, f in defined.before if f is fdef]
    starts += [start for start, _, f in defined.later if f is fdef]
    for start in starts:
        row = next((r for r in result.rows if r.start == start), None)
        if row is not None:
            return result.doc.text[row.start : row.end].strip()
    return None
