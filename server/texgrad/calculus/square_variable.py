r"""A derivative with respect to a variance written as a square: ``\partial\ell/\partial\sigma^2``
of ``-\frac{n}{2}\log\sigma^2 - \frac{\mathbf r^\top\mathbf r}{2\sigma^2}``, as the profile
likelihoods and the GP evidence take it (the variance, not σ, is the parameter).

The variance ``v = \sigma^2`` is a positive number of its own: the row is rewritten with ``v``
in place of each ``\sigma^2`` and ``v^k`` in place of each ``\sigma^{2k}`` (the same function of
``v > 0``), differentiated with respect to ``v`` as any other variable (verified at random
points as any other), and printed back with ``\sigma^{2k}`` for ``v^k``.  A row that writes σ
any other way (σ alone, an odd power) is refused, as is a printed result holding ``v`` in a
form not translated here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.inverse_variable import is_letter, written_back
from texgrad.calculus.lower import Env, VarInfo
from texgrad.calculus.sympy_dims import SCALAR
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

# the variance's letter while the row is differentiated (texgrad's own stand-in, as the
# precision's in inverse_variable; printed back before anyone sees it)
STAND_IN = "\\beth"


def square_of(wrt_tree: t.Node) -> t.Node | None:
    r"""The letter whose square ``wrt_tree`` is (``\sigma`` of ``\sigma^2``); None otherwise."""
    if not isinstance(wrt_tree, t.Power):
        return None
    exp, base = wrt_tree.exponent, wrt_tree.base
    if not (isinstance(exp, t.Number) and exp.text == "2"):
        return None
    if not isinstance(base, (t.Symbol, t.Sub)) or symbol_key(base) is None:
        return None
    return base


def _even_power(node: t.Node) -> int | None:
    """``k`` of an exponent ``2k`` written as a number; None otherwise."""
    if isinstance(node, t.Number) and node.text.isdigit() and int(node.text) % 2 == 0:
        return int(node.text) // 2
    return None


def with_stand_in(tree: t.Node, key: str) -> t.Node | None:
    r"""``tree`` with the stand-in for each ``\sigma^2`` and its powers for ``\sigma^{2k}``
    (of key ``key``); None where σ is written otherwise, or not at all."""
    by: dict[int, t.Node] = {}
    inside: set[int] = set()
    for node in tree.walk():
        if isinstance(node, t.Power) and is_letter(node.base, key):
            k = _even_power(node.exponent)
            if k is None or k == 0:
                return None  # σ^3, σ^{-2}: not a function of σ² as written
            inside.add(id(node.base))
            loc = _loc(node)
            letter = t.Symbol(name=STAND_IN, font=None, accents=(), **loc)
            power = t.Power(base=letter, exponent=t.Number(text=str(k), **loc), **loc)
            by[id(node)] = letter if k == 1 else power
        elif is_letter(node, key) and id(node) not in inside:
            return None  # σ alone: its sign is not σ²'s to say
    return t.replaced(tree, by) if by else None


def _loc(node: t.Node) -> dict[str, Any]:
    return {"start": node.start, "end": node.end}


def declare_stand_in(env: Env, key: str) -> str | None:
    """Declare the stand-in, a positive number; its key, or None where ``key`` is declared
    other than a number or the stand-in is taken."""
    info = env.vars.get(key)
    if info is not None and not info.shape.is_scalar:
        return None
    stand_in = symbol_key(t.Symbol(name=STAND_IN, font=None, accents=()))
    if stand_in is None or stand_in[0] in env.vars:
        return None
    env.vars[stand_in[0]] = VarInfo(stand_in[0], SCALAR, STAND_IN, positive=True)
    return stand_in[0]


_PRINTED = re.compile(re.escape(STAND_IN) + r"(?![A-Za-z])(?:\^\{(-?\d+)\}|\^(\d))?")


def printed_back(latex: str, written: str) -> str | None:
    r"""``latex`` with ``written^{2k}`` for the stand-in to the power k; None where the stand-in
    appears in a form not translated here."""

    for m in _PRINTED.finditer(latex):
        if latex.startswith("^", m.end()):
            return None  # \beth^{\frac{1}{2}}: not written back

    def one(m: re.Match[str]) -> str:
        k = int(m[1] or m[2] or "1")
        power = str(2 * k)
        return f"{written}^{power}" if len(power) == 1 else f"{written}^{{{power}}}"

    out = _PRINTED.sub(one, latex)
    return None if STAND_IN in out else out


def outcome_back(outcome: DiffOutcome, written: str, asked: str) -> DiffOutcome:
    r"""The outcome by the stand-in as one by ``asked`` (``\sigma^2``): its result,
    differential and steps printed back; an error where one of them cannot be."""
    if outcome.error is not None:
        return replace(outcome, error=outcome.error.replace(STAND_IN, asked))
    where = [w for w in (printed_back(w, written) for w in outcome.where) if w is not None]
    return written_back(
        outcome, asked, lambda latex: printed_back(latex, written),
        ("result", "differential", "function"), where=where, numpy_later=None,
    )  # fmt: skip
