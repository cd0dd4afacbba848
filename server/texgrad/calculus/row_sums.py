r"""A sum over every row of a matrix, read as the matrix: softmax regression's
``\log\sum_{k=1}^K \exp(\mathbf{w}_k^\top\mathbf{x})`` where the document says the
``\mathbf{w}_k^\top`` are the rows of ``W \in \mathbb{R}^{K \times d}``.

The ``k``-th summand is a function of ``\mathbf{w}_k^\top\mathbf{x}`` only, the ``k``-th entry
of ``W\mathbf{x}``; written with ``(W\mathbf{x})`` in place of each ``\mathbf{w}_k^\top
\mathbf{x}`` (or ``\mathbf{x}^\top\mathbf{w}_k``), the summand is the vector of the ``K``
summands (the engine reads functions of a vector entrywise, and refuses what it cannot read
so), and the sum is ``\mathbf{1}^\top`` of it: ``\log\mathbf{1}^\top\exp(W\mathbf{x})``, whose
gradient by ``W`` the engine gives as a textbook does (``(\operatorname{softmax}(W\mathbf{x})
- \mathbf{e}_y)\mathbf{x}^\top``).  Only a sum from 1 to the matrix's row count is read so,
and only where nothing else in the summand changes with its index.
"""

from __future__ import annotations

from typing import Any

import sympy

from texgrad.calculus.sympy_dims import dim_of
from texgrad.calculus.written import sum_index
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key


def rows_summed(
    tree: t.Node, matrix: str, rows: sympy.Expr, families: set[str], written: t.Node
) -> t.Node | None:
    r"""``tree`` with each sum over every row ``\mathbf{w}_k`` of ``matrix`` (of one of
    ``families``, the letters of its rows: ``w``) written with the matrix (``written``, the
    matrix's symbol as a node); None where no sum is read so."""
    by: dict[int, t.Node] = {}
    for node in tree.walk():
        if isinstance(node, t.BigOp) and node.op == "\\sum" and id(node) not in by:
            new = _as_matrix(node, matrix, rows, families, written)
            if new is not None:
                by[id(node)] = new
    return t.replaced(tree, by) if by else None


def _as_matrix(
    node: t.BigOp, matrix: str, rows: sympy.Expr, families: set[str], written: t.Node
) -> t.Node | None:
    index = sum_index(node.lower)
    if index is None or len(index) != 1 or node.body is None or node.upper is None:
        return None
    first = node.lower.items[1] if isinstance(node.lower, t.Chain) else None
    if not (isinstance(first, t.Number) and first.text == "1"):
        return None
    upper = dim_of(node.upper)
    if upper is None or sympy.simplify(upper - rows) != 0:
        return None
    (k,) = index
    by: dict[int, t.Node] = {}
    for n in node.body.walk():
        if isinstance(n, t.Product) and id(n) not in by:
            row_product = _row_times(n, k, families, written)
            if row_product is not None:
                by[id(n)] = row_product
    if not by:
        return None
    body = t.replaced(node.body, by)
    if any(_labelled_by(n, k) for n in body.walk()):
        return None  # y_k, another member: the summand is not a function of W x alone
    if not all(_entrywise(n) for n in body.walk()):
        return None  # (W x)^2, a quotient: not read entry by entry here (the sum is refused)
    loc = _loc(node)
    ones = t.Symbol(name="1", font="mathbf", accents=(), **loc)
    return t.Product(
        factors=(
            t.Transpose(base=ones, mark="\\top", conjugate=False, **loc),
            t.Paren(body=body, open="(", close=")", **loc),
        ),
        **loc,
    )


def _row_times(n: t.Product, k: str, families: set[str], written: t.Node) -> t.Paren | None:
    r"""``(W\mathbf{x})`` for the product ``\mathbf{w}_k^\top\mathbf{x}`` or
    ``\mathbf{x}^\top\mathbf{w}_k`` (``\mathbf{x}`` one factor, free of ``k``); None else."""
    if len(n.factors) != 2:
        return None
    a, b = n.factors
    if isinstance(a, t.Transpose) and _row(a.base, k, families):
        other = b
    elif isinstance(a, t.Transpose) and _row(b, k, families):
        other = a.base
    else:
        return None
    if any(_labelled_by(x, k) for x in other.walk()):
        return None
    loc = _loc(n)
    product = t.Product(factors=(written, other), **loc)
    return t.Paren(body=product, open="(", close=")", **loc)


# functions the engine applies to each entry of a vector
_ENTRYWISE = frozenset({"exp", "log", "ln", "tanh", "sinh", "cosh", "sin", "cos"})
_PLAIN = (t.Add, t.Neg, t.Product, t.Paren, t.Number, t.Symbol, t.Sub, t.Transpose, t.Func)


def _entrywise(node: t.Node) -> bool:
    """Whether ``node`` is read entry by entry when a vector stands in the summand: a sum,
    a product by numbers, a function applied to each entry, ``e^{…}``."""
    if isinstance(node, t.Apply):
        f = node.func
        return isinstance(f, t.Func) and f.name in _ENTRYWISE and f.sup is None and f.sub is None
    if isinstance(node, t.Power):
        return isinstance(node.base, t.Symbol) and node.base.name == "e" and node.base.font is None
    return isinstance(node, _PLAIN)


def _row(node: t.Node, k: str, families: set[str]) -> bool:
    if not isinstance(node, t.Sub):
        return False
    base = symbol_key(node.base)
    index = node.index
    return (
        base is not None and base[0] in families and isinstance(index, t.Symbol) and index.name == k
    )


def _labelled_by(node: t.Node, k: str) -> bool:
    """Whether ``node`` is labelled by the index ``k`` (``y_k``, ``\\mathbf{w}_k``, ``a_{kj}``)."""
    if not isinstance(node, t.Sub):
        return False
    return any(isinstance(x, t.Symbol) and x.name == k for x in node.index.walk())


def _loc(node: t.Node) -> dict[str, Any]:
    return {"start": node.start, "end": node.end, "from_macro": node.from_macro}
