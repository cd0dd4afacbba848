"""What can be differentiated in a row, before doing it: one plan per variable."""

from __future__ import annotations

from dataclasses import dataclass, replace

from texgrad.calculus import expr as e
from texgrad.calculus.context import Context
from texgrad.calculus.expr import ONE, CalculusError, Expr
from texgrad.calculus.indices import lower_formula
from texgrad.calculus.lower import Lowerer
from texgrad.calculus.requests import applied, row_request
from texgrad.calculus.samples import is_sample_sum, sum_variables, undefined_in_sum
from texgrad.calculus.written import statements
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key


@dataclass(frozen=True)
class DiffPlan:
    """One differentiation a front can offer at a place, before doing it."""

    wrt: str  # the variable as the document writes it (pass it back as ``wrt``)
    kind: str  # gradient, jacobian, derivative, matrix
    function: str  # "f" for a row `f(x) = …`, else ""
    hessian_available: bool  # scalar function of a vector
    row_start: int  # the math row's source range
    row_end: int
    argument: bool = False  # an argument the row names: ``\\ell(\\mathbf{w}) = …``


def statement_at(tree: t.Node, start: int, end: int) -> t.Node:
    """Of a row listing several statements (``\\mu = …, \\qquad \\sigma^2 = …``), the one
    at [start, end) — the first that overlaps it, else the first; any other row is itself."""
    if not isinstance(tree, t.Chain):
        return tree
    parts = statements(tree)
    if len(parts) == 1:
        return tree
    return next((p for p in parts if p.start < end and p.end >= start), parts[0])


def stated_jacobian(tree: t.Node, ctx: Context) -> t.Apply | None:
    r"""The left side of a row stating a Jacobian, ``J_g(\mathbf x) = A\mathbf x`` of a
    function ``g`` the document defines: a claim of g's derivative, which texgrad checks
    (``written_derivatives``), not a function ``J_g`` to differentiate; None for any other
    row (``J_k(\theta) = …`` of an index k: a function of its own)."""
    head = jacobian_head(tree)
    if head is None:
        return None
    assert isinstance(head.func, t.Sub)
    named = symbol_key(head.func.index)
    return head if named is not None and named[0] in ctx.env.functions else None


def jacobian_head(tree: t.Node) -> t.Apply | None:
    r"""The ``J_g(\mathbf x)`` a row starts with (written as a Jacobian), else None."""
    if not isinstance(tree, t.Chain) or len(tree.items) < 2:
        return None
    head = tree.items[0]
    if (
        isinstance(head, t.Apply)
        and isinstance(head.func, t.Sub)
        and isinstance(head.func.base, t.Symbol)
        and head.func.base.name == "J"
        and not head.func.base.accents
    ):
        return head
    return None


def stated_jacobian_reason(head: t.Apply, text: str) -> str:
    """Why a row stating a Jacobian (:func:`stated_jacobian`) offers nothing to
    differentiate, in the document's own writing."""
    assert isinstance(head.func, t.Sub)
    own = text[head.start : head.end]
    g = text[head.func.index.start : head.func.index.end].strip().strip("{}").strip()
    return (
        f"`{own}` states the Jacobian of `{g}`: texgrad checks it against the derivative of "
        f"`{g}` (differentiate `{g}` where it is defined), and does not differentiate it as a "
        "function of its own"
    )


def plans_of(row: PlacedRow, ctx: Context, offset: int | None = None) -> list[DiffPlan]:
    """One plan per variable of the row's expression (in order of appearance), with the
    kind of result it will be; none if the row cannot be read.  ``offset``: of a row
    listing several statements (``z = Wx + b, \\quad a = \\tanh z, \\quad L = …``), the one
    there, by the variables it depends on only (the parameters before the data, where it
    goes through named intermediates)."""
    assert row.tree is not None
    function = ""
    tree = row.tree if offset is None else statement_at(row.tree, offset, offset + 1)
    if stated_jacobian(tree, ctx) is not None:
        return []  # J_g(x) = A x: a claim of g's derivative (checked), not a function J_g
    if isinstance(tree, t.Chain) and isinstance(tree.items[0], t.Apply):
        k = symbol_key(tree.items[0].func)
        function = ctx.style.symbols.get(k[0], k[0]) if k is not None else ""
    try:
        f, _ = lower_formula(tree, ctx.env, ctx.einstein)
    except (CalculusError, RecursionError):
        return _through_constants(row, tree, ctx, function) or _sum_plans(row, ctx, function)
    plans: list[DiffPlan] = []
    seen: set[str] = set()
    for x in f.walk():
        if (
            isinstance(x, e.Var)
            and x.name not in seen
            and x.name in ctx.env.vars
            and x.name not in ctx.env.numbers  # 1/N: a number, not a variable
        ):
            seen.add(x.name)
            plans.append(_plan(row, tree, f, x, ctx, function))
    plans.extend(_named_plans(row, tree, f, ctx, function, seen))
    listed = tree is not row.tree  # (a forward pass: z = Wx + b, a = tanh z, …)
    return own_arguments_first(_parameters_first(plans, tree, ctx, listed), tree, ctx)


