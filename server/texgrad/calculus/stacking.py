r"""A summand over samples as the entries of one vector: the matrix form of a sum.

A summand ``s(x_i, y_i)`` read with its members as variables (:mod:`samples`) is rewritten
over the stacked matrix ``X`` whose rows are the ``x_i^\top`` and the vector ``y`` of the
``y_i``: each value is *batched*, the matrix whose row ``i`` is the value for sample ``i``
(a scalar per sample makes an N-vector, a vector per sample — row or column — an N×k
matrix).  Then ``\sum_i s_i = \mathbf{1}^\top S``: ``\sum_i (w^\top x_i - y_i)^2`` is
``\mathbf{1}^\top (Xw - y)^{\circ 2}``, whose gradient the ordinary pipeline writes
``2X^\top(Xw - y)``.  Only what batches exactly is rewritten (products of a row and a
column, a matrix and a vector, scalars; elementwise functions; the 2-norm); anything else
(a matrix per sample, an inverse, a determinant) gives None: no matrix form.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.sympy_dims import Dim

ONE = sympy.Integer(1)


@dataclass(frozen=True)
class Batched:
    """``value``: N×k, row i the value of sample i, which is ``item`` (rows, columns)."""

    value: Expr
    item: tuple[Dim, Dim]

    @property
    def scalar(self) -> bool:
        return self.item == (ONE, ONE)


class _NoForm(Exception):
    pass


def stacked_sum(summand: Expr, members: dict[str, Expr], n: Dim) -> Expr | None:
    r"""``\sum_i summand`` over ``n`` samples, with each member (by key) stacked as given
    (a family of vectors as the rows of an n×d matrix, scalars as an n-vector); None if
    the summand does not batch exactly."""
    try:
        s = _Stacker(members, n).stack(summand)
    except (_NoForm, CalculusError):
        return None
    if not isinstance(s, Batched) or not s.scalar:
        return None
    return e.mul(e.transpose(e.ones(n, ONE)), s.value)


class _Stacker:
    def __init__(self, members: dict[str, Expr], n: Dim) -> None:
        self.members = members
        self.n = n

    def stack(self, x: Expr) -> Expr | Batched:
        if not any(isinstance(v, e.Var) and v.name in self.members for v in x.walk()):
            return x
        if isinstance(x, e.Var):
            value = self.members[x.name]
            return Batched(value, (x.rows, x.cols))
        if isinstance(x, e.T):
            b = self.batched(x.arg)
            return Batched(b.value, (b.item[1], b.item[0]))
        if isinstance(x, e.Add):
            return self.add([self.stack(t) for t in x.terms])
        if isinstance(x, e.Mul):
            return self.mul([self.stack(f) for f in x.factors])
        if isinstance(x, e.Elem):
            b = self.batched(x.arg)
            return Batched(e.elem(x.fn, b.value), b.item)
        if isinstance(x, e.Applied):
            return self.applied(x)
        if isinstance(x, (e.HPow, e.Pow)):
            b = self.batched(x.arg)
            if isinstance(x, e.Pow) and not b.scalar:
                raise _NoForm()
            return Batched(e.hpow(b.value, x.exp), b.item)
        if isinstance(x, e.Had):
            return self.had([self.stack(a) for a in x.args])
        if isinstance(x, e.Tr):
            b = self.batched(x.arg)
            if not b.scalar:
                raise _NoForm()
            return b
        if isinstance(x, e.Norm) and x.p in ("2", "1"):
            b = self.batched(x.arg)
            k = b.item[0] if b.item[1] == ONE else b.item[1]
            if x.p == "2":
                squares = e.mul(e.had(b.value, b.value), e.ones(k, ONE))
                return Batched(e.elem("sqrt", squares), (ONE, ONE))
            return Batched(e.mul(e.elem("abs", b.value), e.ones(k, ONE)), (ONE, ONE))
        raise _NoForm()

    def applied(self, x: e.Applied) -> Batched:
        """``g(θᵀx_i)`` of a ``g`` the document defines, entry by entry: ``g(Xθ)``."""
        if any(isinstance(v, e.Var) and v.name in self.members for c in x.given for v in c.walk()):
            raise _NoForm()
        b = self.batched(x.arg)
        return Batched(e.applied(x.fn, b.value, x.given), b.item)

    def batched(self, x: Expr) -> Batched:
        s = self.stack(x)
        if not isinstance(s, Batched):
            raise _NoForm()
        return s

    def spread(self, p: Expr, item: tuple[Dim, Dim]) -> Expr:
        """A value that is the same for every sample, batched."""
        ones = e.ones(self.n, ONE)
        if p.is_scalar and item == (ONE, ONE):
            return e.mul(p, ones)
        if p.is_scalar:
            raise _NoForm()
        if p.cols == ONE and item == (p.rows, ONE):
            return e.mul(ones, e.transpose(p))
        if p.rows == ONE and item == (ONE, p.cols):
            return e.mul(ones, p)
        raise _NoForm()

    def add(self, parts: list[Expr | Batched]) -> Batched:
        first = next(p for p in parts if isinstance(p, Batched))
        values = [p.value if isinstance(p, Batched) else self.spread(p, first.item) for p in parts]
        return Batched(e.add(*values), first.item)

    def had(self, parts: list[Expr | Batched]) -> Batched:
        first = next(p for p in parts if isinstance(p, Batched))
        values = [p.value if isinstance(p, Batched) else self.spread(p, first.item) for p in parts]
        return Batched(e.had(*values), first.item)

    def mul(self, parts: list[Expr | Batched]) -> Expr | Batched:
        r"""Scalars commute: the chain of the others first (``w^\top x_i`` is ``Xw``), then
        the scalars the same for every sample, then each sample's own (``y \odot Xw``)."""
        own = [p for p in parts if isinstance(p, Batched) and p.scalar]
        same = [p for p in parts if not isinstance(p, Batched) and p.is_scalar]
        chain = [p for p in parts if not any(p is q for q in (*own, *same))]
        acc: Expr | Batched | None = None
        for f in chain:
            acc = f if acc is None else self.times(acc, f)
        if same:
            acc = self.times(e.mul(*same), acc) if acc is not None else e.mul(*same)
        for s in own:
            if acc is None:
                acc = s
            elif isinstance(acc, Batched) and acc.scalar:
                acc = Batched(e.had(s.value, acc.value), acc.item)
            else:
                acc = self.times(s, acc)
        assert acc is not None
        return acc

    def times(self, a: Expr | Batched, b: Expr | Batched) -> Expr | Batched:
        if not isinstance(a, Batched) and not isinstance(b, Batched):
            return e.mul(a, b)
        if isinstance(a, Batched) and isinstance(b, Batched):
            return self.both(a, b)
        if isinstance(b, Batched):
            assert not isinstance(a, Batched)
            return self.plain_times(a, b)
        assert isinstance(a, Batched) and not isinstance(b, Batched)
        return self.times_plain(a, b)

    def both(self, a: Batched, b: Batched) -> Batched:
        if a.scalar or b.scalar:  # s_i v_i: each row scaled
            s, v = (a, b) if a.scalar else (b, a)
            return Batched(e.mul(e.diag_matrix(s.value), v.value), v.item)
        (ar, ac), (_, bc) = a.item, b.item
        if ar == ONE and bc == ONE:  # a row times a column: a scalar per sample
            return Batched(e.mul(e.had(a.value, b.value), e.ones(ac, ONE)), (ONE, ONE))
        raise _NoForm()  # an outer product: a matrix per sample

    def plain_times(self, p: Expr, b: Batched) -> Batched:
        if p.is_scalar:
            return Batched(e.mul(p, b.value), b.item)
        if b.scalar:  # P s_i with P a vector
            if p.cols == ONE or p.rows == ONE:
                k = p.rows if p.cols == ONE else p.cols
                row = e.transpose(p) if p.cols == ONE else p
                return Batched(e.mul(b.value, row), (p.rows, ONE) if p.cols == ONE else (ONE, k))
            raise _NoForm()
        if b.item[1] == ONE:  # P x_i, a column per sample: rows x_iᵀ Pᵀ
            return Batched(e.mul(b.value, e.transpose(p)), (p.rows, ONE))
        raise _NoForm()

    def times_plain(self, b: Batched, p: Expr) -> Batched:
        if p.is_scalar:
            return Batched(e.mul(b.value, p), b.item)
        if b.scalar:
            return self.plain_times(p, b)
        if b.item[0] == ONE:  # x_iᵀ P, a row per sample
            return Batched(e.mul(b.value, p), (ONE, p.cols))
        raise _NoForm()
