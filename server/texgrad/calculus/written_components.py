r"""Derivatives written by one entry: ``\frac{\partial f}{\partial x_i} = 2(A\mathbf x)_i``.

A claim ``\partial f / \partial x_i = w`` (or ``\partial f / \partial X_{ij}``, ``a_{ij}`` of
a declared ``A``) says ``w``, at every value of its free indices, is the entry of the
gradient of ``f`` by the whole variable.  :func:`compare_entries` evaluates the written
side with the independent tree evaluator (:mod:`~texgrad.calculus.evaluate_tree`) at EVERY
index value (i = 1..n, j = 1..m) and compares it with the engine's verified gradient at
random points with a different size for every dimension.  It answers True (equal at a
point), False (differs at :data:`POINTS` points and equal at none) or None (undecided:
the written side cannot be read entry by entry, e.g. it leaves an index free that is not
the entry's, or it is not a number at every index).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.indices import IndexReader
from texgrad.calculus.lower import Env
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.tree_notation import free_indices
from texgrad.calculus.verify import _domain
from texgrad.syntax import tree as t

POINTS = 3  # points at which the written entries must differ to be reported
TRIES = 8

_ERRORS = (
    EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
    OverflowError, ValueError, KeyError, TypeError, IndexError, CalculusError, RecursionError,
)  # fmt: skip


def entry_of(wrt: t.Node, env: Env) -> tuple[e.Var, tuple[str, ...]] | None:
    """``x_i``, ``X_{ij}``, ``a_{ij}``: the declared vector or matrix whose entry ``wrt``
    names, and its index letters; None for anything else (a variable of its own)."""
    try:
        return IndexReader(env).entry_var(wrt)
    except _ERRORS:
        return None


def compare_entries(
    claimed: t.Node, f: Expr, gradient: Expr, var: e.Var, names: tuple[str, ...], env: Env,
    einstein: bool = False,
) -> tuple[bool | None, str]:  # fmt: skip
    """Whether the written entries agree with the gradient (see the module), and why not
    decided when they are neither."""
    shapes = {x.name: x.shape for g in (f, gradient) for x in g.walk() if isinstance(x, e.Var)}
    if var.symmetric:
        return None, "entry of a symmetric matrix"  # ∂f/∂x_{ij} of a symmetric X: conventions
    differ = 0
    for attempt in range(TRIES):
        got = _at(claimed, f, gradient, var, names, env, shapes, attempt, einstein)
        if got is None:
            continue
        if got[0] is None:
            return None, got[1]
        w, g = got
        if _close(w, g):
            return True, ""
        differ += 1
        if differ == POINTS:
            return False, ""
    return None, "entries not evaluated" if differ == 0 else "entries differ at too few points"


def _at(
    claimed: t.Node, f: Expr, gradient: Expr, var: e.Var, names: tuple[str, ...], env: Env,
    shapes: Mapping[str, object], attempt: int, einstein: bool,
) -> tuple[Array, Array] | tuple[None, str] | None:  # fmt: skip
    """(written entries, gradient) at one random point; (None, why) where the written side
    cannot be read entry by entry at all; None where this point is out of a domain."""
    pd, pos, sym = _domain(f, env)
    sym = sym | {k for k in shapes if k in env.vars and env.vars[k].symmetric}  # as said
    rng = np.random.default_rng(5200 + attempt)
    try:
        values, sizes = sample_inputs(
            shapes,  # type: ignore[arg-type]
            positive_definite=pd & set(shapes), positive=pos & set(shapes),
            symmetric=sym & set(shapes), rng=rng,
        )  # fmt: skip
        at: dict[str, Array] = dict(values)
        for name, size in sizes.items():
            at.setdefault(name, np.array([[float(size)]]))
        with np.errstate(all="raise"):
            g = np.asarray(evaluate(gradient, values, sizes), dtype=float)
    except _ERRORS:
        return None
    want = values.get(var.name)
    if want is None or not np.all(np.isfinite(g)):
        return None
    if g.shape != want.shape and g.T.shape == want.shape:
        g = g.T  # a gradient by a vector the engine gives as a row
    if g.shape != want.shape:
        return None, "gradient not of the variable's shape"
    free = set(free_indices(claimed, at, einstein))
    if not free <= set(names) or not set(names) <= free:
        return None, "indices of the written side not the entry's"
    w = np.zeros(g.shape)
    functions = {k: (d.params, d.body) for k, d in env.functions.items()}
    try:
        with np.errstate(all="raise"):
            for r in range(g.shape[0]):
                for c in range(g.shape[1]):
                    index = dict(zip(names, (r, c), strict=False))
                    v = evaluate_tree(claimed, at, functions, einstein=einstein, at=index)
                    if np.shape(v) != (1, 1):
                        return None, "written side not a number at each index"
                    w[r, c] = float(v[0, 0])
    except _ERRORS:
        return None, "written side not read entry by entry"
    if not np.all(np.isfinite(w)):
        return None
    return w, g


def _close(a: Array, b: Array, tol: float = 1e-5) -> bool:
    scale = max(1.0, float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)))
    return bool(np.allclose(a, b, rtol=tol, atol=tol * scale))


__all__ = ["compare_entries", "entry_of"]
