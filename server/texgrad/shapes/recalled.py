r"""Letters a sentence says are as before: "With $X$ as in Problem 1, let …", "$A$ and
$\mathbf b$ as above", "$K$ from Exercise 2".

A problem, an exercise or an example keeps its letters to itself (sections.UNIT_HEADING):
a homework sheet's Problem 3 re-uses letters freely.  When its text says a letter is the
one of before, the letter's last declaration before the sentence (in the same file, in any
section) is declared again where the sentence names it, and holds from there as any
declaration made in that unit.  This reads text outside the sentence's paragraph (the
earlier declaration), so it is done in the global pass of ``declarations.collect``, after
every paragraph was read, never in a paragraph's memoized reading.
"""

from __future__ import annotations

import re
from dataclasses import replace

from texgrad.reading.memo import by_text
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

_MATH = r"\$[^$\n]{1,40}\$"
# "$X$ as in Problem 1", "$X$ and $\mathbf t$ as above", "$K$ (as before)", "$A$ as defined
# in Section 2", "$W$ from Problem 1", "$X$ be as in (a)" — not "taking $y$ and $A$ as given"
# (known data, quantecon's linear algebra lecture), nor "as defined" alone
_RECALLED = re.compile(
    r"(?P<syms>" + _MATH + r"(?:\s*(?:,|,?\s*and)\s*" + _MATH + r"){0,5})\s*\(?\s*"
    r"(?:(?:be|are|is)\s+)?"
    r"(?:as\s+(?:(?:defined|given|introduced|declared)\s+)?"
    r"(?:(?:before|above|earlier|previously)\b|in\s+"
    r"(?:Problem|Exercise|Question|Part|Section|Example|\(|§|\\S\b|the\s+previous|\\ref))"
    r"|from\s+(?:Problem|Exercise|Question|Part|Example)\b)"
)
_ONE_MATH = re.compile(_MATH)


@by_text(maxsize=64)
def _recalling(text: str) -> tuple[int, ...]:
    """Where the math of each letter said to be as before begins (the ``$`` of each)."""
    return tuple(
        one.start()
        for m in _RECALLED.finditer(text)
        for one in _ONE_MATH.finditer(text, m.start("syms"), m.end("syms"))
    )


def recalled(
    texts: dict[str, str], by_path: dict[str, list[PlacedRow]], table: SymbolTable
) -> list[Declaration]:
    """The declarations made again where a sentence says a letter is as before (see the
    module): each a copy of the letter's last declaration before it in its file, placed at
    the letter; none where a declaration already holds there."""
    out: list[Declaration] = []
    for path, text in texts.items():
        at = _recalling(text)
        if not at:
            continue
        rows = sorted(by_path.get(path, []), key=lambda r: r.start)
        for offset in at:
            row = next((r for r in rows if r.start <= offset + 1 <= r.end), None)
            tree = row.tree if row is not None else None
            if not isinstance(tree, (t.Symbol, t.Font, t.Sub)):
                continue  # (a letter alone: "$X$ as in Problem 1")
            key = symbol_key(tree)
            if key is None or table.lookup(key[0], key[1], path, tree.start) is not None:
                continue
            earlier = [
                d for d in table.declarations.get(key[0], [])
                if d.path == path and d.end <= offset and d.font == key[1]
            ]  # fmt: skip
            if earlier:
                last = max(earlier, key=lambda d: d.start)
                out.append(replace(last, start=tree.start, end=tree.end, how="prose"))
    return out
