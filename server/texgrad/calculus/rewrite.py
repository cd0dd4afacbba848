r"""Local identities the simplifier applies before it expands: within one product, and
within one matrix chain.

In a product: powers of one scalar base add up (``\sigma^{-1} \sigma (1 - \sigma) =
1 - \sigma``), a sum of squares is a squared norm, a factor is absorbed into a Hadamard
product when that cancels something, ``\operatorname{diag}(v) u = v \odot u``.  In a
chain: ``X^{-3} X^2 = X^{-1}``, ``X^\top X^{-\top} = I``, an inverse of a product split
where that cancels.  Every rewrite is an identity.
"""

from __future__ import annotations

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import Expr


def sum_of_squares(m: e.Mul) -> Expr:
    r"""``\mathbf{1}^\top (v^{\circ 2}) = v^\top v`` (a sum of squares is a squared norm)."""
    fs = list(m.factors)
    for i in range(len(fs) - 1):
        a, h = fs[i], fs[i + 1]
        if (
            isinstance(a, e.Ones)
            and a.rows == e.ONE
            and isinstance(h, e.HPow)
            and h.exp == 2
            and h.cols == e.ONE
            and not e.has_d(h)
        ):
            fs[i : i + 2] = [e.mul(e.transpose(h.arg), h.arg)]
            return e.mul(*fs)
    return m


def absorb_into_hadamard(m: e.Mul) -> Expr:
    """``a^\\top (b \\odot c) = \\mathbf{1}^\\top (a \\odot b \\odot c)`` when that cancels
    something (``s^\\top (y \\odot s^{\\circ -1}) = \\mathbf{1}^\\top y``)."""
    fs = list(m.factors)
    for i in range(len(fs) - 1):
        a, h = fs[i], fs[i + 1]
        if isinstance(a, e.T) and a.rows == e.ONE and isinstance(h, e.Had) and h.cols == e.ONE:
            merged = e.had(a.arg, *h.args)
            if not isinstance(merged, e.Had) or len(merged.args) < len(h.args) + 1:
                ones_row = e.transpose(e.ones(a.arg.rows, e.ONE))
                fs[i : i + 2] = [ones_row, merged]
                return e.mul(*fs)
    return m


def diag_times_vector(m: e.Mul) -> Expr:
    r"""``\operatorname{diag}(v) u = v \odot u`` and ``u^\top \operatorname{diag}(v) =
    (u \odot v)^\top`` for vectors u (not around dX, whose form the differential keeps)."""
    fs = list(m.factors)
    for i, f in enumerate(fs):
        if not isinstance(f, e.DiagM) or e.has_d(f):
            continue
        nxt = fs[i + 1] if i + 1 < len(fs) else None
        if isinstance(nxt, e.DiagM) and not e.has_d(nxt):  # diag(a) diag(b) = diag(a ⊙ b)
            fs[i : i + 2] = [e.diag_matrix(e.had(f.arg, nxt.arg))]
            return diag_times_vector_again(fs)
        prv = fs[i - 1] if i > 0 else None
        if nxt is not None and nxt.cols == e.ONE and not nxt.is_scalar and not e.has_d(nxt):
            fs[i : i + 2] = [e.had(f.arg, nxt)]
            return diag_times_vector_again(fs)
        if prv is not None and prv.rows == e.ONE and not prv.is_scalar and not e.has_d(prv):
            fs[i - 1 : i + 1] = [e.transpose(e.had(e.transpose(prv), f.arg))]
            return diag_times_vector_again(fs)
    return m


