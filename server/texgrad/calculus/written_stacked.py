r"""A gradient or a Hessian of a function of several numbers, written entry by entry:
``\nabla f = \begin{bmatrix} 2x_1x_2 \\ x_1^2 + 3 \end{bmatrix}`` for ``f(x_1, x_2) = x_1^2 x_2
+ 3x_2``, ``\nabla^2 g(x, y) = \begin{pmatrix} … & … \\ … & … \end{pmatrix}``.

The claim is read as one claim per entry: the k-th entry of the gradient is ∂f/∂p_k (of the
k-th parameter of f's definition), the (i, j) entry of the Hessian ∂²f/∂p_i∂p_j.  A gradient
written as a column or as a row is the same list of entries (no layout decides), and the
Hessian of a smooth function is symmetric (no orientation decides).  Each entry is verified
as a written derivative is (:func:`~texgrad.calculus.written_derivatives._compare`: wrong at
several random points, right at none); the first wrong entry is reported, quoting it.

Only where every piece is certain: the function is defined with k ≥ 2 parameters, each a
number (declared so, or declared nothing — the entries written one per parameter say it),
called with those very parameters or not called; the matrix is k×1, 1×k (gradient) or k×k
(Hessian), every entry written (no dots).  Anything else is not this claim (:data:`NOT_STACKED`:
the ordinary check goes on).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from texgrad.calculus.context import Context
from texgrad.calculus.derive import differentiate, differentiate_expr
from texgrad.calculus.differential import Budget
from texgrad.calculus.lower import Env, VarInfo
from texgrad.shapes.dims import ONE, Shape
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

if TYPE_CHECKING:
    from texgrad.calculus.derive import DiffOutcome
    from texgrad.calculus.written_derivatives import Finding, WrittenDerivative
    from texgrad.shapes.check import CheckResult

NOT_STACKED = object()  # the claim is no gradient or Hessian written entry by entry

_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix")


def parameters(function: t.Node | None, env: Env) -> tuple[str, ...] | None:
    """The parameters of ``f`` (``f``, or ``f(x_1, x_2)`` called with its own parameters)
    the document defines with two or more, each a number or undeclared; else None."""
    if function is None:
        return None
    head = function.func if isinstance(function, t.Apply) else function
    if isinstance(head, t.Func):
        return None
    key = symbol_key(head)
    fdef = env.functions.get(key[0]) if key is not None else None
    if fdef is None or len(fdef.params) < 2 or len(set(fdef.params)) != len(fdef.params):
        return None
    if isinstance(function, t.Apply):
        args = [symbol_key(a) for a in function.args]
        if [a[0] if a is not None else None for a in args] != list(fdef.params):
            return None
    for p in fdef.params:
        info = env.vars.get(p)
        if info is not None and not info.shape.is_scalar:
            return None
        if info is None and not _A_NUMBER.fullmatch(p):
            return None  # an undeclared capital letter: maybe a matrix
    fonts = {k for n in fdef.body.walk() if (k := symbol_key(n)) is not None and k[1]}
    if any(k[0] in fdef.params and k[0] not in env.vars for k in fonts):
        return None  # an undeclared bold letter (\mathbf x): maybe a vector
    return fdef.params


# an undeclared letter that is a number by its look: x, x_{1}, \theta, \alpha_{k}
_A_NUMBER = re.compile(
    r"(?:[a-z]|\\(?:alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta"
    r"|vartheta|kappa|lambda|mu|nu|xi|rho|sigma|tau|phi|varphi|chi|psi|omega))"
    r"(?:_\{?[A-Za-z0-9]\}?)?"
)


def _as_numbers(env: Env, params: tuple[str, ...]) -> Env:
    """The environment with the undeclared parameters numbers."""
    vars_ = dict(env.vars)
    for p in params:
        if p not in vars_:
            vars_[p] = VarInfo(p, Shape(ONE, ONE), p)
    return Env(vars_, dict(env.functions), env.softmax_columns, set(env.numbers), set(env.weak))


def check_stacked(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float
) -> Finding | bool | None | object:
    """The verdict on a gradient, Hessian or Jacobian written entry by entry (the module's
    rules): a Finding on its first wrong entry, True where every entry agrees, None where
    one is undecided; :data:`NOT_STACKED` for any other claim."""
    from texgrad.calculus import written_derivatives as wd

    if claim.form not in ("nabla", "hessian", "jacobian"):
        return NOT_STACKED
    if claim.form != "jacobian" and claim.wrt is not None:
        return NOT_STACKED
    params = parameters(claim.function, ctx.env)
    if params is None:
        return NOT_STACKED
    env = _as_numbers(ctx.env, params)
    function = wd._function_tree(claim.function, env)  # type: ignore[arg-type]
    grids = _grids(claim, function, len(params))
    if not grids:
        return NOT_STACKED
    ctx = replace(ctx, env=env)
    wanted = {(c, p) for grid in grids for c, p, _, _ in grid}
    budget = Budget(seconds / (len(wanted) + 1))
    outcomes: dict[tuple[int, tuple[int, ...]], DiffOutcome] = {}
    for c, by in sorted(wanted):
        outcome = differentiate(_component(function, c), params[by[0]], ctx, "numerator", budget)
        if len(by) == 2 and outcome.verified and outcome.value is not None:
            outcome = differentiate_expr(outcome.value, params[by[1]], ctx, "numerator", budget)
        if not outcome.verified or outcome.values is None:
            return wd._undecided(wd._engine_reason(outcome))
        outcomes[(c, by)] = outcome
    first: tuple[t.Node, DiffOutcome, int, tuple[int, ...], tuple[int, int]] | None = None
    undecided = False
    for grid in grids:
        verdict: bool | None = True
        for c, by, cell, at in grid:
            outcome = outcomes[(c, by)]
            assert outcome.values is not None
            f, right, _ = outcome.values
            said = wd._compare(checked, cell, f, right, env, ("plain",), {})
            if said is False:
                first = first or (cell, outcome, c, by, at)
                verdict = False
                break
            if said is None:
                verdict = None
        if verdict is True:
            return True  # (in one arrangement of a Jacobian's entries: either layout)
        undecided = undecided or verdict is None
    if undecided or first is None:
        return None
    return _entry_finding(checked, claim, first, params, ctx)


# an entry's place in a grid: (the component, the parameters by place, the entry, (row, col))
_Entry = tuple[int, tuple[int, ...], t.Node, tuple[int, int]]


def _grids(claim: WrittenDerivative, function: t.Node, k: int) -> list[list[_Entry]]:
    """The entries of the claimed matrix with what each is said to be: one grid for a
    gradient or a Hessian, one for each arrangement of a Jacobian's entries that fits."""
    node = claim.claimed
    if not isinstance(node, t.Matrix) or node.env not in _ENVIRONMENTS:
        return []
    rows = node.rows
    cells = [c for r in rows for c in r]
    width = len(rows[0]) if rows else 0
    if any(c is None or isinstance(c, t.Dots) for c in cells) or any(len(r) != width for r in rows):
        return []
    at = [(i, j, c) for i, r in enumerate(rows) for j, c in enumerate(r) if c is not None]
    if claim.form == "hessian":
        return [[(0, (i, j), c, (i, j)) for i, j, c in at]] if (len(rows), width) == (k, k) else []
    if claim.form == "nabla":
        if (len(rows), width) == (k, 1):
            return [[(0, (i,), c, (i, j)) for i, j, c in at]]
        if (len(rows), width) == (1, k):
            return [[(0, (j,), c, (i, j)) for i, j, c in at]]
        return []
    m = len(_components(function))
    if m < 2:
        return []
    grids: list[list[_Entry]] = []
    if (len(rows), width) == (m, k):  # ∂F_i/∂p_j along the rows (numerator layout)
        grids.append([(i, (j,), c, (i, j)) for i, j, c in at])
    if (len(rows), width) == (k, m):  # or down the columns (denominator layout)
        grids.append([(j, (i,), c, (i, j)) for i, j, c in at])
    return grids


