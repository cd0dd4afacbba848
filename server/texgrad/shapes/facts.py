r"""Dimension facts stated in text: ``d = hk``, ``n = n_1 n_2``, "with $N = 2$", "an example
with $n = 2, m = 1$".

A fact is an equality between dimensions, one side a single dimension's name; it is scoped
like a declaration (the table's ``in_force``: an Example's facts are its own) and used only
where dimensions are compared: ``n`` and ``n_1 n_2`` agree where ``n = n_1 n_2`` is in force,
and ``N`` and ``3`` (an instance of a name) do not where ``N = 2`` is.  Only names of
dimensions take part (names that appear in some declared shape): ``y = Xw`` between vectors
is no fact.  A number stated in a hypothesis ("If $n = 1$, …", "for $d = 1$") holds for it only,
and so does a name ("only when $n_1 = n_2$"): neither is collected; a size made of others
stated in one ("When the inputs lie on a grid, $n = n_1 n_2$") holds in its section, as a
supposed declaration does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from texgrad.shapes.dims import ONE, Dim, Shape, dim_of
from texgrad.shapes.sections import SENTENCE_LOOKBACK, sentence_start
from texgrad.syntax import tree as t

_EQUAL = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"})
# a sentence that states a case, not a fact: "If $n = 1$", "for $d = 1$", "when …"
_CASE = re.compile(
    r"\b(?:[Ii]f|[Ww]hen(?:ever)?|[Uu]nless|[Cc]ases?|[Ee]\.g\.|[Ss]pecial|[Ll]imit)\b|\b[Ff]or\s*$"
)


@dataclass(frozen=True, slots=True)
class Fact:
    """``name = value`` between dimensions, written at ``path``/``start``..``end``."""

    name: Dim  # a dimension's name (a sympy Symbol)
    value: Dim
    path: str
    start: int
    end: int

    @property
    def shape(self) -> Shape:
        """(For the table's scoping, which asks whether a letter has one meaning.)"""
        return Shape(self.value, ONE)


def fact_key(name: object) -> str:
    """What a row reads when it asks for the facts about a dimension's ``name`` (never a
    symbol's key, which holds no NUL)."""
    return "\0fact " + getattr(name, "name", str(name))


def facts_of(tree: t.Node, path: str) -> Iterator[Fact]:
    """The dimension facts one row states (its statements ``n = n_1 n_2``, ``n = 2, m = 1``),
    whatever its names are (they are kept only if they name dimensions)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (t.List, t.Sequence)):
            stack.extend(i for i in node.items if i is not None)
        elif isinstance(node, t.Text):
            stack.extend(node.math)
        elif isinstance(node, t.Chain):
            yield from _chain_facts(node, path)


def _chain_facts(chain: t.Chain, path: str) -> Iterator[Fact]:
    # n = 2, m = 1 reads as n = (2, m) = 1: a list between two relations ends one statement
    # and starts the next
    sides: list[tuple[t.Node | None, t.Node | None]] = []  # (left, right) of each equality
    items = chain.items
    for i, rel in enumerate(chain.relations):
        left, right = items[i], items[i + 1]
        if isinstance(left, t.List) and left.items:
            left = left.items[-1]
        if isinstance(right, t.List) and right.items:
            right = right.items[0]
        if rel in _EQUAL:
            sides.append((left, right))
    for left, right in sides:
        if left is None or right is None:
            continue
        a, b = dim_of(left), dim_of(right)
        if a is None or b is None or a == b:
            continue
        if a.is_Symbol and not (b.is_Symbol and right.start < left.start):
            yield Fact(a, b, path, left.start, right.end)
        elif b.is_Symbol:
            yield Fact(b, a, path, left.start, right.end)


def stated(fact: Fact, text: str, names: frozenset[object]) -> bool:
    """Is ``fact`` a fact about dimensions (every name in it a dimension's), stated as one
    (not a case: "If $n = 1$")?"""
    if fact.name not in names or not all(s in names for s in fact.value.free_symbols):
        return False
    lo = sentence_start(text, max(0, fact.start - SENTENCE_LOOKBACK), fact.start)
    before = text[lo : fact.start]
    # in a case ("When the inputs lie on a grid, … $n = n_1 n_2$"), a size made of others
    # holds for its section (as a supposed declaration does); a number ("If $n = 1$") or
    # another name ("only works when $n_1 = n_2$") is the hypothesis of one statement
    case = _CASE.search(before.rstrip(" \t\n$\\(["))
    return not case or bool(fact.value.free_symbols and not fact.value.is_Symbol)
