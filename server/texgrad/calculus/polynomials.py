r"""A scalar written as a polynomial in one quantity, factored where that reads shorter:
``(1 - σ)^2 σ + σ^3 - σ^2 = σ(1 - σ)(1 - 2σ)`` (the Hessian of ``σ(\mathbf{a}^\top\mathbf{x})``,
``σ''(u) = σ(1 - σ)(1 - 2σ)``).  The quantity is any scalar part that is not a number, a
sum, a product or an integer power (``σ(\mathbf{a}^\top\mathbf{x})``, a name ``t_0``); the
polynomial is factored over the rationals by SymPy, each linear factor written with its
constant first and positive (``1 - t``, not ``t - 1``)."""

from __future__ import annotations

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import Expr

MAX_DEGREE = 6


class _NotPolynomial(Exception):
    pass


def factored(x: Expr) -> Expr | None:
    """``x`` (a scalar sum) factored as a polynomial in its one quantity; None where it is
    not such a polynomial of degree 2 or more, or does not factor."""
    if not (isinstance(x, e.Add) and x.is_scalar):
        return None
    atoms: dict[Expr, sympy.Symbol] = {}
    try:
        poly = _to_sympy(x, atoms)
    except _NotPolynomial:
        return None
    if len(atoms) != 1:
        return None
    ((atom, sym),) = atoms.items()
    p = sympy.Poly(sympy.expand(poly), sym)
    if not 2 <= p.degree() <= MAX_DEGREE:
        return None
    coef, factors = sympy.factor_list(p.as_expr(), sym)
    if len(factors) < 2 and all(k == 1 for _, k in factors):
        return None
    sign = sympy.Integer(1)
    parts: list[Expr] = []

    def order(fk: tuple[sympy.Expr, int]) -> tuple[bool, int, sympy.Expr, str]:
        fp = sympy.Poly(fk[0], sym)  # t first, then (1 - t) before (1 - 2t)
        return fk[0] != sym, fp.degree(), abs(fp.LC()), str(fk[0])

    for f, k in sorted(factors, key=order):
        fp = sympy.Poly(f, sym)
        if fp.degree() == 1:
            c1, c0 = fp.all_coeffs()
            if c0 != 0 and c0 < 0:  # t - 1 → -(1 - t)
                c1, c0 = -c1, -c0
                sign *= (-1) ** k
            f = c0 + c1 * sym if c0 != 0 else c1 * sym
        parts.append(e.power(_from_sympy(f, atom, sym), k) if k != 1 else _from_sympy(f, atom, sym))
    return e.mul(e.num(coef * sign), *parts)


def _to_sympy(x: Expr, atoms: dict[Expr, sympy.Symbol]) -> sympy.Expr:
    if isinstance(x, e.Num):
        if x.value.free_symbols:
            raise _NotPolynomial
        return x.value
    if isinstance(x, e.Add):
        return sympy.Add(*(_to_sympy(t, atoms) for t in x.terms))
    if isinstance(x, e.Mul):
        if not all(f.is_scalar for f in x.factors):
            raise _NotPolynomial
        return sympy.Mul(*(_to_sympy(f, atoms) for f in x.factors))
    if isinstance(x, e.Pow) and x.exp.is_Integer and int(x.exp) > 0:
        return _to_sympy(x.arg, atoms) ** int(x.exp)
    if not x.is_scalar:
        raise _NotPolynomial
    if x not in atoms:
        atoms[x] = sympy.Symbol(f"a{len(atoms)}")
    return atoms[x]


def _from_sympy(f: sympy.Expr, atom: Expr, sym: sympy.Symbol) -> Expr:
    if f == sym:
        return atom
    if f.is_Number:
        return e.num(f)
    if isinstance(f, sympy.Add):
        return e.add(*(_from_sympy(a, atom, sym) for a in f.as_ordered_terms()[::-1]))
    if isinstance(f, sympy.Mul):
        return e.mul(*(_from_sympy(a, atom, sym) for a in f.args))
    if isinstance(f, sympy.Pow) and f.exp.is_Integer and int(f.exp) > 0:
        return e.power(_from_sympy(f.base, atom, sym), int(f.exp))
    raise _NotPolynomial
