r"""The gradient of a scalar through the names a document defines, by reverse
accumulation: ∂f/∂y of the last name first (``\mathbf{y} - \mathbf{t}`` for
``\frac12\|\mathbf{y} - \mathbf{t}\|^2``), then each name's gradient handed down through its
own differential (dy = γ dx̂ gives γ(y - t) to x̂), so that the answer is built from the
names and short pieces instead of the whole differential expanded at once.

Each step is the adjoint of a differential (:func:`~texgrad.calculus.readout.gradient`)
with the differentials of the other names set to zero; the result is verified like any
other (expanded), so a slip here cannot be shown as verified.
"""

from __future__ import annotations

from collections.abc import Callable

from texgrad.calculus import expr as e
from texgrad.calculus.differential import Budget, differential, through
from texgrad.calculus.expr import Expr
from texgrad.calculus.names import fold
from texgrad.calculus.readout import gradient
from texgrad.calculus.tidy_names import drop_zero_parts, fold_scaled


def _zero(x: Expr) -> Expr:
    return e.num(0) if x.is_scalar else e.zero(x.rows, x.cols)


def _part(df: Expr, key: str, keys: list[str], shapes: dict[str, Expr]) -> Expr | None:
    """The gradient that ``df`` (scalar, linear in the differentials of ``keys``) has with
    respect to ``key``: the others' differentials set to zero; None if it has none."""
    only = e.substitute(df, {f"d:{k}": _zero(shapes[k]) for k in keys if k != key})
    if not any(isinstance(x, e.D) and x.var.name == key for x in only.walk()):
        return None
    return gradient(only)


def _pairing(g: Expr, dn: Expr) -> Expr:
    """⟨g, dn⟩: gᵀ dn, or tr(gᵀ dn) for matrices."""
    p = e.mul(e.transpose(g), dn)
    return p if p.is_scalar else e.tr(p)


def through_names(
    f: Expr,
    v: e.Var,
    names: dict[str, Expr],
    budget: Budget,
    simplify: Callable[[Expr], Expr],
) -> Expr | None:
    """∇f by reverse accumulation through the names (None where ``f`` goes through none)."""
    chained = [n for n in names if n in through(names, v)]
    if not chained:
        return None
    keys = [*chained, v.name]
    shapes: dict[str, Expr] = {n: names[n] for n in chained}
    shapes[v.name] = v
    handed: dict[str, list[Expr]] = {}  # the parts of each gradient, summed when used

    def hand_down(df: Expr) -> None:
        for k in keys:
            g = _part(df, k, keys, shapes)
            if g is not None:  # σ(W_1 x) written a where a = σ(W_1 x)
                handed.setdefault(k, []).append(fold(g, names))

    hand_down(differential(f, v, budget, None, names, shallow=True))
    for n in reversed(chained):  # a name's uses all come after it: its gradient is whole
        budget.check()
        if n in handed:
            dn = differential(names[n], v, budget, None, names, shallow=True)
            hand_down(_pairing(simplify(e.add(*handed[n])), dn))
    if v.name not in handed:
        return None
    raw = e.add(*handed[v.name])
    result = simplify(raw)
    # 1ᵀ(x - μ1) = 0 by μ's definition (dropped before the simplifier expands μ's terms
    # into others); (x - μ1)s^{-3/2} = x̂ s^{-1}: as the textbook writes
    for start in (result, raw):
        tidied = simplify(fold_scaled(simplify(drop_zero_parts(start, names)), names))
        result = tidied if _shorter(tidied, result) else result
    return result


def _shorter(a: Expr, b: Expr) -> bool:
    return sum(1 for _ in a.walk()) < sum(1 for _ in b.walk())
