r"""Derivatives written of a loss summed over samples:
``\nabla_{\mathbf w} \sum_{i=1}^N (\mathbf w^\top \mathbf x_i - y_i)^2 = 2\sum_{i=1}^N
(\mathbf w^\top \mathbf x_i - y_i)\mathbf x_i``.

:func:`compare_sum` differentiates the sum with :mod:`~texgrad.calculus.samples` (every
member of a family a variable of its own, the result verified against central differences
of the sum as written) and evaluates the written side with the tree evaluator at that
module's own random points — every member sampled, a number of terms distinct from every
other size — against the verified derivative there.  It answers True (equal at a point,
as a column or a row), False (differs at :data:`POINTS` points and equal at none) or None
(undecided, with why).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from texgrad.calculus.arrays import Array
from texgrad.calculus.context import Context
from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.differential import Budget, BudgetExceeded
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Var
from texgrad.calculus.samples import (
    _OUTSIDE,
    NotSamples,
    _differentiate,
    _matrix_form,
    _Point,
    _points,
    _size,
    _Term,
    defined_members_written_in,
)
from texgrad.calculus.verify import _close
from texgrad.calculus.written_simplex import unit_vectors_stated
from texgrad.reading.macros import MacroTable
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

POINTS = 3


def compare_sum(
    function: t.Node, claimed: t.Node, wrt: str, ctx: Context, text: str, seconds: float,
    stacks: dict[str, tuple[str, str]] | None = None, macros: MacroTable | None = None,
    hessian: bool = False,
) -> tuple[bool | None, str, DiffOutcome | None]:  # fmt: skip
    r"""Whether ``claimed`` is the derivative of the sum ``function`` by ``wrt`` (see the
    module), why not decided, and the engine's outcome (its verified result in the
    document's sum form).  ``stacks``: the matrices the document says stack a family (a
    member's key → the matrix's key, "row" or "column": "the $\mathbf x_i^	op$ are the
    rows of $X$"), each evaluated from the members sampled where the written side uses it
    (``X^	op(\sigma(X\mathbf w) - \mathbf y)`; ``macros``: the document's, through which
    the derivative written with them (``\vw``) is read back); ``hessian``: the claim is
    of the Hessian (the sum of the summands' Hessians, verified against differences of the
    verified gradient)."""
    budget = Budget(seconds)
    if not ctx.unit_sums:  # "one-hot targets $y_t \in \{0,1\}^K$": sampled so, as diff does
        ctx = replace(ctx, unit_sums=unit_vectors_stated(text, lambda: macros or {}))
    try:
        out, terms = _differentiate(
            function, wrt, ctx, text, budget, "numerator", macros or {}, hessian=hessian
        )
    except (CalculusError, NotSamples, BudgetExceeded) as exc:
        return None, f"sum: {exc}", None
    kinds = ("hessian",) if hessian else ("gradient", "derivative")
    if out.error is not None or not out.verified or out.kind not in kinds:
        return None, "sum: not verified", None
    # (y_n of y_n = \sigma(\mathbf w^\top \mathbf x_n) in the claim too: from each sample)
    claimed = defined_members_written_in(claimed, wrt, ctx.env)[0]
    differ = 0
    try:
        for point in _points(terms, function, wrt, ctx, budget):
            x0 = point.values[wrt]
            try:
                with np.errstate(all="raise"):
                    got = np.asarray(point.derivative(x0), dtype=float)
                    stacked = _stacked(point, stacks or {}, ctx)
                    stacked.update(_entrywise(point, claimed, ctx, x0, stacked))
                    written = point.evaluate_written(claimed, x0, stacked)
            except _OUTSIDE:
                continue
            if written is None:
                return None, "sum: written side not evaluated", out
            w = np.asarray(written, dtype=float)
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(got))):
                continue
            if any(w.shape == g.shape and _close(w, g) for g in (got, got.T)):
                return True, "", out
            unknown = _sized_by_samples(point, claimed, ctx, stacked)
            if unknown is not None:  # ("P stacks the \mathbf p_n^\top", unread): no verdict
                shown = ctx.style.symbols.get(unknown, unknown)
                return (
                    None,
                    (
                        f"sum: its right side writes `{shown}`, as long as the samples are many, "
                        'which the sum does not read: say what it stacks ("the '
                        '$\\mathbf p_n^\\top$ are the rows of $P$")'
                    ),
                    out,
                )
            differ += 1
            if differ == POINTS:
                if hessian:
                    return False, "", out
                return False, "", _as_written(out, terms, claimed, wrt, ctx, stacks, budget)
    except (CalculusError, BudgetExceeded) as exc:
        return None, f"sum: {exc}", out
    return None, "sum: differs at too few points", out


def _as_written(
    out: DiffOutcome, terms: list[_Term], claimed: t.Node, wrt: str, ctx: Context,
    stacks: dict[str, tuple[str, str]] | None, budget: Budget,
) -> DiffOutcome:  # fmt: skip
    r"""The verified derivative in the claim's own form: in matrix form where the claim
    writes a matrix that stacks a family of the sum (``X^\top(\exp(X\mathbf w) - \mathbf
    y)``) and the matrix form is found and verified, else in the sum's form."""
    if not stacks:
        return out
    matrices = {matrix for matrix, _ in stacks.values()}
    if not any((k := symbol_key(n)) is not None and k[0] in matrices for n in claimed.walk()):
        return out
    try:
        matrix = _matrix_form(terms, wrt, ctx, stacks, "numerator", budget)
    except (CalculusError, BudgetExceeded):
        return out
    return matrix if matrix is not None and matrix.result else out


def _stacked(point: _Point, stacks: dict[str, tuple[str, str]], ctx: Context) -> dict[str, Array]:
    r"""The matrices that stack a family the point sampled, by their keys (none of which the
    loss reads itself): its members, numbered from 1 without a gap, as rows or columns of
    the matrix's declared shape.  (A matrix the point sampled only for the size it gives a
    coefficient, X ∈ ℝ^{N×d} for the N of ``\frac{1}{N}\sum_{i=1}^N``, is still stacked.)"""
    out: dict[str, Array] = {}
    read = _read_names(point)
    for member, (matrix, part) in stacks.items():
        base = member.partition("_{")[0]
        seq = point.sequences.get(base)
        info = ctx.env.vars.get(matrix)
        if not seq or info is None or matrix in read or matrix == point.wrt:
            continue
        if sorted(seq) != list(range(1, len(seq) + 1)):
            continue
        parts = [np.asarray(seq[k], dtype=float) for k in sorted(seq)]
        if any(p.ndim != 2 or p.shape[1] != 1 for p in parts):
            continue  # (the members are vectors)
        value = np.hstack(parts) if part == "column" else np.hstack(parts).T
        try:  # (of its declared shape: as many members as it has rows, or columns)
            shape = (_size(info.shape.rows, point.sizes), _size(info.shape.cols, point.sizes))
        except (KeyError, TypeError, ValueError):
            continue
        if value.shape == shape:
            out[matrix] = value
    return out


def _entrywise(
    point: _Point, claimed: t.Node, ctx: Context, x0: Array, stacked: dict[str, Array]
) -> dict[str, Array]:
    r"""The vectors the claim writes whole and the document defines by their entries, one
    per sample (``X^\top(\mathbf z - \mathbf y)``, "where $z_i = \mathbf w^\top\mathbf x_i$"):
    each entry the definition's value at that sample, in the samples' order.  Only a letter
    declared nowhere, defined by one letter of index over one family's members."""
    out: dict[str, Array] = {}
    env = ctx.env
    for n in claimed.walk():
        key = symbol_key(n) if isinstance(n, (t.Symbol, t.Font)) else None
        if key is None or key[0] in env.vars or key[0] in out or key[0] == point.wrt:
            continue
        defined = [
            (k, f) for k, f in env.functions.items()
            if k.startswith(key[0] + "_{") and k.endswith("}") and not f.params
            and len(k) == len(key[0]) + 4 and k[-2].isalpha()
        ]  # fmt: skip
        if len(defined) != 1:
            continue
        entry, fdef = defined[0]
        index = entry[-2]
        suffix = "_{" + index + "}"
        members = {
            k for m in fdef.body.walk()
            if (k := symbol_key(m)) is not None and k[0].endswith(suffix)
        }  # fmt: skip
        bases = {k[0][: -len(suffix)] for k in members}
        seqs = [point.sequences.get(b) for b in bases]
        if len(bases) != 1 or not seqs[0]:
            continue
        seq = seqs[0]
        (base,) = bases
        values = {**point.plain, **stacked, point.wrt: x0}
        column = []
        for number in sorted(seq):
            at = {**values, base + suffix: seq[number]}
            try:
                value = np.asarray(evaluate_tree(fdef.body, at, point.functions), dtype=float)
            except _OUTSIDE:
                break  # (not evaluated: the claim's letter stays unknown, as before)
            if value.shape != (1, 1):
                break
            column.append(value[0, 0])
        else:
            out[key[0]] = np.array(column, dtype=float).reshape(-1, 1)
    return out


def _sized_by_samples(
    point: _Point, claimed: t.Node, ctx: Context, stacked: dict[str, Array]
) -> str | None:
    r"""A letter of the claim that the loss does not read, not stacked from the samples,
    whose declared shape has as many rows or columns as there are samples (``(P -
    Y)^\top X`` where the text says in words the sum does not read that P and Y stack the
    ``\mathbf p_n^\top`` and ``\mathbf y_n^\top``): sampled on its own it would be
    unrelated to the members, so the claim cannot be decided (its key, else None)."""
    counts = {len(seq) for seq in point.sequences.values()}
    read = _read_names(point) | set(stacked) | {point.wrt}
    read |= {  # (y of the y_i the sum reads as its entries: the same numbers)
        m.entry_of for term in point.terms if term.sum is not None
        for m in term.sum.members if m.entry_of is not None
    }  # fmt: skip
    for n in claimed.walk():
        key = symbol_key(n) if isinstance(n, (t.Symbol, t.Font)) else None
        info = ctx.env.vars.get(key[0]) if key is not None else None
        if key is None or info is None or key[0] in read:
            continue
        if any(k == key[0] or k.startswith(key[0] + "_{") for k in ctx.env.functions):
            continue  # (defined, or defined by its entries z_i = w^T x_i: evaluated so)
        try:
            dims = {_size(info.shape.rows, point.sizes), _size(info.shape.cols, point.sizes)}
        except (KeyError, TypeError, ValueError):
            continue
        if dims & counts:
            return key[0]
    return None


def _read_names(point: _Point) -> set[str]:
    """The variables the loss's terms read (as read, and their derivatives)."""
    names: set[str] = set()
    for term in point.terms:
        for x in (term.read, term.result, term.coefficient_read, term.outer_read):
            names |= {v.name for v in x.walk() if isinstance(v, Var)} if x is not None else set()
    return names


__all__ = ["compare_sum"]