def outer_ones_met(m: e.Mul) -> Expr:
    r"""A Hadamard product with an outer product of a vector and ones, beside the vector it
    meets, as the plain product it is: ``(H \odot \mathbf{1}v^\top)w = H(v \odot w)``
    (``(A \odot \mathbf{1}v^\top)\mathbf{1} = Av``), ``(H \odot u\mathbf{1}^\top)w = u
    \odot (Hw)``, ``w^\top(H \odot u\mathbf{1}^\top) = (w \odot u)^\top H`` and
    ``w^\top(H \odot \mathbf{1}v^\top) = (w^\top H) \odot v^\top``: each is
    ``\operatorname{diag}(u) H \operatorname{diag}(v)`` multiplied out (not around dX)."""
    fs = list(m.factors)
    for plain in (True, False):  # first where a ones side meets (a plain product is left)
        for i, h in enumerate(fs):
            if not isinstance(h, e.Had) or e.has_d(h):
                continue
            nxt = fs[i + 1] if i + 1 < len(fs) else None
            prv = fs[i - 1] if i > 0 else None
            if nxt is not None and nxt.cols == e.ONE and not nxt.is_scalar and not e.has_d(nxt):
                met = _outer_met(h, nxt, right=True, plain=plain)
                if met is not None:
                    fs[i : i + 2] = [met]
                    return _again(fs)
            if prv is not None and prv.rows == e.ONE and not prv.is_scalar and not e.has_d(prv):
                met = _outer_met(h, prv, right=False, plain=plain)
                if met is not None:
                    fs[i - 1 : i + 1] = [met]
                    return _again(fs)
    return m


def _again(fs: list[Expr]) -> Expr:
    out = e.mul(*fs)
    return outer_ones_met(out) if isinstance(out, e.Mul) else out


def _outer_sides(x: Expr) -> tuple[Expr, Expr] | None:
    r"""An outer product with ones on one side as (the column, the row) it is made of:
    ``u\mathbf{1}^\top`` → (u, 1ᵀ), ``\mathbf{1}r`` → (1, r); None for anything else."""
    if not isinstance(x, e.Mul) or x.is_scalar or len(x.factors) < 2:
        return None
    first, last = x.factors[0], x.factors[-1]
    if isinstance(last, e.Ones) and last.rows == e.ONE:
        col = e.mul(*x.factors[:-1])
        if col.cols == e.ONE and not col.is_scalar:
            return col, last
    if isinstance(first, e.Ones) and first.cols == e.ONE:
        row = e.mul(*x.factors[1:])
        if row.rows == e.ONE and not row.is_scalar:
            return first, row
    return None


def _outer_met(h: e.Had, w: Expr, right: bool, plain: bool) -> Expr | None:
    """``h w`` (or ``w h`` when not ``right``) with one outer-product operand of ``h``
    multiplied out, or None where ``h`` has none: when ``plain``, only one whose ones side
    meets ``w`` (which leaves a plain product)."""
    args = list(h.args)
    found = [(k, s) for k, s in enumerate(map(_outer_sides, args)) if s is not None]
    found.sort(key=lambda ks: isinstance(ks[1][0 if right else 1], e.Ones), reverse=True)
    if plain:
        found = [ks for ks in found if isinstance(ks[1][0 if right else 1], e.Ones)]
    for k, (col, row) in found[:1]:
        rest = e.had(*args[:k], *args[k + 1 :])
        if right and isinstance(col, e.Ones):  # (H ⊙ 1 rᵀ) w = H (r ⊙ w)
            return e.mul(rest, e.had(e.transpose(row), w))
        if right:  # (H ⊙ u 1ᵀ) w = u ⊙ (H w)
            return e.had(col, _met(e.mul(rest, w)))
        if isinstance(row, e.Ones):  # wᵀ (H ⊙ u 1ᵀ) = (w ⊙ u)ᵀ H
            return e.mul(e.transpose(e.had(e.transpose(w), col)), rest)
        return e.had(_met(e.mul(w, rest)), row)  # wᵀ (H ⊙ 1 rᵀ) = (wᵀ H) ⊙ rᵀ
    return None


def _met(x: Expr) -> Expr:
    return outer_ones_met(x) if isinstance(x, e.Mul) else x


