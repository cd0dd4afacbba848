"""How deep a row's math may nest before texgrad stops reading it.

Every later pass (shape inference, printing, lowering, differentiation, hovers) walks a
tree by recursion, a few Python frames per level.  Real documents nest at most 15 levels
(the corpus's deepest row); 1,000 nested parentheses, 500 nested ``\\frac`` or 2,000
superscripts would exhaust Python's stack in any of them.  So the depth is measured once,
right after parsing (the parser itself is a loop; the brackets are counted before it), and a row nested deeper than
:data:`MAX_DEPTH` is replaced by one :class:`~texgrad.syntax.tree.TooDeep` leaf that the
shapes layer reports and the calculus refuses: no later pass ever sees a deep tree.
"""

from __future__ import annotations

import re

from texgrad.syntax import tree as t

MAX_DEPTH = 40  # levels of a row's tree (the corpus's deepest is 15) and of its brackets (6)

_BRACKET = re.compile(r"[{}()\[\]]")


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
    without recursion and without walking further than needed to tell."""
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
