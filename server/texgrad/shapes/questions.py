"""What inference reads of the symbol table and the definitions, asked as questions.

Every read goes through :func:`answer_of`, and inference records each question with its
answer (``Inference.asked``), so that after an edit a re-check can ask a row's questions
again instead of inferring the row: the same answers, the same result (see incremental.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeAlias

from texgrad.shapes import dim_terms, gates
from texgrad.shapes.table import Declaration, SymbolTable


class Ask(Enum):
    """What a question asks about a symbol (see :func:`answer_of`)."""

    LOOKUP = "lookup"  # the declaration in force at the offset, by key and font
    SIGNATURE = "signature"  # the signature in force at the offset
    DECLARED = "declared"  # is the key declared anywhere (in scope at the offset or not)?
    LETTER = "letter"  # is it declared anywhere in the font asked or one standing for it?
    DEFINITION = "definition"  # the definition (y = Ax) in force at the offset
    DEFINED = "defined"  # is the key defined (y = Ax) anywhere?
    DIMENSION = "dimension"  # is the name (asked as the font) a dimension's (N of ℝ^{N×D})?
    REDEFINES = "redefines"  # declared in an earlier section, so that `key = …` may redefine it
    FACT = "fact"  # the dimension fact in force at the offset (n = n_1 n_2), by fact_key
    APART = "apart"  # does the text say a dimension's name is not a number (n < 6), by apart_key
    WEAK = "weak"  # a weak scalar (\lambda > 0) for a letter nothing declares
    LAYOUT = "layout"  # the layout of derivatives stated at the offset, if one
    CALLED = "called"  # is the key declared at a call anywhere (J(q) \in …: a function)?
    GATE = "gate"  # what the texts say every row may read (gates.read; the font: the gate)
    STACKED = "stacked"  # the statement making it a row of a matrix declared nowhere, in force

    # Members are singletons, equal only to themselves: hashed as objects, in C, not by
    # Enum's __hash__ (a Python call), since every question recorded is hashed once.
    __hash__ = object.__hash__


# The members as plain names for the hot path: inference asks ~50,000 questions of a long
# document, and Python 3.11 reads ``Ask.LOOKUP`` through EnumType.__getattr__ (~10× slower).
LOOKUP = Ask.LOOKUP
SIGNATURE = Ask.SIGNATURE
DECLARED = Ask.DECLARED
LETTER = Ask.LETTER
DEFINITION = Ask.DEFINITION
DEFINED = Ask.DEFINED
DIMENSION = Ask.DIMENSION
REDEFINES = Ask.REDEFINES
FACT = Ask.FACT
APART = Ask.APART
WEAK = Ask.WEAK
LAYOUT = Ask.LAYOUT
CALLED = Ask.CALLED
GATE = Ask.GATE
STACKED = Ask.STACKED
# the key a row reads when it asks the layout (never a symbol's key, which holds no NUL)
LAYOUT_KEY = "\0layout"

# questions whose answers depend neither on where they are asked nor on sections
UNSCOPED = frozenset({DECLARED, LETTER, DIMENSION, APART, CALLED, GATE})
# questions the symbol table alone answers — not the definitions and signatures inference
# adds as it goes (``Inference.apply``): asked again of the same table, answered alike
TABLE_ONLY = frozenset(
    {
        LOOKUP,
        DECLARED,
        LETTER,
        DIMENSION,
        REDEFINES,
        FACT,
        APART,
        WEAK,
        LAYOUT,
        CALLED,
        GATE,
        STACKED,
    }
)


# A question inference asked of the symbol table or the definitions, with its answer:
# (kind, key, font, offset, answer) — the key is a symbol's key or a dimension_key; the font
# is the one looked up, or for Ask.DIMENSION the dimension's name (a sympy Symbol); the
# offset is where it was asked (None: anywhere); the answer is a Declaration, a Signature,
# a bool or None (the table's own objects: hashable).  A plain tuple, not a NamedTuple:
# making one of those costs ~0.3 µs more, 5–10% of inference's time (every row asks ~10).
Question: TypeAlias = "tuple[Ask, str, Any, int | None, Any]"


def answer_of(
    table: SymbolTable,
    defined: dict[str, list[Declaration]],
    names: frozenset[Any],
    path: str,
    kind: Ask,
    key: str,
    font: Any,
    offset: int | None,
) -> Any:
    """The answer to a question about a symbol, asked at ``offset`` in ``path`` (the only
    way inference reads what the document declares and defines)."""
    at = -1 if offset is None else offset
    if kind is LOOKUP:
        return table.lookup(key, font, path, at)
    if kind is SIGNATURE:
        return table.signature(key, path, at)
    if kind is DECLARED or kind is APART:  # (apart: said anywhere, "for $n > 6$")
        return key in (table.declarations if kind is DECLARED else table.facts)
    if kind is CALLED:  # (J(q) \in \mathbb{R}^{2 \times 2} in an example: J is a function)
        return any(d.how == "value" for d in table.declarations.get(key, ()))
    if kind is LETTER:  # (\mathcal{I} of a Fisher information is not the I of I_p)
        return table.reads(key, font)
    if kind is DEFINITION:
        found = defined.get(key)
        if not found or (key in table.bound and table.generic_at(key, path, at)):
            return None  # ("For square $A, B$": any A, not the one defined)
        return table.in_force(found, path, at)
    if kind is DEFINED:
        return key in defined
    if kind is DIMENSION:
        return font in names
    if kind is FACT:
        facts = table.facts.get(key)
        return table.fact_in_force(facts, path, at) if facts else None
    return _table_answer(table, path, kind, key, font, at)


def _table_answer(table: SymbolTable, path: str, kind: Ask, key: str, font: Any, at: int) -> Any:
    """The answers of :func:`answer_of` that read what is said where: a weak scalar, the
    layout, a redefinition."""
    if kind is WEAK:
        weak = table.weak.get(key)
        if not weak or font is not None:
            return None
        here = [d for d in weak if d.path == path]
        if key not in table.declarations:
            return here[0] if here else weak[0]
        return _weak_over(table, key, here, path, at)
    if kind is LAYOUT:  # "denominator" or "numerator", as stated in force here (or None)
        return table.layout_at(path, at)
    return _redefines_or_gate(table, path, kind, key, font, at)


def _redefines_or_gate(
    table: SymbolTable, path: str, kind: Ask, key: str, font: Any, at: int
) -> Any:
    """The answers to the questions ``answer_of`` asks least."""
    if kind is REDEFINES:  # declared in an earlier section, so that `key = …` may redefine it
        decl = table.lookup(key, font, path, at)
        return decl is not None and table.carried(decl, path, at)
    if kind is GATE:  # (the texts, not the declarations: key is gates.GATES_KEY)
        return gates.read(table.texts, path, font, at)
    if kind is STACKED:  # ("Here $\mathbf p_i^\top$ is the $i$-th row of $P$", P defined)
        return table.stacked_at(key, font, path, at)
    raise ValueError(kind)


def _weak_over(table: SymbolTable, key: str, here: list[Any], path: str, at: int) -> Any:
    r"""A weak scalar (``\lambda > 0``) that overrides the declaration in force: that of
    another font (the vector ``\boldsymbol{\lambda}`` read for a plain ``\lambda`` the text
    says is positive), or one of an earlier section than the statement, made in the use's
    section ("Let $\lambda > 0$" in an Exercise, after a multiplier ``\lambda \in \mathbb{R}^m``)."""
    decl = table.lookup(key, None, path, at)
    before = [w for w in here if w.start <= at]
    if decl is None or not before:
        return None
    if decl.font is not None:
        return before[-1]
    w = before[-1]
    bounds = table.boundaries.get(path)
    if bounds is None or bounds.section_between(w.start, at):
        return None  # (not said in the use's section)
    if decl.path == path and not bounds.section_between(decl.start, w.start):
        return None  # "$\lambda \in \mathbb{R}^m$, $\lambda \ge 0$": entrywise, of the vector
    return w


def dimension_key(name: Any) -> str:
    """What a row reads when it asks whether ``name`` names a dimension (never a symbol's
    key, which holds no NUL)."""
    text = getattr(name, "name", None)  # a sympy Symbol's name: fast (str() is ~10 µs)
    return "\0dimension " + (text if isinstance(text, str) else str(name))


def dimension_names(table: SymbolTable) -> frozenset[Any]:
    """The names that stand for dimensions in the declared shapes and signatures."""
    shapes = [d.shape for decls in table.declarations.values() for d in decls]
    shapes += [d.shape for bound in table.bound.values() for d, _, _ in bound]
    shapes += [
        s for sigs in table.signatures.values() for sig in sigs for s in (sig.domain, sig.codomain)
    ]
    names = frozenset(
        sym for shape in shapes for dim in (shape.rows, shape.cols) for sym in dim.free_symbols
    )
    counts = {s for f in _counting(table, names) for s in f.value.free_symbols} - names
    named = names | counts if counts else names
    if table.counted:
        named = named | {dim_terms.symbol(name) for name in table.counted}
    if not table.constant_sizes:
        return named
    return named | {
        d for name in table.constant_sizes for d in (dim_terms.symbol(name), constant_size(name))
    }


CONSTANT_SIZE = "\0constant "


def constant_size(name: str) -> Any:
    r"""The mark, among the dimension names, of a size named only by written constants
    (m of ``I_m``): asked as a DIMENSION, so that a row asking it is redone when it changes."""
    return dim_terms.symbol(CONSTANT_SIZE + name)


def _counting(table: SymbolTable, names: frozenset[Any]) -> list[Any]:
    """The facts that make a dimension a product of names (``d = hk``): each name in it is a
    count (h heads of k columns), a dimension too."""
    return [
        f
        for facts in table.facts.values()
        for f in facts
        if f.name in names
        and f.value.is_Mul
        and f.value.free_symbols & names
        and all(s.is_Symbol for s in f.value.free_symbols)
    ]
