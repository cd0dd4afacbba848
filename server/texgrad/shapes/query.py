"""Questions about a checked document at an offset: what is here, and what shape has it?

Plain values for the fronts (a hover in the language server, ``texgrad`` tools): the
smallest subexpression under the offset, its shape, and where that shape comes from —
declared (with the declaration), defined (``y = Ax``), inferred from use (shown, never
reported on), or computed from its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from texgrad.shapes.check import CheckResult
from texgrad.shapes.dims import Dim, Shape, dim_text
from texgrad.shapes.table import Declaration
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

Source = Literal["declared", "defined", "assumed", "inferred", "computed", "unknown"]
# what "assumed" says: a letter nothing declares nor defines, a scalar by its place (the
# coefficient of ``\\lambda w``), which ``diff`` does not take for a declaration
ASSUMED = "read from its place, not declared: declare it to differentiate by it or through it"


@dataclass(frozen=True, slots=True)
class ShapeInfo:
    start: int  # the subexpression's source range
    end: int
    text: str  # as written
    shape: Shape | None
    source: Source
    declaration: Declaration | None = None
    inferred: tuple[Dim | None, Dim | None] | None = None  # rows, columns suggested by use

    def describe(self) -> str:
        """``ℝ^{m×n} (declared)``, ``n rows (inferred from use)``, ``unknown``."""
        if self.shape is not None:
            shown = self.shape.unicode()
            if self.declaration is not None and self.declaration.complex:
                shown = shown.replace("ℝ", "ℂ")  # (z \in \mathbb{C}^n: sized as ℝⁿ, said as ℂⁿ)
            return f"{shown} ({ASSUMED if self.source == 'assumed' else self.source})"
        if self.inferred is not None:
            rows, cols = self.inferred
            if rows is not None and cols is not None:
                return f"{Shape(rows, cols).unicode()} (inferred from use)"
            said = f"{dim_text(rows)} rows" if rows is not None else f"{dim_text(cols)} columns"
            return f"{said} (inferred from use)"
        return "unknown"


def defined_here(result: CheckResult, key: str, node: t.Node, shape: Shape) -> bool:
    r"""Is the shape of an undeclared letter known from its definition (in force where it
    stands: ``\lambda = v^\top A v`` before it, as ``diff`` reads definitions) or from what
    it is (``I_p``, a matrix or vector by its notation), not only from its place as a
    scalar (``\lambda w``: a coefficient, which ``diff`` does not take for a declaration)?"""
    if not shape.is_scalar:
        return True
    return any(d.path != result.path or d.start <= node.start for d in result.defined.get(key, ()))


def node_at(result: CheckResult, offset: int) -> t.Node | None:
    """The smallest node whose source range holds ``offset`` (ranges from macros included);
    on the letter of a name with an index or a label (``I_p``, ``x_i``, ``W^{(l)}``,
    ``W^{(l+1)}``), which has no shape there, the whole name when that has one."""
    best: t.Node | None = None
    tree: t.Node | None = None
    for row in result.rows:
        if not (row.start <= offset <= row.end) or row.tree is None:  # (.tree moves it)
            continue
        for node in row.tree.walk():
            if node.start <= offset < max(node.end, node.start + 1) and not isinstance(
                node, t.Opaque
            ):
                if best is None or (node.end - node.start) <= (best.end - best.start):
                    best, tree = node, row.tree
    if isinstance(best, t.Symbol) and tree is not None and result.shapes.get(best) is None:
        for node in tree.walk():
            if (
                isinstance(node, (t.Sub, t.Tagged, t.Power))
                and node.base is best
                and result.shapes.get(node) is not None
            ):
                return node
    return best


def shape_info(result: CheckResult, offset: int) -> ShapeInfo | None:
    node = node_at(result, offset)
    if node is None:
        return None
    text = result.doc.text[node.start : node.end]
    shape = result.shapes.get(node)
    key = symbol_key(node)
    if key is not None:
        decl = result.table.lookup(key[0], key[1], result.path, node.start)
        if decl is not None and shape is not None:
            return ShapeInfo(
                node.start,
                node.end,
                text,
                shape,
                "declared" if decl.how != "definition" else "defined",
                decl,
            )
        if shape is not None:
            how: Source = "defined" if defined_here(result, key[0], node, shape) else "assumed"
            return ShapeInfo(node.start, node.end, text, shape, how)
        evidence = result.inferred.get(key[0])
        if evidence is not None:
            return ShapeInfo(node.start, node.end, text, None, "inferred", inferred=evidence)
    if shape is not None:
        return ShapeInfo(node.start, node.end, text, shape, "computed")
    return ShapeInfo(node.start, node.end, text, None, "unknown")