def vec_trick(m: e.Mul) -> Expr:
    r"""``(P \otimes Q) \operatorname{vec}(X) = \operatorname{vec}(Q X P^\top)``, the Kronecker
    product applied to a vec read as the product it is (not around dX, whose Kronecker form
    gives the Jacobian); ``m`` unchanged where no such pair stands in it."""
    fs = list(m.factors)
    for i in range(len(fs) - 1):
        k, v = fs[i], fs[i + 1]
        if not (isinstance(k, e.Kron) and isinstance(v, e.Vec)) or e.has_d(v):
            continue
        p, q, x = k.left, k.right, v.arg
        if not (e.same(q.cols, x.rows) and e.same(p.cols, x.cols)):
            continue
        fs[i : i + 2] = [e.vec(e.mul(q, x, e.transpose(p)))]
        return e.mul(*fs)
    return m


def vec_of_sum(s: e.Add) -> Expr:
    r"""``c\operatorname{vec}(A) + \operatorname{vec}(B) = \operatorname{vec}(cA + B)`` where
    every term is (a number times) the vec of a matrix of one shape, none around dX."""
    inner: list[Expr] = []
    for t in s.terms:
        scale, rest = ([], t) if not isinstance(t, e.Mul) else (
            [f for f in t.factors if f.is_scalar], [f for f in t.factors if not f.is_scalar]
        )  # fmt: skip
        if isinstance(rest, list):
            if len(rest) != 1:
                return s
            rest = rest[0]
        if not isinstance(rest, e.Vec) or e.has_d(rest) or any(e.has_d(c) for c in scale):
            return s
        if inner and not (
            e.same(rest.arg.rows, inner[0].rows) and e.same(rest.arg.cols, inner[0].cols)
        ):
            return s
        inner.append(e.mul(*scale, rest.arg))
    return e.vec(e.add(*inner))


def diag_times_vector_again(fs: list[Expr]) -> Expr:
    out = e.mul(*fs)
    return diag_times_vector(out) if isinstance(out, e.Mul) else out


def merge_powers(m: e.Mul) -> Expr:
    """Scalar factors with one base multiply by adding exponents, before anything is
    expanded: ``\\sigma^{-1} \\sigma (1 - \\sigma) = 1 - \\sigma``."""
    powers: dict[Expr, sympy.Expr] = {}
    others: list[Expr] = []
    for f in m.factors:
        if f.is_scalar and not isinstance(f, e.Num):
            base, p = (f.arg, f.exp) if isinstance(f, e.Pow) else (f, sympy.Integer(1))
            powers[base] = powers.get(base, sympy.Integer(0)) + p
        else:
            others.append(f)
    count = len(powers)
    e.fold_quotients(powers)
    e.fold_indicators(powers)  # 1[u > 0] relu(u) = relu(u), of scalars as of arrays
    if (
        count
        == len(powers)
        == sum(1 for f in m.factors if f.is_scalar and not isinstance(f, e.Num))
    ):
        return m
    scalars = [e.power(b, p) for b, p in powers.items() if p != 0]
    return e.mul(*[f for f in others if f.is_scalar], *scalars,
                 *[f for f in others if not f.is_scalar])  # fmt: skip


def cancel(chain: list[Expr]) -> list[Expr]:
    """A chain with identities dropped, powers of one matrix that cancel merged
    (``X^{-3} X^2 = X^{-1}``, ``X^\top X^{-\top} = I``) and an inverse of a product of
    square matrices split when that cancels something (``A^\top (B^\top X^\top A^\top)^{-1}
    B^\top = X^{-\top}``)."""
    out = _merge_powers_in_chain(
        [f for f in chain if not (isinstance(f, e.Identity) and len(chain) > 1)]
    )
    changed = True
    while changed:
        changed = False
        for i, f in enumerate(out):
            if not (isinstance(f, e.Inv) and isinstance(f.arg, e.Mul)):
                continue
            parts = f.arg.factors
            if any(p.is_scalar or not e.same(p.rows, p.cols) for p in parts):
                continue  # (AB)^{-1} = B^{-1} A^{-1} needs square factors
            split = _merge_powers_in_chain(
                [*out[:i], *(e.inv(p) for p in reversed(parts)), *out[i + 1 :]]
            )
            if len(split) < len(out):
                out, changed = split, True
                break
    if not out and chain:
        return [e.identity(chain[0].rows)]
    return out


