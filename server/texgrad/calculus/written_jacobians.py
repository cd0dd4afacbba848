r"""Jacobians written entry by entry: ``\frac{\partial f_i}{\partial x_j} = a_{ij}``.

A claim ``\partial f_i / \partial x_j = w`` about a vector ``\mathbf f`` the document
defines (``\mathbf f(\mathbf x) = A\mathbf x + \mathbf b``, ``\mathbf s =
\operatorname{softmax}(\mathbf z)``, ``\mathbf h(\mathbf x) = \tanh(\mathbf x)``) says that
``w``, at every value of ``i`` and ``j``, is the entry (i, j) of the Jacobian of ``\mathbf f``
by ``\mathbf x`` — a statement with no layout to choose: the indices say which entry.
:func:`output_entry` finds the vector ``f_i`` is an entry of; :func:`compare_jacobian_entries`
evaluates ``w`` with the independent tree evaluator
(:mod:`~texgrad.calculus.evaluate_tree`) at EVERY (i, j) (``\delta_{ij}``, ``s_i``,
``\tanh^2(x_i)`` read there) and compares it with the engine's verified Jacobian at random
points with a different size for every dimension.  ``\partial h_i / \partial x_i`` (one
letter) claims the diagonal only.  It answers True (equal at a point), False (differs at
:data:`POINTS` points, equal at none) or None (undecided: ``w`` leaves another index free,
or is not a number at each index), and :func:`how_it_differs` says how, where a simple
relation explains it (the indices swapped, the sign, a factor).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array
from texgrad.calculus.components import component, lower_case_entries
from texgrad.calculus.context import Context
from texgrad.calculus.derive import differentiate
from texgrad.calculus.differential import Budget
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.expr import Expr
from texgrad.calculus.lower import Env
from texgrad.calculus.names import replace_part
from texgrad.calculus.tree_notation import free_indices
from texgrad.calculus.written_components import (
    _ERRORS,
    UNREAD,
    close_entries,
    sample_point,
    written_entries,
)
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

POINTS = 3  # points at which the written entries must differ to be reported
TRIES = 8


@dataclass(frozen=True)
class OutputEntry:
    r"""``f_i``: the vector's name as written (``\mathbf f``, ``\mathbf s``), its key, the
    tree differentiated (the name itself where it is defined without parameters, so that the
    engine writes its result in it; else the definition's body) and the index letter."""

    name: t.Node
    key: str
    function: t.Node
    index: str


def output_entry(function: t.Node, var: str, env: Env) -> OutputEntry | None:
    r"""The vector the document defines whose entry ``function`` (``f_i``, ``s_i``,
    ``(\mathbf f)_i``) is, as a function of ``var`` (a parameter ``\mathbf f(\mathbf x)`` of
    that name, or none: ``\mathbf s = \operatorname{softmax}(\mathbf z)``); None otherwise."""
    if not isinstance(function, t.Sub):
        return None
    base, index = function.base, function.index
    if isinstance(base, t.Paren) and base.body is not None and base.open == "(":
        base = base.body
    if not isinstance(base, (t.Symbol, t.Font)) or not isinstance(index, t.Symbol):
        return None
    letter = index.name
    if len(letter) != 1 or not letter.isalpha():
        return None
    key = symbol_key(base)
    fdef = env.functions.get(key[0]) if key is not None else None
    if key is None or fdef is None or key[0] in env.vars:
        return None
    if fdef.params == ():
        return OutputEntry(base, key[0], base, letter)
    if fdef.params == (var,):
        return OutputEntry(base, key[0], fdef.body, letter)
    return None


def compare_jacobian_entries(
    claimed: t.Node, f: Expr, jacobian: Expr, var: e.Var, rows: str, cols: str, env: Env,
    einstein: bool = False,
) -> tuple[bool | None, str, list[tuple[Array, Array]] | None]:  # fmt: skip
    """Whether the written entries agree with the Jacobian (see the module), why not decided
    when they are neither, and (when they differ) the written entries and the Jacobian at
    the last point, side by side, for :func:`how_it_differs`."""
    shapes = {x.name: x.shape for g in (f, jacobian) for x in g.walk() if isinstance(x, e.Var)}
    differ = 0
    pairs: list[tuple[Array, Array]] = []
    for attempt in range(TRIES):
        got = _at(claimed, f, jacobian, var, rows, cols, env, shapes, attempt, einstein)
        if got is None:
            continue
        if got[0] is None:
            return None, got[1], None
        w, g = got
        if close_entries(w, g, diagonal=rows == cols):
            return True, "", None
        differ += 1
        pairs.append((w, g))
        if differ == POINTS:
            return False, "", pairs
    why = "entries not evaluated" if differ == 0 else "entries differ at too few points"
    return None, why, None


def _swapped(
    claimed: t.Node, f: Expr, jacobian: Expr, var: e.Var, rows: str, cols: str, env: Env,
    einstein: bool,
) -> bool:  # fmt: skip
    r"""Whether the written side, which cannot be read at every (i, j) (``a_{ji}`` of an m×n
    ``A``), read with i and j exchanged is the Jacobian at :data:`POINTS` points and at
    every one tried: it writes the entry (j, i)."""
    shapes = {x.name: x.shape for g in (f, jacobian) for x in g.walk() if isinstance(x, e.Var)}
    agree = 0
    for attempt in range(TRIES):
        got = _at(claimed, f, jacobian, var, rows, cols, env, shapes, attempt, einstein, True)
        if got is None:
            continue
        if got[0] is None or not close_entries(got[0], got[1]):
            return False
        agree += 1
        if agree == POINTS:
            return True
    return False


def how_it_differs(pairs: list[tuple[Array, Array]], rows: str, cols: str) -> str:
    """A simple relation between the written entries and the Jacobian's, holding at every
    point compared: the indices swapped, the sign, a constant factor; "" for none."""
    if rows == cols:  # ∂h_i/∂x_i: the diagonal only
        pairs = [(np.diag(np.diag(w)), np.diag(np.diag(g))) for w, g in pairs]
    pairs_ = pairs
    if rows != cols and all(w.shape == g.T.shape and close_entries(w, g.T) for w, g in pairs_):
        return f"{rows} and {cols} are swapped: this is the entry ({cols}, {rows})"
    if all(close_entries(w, -g) for w, g in pairs_):
        return "the sign is wrong"
    ratios = [_factor(w, g) for w, g in pairs_]
    if ratios[0] is not None and all(r is not None and abs(r - ratios[0]) < 1e-6 for r in ratios):
        k = ratios[0]
        if abs(k - round(k)) < 1e-9 and round(k) not in (0, 1):
            return f"it is {round(k)} times the entry"
        if abs(1 / k - round(1 / k)) < 1e-9 and round(1 / k) not in (0, 1, -1):
            return f"it is the entry divided by {round(1 / k)}"
    return ""


def _factor(w: Array, g: Array) -> float | None:
    big = np.abs(g) > 1e-6
    if not big.any() or np.any(np.abs(w[~big]) > 1e-6):
        return None
    ratio = w[big] / g[big]
    return float(ratio[0]) if np.allclose(ratio, ratio[0], rtol=1e-7, atol=1e-9) else None


def _at(
    claimed: t.Node, f: Expr, jacobian: Expr, var: e.Var, rows: str, cols: str, env: Env,
    shapes: Mapping[str, object], attempt: int, einstein: bool, swapped: bool = False,
) -> tuple[Array, Array] | tuple[None, str] | None:  # fmt: skip
    """(written entries, Jacobian) at one random point; (None, why) where the written side
    cannot be read entry by entry at all; None where this point is out of a domain.  With
    ``swapped``, the written side is read with its two indices exchanged (entry (r, c) of
    the result is the written side at i = c, j = r)."""
    try:
        values, sizes, at = sample_point(f, shapes, env, 6100 + attempt)
        with np.errstate(all="raise"):
            g = np.asarray(evaluate(jacobian, values, sizes), dtype=float)
            out = np.asarray(evaluate(f, values, sizes), dtype=float)
    except _ERRORS:
        return None
    x = values.get(var.name)
    if x is None or not np.all(np.isfinite(g)):
        return None
    if g.shape != (out.shape[0], x.shape[0]) or out.shape[1] != 1 or x.shape[1] != 1:
        return None, "not the Jacobian of a vector by a vector"
    if rows == cols and g.shape[0] != g.shape[1]:
        return None, "one index for a Jacobian that is not square"
    if not set(free_indices(claimed, at, einstein)) <= {rows, cols}:
        return None, "indices of the written side not the entry's"

    def index_of(r: int, c: int) -> dict[str, int] | None:
        if rows == cols and r != c:
            return None
        if swapped:
            return {rows: c, cols: r}
        return {rows: r} if rows == cols else {rows: r, cols: c}

    w = written_entries(claimed, at, env, g.shape, index_of, einstein)
    return w if w is None or isinstance(w, tuple) else (w, g)


@dataclass(frozen=True)
class Judgement:
    """What a claim ``∂f_i/∂x_j = w`` is: ``verdict`` True (right), None (undecided, ``why``)
    or False (wrong: ``found``, the entry texgrad verified in index notation, "" if it
    prints none that agrees; ``how`` it differs; ``jacobian``, the engine's result)."""

    verdict: bool | None
    why: str = ""
    found: str = ""
    how: str = ""
    jacobian: str = ""
    where: tuple[str, ...] = ()


def judge(
    claimed: t.Node, output: OutputEntry, var: e.Var, names: tuple[str, ...], ctx: Context,
    seconds: float,
) -> Judgement:  # fmt: skip
    """Differentiates the vector of ``output`` by ``var`` and compares ``claimed`` with the
    entries of its verified Jacobian."""
    if len(names) != 1:
        return Judgement(None, "jacobian entry: by an entry of a matrix")
    outcome = differentiate(output.function, var.name, ctx, "numerator", Budget(seconds))
    if not outcome.verified or outcome.values is None:
        return Judgement(
            None, "jacobian entry: engine " + " ".join((outcome.error or "").split()[:5])
        )
    if outcome.kind != "jacobian":
        return Judgement(None, f"jacobian entry: kind {outcome.kind}")
    f, right, _ = outcome.values
    rows, cols = output.index, names[0]
    named = (
        replace_part(right, f, e.var(output.key, f.shape))
        if output.function is output.name
        else None
    )
    verdict, why, pairs = compare_jacobian_entries(
        claimed, f, right, var, rows, cols, ctx.env, ctx.einstein
    )
    if verdict is None and why == UNREAD and rows != cols:
        if _swapped(claimed, f, right, var, rows, cols, ctx.env, ctx.einstein):
            found = _entry(named, right, claimed, f, var, rows, cols, ctx)
            return Judgement(False, "", found, f"{rows} and {cols} are swapped", outcome.result,
                             tuple(outcome.where))  # fmt: skip
    if verdict is not False or pairs is None:
        return Judgement(verdict, why)
    found = _entry(named, right, claimed, f, var, rows, cols, ctx) if rows != cols else ""
    how = how_it_differs(pairs, rows, cols)
    return Judgement(False, "", found, how, outcome.result, tuple(outcome.where))


def _entry(
    named: Expr | None, right: Expr, claimed: t.Node, f: Expr, var: e.Var, rows: str,
    cols: str, ctx: Context,
) -> str:  # fmt: skip
    r"""The Jacobian's entry (i, j) in index notation (``s_i \delta_{ij} - s_i s_j`` in the
    document's names where the engine's result uses them), "" unless, read back by the tree
    evaluator, it agrees with the Jacobian at every index."""
    lower = lower_case_entries(claimed, ctx.env)
    for jacobian in (named, right):
        if jacobian is None or jacobian.shape != right.shape:
            continue
        try:
            text = component(jacobian, var, (cols,), ctx.style, ctx.env, lower, row=rows).entry
        except _ERRORS:
            continue
        for candidate in dict.fromkeys((_unbold(text), text)):  # x_i for the entries of x
            tree = parse_row(MappedText.identity(candidate)).tree
            if tree is None or "\\left(" in candidate:
                continue
            agrees, _, _ = compare_jacobian_entries(
                tree, f, right, var, rows, cols, ctx.env, ctx.einstein
            )
            if agrees:
                return candidate
    return ""


_BOLD_ENTRY = re.compile(
    r"\\(?:mathbf|boldsymbol|bm)\s*(\{\\?[A-Za-z]+\}|\\[A-Za-z]+|[A-Za-z])\s*_"
)


def _unbold(text: str) -> str:
    r"""``\mathbf x_i`` written ``x_i``, as entries are (read back before it is offered)."""
    return _BOLD_ENTRY.sub(lambda m: m[1].strip("{}") + "_", text)


__all__ = [
    "Judgement", "OutputEntry", "compare_jacobian_entries", "how_it_differs", "judge", "output_entry",
]  # fmt: skip
