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

from collections.abc import Callable, Mapping

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
        if close_entries(w, g):
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
    try:
        values, sizes, at = sample_point(f, shapes, env, 5200 + attempt)
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
    if not free <= set(names):  # (one without an entry's index is alike along it: 1/Σ_j e^{x_j})
        return None, "indices of the written side not the entry's"
    w = written_entries(
        claimed, at, env, g.shape, lambda r, c: dict(zip(names, (r, c), strict=False)), einstein
    )
    return w if w is None or isinstance(w, tuple) else (w, g)


def sample_point(
    f: Expr, shapes: Mapping[str, object], env: Env, seed: int
) -> tuple[dict[str, Array], dict[str, int], dict[str, Array]]:
    """A random point in ``f``'s domain (symmetric where the document says so): the
    values, the dimension sizes, and both as one environment for the written side."""
    pd, pos, sym = _domain(f, env)
    sym = sym | {k for k in shapes if k in env.vars and env.vars[k].symmetric}  # as said
    values, sizes = sample_inputs(
        shapes,  # type: ignore[arg-type]
        positive_definite=pd & set(shapes), positive=pos & set(shapes),
        symmetric=sym & set(shapes), rng=np.random.default_rng(seed),
    )  # fmt: skip
    at: dict[str, Array] = dict(values)
    for name, size in sizes.items():
        at.setdefault(name, np.array([[float(size)]]))
    return values, sizes, at


UNREAD = "written side not read entry by entry"


def written_entries(
    claimed: t.Node, at: Mapping[str, Array], env: Env, shape: tuple[int, ...],
    index_of: Callable[[int, int], dict[str, int] | None], einstein: bool,
) -> Array | tuple[None, str] | None:  # fmt: skip
    """The written side evaluated entry by entry (``index_of``: the indices' values at
    entry (r, c), None to leave it 0); (None, why) where it cannot be read so; None where
    an entry is not finite."""
    w = np.zeros(shape)
    functions = {k: (d.params, d.body) for k, d in env.functions.items()}
    try:
        with np.errstate(all="raise"):
            for r in range(shape[0]):
                for c in range(shape[1]):
                    index = index_of(r, c)
                    if index is None:
                        continue
                    v = evaluate_tree(claimed, at, functions, einstein=einstein, at=index)
                    if np.shape(v) != (1, 1):
                        return None, "written side not a number at each index"
                    w[r, c] = float(v[0, 0])
    except _ERRORS:
        return None, UNREAD
    return w if np.all(np.isfinite(w)) else None


def close_entries(a: Array, b: Array, tol: float = 1e-5, diagonal: bool = False) -> bool:
    """Whether two arrays of entries agree (``diagonal``: on their diagonals only)."""
    if diagonal:
        a, b = np.diag(a), np.diag(b)
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)))
    return bool(np.allclose(a, b, rtol=tol, atol=tol * scale))


__all__ = ["close_entries", "compare_entries", "entry_of", "sample_point", "written_entries"]
