r"""A sum over a shifted family vectorised as NumPy code: ``\sum_t \|h_t - W h_{t-1}\|^2``
by W as ``2(H_1 W^\top - H_0)^\top H_1``-like matrix code over two slices of one array.

The loop's function takes the family as one 2-D array whose row k is a member (as
:mod:`~texgrad.calculus.sample_code` writes it); each member of the summand (``h_t``,
``h_{t-1}``) is a slice of those rows, as many as the sum has terms.  The summand is read
over stacked matrices, one per member, by the matrix form's pipeline (every slice a matrix
of its own, the loss checked equal to the sum of the summands), and a second function with
the loop's parameters cuts the slices and calls the matrix code; it is run at the
verifier's own points against the verified derivative, and offered only if it agrees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

import sympy

from texgrad.calculus.context import Context
from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.lower import Env, VarInfo
from texgrad.calculus.sample_code import SumCode, SumPoint, check_sum_code
from texgrad.shapes.dims import Shape

ONE = sympy.Integer(1)


def shifted_layout(
    members: Iterable[tuple[str, str, int, Shape, str | None]], ctx: Context
) -> tuple[Context, dict[str, tuple[str, str]], dict[str, tuple[str, int]]] | None:
    """A context where each member ``(key, base, shift, shape, entry_of)`` of one sum is a
    stacked matrix of its own (n×d, a fresh n), the stacks (member key → matrix key, "row"),
    and each matrix key's family and shift; None where a member is no vector of a family
    (an entry, a matrix) or no member is shifted."""
    listed = list(members)
    if not any(shift for _, _, shift, _, _ in listed):
        return None
    n = sympy.Symbol("n_{terms}", positive=True, integer=True)
    env = Env(
        {k: replace(v) for k, v in ctx.env.vars.items()},
        dict(ctx.env.functions),
        weak=set(ctx.env.weak),
    )
    symbols = dict(ctx.style.symbols)
    stacks: dict[str, tuple[str, str]] = {}
    keys: dict[str, tuple[str, int]] = {}
    for i, (key, base, shift, shape, entry_of) in enumerate(listed):
        if entry_of is not None or shape.cols != ONE or shape.rows == ONE:
            return None
        stacked = f"{base}_{{\\ast {i}}}"
        env.vars[stacked] = VarInfo(stacked, Shape(n, shape.rows), stacked)
        symbols[stacked] = f"{symbols.get(base, base)}_{{s{i}}}"
        stacks[key] = (stacked, "row")
        keys[stacked] = (base, shift)
    return Context(env, replace(ctx.style, symbols=symbols)), stacks, keys


def wrapped(
    matrix: DiffOutcome,
    loop: SumCode,
    keys: dict[str, tuple[str, int]],
    written: str,
    points: Callable[[], Iterable[SumPoint]],
) -> str:
    """The loop's function vectorised: the matrix code renamed private, and a function with
    the loop's parameters that cuts each member's slice from its family's array and calls it;
    checked at ``points``; "" where it cannot be written or disagrees."""
    code = matrix.code
    if code is None or not matrix.numpy:
        return ""
    families = {f.base: f for f in loop.families}
    shifts = [s for _, s in keys.values()]
    low, span = min(shifts), max(shifts) - min(shifts)
    arrays = {key: name for name, key, _ in loop.arrays}
    sizes = {dim: name for name, dim in loop.sizes}
    args = []
    said = []
    used: set[str] = set()
    for p in code.params:
        if p.key in keys:
            base, shift = keys[p.key]
            fam = families.get(base)
            if fam is None or fam.shape.cols != ONE:
                return ""
            used.add(fam.name)
            off = shift - low
            args.append(f"{p.name}={fam.name}[{off}:{off} + n]")
            said.append(
                f"    {p.name}: rows {off} to {off} + n - 1 of {fam.name}, the members at label {fam.index}{shift:+d}"
                if shift
                else f"    {p.name}: rows {off} to {off} + n - 1 of {fam.name}, the members at label {fam.index}"
            )
        elif p.size and p.key in sizes:
            args.append(f"{p.name}={sizes[p.key]}")
        elif not p.size and p.key in arrays:
            args.append(f"{p.name}={arrays[p.key]}")
        else:
            return ""
    found = re.search(r"^def \w+\(([^)]*)\):", loop.source, re.M)
    if found is None or not used:
        return ""
    params = found.group(1)
    inner = f"_{code.function}_stacked"
    head, body = matrix.numpy.split("\n\n\n", 1)
    body = body.replace(f"def {code.function}(", f"def {inner}(", 1)
    first = next(iter(used))
    names = ", ".join(sorted(used))
    lines = [
        f"def {loop.function}_vectorised({params}):",
        f'    r"""The gradient of f = {written}, the samples as matrices: each member of the',
        f"    summand a slice of the rows of {names}, computed by {inner}.",
        "",
        "    Parameters as for " + loop.function + "; with n the number of terms,",
        *said,
        '    """',
    ]
    for name in sorted(used):
        lines.append(f"    {name} = np.asarray({name}, dtype=float).reshape(len({name}), -1)")
    lines.append(f"    n = len({first}) - {span}  # the terms of the sum")
    lines.append(f"    return {inner}({', '.join(args)})")
    source = head + "\n\n\n" + "\n".join(lines) + "\n\n\n" + body.rstrip("\n") + "\n"
    if "import numpy as np" not in head:
        return ""
    candidate = replace(loop, source=source, function=f"{loop.function}_vectorised")
    if check_sum_code(candidate, points()) is not None:
        return ""
    return source
