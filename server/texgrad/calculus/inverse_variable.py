r"""A derivative with respect to an inverse, as Bishop and the EM texts take it:
``\partial Q / \partial\Sigma_k^{-1}`` of a log-likelihood written with ``\Sigma_k``.

The precision ``P = \Sigma^{-1}`` is a variable of its own: the row is rewritten with ``P`` in
place of each ``\Sigma^{-1}`` and ``P^{-1}`` in place of every other ``\Sigma`` (the same
function, since the map is a bijection of the invertible matrices), differentiated with respect
to ``P`` as any other variable (so verified at random points as any other), and the result
printed back with ``\Sigma^{-1}`` for ``P`` and ``\Sigma`` for ``P^{-1}``.  A printed result
holding ``P`` any other way (a power, a transpose of an inverse the printer spells otherwise)
is not translated: refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.lower import Env
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

# the precision's letter while the row is differentiated (a letter no document uses for a
# matrix: texgrad's own stand-in; printed back before anyone sees it)
STAND_IN = "\\mho"


def inverse_of(wrt_tree: t.Node) -> t.Node | None:
    r"""The matrix whose inverse ``wrt_tree`` is (``\Sigma_k`` of ``\Sigma_k^{-1}``); None for
    anything else."""
    if not isinstance(wrt_tree, t.Power):
        return None
    exp = wrt_tree.exponent
    minus_one = (
        isinstance(exp, t.Neg) and isinstance(exp.operand, t.Number) and exp.operand.text == "1"
    )
    base = wrt_tree.base
    if not minus_one or not isinstance(base, (t.Symbol, t.Sub)) or symbol_key(base) is None:
        return None
    return base


def with_stand_in(tree: t.Node, key: str) -> t.Node | None:
    r"""``tree`` with the stand-in for each ``X^{-1}`` and ``(\text{stand-in})^{-1}`` for
    every other ``X`` (of key ``key``); None where ``X`` is not written in it."""
    by: dict[int, t.Node] = {}
    for node in tree.walk():
        if isinstance(node, t.Power) and is_letter(node.base, key) and inverse_of(node) is not None:
            by[id(node)] = t.Symbol(name=STAND_IN, font=None, accents=(), **_loc(node))
        elif isinstance(node, t.InverseTranspose) and is_letter(node.base, key):
            letter = t.Symbol(name=STAND_IN, font=None, accents=(), **_loc(node))
            by[id(node)] = t.Transpose(base=letter, mark=node.mark, **_loc(node))
        elif is_letter(node, key) and id(node) not in by:
            letter = t.Symbol(name=STAND_IN, font=None, accents=(), **_loc(node))
            minus = t.Neg(operand=t.Number(text="1", **_loc(node)), sign="-", **_loc(node))
            power = t.Power(base=letter, exponent=minus, **_loc(node))
            by[id(node)] = t.Paren(body=power, open="(", close=")", **_loc(node))
    if not by:
        return None
    # the base of a replaced X^{-1} is replaced with it (replaced() stops at the power)
    return t.replaced(tree, by)


def is_letter(node: t.Node, key: str) -> bool:
    """Is ``node`` the letter ``key`` (alone, or with its subscript)?"""
    if not isinstance(node, (t.Symbol, t.Sub)):
        return False
    k = symbol_key(node)
    return k is not None and k[0] == key


def _loc(node: t.Node) -> dict[str, Any]:
    return {"start": node.start, "end": node.end, "from_macro": node.from_macro}


def declare_stand_in(env: Env, key: str) -> str | None:
    """Declare the stand-in as the inverse of ``key`` is: of its shape, symmetric and positive
    definite with it; its key, or None where ``key`` is no declared square matrix."""
    info = env.vars.get(key)
    if info is None or info.shape.rows != info.shape.cols:
        return None
    stand_in = symbol_key(t.Symbol(name=STAND_IN, font=None, accents=()))
    if stand_in is None or stand_in[0] in env.vars:
        return None
    env.vars[stand_in[0]] = replace(info, key=stand_in[0], latex=STAND_IN)
    return stand_in[0]


_PRINTED = re.compile(
    re.escape(STAND_IN) + r"(?![A-Za-z])(\^\{-1\}|\^\{-\\top\}|\^\\top|\^\{\\top\})?"
)


def printed_back(latex: str, written: str) -> str | None:
    r"""``latex`` with ``written^{-1}`` for the stand-in and ``written`` for its inverse
    (``written``: the matrix as the document writes it, ``\Sigma_k``); None where the stand-in
    appears in a form not translated here (a power of it)."""
    for m in _PRINTED.finditer(latex):
        if not m[1] and latex.startswith("^", m.end()):
            return None  # \mho^{2}, \mho^{-2}: not written back

    def one(m: re.Match[str]) -> str:
        tail = m[1] or ""
        if tail == "^{-1}":
            return written
        if tail == "^{-\\top}":
            return f"{written}^\\top"
        if tail:  # a transpose of the precision
            return f"{written}^{{-\\top}}"
        return f"{written}^{{-1}}"

    out = _PRINTED.sub(one, latex)
    return None if STAND_IN in out else out


def outcome_back(outcome: DiffOutcome, written: str, asked: str) -> DiffOutcome:
    r"""The outcome by the stand-in as one by ``asked`` (``\Sigma_k^{-1}``): its result,
    differential and steps printed back; an error where one of them cannot be."""
    if outcome.error is not None:
        return replace(outcome, error=outcome.error.replace(STAND_IN, asked))
    return written_back(outcome, asked, lambda latex: printed_back(latex, written))


def written_back(
    outcome: DiffOutcome, asked: str, back: Callable[[str], str | None],
    names: tuple[str, ...] = ("result", "differential"), **more: Any,
) -> DiffOutcome:  # fmt: skip
    """``outcome`` by a stand-in with ``names`` and its steps printed ``back`` in the
    document's letters, as one by ``asked`` (``more``: other fields to set); an error where
    one of ``names`` cannot be."""
    fields: dict[str, Any] = {}
    for name in names:
        value = getattr(outcome, name)
        printed = back(value) if value else value
        if printed is None:
            return DiffOutcome(error=f"the derivative by `{asked}` is not written back yet")
        fields[name] = printed
    steps = [back(s) for s in outcome.steps]
    return replace(outcome, **fields, steps=[s for s in steps if s is not None], wrt=asked, **more)