def _base_power(f: Expr) -> tuple[Expr, sympy.Expr] | None:
    """A square chain factor as a power of a base: ``X^{-3}`` → (X, −3), ``X^{-\top}`` →
    (Xᵀ, −1), ``(X^2)^\top`` → (Xᵀ, 2); None for what is not square or holds dX."""
    if f.is_scalar or not e.same(f.rows, f.cols) or e.has_d(f):
        return None
    if isinstance(f, e.Inv):
        inner = _base_power(f.arg)
        return (inner[0], -inner[1]) if inner is not None else None
    if isinstance(f, e.Pow):
        inner = _base_power(f.arg)
        return (inner[0], inner[1] * f.exp) if inner is not None else None
    if isinstance(f, e.T) and isinstance(f.arg, (e.Pow, e.Inv)):
        inner = _base_power(f.arg)
        return (e.transpose(inner[0]), inner[1]) if inner is not None else None
    return f, sympy.Integer(1)


def _from_base_power(base: Expr, k: sympy.Expr) -> Expr:
    if isinstance(base, e.T):
        return e.transpose(e.power(base.arg, k))
    return e.power(base, k)


def _same_sign(base: Expr, j: sympy.Expr, k: sympy.Expr) -> bool:
    """Whether whole powers of one sign merge: inverses (``A^{-1} A^{-1} = A^{-2}``) and
    powers of a product (``(X^\\top V^{-1} X)^{-1}`` twice); ``X X`` stays as written."""
    if not (j.is_integer and k.is_integer):
        return False
    return bool((j.is_negative and k.is_negative) or not isinstance(base, e.Var))


def _merge_powers_in_chain(chain: list[Expr]) -> list[Expr]:
    """Neighbours that are powers of one base and cancel (one exponent negative, the other
    positive), or roots that make a whole power (``X^{1/2} X^{1/2} = X``), multiply by adding
    exponents; ``X X`` stays as it is."""
    out: list[Expr] = []
    for f in chain:
        out.append(f)
        while len(out) >= 2:
            a, b = _base_power(out[-2]), _base_power(out[-1])
            if a is None or b is None or a[0] != b[0]:
                break
            roots = not a[1].is_integer and not b[1].is_integer and (a[1] + b[1]).is_integer
            if not ((a[1] * b[1]).is_negative or roots or _same_sign(a[0], a[1], b[1])):
                break  # (X^{-1/2} X^{-1/2} = X^{-1}; (A^TA)^{-1}(A^TA)^{-1} = (A^TA)^{-2})
            k = a[1] + b[1]
            del out[-2:]
            if k != 0:
                out.append(_from_base_power(a[0], k))
    return out


def merge_unvecs(s: e.Add) -> Expr:
    r"""Terms ``c_i \operatorname{vec}^{-1}(K \operatorname{vec}(E_i))`` with one K made
    one, ``\operatorname{vec}^{-1}(K \operatorname{vec}(\sum_i c_i E_i))``: a Sylvester
    equation solved once, whose right side may then read as R C + C R (solved by C)."""
    groups: dict[tuple[Expr, Expr, Expr], list[Expr]] = {}
    others: list[Expr] = []
    for t in s.terms:
        found = _scaled_unvec(t)
        if found is None:
            others.append(t)
        else:
            scale, u, k, inner = found
            groups.setdefault((k, u.rows, u.cols), []).append(e.mul(*scale, inner))
    if not any(len(g) > 1 for g in groups.values()):
        return s
    merged = [
        e.unvec(e.mul(k, e.vec(e.add(*g))), rows, cols) for (k, rows, cols), g in groups.items()
    ]
    return e.add(*others, *merged)


