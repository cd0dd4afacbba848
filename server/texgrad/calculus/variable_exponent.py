r"""A variable in an exponent: ``b^{\gamma}`` of a positive base, by ``\gamma``.

The lowering reads a scalar the document declares (``\gamma \ge 0``) in an exponent as a
positive number, so that ``(1 - p_i)^\gamma`` differentiates by ``\mathbf w``. Differentiated
by that scalar itself, the power is rewritten as ``e^{\gamma\log b}``, whose derivative
``b^\gamma\log b`` holds where the base is positive (elsewhere the real power is not defined
for every γ, and the verification, sampling a negative base, finds a ``\log`` of a negative
number and refuses). Only an exponent affine in the variable with number coefficients is
rewritten; any other stays refused.
"""

from __future__ import annotations

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr


def _has(x: Expr, bare: str) -> bool:
    return isinstance(x, (e.Pow, e.HPow)) and any(str(s) == bare for s in x.exp.free_symbols)


def _exponent(p: sympy.Expr, v: Expr, wrt: str) -> Expr:
    """``p`` (affine in the variable, number coefficients) as an expression of ``v``."""
    bare = wrt.lstrip("\\")
    (sym,) = [s for s in p.free_symbols if str(s) == bare]
    poly = sympy.Poly(sympy.expand(p), sym)
    a, b = (poly.coeff_monomial(sym), poly.coeff_monomial(1))
    if poly.degree() > 1 or not (a.is_number and b.is_number):
        raise CalculusError(f"cannot differentiate with the variable exponent `{wrt}`")
    return e.add(e.mul(e.num(a), v), e.num(b))


def _rewritten(x: Expr, v: Expr, wrt: str) -> Expr:
    kids = [_rewritten(c, v, wrt) for c in x.children()]
    x = e.rebuild(x, kids) if kids else x
    if not _has(x, wrt.lstrip("\\")):
        return x
    assert isinstance(x, (e.Pow, e.HPow))
    if isinstance(x, e.Pow) and not x.arg.is_scalar:
        raise CalculusError(f"cannot differentiate with the variable exponent `{wrt}`")
    # b^{p(γ)} = e^{p(γ) log b}: of each entry, for an elementwise power
    return e.elem("exp", e.mul(_exponent(x.exp, v, wrt), e.elem("log", x.arg)))


def variable_exponents(
    f: Expr, wrt: str, v: Expr, names: dict[str, Expr] | None
) -> tuple[Expr, dict[str, Expr] | None]:
    """``f`` and the names it keeps, each power with ``wrt`` in its exponent written
    ``e^{p\\log b}``; unchanged where no exponent holds the variable."""
    bare = wrt.lstrip("\\")
    if not any(_has(x, bare) for y in (f, *(names or {}).values()) for x in y.walk()):
        return f, names
    if not v.is_scalar:
        raise CalculusError(f"cannot differentiate with the variable exponent `{wrt}`")
    kept = None if names is None else {k: _rewritten(y, v, wrt) for k, y in names.items()}
    return _rewritten(f, v, wrt), kept
