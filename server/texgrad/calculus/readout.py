r"""Reading derivatives off a differential df (linear in dX).

- :func:`gradient`: scalar f.  ``df = ⟨G, dX⟩`` and G is found by moving every
  factor off dX — the adjoint of the linear map dX ↦ df, computed symbolically:
  ⟨S, A E B⟩ = ⟨Aᵀ S Bᵀ, E⟩, ⟨S, Eᵀ⟩ = ⟨Sᵀ, E⟩, ⟨s, tr E⟩ = ⟨s I, E⟩,
  ⟨S, a ⊙ E⟩ = ⟨S ⊙ a, E⟩, ⟨S, diag E⟩ = ⟨diag S, E⟩.  That is trace cyclicity
  and transposition, done once for every term.
- :func:`jacobian`: vector f of a vector x, ``df = J dx`` (numerator layout).
- :func:`by_scalar`: f of a scalar t, ``df = f′ dt``.
- :func:`vec_form`: ``vec dF = Σ (Bᵢᵀ ⊗ Aᵢ) vec dX`` for matrix-valued F.
"""

from __future__ import annotations

from collections.abc import Callable

from texgrad.calculus import expr as e
from texgrad.calculus.expr import ONE, CalculusError, Expr, segments

# what differentiating an expression the variable is not in says (a sum's other terms
# take it as a zero)
CONSTANT = "the expression does not involve the variable: its derivative is 0"


def _product(group: list[Expr]) -> Expr:
    return e.mul(*group) if group else e.num(1)


def _split(m: e.Mul) -> tuple[list[Expr], list[Expr], int, list[list[Expr]]]:
    """(left, right, index of the group, groups) around the one factor holding dX."""
    groups = segments(m.factors)
    for gi, g in enumerate(groups):
        for fi, f in enumerate(g):
            if e.has_d(f):
                return g[:fi], g[fi + 1 :], gi, groups
    raise CalculusError("no differential in this term")


def adjoint(x: Expr, seed: Expr) -> Expr:
    """G with ⟨seed, x⟩ = ⟨G, dX⟩, for x linear in dX (``seed`` has x's shape)."""
    if isinstance(x, e.D):
        return seed
    if isinstance(x, e.T):
        return adjoint(x.arg, e.transpose(seed))
    if isinstance(x, e.Add):
        return e.add(*(adjoint(t, seed) for t in x.terms if e.has_d(t)))
    if isinstance(x, e.Mul):
        return _adjoint_product(x, seed)
    if isinstance(x, e.Tr):
        n = x.arg.rows
        return adjoint(x.arg, e.mul(seed, e.identity(n)))
    if isinstance(x, e.Had):
        holder = next(a for a in x.args if e.has_d(a))
        others = [a for a in x.args if a is not holder]
        return adjoint(holder, e.had(seed, *others))
    if isinstance(x, e.DiagM):
        return adjoint(x.arg, e.diag_vector(seed))
    if isinstance(x, e.DiagV):
        return adjoint(x.arg, e.diag_matrix(seed))
    if isinstance(x, e.ExpFrechet):
        return adjoint(x.direction, e.ExpFrechet(e.transpose(x.arg), seed, rows=seed.rows,
                                                 cols=seed.cols))  # fmt: skip
    if isinstance(x, e.Piecewise):
        return _by_cases(x, lambda v: adjoint(v, seed))
    if isinstance(x, e.Vec):  # ⟨s, vec E⟩ = ⟨vec⁻¹ s, E⟩
        return adjoint(x.arg, e.unvec(seed, x.arg.rows, x.arg.cols))
    if isinstance(x, e.Unvec):  # ⟨S, vec⁻¹ e⟩ = ⟨vec S, e⟩
        return adjoint(x.arg, e.vec(seed))
    if isinstance(x, e.Kron):
        raise CalculusError("cannot read a gradient through a Kronecker product")
    from texgrad.calculus.printing import quoted  # (printing imports this module)

    raise CalculusError(f"cannot read a gradient through {quoted(x)}")


def _adjoint_product(m: e.Mul, seed: Expr) -> Expr:
    left, right, gi, groups = _split(m)
    holder = groups[gi][len(left)]
    others = [f for j, g in enumerate(groups) if j != gi for f in g]
    group_value_scalar = e.mul(*groups[gi]).is_scalar if len(groups[gi]) > 1 else holder.is_scalar
    if group_value_scalar:
        # a scalar group c(dX) times the rest M: ⟨S, c M⟩ = c ⟨S, M⟩
        rest = _product(others)
        s = e.inner(seed, rest) if not (rest.is_scalar and seed.is_scalar) else e.mul(seed, rest)
    else:
        s = e.mul(_product(others), seed)  # the scalars scale the seed
    new_seed = e.mul(*(e.transpose(f) for f in reversed(left)), s,
                     *(e.transpose(f) for f in reversed(right)))  # fmt: skip
    return adjoint(holder, new_seed)