def _one_array(t: Expr) -> tuple[list[Expr], Expr] | None:
    """``t`` as (its scalar factors, its one array factor); ``([], t)`` for a lone term, None
    for a product of several arrays."""
    if not isinstance(t, e.Mul):
        return [], t
    rest = [f for f in t.factors if not f.is_scalar]
    if len(rest) != 1:
        return None
    return [f for f in t.factors if f.is_scalar], rest[0]


def _scaled_unvec(t: Expr) -> tuple[list[Expr], e.Unvec, Expr, Expr] | None:
    """``c vec⁻¹(K vec E)`` as (c's factors, the vec⁻¹, K, E); None for another term."""
    split = _one_array(t)
    if split is None:
        return None
    scale, u = split
    if not (isinstance(u, e.Unvec) and isinstance(u.arg, e.Mul) and len(u.arg.factors) == 2):
        return None
    k, v = u.arg.factors
    if not isinstance(v, e.Vec) or e.has_d(u):
        return None
    return scale, u, k, v.arg


def solve_sylvester(u: e.Unvec) -> Expr:
    r"""``\operatorname{vec}^{-1}((I \otimes R + R^\top \otimes I)^{-1}\operatorname{vec}(c(T_1
    + T_2)))`` for a square root R (of a positive definite matrix) is c Y where T_1 = R Y and
    T_2 = Y R: Y then solves R Y + Y R = T_1 + T_2, and that solution is unique
    (``R^{-1/2} C R^{-1} + R^{-1} C R^{-1/2}`` for ``R = P^{1/2}``: ``Y = P^{-1} C P^{-1}``).
    ``u`` unchanged where the right side has no such Y."""
    root = _sylvester_root(u)
    if root is None:
        return u
    split = _one_array(u.arg.factors[1].arg)  # type: ignore[attr-defined]
    if split is None:
        return u
    scale, right = split
    if not (isinstance(right, e.Add) and len(right.terms) == 2):
        return u
    back = e.inv(root)
    for first, second in (right.terms, right.terms[::-1]):
        s1, c1 = _split(first)
        s2, c2 = _split(second)
        y1, y2 = e.mul(*s1, *cancel([back, *c1])), e.mul(*s2, *cancel([*c2, back]))
        if y1 == y2 and not y1.is_scalar and not e.has_d(y1):
            return e.mul(*scale, y1)
    return u


def _sylvester_root(u: e.Unvec) -> Expr | None:
    """R of ``vec⁻¹((I ⊗ R + Rᵀ ⊗ I)⁻¹ vec E)`` when R is a square root; None otherwise."""
    if not (isinstance(u.arg, e.Mul) and len(u.arg.factors) == 2):
        return None
    k, v = u.arg.factors
    if not (isinstance(k, e.Inv) and isinstance(k.arg, e.Add) and isinstance(v, e.Vec)):
        return None
    if len(k.arg.terms) != 2 or not all(isinstance(t, e.Kron) for t in k.arg.terms):
        return None
    a, b = k.arg.terms
    assert isinstance(a, e.Kron) and isinstance(b, e.Kron)
    root = a.right
    if not (isinstance(a.left, e.Identity) and isinstance(b.right, e.Identity)):
        return None
    if b.left != e.transpose(root) or not (
        isinstance(root, e.Pow) and root.exp == sympy.Rational(1, 2)
    ):
        return None
    return root


def _split(t: Expr) -> tuple[list[Expr], list[Expr]]:
    """A term's scalar factors and its matrix chain."""
    if isinstance(t, e.Mul):
        return [f for f in t.factors if f.is_scalar], [f for f in t.factors if not f.is_scalar]
    return [], [t]
