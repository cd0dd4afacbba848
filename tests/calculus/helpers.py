"""What several calculus tests build the same way: a document's context from declarations,
an expression read in it, and a gradient by central differences (the numeric reference)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from texgrad.calculus.context import Context, context_at, row_at
from texgrad.calculus.expr import Expr
from texgrad.calculus.lower import Lowerer
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row


def context_with(where: str, name: str = "doc.tex") -> Context:
    """What a document with these declarations (``;``-separated, one per row) says at its
    last row."""
    decls = [d.strip() for d in where.split(";") if d.strip()]
    text = "\n\n".join(f"${d}$" for d in decls) + "\n\n$z$\n"
    result = Checker().check(name, text=text)
    row = row_at(result, len(text) - 3, len(text) - 2)
    assert row is not None
    return context_at(result, row)


def read_in(ctx: Context, latex: str) -> Expr:
    """``latex`` lowered as the engine reads it in ``ctx``."""
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None, latex
    return Lowerer(ctx.env).lower(tree)


def central_gradient(
    f: Callable[[np.ndarray], float], x0: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """The gradient of ``f`` at ``x0`` by central differences."""
    g = np.zeros_like(x0)
    for k in np.ndindex(*x0.shape):
        d = np.zeros_like(x0)
        d[k] = h
        g[k] = (f(x0 + d) - f(x0 - d)) / (2 * h)
    return g
