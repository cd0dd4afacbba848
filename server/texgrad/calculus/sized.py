r"""``I`` and ``\mathbf{1}`` whose size comes from where they stand (``A + \lambda I``,
``\mathbf{1}^\top x``): the lowerer holds them as :class:`Pending` until a neighbour
tells their size."""

from __future__ import annotations

from collections.abc import Callable

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr, ShapeError
from texgrad.calculus.sympy_dims import Dim, same


class Pending:
    """``I`` or ``\\mathbf{1}`` whose size comes from its neighbours: ``build(rows, cols)``."""

    def __init__(
        self, build: Callable[[Dim, Dim], Expr], rows: Dim | None, cols: Dim | None, what: str
    ) -> None:
        self.build = build
        self.rows = rows
        self.cols = cols
        self.what = what

    def resolve(self, rows: Dim | None, cols: Dim | None) -> Expr:
        r = self.rows if self.rows is not None else rows
        c = self.cols if self.cols is not None else cols
        if r is None or c is None:
            raise CalculusError(f"cannot tell the size of `{self.what}` here")
        return self.build(r, c)

    def transposed(self) -> Pending:
        build = self.build
        return Pending(lambda r, c: e.transpose(build(c, r)), self.cols, self.rows, self.what)

    def scaled(self, factors: list[Expr]) -> Pending:
        build = self.build
        return Pending(lambda r, c: e.mul(*factors, build(r, c)), self.rows, self.cols, self.what)


Lowered = Expr | Pending


def identity_of(r: Dim, c: Dim) -> Expr:
    if not same(r, c):
        raise ShapeError(f"an identity matrix cannot be {r}×{c}")
    return e.identity(r)


def ones_of(r: Dim, c: Dim) -> Expr:
    return e.ones(r, c)


def sum_pending(parts: list[Pending]) -> Pending:
    def build(r: Dim, c: Dim) -> Expr:
        return e.add(*(p.resolve(r, c) for p in parts))

    return Pending(build, parts[0].rows, parts[0].cols, parts[0].what)