def _plan(row: PlacedRow, tree: t.Node, f: Expr, x: e.Var, ctx: Context, function: str) -> DiffPlan:
    r"""The plan by ``x`` of the row whose value is ``f``, read as taking it will read it
    (:func:`~texgrad.calculus.requests.row_request`): by the variable of a derivative the row
    writes (``\nabla_{\mathbf w} g = 2A^\top A\mathbf w`` by w), the derivative written —
    the gradient of g, a Hessian for ``\nabla^2`` — titled so; by another, the value's."""
    wrt = ctx.style.symbols.get(x.name, x.name)
    asked = row_request(tree, x.name)
    if asked is not None and asked.body is not None and asked.problem is None:
        if asked.differential:  # \mathrm d F = …: its value, dF, by x
            return DiffPlan(wrt, "matrix", function, False, row.start, row.end)
        named = asked.body.func if isinstance(asked.body, t.Apply) else asked.body  # g(w)
        head = symbol_key(named)
        fdef = ctx.env.functions.get(head[0]) if head is not None else None
        body = applied(asked.body, fdef.params if fdef is not None else None, asked.wrt)
        try:
            g = Lowerer(ctx.env).lower(body)
        except (CalculusError, RecursionError):
            g = None
        if g is not None:
            name = ctx.style.symbols.get(head[0], head[0]) if head is not None else function
            if asked.hessian:
                return DiffPlan(wrt, "hessian", name, False, row.start, row.end)
            vector = g.is_scalar and x.cols == ONE and not x.is_scalar
            return DiffPlan(wrt, _kind_of(g, x), name, vector, row.start, row.end)
    vector = f.is_scalar and x.cols == ONE and not x.is_scalar
    return DiffPlan(wrt, _kind_of(f, x), function, vector, row.start, row.end)


_DATA_LETTERS = frozenset({"x", "y", "t", "X", "Y"})


def _parameters_first(
    plans: list[DiffPlan], tree: t.Node, ctx: Context, listed: bool
) -> list[DiffPlan]:
    r"""Where ``tree`` goes through intermediates the document names (``\mathbf a`` of
    ``\mathbf a = \tanh\mathbf z``), the plans by the data (an input ``\mathbf x``, a target
    ``\mathbf y``, ``t``) after the others (the parameters: W, b), each group in order; so
    too in a row that lists such definitions (``listed``)."""
    value = tree.items[-1] if isinstance(tree, t.Chain) else tree
    named = listed or any(
        (k := symbol_key(n)) is not None
        and k[0] not in ctx.env.vars
        and (fdef := ctx.env.functions.get(k[0])) is not None
        and not fdef.params
        for n in (value.walk() if value is not None else ())
    )
    if not named:
        return plans
    key_of = {ctx.style.symbols.get(k, k): k for k in ctx.env.vars}

    def data(p: DiffPlan) -> bool:
        return key_of.get(p.wrt, p.wrt).partition("_{")[0] in _DATA_LETTERS

    return sorted(plans, key=data)  # (stable)


