r"""The Jacobian of a vector function of a matrix: ``vec dF = J vec dX``.

Read off a differential ``dF`` linear in ``dX`` (X an m×n matrix) with the identities of
Magnus and Neudecker: ``vec(A E B) = (Bᵀ ⊗ A) vec E``, ``vec(a ⊙ E) = diag(vec a) vec E``,
``vec(vec⁻¹ y) = y``, and a scalar term ``⟨G, E⟩`` gives the row ``(vec G)ᵀ``.  So
``\operatorname{vec}(AXB)`` has the Jacobian ``Bᵀ ⊗ A`` and ``\operatorname{vec}(S^{1/2})``
the inverse Kronecker sum ``(I ⊗ S^{1/2} + S^{1/2} ⊗ I)^{-1}``.  A ``dXᵀ`` gives the
commutation matrix ``K_{mn}`` (``vec(Xᵀ) = K_{mn} vec(X)``), named with its definition.
"""

from __future__ import annotations

from texgrad.calculus import expr as e
from texgrad.calculus.expr import ONE, CalculusError, Expr, segments
from texgrad.calculus.readout import gradient


def vec_jacobian(df: Expr, v: e.Var) -> Expr:
    """J with vec(dF) = J vec(dX), for dF linear in dX (numerator layout)."""
    size = v.rows * v.cols
    if not e.has_d(df):
        return e.zero(df.rows * df.cols, size)
    if df.is_scalar:
        return e.transpose(e.vec(gradient(df)))  # df = ⟨G, dX⟩ = (vec G)ᵀ vec dX
    if isinstance(df, e.D):
        return e.identity(size)
    if isinstance(df, e.T) and isinstance(df.arg, e.D) and v.cols == ONE:
        return e.identity(size)
    if isinstance(df, (e.Vec, e.Unvec)):
        return vec_jacobian(df.arg, v)
    if isinstance(df, e.Add):
        return e.add(*(vec_jacobian(t, v) for t in df.terms if e.has_d(t)))
    if isinstance(df, e.Had):
        holder = next(a for a in df.args if e.has_d(a))
        others = [a for a in df.args if a is not holder]
        return e.mul(e.diag_matrix(e.vec(e.had(*others))), vec_jacobian(holder, v))
    if isinstance(df, e.Mul):
        return _product(df, v)
    if isinstance(df, e.T) and isinstance(df.arg, e.D):  # vec(dXᵀ) = K_{mn} vec(dX)
        return e.commutation(v.rows, v.cols)
    from texgrad.calculus.printing import quoted  # (printing reads the engine's results)

    raise CalculusError(f"cannot read the Jacobian ∂vec F/∂vec X through {quoted(df)}")


def _product(df: e.Mul, v: e.Var) -> Expr:
    """vec(c · L H R) = c (Rᵀ ⊗ L) vec H for the one factor H holding dX; a scalar group
    holding dX times the rest M: vec(s M) = vec(M) J(s)."""
    groups = segments(df.factors)
    at = [gi for gi, g in enumerate(groups) if any(e.has_d(f) for f in g)]
    if len(at) != 1:
        raise CalculusError("cannot read the Jacobian of a product with dX in two places")
    gi = at[0]
    group = groups[gi]
    rest = [f for j, g in enumerate(groups) if j != gi for f in g]
    if e.mul(*group).is_scalar:
        inner = vec_jacobian(e.mul(*group), v)
        return e.mul(e.vec(e.mul(*rest)) if rest else e.num(1), inner)
    holders = [i for i, f in enumerate(group) if e.has_d(f)]
    if len(holders) != 1:
        raise CalculusError("cannot read the Jacobian of a product with dX in two places")
    i = holders[0]
    holder = group[i]
    left = e.mul(*group[:i]) if i else e.identity(holder.rows)
    right = e.mul(*group[i + 1 :]) if i + 1 < len(group) else e.identity(holder.cols)
    if isinstance(left, e.Identity) and isinstance(right, e.Identity):
        outer: Expr = e.identity(holder.rows * holder.cols)
    else:
        outer = e.kron(e.transpose(right), left)
    scale = e.mul(*rest) if rest else e.num(1)
    return e.mul(scale, outer, vec_jacobian(holder, v))
