r"""Quotients of exponentials written as the hyperbolic tangent they are.

The derivative of ``\log(e^{u} + e^{-u})`` (the log-cosh loss as papers write it, shifted)
is ``\frac{e^{u} - e^{-u}}{e^{u} + e^{-u}}``, which a textbook writes ``\tanh(u)``; its
vector form ``\exp(u) \oslash (\exp(u) + \exp(-u)) - \exp(-u) \oslash (\exp(u) + \exp(-u))``
is ``\tanh(u)`` entrywise.  :func:`fold_tanh` finds both, where the second exponent is the
negative of the first (their sum simplifies to zero), and writes the tangent.  The value is
the same; the result is verified as printed afterwards like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from texgrad.calculus import expr as e
from texgrad.calculus.expr import Expr

Run = Callable[[Expr], Expr]


def fold_tanh(x: Expr, run: Run) -> Expr:
    """``x`` with every ``(e^a - e^{-a}) / (e^a + e^{-a})`` written ``\\tanh(a)``; ``run``
    simplifies (to see that ``a + b`` is zero)."""
    if sum(1 for n in x.walk() if isinstance(n, e.Elem) and n.fn == "exp") < 2:
        return x
    return _fold(x, run)


def _fold(x: Expr, run: Run) -> Expr:
    kids = list(x.children())
    if kids:
        new = [_fold(c, run) for c in kids]
        if any(a is not b for a, b in zip(new, kids, strict=True)):
            x = e.rebuild(x, new)
    if isinstance(x, e.Mul):
        return _scalar_quotient(x, run)
    if isinstance(x, e.Add) and not x.is_scalar:
        return _entrywise_quotient(x, run)
    if isinstance(x, e.Had) and len(x.args) == 2:
        return _hadamard_quotient(x, run)
    return x


def _hadamard_quotient(x: e.Had, run: Run) -> Expr:
    r"""``(e^a - e^{-a}) \oslash (e^a + e^{-a})``, the difference factored over its common
    denominator, as ``\tanh(a)``; ``x`` itself otherwise."""
    den = next((a for a in x.args if isinstance(a, e.HPow) and a.exp == -1), None)
    if den is None:
        return x
    assert isinstance(den, e.HPow)
    pair = _opposite_exps(den.arg, run)
    num = next((a for a in x.args if a is not den), None)
    if pair is None or num is None:
        return x
    sign = _difference_sign(num, *pair)
    if not sign:
        return x
    tanh = e.elem("tanh", pair[0])
    return tanh if sign > 0 else e.neg(tanh)


def _opposite_exps(d: Expr, run: Run) -> tuple[Expr, Expr] | None:
    """(a, b) of ``e^a + e^b`` with ``a + b = 0``."""
    if not (isinstance(d, e.Add) and len(d.terms) == 2):
        return None
    first, second = d.terms
    if not all(isinstance(t, e.Elem) and t.fn == "exp" for t in (first, second)):
        return None
    assert isinstance(first, e.Elem) and isinstance(second, e.Elem)
    a, b = first.arg, second.arg
    return (a, b) if e.is_zero(run(e.add(a, b))) else None


def _signed_exp(x: Expr) -> tuple[int, Expr] | None:
    """(±1, a) of ``e^a`` or ``-e^a``."""
    if isinstance(x, e.Elem) and x.fn == "exp":
        return 1, x.arg
    if isinstance(x, e.Mul) and len(x.factors) == 2 and x.factors[0] == e.num(-1):
        inner = _signed_exp(x.factors[1])
        return (-inner[0], inner[1]) if inner is not None else None
    return None


def _difference_sign(n: Expr, a: Expr, b: Expr) -> int:
    """1 where ``n`` is ``e^a - e^b``, -1 where it is ``e^b - e^a``, else 0."""
    if not (isinstance(n, e.Add) and len(n.terms) == 2):
        return 0
    parts = [_signed_exp(t) for t in n.terms]
    if None in parts:
        return 0
    found = {(s, arg) for s, arg in (p for p in parts if p is not None) if arg in (a, b)}
    if found == {(1, a), (-1, b)}:
        return 1
    if found == {(1, b), (-1, a)}:
        return -1
    return 0


def _scalar_quotient(x: e.Mul, run: Run) -> Expr:
    factors = list(x.factors)
    for i, f in enumerate(factors):
        if not (isinstance(f, e.Pow) and f.exp == -1 and f.is_scalar):
            continue
        pair = _opposite_exps(f.arg, run)
        if pair is None:
            continue
        for j, g in enumerate(factors):
            sign = _difference_sign(g, *pair) if j != i and g.is_scalar else 0
            if sign:
                tanh = e.elem("tanh", pair[0])
                rest = [h for k, h in enumerate(factors) if k not in (i, j)]
                return e.mul(*([e.num(-1)] if sign < 0 else []), tanh, *rest)
    return x


def _quotient_term(x: Expr) -> tuple[int, Expr, Expr] | None:
    """(±1, the denominator, the exponent) of ``±e^c \\oslash d``."""
    sign = 1
    if isinstance(x, e.Mul) and len(x.factors) == 2 and x.factors[0] == e.num(-1):
        sign, x = -1, x.factors[1]
    if not (isinstance(x, e.Had) and len(x.args) == 2):
        return None
    den = next((a for a in x.args if isinstance(a, e.HPow) and a.exp == -1), None)
    num = next((a for a in x.args if isinstance(a, e.Elem) and a.fn == "exp"), None)
    if den is None or num is None:
        return None
    assert isinstance(den, e.HPow) and isinstance(num, e.Elem)
    return sign, den.arg, num.arg


def _entrywise_quotient(x: e.Add, run: Run) -> Expr:
    terms = list(x.terms)
    read = [_quotient_term(t) for t in terms]
    for i, p in enumerate(read):
        if p is None or p[0] != 1:
            continue
        pair = _opposite_exps(p[1], run)
        if pair is None or p[2] not in pair:
            continue
        a, b = pair if p[2] == pair[0] else (pair[1], pair[0])
        for j, q in enumerate(read):
            if j != i and q is not None and q[0] == -1 and q[1] == p[1] and q[2] == b:
                rest = [t for k, t in enumerate(terms) if k not in (i, j)]
                return e.add(e.elem("tanh", a), *rest)
    return x
