r"""Sets a document names and then declares with: ``\St(n,p) = \{X \in \mathbb{R}^{n\times p} :
X^\top X = I_p\}``, then ``U \in \St(m,k)`` (an m×k matrix); ``\mathcal{O}(n)``, ``\mathrm{Gr}(n,p)``,
``\mathcal{V}_k(n)`` defined the same way.  A member of a named set has the shape of the set's
members, its sizes (the set's parameters) replaced by those the membership writes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from texgrad.shapes.dim_terms import Dim
from texgrad.shapes.dims import Shape, dim_of
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.show import show


@dataclass(frozen=True, slots=True)
class NamedSet:
    """A set the document names: ``\\St(n,p)`` = the n×p matrices with ``X^\\top X = I_p``."""

    name: str  # the set's name without its sizes (see set_call)
    params: tuple[Dim, ...]  # the sizes it is written with (n, p), plain names
    shape: Shape  # its members' shape, in those names
    path: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SetMember:
    """A symbol said to be in a named set, ``U_p \\in \\St(n,p)``: its shape is known once
    every named set of the project is (``resolve``)."""

    decl: Declaration  # the member's declaration, its shape still to be given
    name: str
    args: tuple[Dim, ...]  # the sizes written (n, p)
    scope: tuple[int, int] | None  # the set-builder braces binding it, or None
    path: str
    start: int
    end: int


_OPEN = frozenset({"(", "\\left("})


def set_call(node: t.Node | None) -> tuple[str, tuple[t.Node, ...]] | None:
    r"""A named set as written where a set goes, by its name and sizes: ``\mathrm{St}(n,p)``
    (``Func:St``, (n, p)), ``\mathcal{O}(n)``, ``\mathcal{V}_k(n)`` (k and n), ``\mathcal{M}``
    (no size); None for anything else."""
    if isinstance(node, t.Apply) and node.parens:
        head = _head(node.func)
        return None if head is None else (head[0], (*head[1], *node.args))
    if isinstance(node, t.Product) and len(node.factors) == 2:
        first, paren = node.factors
        if not (isinstance(paren, t.Paren) and paren.open in _OPEN and paren.body is not None):
            return None
        head = _head(first)
        if head is None:
            return None
        body = paren.body
        args = body.items if isinstance(body, t.List) else (body,)
        return head[0], (*head[1], *args)
    return _head(node) if isinstance(node, (t.Func, t.Symbol, t.Sub)) else None


def _head(node: t.Node | None) -> tuple[str, tuple[t.Node, ...]] | None:
    """A set's name and the sizes written in its subscript (``\\mathcal{V}_k``: k)."""
    if isinstance(node, t.Func):
        if node.sup is not None:
            return None
        return f"Func:{node.name}", _items(node.sub)
    if isinstance(node, t.Sub) and isinstance(node.base, t.Symbol) and not node.base.accents:
        return show(node.base), _items(node.index)
    if isinstance(node, t.Symbol) and not node.accents and not node.name.startswith("\\"):
        return show(node), ()
    if isinstance(node, t.Symbol) and not node.accents and node.font is not None:
        return show(node), ()
    return None


def _items(node: t.Node | None) -> tuple[t.Node, ...]:
    if node is None:
        return ()
    return tuple(i for i in node.items if i is not None) if isinstance(node, t.List) else (node,)


def sizes(nodes: tuple[t.Node, ...], plain: bool) -> tuple[Dim, ...] | None:
    """The dimensions written (``plain``: each a plain name, as a set's parameters are)."""
    out = []
    for node in nodes:
        d = dim_of(node)
        if d is None or (plain and not d.is_Symbol):
            return None
        out.append(d)
    return tuple(out)


def resolve(table: SymbolTable) -> None:
    """Declare every member of a named set (``table.set_members``) with the set's shape, its
    parameters replaced by the sizes the membership writes: ``U \\in \\St(m,k)`` is m×k."""
    members, table.set_members = table.set_members, []
    for m in members:
        found = _in_force(table.named_sets.get(m.name, []), m)
        if found is None or len(found.params) != len(m.args):
            continue
        swaps = dict(zip(found.params, m.args, strict=True))
        shape = Shape(found.shape.rows.xreplace(swaps), found.shape.cols.xreplace(swaps))
        d = replace(m.decl, shape=shape)
        if m.scope is None:
            table.add(d)
        else:
            table.add_bound(d, *m.scope)


def _in_force(sets: list[NamedSet], m: SetMember) -> NamedSet | None:
    """The definition of the set a membership names: the last before it in its file, else
    the only one; None where the project defines it more than one way elsewhere."""
    before = [s for s in sets if s.path == m.path and s.start < m.start]
    if before:
        return before[-1]
    shapes = {(s.params, s.shape) for s in sets}
    return sets[0] if len(shapes) == 1 else None