def _components(function: t.Node) -> tuple[t.Node, ...]:
    r"""The entries of a function defined as a tuple, ``(r\cos\theta, r\sin\theta)``."""
    if isinstance(function, t.Paren) and isinstance(function.body, t.List):
        return tuple(i for i in function.body.items if i is not None)
    return ()


def _component(function: t.Node, c: int) -> t.Node:
    parts = _components(function)
    return parts[c] if parts else function


def _entry_finding(
    checked: CheckResult,
    claim: WrittenDerivative,
    first: tuple[t.Node, DiffOutcome, int, tuple[int, ...], tuple[int, int]],
    params: tuple[str, ...],
    ctx: Context,
) -> Finding:
    """The finding on a wrong entry: "`x_1^2` is not the entry 2 of `\\nabla f`, the
    derivative by `x_2`: texgrad finds …"."""
    from texgrad.calculus import written_derivatives as wd

    cell, outcome, c, by, (i, j) = first
    entry = replace(claim, claimed=cell, form="partial")
    found = wd._finding(checked, entry, outcome, params[by[-1]], ctx=ctx, forms=("plain",))
    head = found.message.find(": texgrad finds")
    said = wd._source(checked, claim.derivative)
    if head < 0 or not said:
        return found
    claimed = wd._source(checked, cell) or "this"
    spelled = [_spelled(checked, claim, ctx, params, n) for n in by]
    place = f"entry {i + 1}" if claim.form == "nabla" else f"({i + 1}, {j + 1}) entry"
    if claim.form == "hessian":
        what = f"the second derivative by {spelled[0]} and {spelled[1]}"
    elif claim.form == "jacobian":
        what = f"the derivative of its entry {c + 1} by {spelled[0]}"
    else:
        what = f"the derivative by {spelled[0]}"
    message = f"`{claimed}` is not the {place} of `{said}`, {what}"
    return replace(found, message=message + found.message[head:])


def _spelled(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, params: tuple[str, ...], n: int
) -> str:
    """The n-th parameter as the document writes it: the claim's own argument, else its
    declaration's spelling, else its name."""
    from texgrad.calculus import written_derivatives as wd

    function = claim.function
    if isinstance(function, t.Apply) and len(function.args) == len(params):
        written = wd._source(checked, function.args[n])
        if written:
            return f"`{written}`"
    info = ctx.env.vars.get(params[n])
    if info is not None and info.latex and info.latex != params[n]:
        return f"`{info.latex}`"
    return "`" + re.sub(r"_\{(\w)\}", r"_\1", params[n]) + "`"  # x_{2} as written, x_2
