r"""Names in results: the document's own (``\mathbf{r} = A\mathbf{x} - \mathbf{b}``) kept in
the answer, and a name given to a long part a result repeats (``\text{where } t_0 = …``).

A name the document defines is lowered as a variable of its own
(:class:`~texgrad.calculus.lower.Lowerer` with ``keep_names``), its value kept beside
it; the differential goes through the value (dr = A dx). To evaluate — verification
never trusts a name — :func:`expand` puts the values back in.
"""

from __future__ import annotations

from texgrad.calculus import expr as e
from texgrad.calculus.expr import Expr


def expand(x: Expr, names: dict[str, Expr]) -> Expr:
    """``x`` with every name replaced by its value (names inside values too)."""
    if not names:
        return x
    done: dict[str, Expr] = {}

    def value(name: str, seen: frozenset[str]) -> Expr:
        hit = done.get(name)
        if hit is None:
            if name in seen:
                raise e.CalculusError(f"the definition of `{name}` refers to itself")
            inner = names[name]
            used = {y.name for y in inner.walk() if isinstance(y, e.Var) and y.name in names}
            hit = e.substitute(inner, {k: value(k, seen | {name}) for k in used})
            done[name] = hit
        return hit

    used = {y.name for y in x.walk() if isinstance(y, e.Var) and y.name in names}
    return e.substitute(x, {k: value(k, frozenset()) for k in used}) if used else x


def fold(x: Expr, names: dict[str, Expr]) -> Expr:
    """``x`` with every part equal to a name's value written as the name (the differential
    of ``\\log \\mathbf{p}`` with ``p = \\sigma(Xw)`` has ``σ(Xw)`` in it: it is ``p``)."""
    values = {v: k for k, v in names.items() if not isinstance(v, (e.Var, e.Num))}
    if not values:
        return x
    memo: dict[Expr, Expr] = {}

    def walk(y: Expr) -> Expr:
        hit = memo.get(y)
        if hit is None:
            name = values.get(y)
            if name is not None:
                hit = e.var(name, y.shape)
            else:
                kids = list(y.children())
                hit = e.rebuild(y, [walk(c) for c in kids]) if kids else y
            memo[y] = hit
        return hit

    return walk(x)
