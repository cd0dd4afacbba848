r"""Names the document defines but the row does not use, written back into its result: the
logistic-regression Hessian is ``X^\top S X`` where the page defines
``S = \operatorname{diag}(\mathbf p \odot (\mathbf 1 - \mathbf p))``, not the diagonal
matrix written out again.

A candidate is a definition without parameters that names one of the names the row
already keeps (``\mathbf p`` of ``S``): it is lowered with those names, as the row's
own intermediates are, so that its value is the very part the result holds.  Its value is
added to the names, so verification (which expands every name, and evaluates the document's
definitions as written) checks the answer with it.
"""

from __future__ import annotations

from collections.abc import Callable

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.lower import Env, FunctionDef, Lowerer
from texgrad.calculus.names import replace_part

MAX_CANDIDATES = 40  # definitions looked at (a thesis defines thousands: few name these)


def _candidates(
    functions: dict[str, FunctionDef], wrt: str, names: dict[str, Expr], in_f: set[str]
) -> list[str]:
    r"""Definitions the row does not use that name one of its names (``S`` of the row's
    ``\mathbf p``): not one of the variable alone (``\Lambda = \Sigma^{-1}``, a
    parametrisation of its own, not a part of the answer by Σ)."""
    near = set(names) - {wrt}
    if not near:
        return []
    out = []
    for key, fdef in functions.items():
        if fdef.params or key in names or key in in_f or key == wrt:
            continue
        if fdef.names.isdisjoint(near):
            continue
        out.append(key)
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _contains(x: Expr, part: Expr) -> bool:
    flipped = e.transpose(part) if not part.is_scalar else part
    return any(y == part or y == flipped for y in x.walk())


def refold(
    result: Expr,
    others: list[Expr],
    env: Env,
    after: dict[str, FunctionDef],
    wrt: str,
    names: dict[str, Expr],
    in_f: set[str],
    simplify: Callable[[Expr], Expr],
) -> tuple[Expr, list[Expr], list[str]]:
    """``result`` (and ``others``, the differential shown beside it) with every part equal
    to the value of a name the document defines written as that name; ``names`` gets the
    values of the names used.  Returns them and the keys folded, in the order found."""
    keys = _candidates(env.functions, wrt, names, in_f)
    keys += [k for k in _candidates(after, wrt, names, in_f) if k not in env.functions]
    if any("_{" in k for k in in_f):  # a summand of members (x_i): a member the document
        keys = [k for k in keys if "_{" not in k]  # defines is samples.py's to name back
    if not keys:
        return result, others, []
    if after:  # (read with those in force: a later S = diag(p ⊙ (1 - p)) of the row's p)
        functions = dict(env.functions)
        for k, fdef in after.items():
            functions.setdefault(k, fdef)
        env = Env(env.vars, functions, env.softmax_columns, env.numbers, env.weak)
    lowerer = Lowerer(env, keep_names=True)
    assert lowerer.names is not None
    lowerer.names.update(names)  # (p stays p inside S's value: the row's own reading)
    folded: list[str] = []
    for key in keys:
        try:
            named = lowerer.lower_name(key)
        except CalculusError:
            continue  # a definition that does not read here stays out of the answer
        value = lowerer.names.get(key)
        if named is None or value is None or isinstance(value, (e.Var, e.Num)):
            continue
        if e.depends(value, e.var(key, value.shape)):
            continue
        for form in dict.fromkeys((value, simplify(value))):
            if form.shape != value.shape or not _contains(result, form):
                continue
            v = e.var(key, value.shape, named.symmetric if isinstance(named, e.Var) else False)
            result = replace_part(result, form, v)
            others = [replace_part(x, form, v) for x in others]
            folded.append(key)
            break
    if folded:  # the values the folded names use (a name first met in S's definition)
        for k, x in lowerer.names.items():
            names.setdefault(k, x)
    return result, others, folded


def with_folded(env: Env, after: dict[str, FunctionDef], folded: list[str]) -> Env:
    """``env`` with the definitions after the row that :func:`refold` used: what the
    printed result is read back with."""
    later = {k: after[k] for k in folded if k in after and k not in env.functions}
    if not later:
        return env
    functions = dict(env.functions)
    functions.update(later)
    return Env(env.vars, functions, env.softmax_columns, env.numbers, env.weak)
