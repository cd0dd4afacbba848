r"""Inlay hints: shapes worth showing where nothing in the text says them.

After a symbol nobody declared whose shape was defined (``y = Ax``) or inferred from
use, its shape (once per math region); after a function definition ``f(x) = …``,
the shape of its value.  Plain values: an offset and a label.
"""

from __future__ import annotations

from dataclasses import dataclass

from texgrad.shapes.check import CheckResult
from texgrad.shapes.dims import Dim, Shape, dim_text
from texgrad.shapes.families import family_of
from texgrad.shapes.navigation import symbols
from texgrad.shapes.query import ASSUMED, defined_here
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key


@dataclass(frozen=True, slots=True)
class Hint:
    offset: int  # shown after the character before this offset
    label: str
    tooltip: str
    kind: str  # "symbol" or "function"


def shape_label(shape: Shape) -> str:
    """``ℝ`` for a scalar, else ``ℝ^{m×n}``."""
    return "ℝ" if shape.is_scalar else shape.unicode()


def _partial(rows: Dim | None, cols: Dim | None) -> str:
    r = dim_text(rows) if rows is not None else "?"
    c = dim_text(cols) if cols is not None else "?"
    return f"ℝ^{{{r}×{c}}}"


def hints(result: CheckResult, start: int, end: int) -> list[Hint]:
    out: list[Hint] = []
    regions = [(r.start, r.end) for r in result.doc.regions]
    seen: set[tuple[int, str]] = set()
    table = result.table
    for row in result.rows:
        if row.tree is None or row.end < start or row.start > end:
            continue
        region = next((i for i, (a, b) in enumerate(regions) if a <= row.start <= b), -1)
        for node, (key, font) in symbols(row.tree):
            if not (start <= node.end <= end) or node.from_macro or (region, key) in seen:
                continue
            if table.lookup(key, font, result.path, node.start) is not None:
                continue
            shape = result.shapes.get(node)
            family = _family(result, node, font) if isinstance(shape, Shape) else None
            if isinstance(shape, Shape) and family is not None:  # h_{t-1} of h_t
                label, how = shape_label(shape), f"as the family `{family}` is declared"
                key = result.doc.text[node.start : node.end]
            elif isinstance(shape, Shape):
                known = defined_here(result, key, node, shape)
                label, how = shape_label(shape), "defined" if known else ASSUMED
            elif key in result.inferred:
                label, how = _partial(*result.inferred[key]), "inferred from use"
            else:
                continue
            seen.add((region, key))
            out.append(Hint(node.end, f": {label}", f"{key}: {label} ({how})", "symbol"))
        out.extend(_function_hints(result, row.tree, start, end))
    out.sort(key=lambda h: h.offset)
    return out


def _family(result: CheckResult, node: t.Node, font: str | None) -> str | None:
    """The family (``h_{t}``) whose member (``h_{t-1}``) a node is, if it is one."""
    found = member_family(result, node, font)  # (its shape is known)
    return found[0] if found is not None else None


def member_family(result: CheckResult, node: t.Node, font: str | None) -> tuple[str, Shape] | None:
    r"""The declared family (its key and shape) whose member a node (``h_{t-1}``,
    ``\mH^{(L)}``) is, written in ``font``, as in force where the node stands; None if none."""
    if not isinstance(node, t.Sub | t.Tagged) or (isinstance(node, t.Tagged) and not node.bracket):
        return None
    base = symbol_key(node.base)
    if base is None:
        return None

    def declared(key: str) -> Shape | None:
        decl = result.table.lookup(key, font, result.path, node.start)
        return decl.shape if decl is not None else None

    form, tag = ("_", node.index) if isinstance(node, t.Sub) else (node.bracket, node.tag)
    return family_of(base[0], form, tag, declared, lambda d: True)


def _function_hints(result: CheckResult, tree: t.Node, start: int, end: int) -> list[Hint]:
    items = tree.items if isinstance(tree, (t.Sequence, t.List)) else (tree,)
    out = []
    for chain in items:
        if not isinstance(chain, t.Chain) or len(chain.items) < 2 or not chain.relations:
            continue
        head, body = chain.items[0], chain.items[1]
        if not isinstance(head, t.Apply) or body is None or chain.relations[0] not in ("=", ":="):
            continue
        shape = result.shapes.get(body)
        if not isinstance(shape, Shape) or not (start <= body.end <= end):
            continue
        name = result.doc.text[head.start : head.end]
        label = shape_label(shape)
        out.append(Hint(body.end, f" : {label}", f"{name} ∈ {label}", "function"))
    return out
