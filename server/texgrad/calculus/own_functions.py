r"""A result written with the functions the document defines, by their names.

A kernel the document defines, ``k(\mathbf{x}, \mathbf{x}') = \exp(-\|\mathbf{x} -
\mathbf{x}'\|^2 / 2\ell^2)``, is differentiated through its definition, so the result holds
its body: ``-\frac{1}{\ell^2}\exp(-\frac{\|\mathbf{x} - \mathbf{z}\|^2}{2\ell^2})(\mathbf{x} -
\mathbf{z})``.  A textbook writes ``-\frac{1}{\ell^2}k(\mathbf{x}, \mathbf{z})(\mathbf{x} -
\mathbf{z})``.  :func:`in_function_names` finds each call of such a function in the row (of
more than one parameter, or of arrays: a function of numbers such as σ keeps its name
already), prints its body as the engine prints it, and writes the call where the result
holds that print.  The value is the same; the new result is evaluated against the old one
at random points before it is taken (else the old one stays).
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.context import Context
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.expr import CalculusError, Var
from texgrad.calculus.lower import Lowerer
from texgrad.calculus.printing import printer
from texgrad.calculus.sampling import sample_inputs
from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

MIN_BODY = 12  # a body printed shorter than this reads as well as the call


def calls(tree: t.Node, ctx: Context) -> list[t.Apply]:
    """The calls of the document's functions of several parameters in ``tree``."""
    out = []
    for node in tree.walk():
        found = [node] if isinstance(node, t.Apply) else []
        if isinstance(node, t.Product):  # k(x, z) juxtaposed: a letter and a bracket
            pairs = zip(node.factors, node.factors[1:], strict=False)
            found = [_applied(f, arg) for f, arg in pairs if isinstance(arg, t.Paren)]
        for call in found:
            key = symbol_key(call.func)
            fdef = ctx.env.functions.get(key[0]) if key is not None else None
            if fdef is not None and len(fdef.params) > 1 and len(call.args) == len(fdef.params):
                out.append(call)
    return out


def _applied(func: t.Node, arg: t.Paren) -> t.Apply:
    body = arg.body
    args = tuple(body.items) if isinstance(body, t.List) else (body,) if body else ()
    return t.Apply(start=func.start, end=arg.end, func=func, args=args, parens=True)


def in_function_names(
    result: str, tree: t.Node, ctx: Context, text: str, macros: MacroTable | None = None
) -> str:
    """``result`` with the printed body of each call of ``tree`` written as the call (as
    the document writes it); ``result`` itself where nothing is found or the two differ.
    ``macros``: the document's, through which both are read (``\\vx``)."""
    show = printer(ctx.style)
    new = result
    for call in calls(tree, ctx):
        written = text[call.start : call.end].strip() if call.end <= len(text) else ""
        if not written:
            continue
        try:
            value = Lowerer(ctx.env).lower(call)
        except (CalculusError, RecursionError):
            continue
        printed = [show(value)]
        if isinstance(value, e.Mul) and value.is_scalar and len(value.factors) <= 3:
            # s^2 \exp(…) printed \exp(…) s^{2} inside a longer product: its factors in any order
            parts = [show(f) for f in value.factors]
            printed += [" ".join(p) for p in permutations(parts)]
        for body in printed:
            if len(body) >= MIN_BODY and body in new:
                new = new.replace(body, written)
                break
    if new == result or not _same_value(result, new, ctx, macros or {}):
        return result
    return new


def _same_value(old: str, new: str, ctx: Context, macros: MacroTable) -> bool:
    """Whether the two printed results evaluate alike at random points."""
    a, b = _parsed(old, macros), _parsed(new, macros)
    if a is None or b is None:
        return False

    try:
        read = Lowerer(ctx.env).lower(a)
    except CalculusError:
        return False

    shapes = {v.name: v.shape for v in read.walk() if isinstance(v, Var)}
    functions = {k: (f.params, f.body) for k, f in ctx.env.functions.items()}
    compared = 0
    for seed in range(4):
        try:
            values, sizes = sample_inputs(shapes, rng=np.random.default_rng(11 + seed))
            plain = {**values, **{k: np.array([[float(n)]]) for k, n in sizes.items()}}
            with np.errstate(all="raise"):
                x, y = evaluate(a, plain, functions), evaluate(b, plain, functions)
        except (EvaluationError, FloatingPointError, ValueError, KeyError, ZeroDivisionError):
            continue
        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-9, atol=1e-12):
            return False

        compared += 1
        if compared == 2:
            return True
    return False


def _parsed(latex: str, macros: MacroTable) -> t.Node | None:
    text, _ = expand(MappedText.identity(latex), macros)
    return parse_row(text).tree