def _named_plans(
    row: PlacedRow, tree: t.Node, f: Expr, ctx: Context, function: str, seen: set[str]
) -> list[DiffPlan]:
    r"""A plan by each name the row writes that the document defines (``K_y`` of ``K_y =
    K_f + \sigma_n^2 I``, ``\Lambda = \Sigma^{-1}``, ``\mathbf{a} = \sigma(\mathbf{z})``),
    after the declared variables: ``texgrad diff --wrt K_y`` holds the name as a variable of
    its value's shape, and the editor offers what the command line answers.  ``tree``: the
    row's, or the statement asked of a row listing several."""
    parts = tree.items[1:] if isinstance(tree, t.Chain) else (tree,)  # not the row's own head
    plans: list[DiffPlan] = []
    for part in parts:
        for node in part.walk() if part is not None else ():
            key = symbol_key(node)
            fdef = ctx.env.functions.get(key[0]) if key is not None else None
            if key is None or fdef is None or fdef.params or key[0] in seen:
                continue
            seen.add(key[0])
            rest = {k: d for k, d in ctx.env.functions.items() if k != key[0]}
            try:
                value = Lowerer(replace(ctx.env, functions=rest)).lower(fdef.body)
            except (CalculusError, RecursionError):
                continue
            plans.append(
                DiffPlan(
                    ctx.style.symbols.get(key[0], key[0]),
                    _kind_of(f, value),
                    function,
                    f.is_scalar and value.cols == ONE and not value.is_scalar,
                    row.start,
                    row.end,
                )
            )
    return plans


def own_arguments_first(plans: list[DiffPlan], tree: t.Node, ctx: Context) -> list[DiffPlan]:
    r"""The plans by the variables the row names as its function's arguments first, in the
    order written (``\ell(\mathbf{w}) = …``: w before the data y, whatever comes first in
    the body), then the others in order of appearance."""
    if not (isinstance(tree, t.Chain) and isinstance(tree.items[0], t.Apply)):
        return plans
    own: list[str] = []
    for arg in tree.items[0].args:
        k = symbol_key(arg)
        if k is not None:
            own.append(ctx.style.symbols.get(k[0], k[0]))
    rank = {w: i for i, w in enumerate(own)}
    marked = [replace(p, argument=p.wrt in rank) for p in plans]
    return sorted(marked, key=lambda p: rank.get(p.wrt, len(rank)))  # (stable: the rest kept)


def _through_constants(row: PlacedRow, tree: t.Node, ctx: Context, function: str) -> list[DiffPlan]:
    r"""The plans of a row that reads only with the names it uses that do not involve the
    variable kept as constants (``J(\mathbf w) = \sigma_d^2 - 2\mathbf p^\top\mathbf w + …``
    with ``\sigma_d^2 = \mathbb{E}[d^2]``: by w, σ_d² stands for a number), read as taking
    it reads them (``derive._relevant``): one per declared variable the row writes."""
    from texgrad.calculus.derive import _relevant  # (derive imports this module's users)

    plans: list[DiffPlan] = []
    written = {k[0] for n in tree.walk() if (k := symbol_key(n)) is not None}
    for key in [k for k in ctx.env.vars if k in written and k not in ctx.env.numbers]:
        env, opaque = _relevant(ctx.env, key)
        try:
            f = Lowerer(env, keep_names=True, opaque=opaque).lower(tree)
        except (CalculusError, RecursionError):
            continue
        x = next((v for v in f.walk() if isinstance(v, e.Var) and v.name == key), None)
        if x is not None:
            plans.append(_plan(row, tree, f, x, replace(ctx, env=env), function))
    return own_arguments_first(_parameters_first(plans, tree, ctx, False), tree, ctx)


def _sum_plans(row: PlacedRow, ctx: Context, function: str) -> list[DiffPlan]:
    """A loss summed over samples (``\\sum_i (w^\\top x_i - y_i)^2``): a gradient (or
    derivative) by each declared variable that is not summed over; no Hessian."""
    assert row.tree is not None
    if not is_sample_sum(row.tree, ctx.env) or undefined_in_sum(row.tree, ctx.env) is not None:
        return []  # (a function the document does not define: diff refuses it, so no plan)
    plans = []
    for key in sum_variables(row.tree, ctx.env):
        scalar = ctx.env.vars[key].shape.is_scalar
        kind = "derivative" if scalar else "gradient"
        wrt = ctx.style.symbols.get(key, key)
        plans.append(DiffPlan(wrt, kind, function, False, row.start, row.end))
    return plans


def _kind_of(f: Expr, v: Expr) -> str:
    if v.is_scalar:
        return "derivative"
    if f.is_scalar:
        return "gradient"
    if f.cols == ONE:  # of a vector, or ∂vec F/∂vec X of a matrix (derive's choice)
        return "jacobian"
    return "matrix"