def _by_cases(x: e.Piecewise, read: Callable[[Expr], Expr]) -> Expr:
    """A derivative read off each case (0 where the case does not involve dX)."""
    read_off = [read(v) if e.has_d(v) else None for v in x.values]
    some = next(r for r in read_off if r is not None)
    zero = e.num(0) if some.is_scalar else e.zero(some.rows, some.cols)
    values = tuple(r if r is not None else zero for r in read_off)
    return e.piecewise(values, x.lefts, x.rights, x.ops)


def gradient(df: Expr) -> Expr:
    """∇f from df of a scalar f."""
    if not e.has_d(df):
        raise CalculusError(CONSTANT)
    return adjoint(df, e.num(1))


def jacobian(df: Expr, n: object) -> Expr:
    """J with vec(df) = J dx, for df linear in the vector dx (numerator layout)."""
    if not e.has_d(df):
        raise CalculusError(CONSTANT)
    if df.is_scalar:
        return e.transpose(gradient(df))
    if isinstance(df, e.D):
        return e.identity(df.rows)
    if isinstance(df, e.T) and (df.rows == ONE or df.cols == ONE):
        return jacobian(df.arg, n)
    if isinstance(df, e.Add):
        return e.add(*(jacobian(t, n) for t in df.terms if e.has_d(t)))
    if isinstance(df, e.Kron) and df.cols == ONE:
        # (J da) ⊗ b = (J ⊗ b) da and a ⊗ (J db) = (a ⊗ J) db, for vectors a and b
        if e.has_d(df.left) and not e.has_d(df.right):
            return e.kron(jacobian(df.left, n), df.right)
        if e.has_d(df.right) and not e.has_d(df.left):
            return e.kron(df.left, jacobian(df.right, n))
    if isinstance(df, e.Had) and df.cols == ONE:
        holder = next(a for a in df.args if e.has_d(a))
        others = [a for a in df.args if a is not holder]
        return e.mul(e.diag_matrix(e.had(*others)), jacobian(holder, n))
    if isinstance(df, e.Mul):
        return _jacobian_product(df, n)
    if isinstance(df, e.Piecewise):
        return _by_cases(df, lambda v: jacobian(v, n))
    from texgrad.calculus.printing import quoted

    raise CalculusError(f"cannot read a Jacobian through {quoted(df)}")


def _jacobian_product(df: e.Mul, n: object) -> Expr:
    left, right, gi, groups = _split(df)
    holder = groups[gi][len(left)]
    others = [f for j, g in enumerate(groups) if j != gi for f in g]
    rest = _product(others)
    if isinstance(holder, e.Add) and holder.cols != ONE and (left or right):
        # (dM) x with dM a matrix sum (d of a gradient (A/s + …) x): term by term,
        # each d-term of dM then meets the vector it multiplies
        return jacobian(e.add(*(e.mul(rest, *left, t, *right) for t in holder.terms)), n)
    if e.mul(*groups[gi]).is_scalar:
        inner = jacobian(_product(left + [holder] + right), n)  # a 1×n row
        return e.mul(rest, inner)
    if isinstance(holder, e.DiagM) and right and e.mul(*right).cols == ONE:
        r = _product(right)
        return e.mul(rest, *left, e.diag_matrix(r), jacobian(holder.arg, n))
    r = _product(right)
    lmat = _product(left)
    if r.is_scalar:
        return e.mul(rest, r, lmat, jacobian(holder, n))
    if holder.rows == ONE and (not left or lmat.cols == ONE):
        # L (row) R: L Rᵀ times the row's Jacobian
        return e.mul(rest, lmat, e.transpose(r), jacobian(holder, n))
    return e.mul(rest, e.kron(e.transpose(r), lmat if left else e.identity(holder.rows)),
                 jacobian(holder, n))  # fmt: skip


def by_scalar(df: Expr, v: e.Var) -> Expr:
    """f′(t) from df = f′ dt (dt is a scalar factor)."""
    return e.substitute(df, {"d:" + v.name: e.num(1)})


def vec_form(df: Expr, v: e.Var) -> list[tuple[Expr, bool]] | None:
    """vec dF = Σ Kᵢ vec dX: the Kᵢ (and whether dX appears transposed, needing K),
    or None when some term is not of the form A dX B / A dXᵀ B."""
    terms = df.terms if isinstance(df, e.Add) else (df,)
    out: list[tuple[Expr, bool]] = []
    for term in terms:
        factors = term.factors if isinstance(term, e.Mul) else (term,)
        scal = [f for f in factors if f.is_scalar and not e.has_d(f)]
        chain = [f for f in factors if not (f.is_scalar and not e.has_d(f))]
        idx = [i for i, f in enumerate(chain) if e.has_d(f)]
        if len(idx) != 1:
            return None
        i = idx[0]
        holder = chain[i]
        transposed = isinstance(holder, e.T) and isinstance(holder.arg, e.D)
        if not (isinstance(holder, e.D) or transposed):
            return None
        left, right = chain[:i], chain[i + 1 :]
        inner_rows = holder.rows
        inner_cols = holder.cols
        lmat = _product(left) if left else e.identity(inner_rows)
        rmat = _product(right) if right else e.identity(inner_cols)
        out.append((e.mul(*scal, e.kron(e.transpose(rmat), lmat)), transposed))
    return out
