"""What a row of math may be before texgrad stops reading it: how deep it nests, how long its
numbers are.

Every pass after parsing (shape inference, printing, lowering, differentiation, hovers)
walks a tree by recursion, a few Python frames per level.  Real documents nest at most 15
levels (the corpus's deepest row; its brackets nest 6 deep at most); 1,000 nested
parentheses, 500 nested ``\\frac`` or 2,000 superscripts would exhaust Python's stack in
any of them.  So the depth is measured once, right after parsing (the parser itself is a
loop; the brackets are counted before it), and a row nested deeper than :data:`MAX_DEPTH`
is replaced by one :class:`~texgrad.syntax.tree.Unread` leaf that the shapes layer reports
and the calculus refuses: no later pass ever sees a deep tree.  A number of more than
:data:`MAX_NUMBER_DIGITS` digits (``x^{999…9}``, 5,000 nines) is no number a formula
means and no number sympy or Python will read (4,300 digits at most): its row is one
``Unread`` leaf too.
"""

from __future__ import annotations

import re

from texgrad.syntax import tree as t

MAX_DEPTH = 40  # levels of a row's tree (the corpus's deepest is 15) and of its brackets (6)
MAX_NUMBER_DIGITS = 40  # digits of one number

_BRACKET = re.compile(r"[{}()\[\]]")
_LONG_NUMBER = re.compile(r"\d{" + str(MAX_NUMBER_DIGITS + 1) + ",}")


def beyond_text(text: str) -> tuple[str, str] | None:
    """Why a row's text is beyond what texgrad reads, as a diagnostic's (code, message),
    measured before lexing; None for a row within bounds."""
    long = _LONG_NUMBER.search(text)
    if long is not None:
        n = len(long.group())
        return "too-large", (
            f"a number of {n} digits: longer than the {MAX_NUMBER_DIGITS} digits texgrad reads"
        )
    deep = brackets_beyond(text)
    if deep is not None:
        return "too-deep", too_deep_message(deep)
    return None


def brackets_beyond(text: str, limit: int = MAX_DEPTH) -> int | None:
    """How deep braces, parentheses and brackets nest in ``text``, if deeper than ``limit``
    (else None).  Measured before lexing: the lexer finds the end of each braced argument
    from its start, which over thousands of nested groups is quadratic."""
    depth = best = 0
    for m in _BRACKET.finditer(text):
        if m.group() in "{([":
            depth += 1
            best = max(best, depth)
        elif depth:
            depth -= 1
    return best if best > limit else None


def depth_beyond(node: t.Node, limit: int = MAX_DEPTH) -> int | None:
    """The depth of ``node``'s tree if it is deeper than ``limit`` (else None), measured
    without recursion and without walking further than needed to tell.

    Every parsed row is measured: level by level first (a list of nodes per level, no
    pair per node: half the time over the Cookbook's rows), and only a tree found deeper
    than ``limit`` walked again depth first, for the depth its message says."""
    level = [node]
    for _ in range(limit):
        below: list[t.Node] = []
        for item in level:
            below += item._children()
        if not below:
            return None
        level = below
    return _deepest_first(node, limit)


def _deepest_first(node: t.Node, limit: int) -> int | None:
    """:func:`depth_beyond` walked depth first: the depth of the first node met deeper than
    ``limit`` in that order (as measured before the walk by levels)."""
    stack = [(node, 1)]
    while stack:
        item, d = stack.pop()
        if d > limit:
            return _depth(item, d)
        stack.extend((kid, d + 1) for kid in item._children())
    return None


def _depth(node: t.Node, at: int) -> int:
    """The full depth below ``node`` (itself at depth ``at``): for the message only."""
    best, stack = at, [(node, at)]
    while stack:
        item, d = stack.pop()
        best = max(best, d)
        stack.extend((kid, d + 1) for kid in item._children())
    return best


def too_deep_message(depth: int) -> str:
    return (
        f"too deeply nested: this math nests {depth} levels deep, more than the "
        f"{MAX_DEPTH} texgrad reads"
    )
