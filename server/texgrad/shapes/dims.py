r"""Shapes and their symbolic dimensions.

A :class:`Shape` is rows × columns, each a sympy expression (``n``, ``m``,
``d_k``, ``n + 1``, ``2n``), so ``n + 1`` and ``1 + n`` agree and ``n`` and
``m`` do not.  A column vector is n × 1, a scalar 1 × 1.  ``None`` stands for
"unknown" everywhere: anything touching an unknown shape is unknown, never an
error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

import sympy

from texgrad.syntax import tree as t
from texgrad.syntax.show import show

Dim: TypeAlias = sympy.Expr
ONE = sympy.Integer(1)


@dataclass(frozen=True, slots=True)
class Shape:
    rows: Dim
    cols: Dim

    @property
    def is_scalar(self) -> bool:
        scalar: bool = self.rows == ONE and self.cols == ONE
        return scalar

    @property
    def is_vector(self) -> bool:
        vector: bool = self.cols == ONE and self.rows != ONE
        return vector

    @property
    def is_square(self) -> bool | None:
        """True, False, or None when it cannot be told (never for our symbols)."""
        return same(self.rows, self.cols)

    def transposed(self) -> Shape:
        return Shape(self.cols, self.rows)

    def agrees(self, other: Shape) -> bool:
        """The same shape (dimension by dimension, see :func:`same`)."""
        return same(self.rows, other.rows) and same(self.cols, other.cols)

    def unicode(self) -> str:
        """``ℝ^{m×n}``, ``ℝ^{n}``, ``scalar`` — how hovers and messages say it."""
        if self.is_scalar:
            return "scalar"
        if self.cols == ONE:
            return f"ℝ^{{{dim_text(self.rows)}}}"
        return f"ℝ^{{{_side(self.rows)}×{_side(self.cols)}}}"

    def short(self) -> str:
        """``m×n``, ``n`` (a column), ``1×n``."""
        if self.cols == ONE and self.rows != ONE:
            return dim_text(self.rows)
        return f"{_side(self.rows)}×{_side(self.cols)}"


SCALAR = Shape(ONE, ONE)


@lru_cache(maxsize=8192)
def scalar_spreads(shape: Shape) -> bool:
    r"""Is a scalar added to an array of this shape added to each entry?  For a vector, row
    or column, yes — ``x - \mu``, ``a_0 + \mathbf{a}^\top B`` can mean nothing else; for a
    matrix it may as well be ``\lambda I`` (``A + \lambda``), so neither shapes nor calculus
    guesses.  The one rule both follow."""
    spreads: bool = shape.rows == ONE or shape.cols == ONE
    return spreads


def same(a: Dim, b: Dim) -> bool:
    """Do two dimensions agree?  Distinct names are distinct dimensions, but a number
    may be an instance of a name (a 3×3 example of an m×m matrix)."""
    if a == b:
        return True
    if (a.is_Symbol and b.is_Number and b > 1) or (b.is_Symbol and a.is_Number and a > 1):
        return True
    return bool(sympy.expand(a - b) == 0)  # dimensions are polynomials: expanding decides


# A star in a dimension's name (n_* of K_*): kept apart from sympy's multiplication sign,
# which dim_text drops (2*n is written 2n).
_STAR = "\u2217"


def dim_text(d: Dim) -> str:
    text = str(d).replace("*", "").replace(_STAR, "*")
    return text


def _side(d: Dim) -> str:
    """A side of ``m×n`` as written: a sum bracketed, ``(n + 1)×(n + m)``."""
    return f"({dim_text(d)})" if d.is_Add else dim_text(d)


def _index_text(index: t.Node) -> str:
    r"""A dimension's subscript as the document writes it: ``k``, ``{\text{model}}``, ``*``."""
    if isinstance(index, t.Text):
        return "{" + index.text + "}"
    if isinstance(index, t.Func) and index.sub is None and index.sup is None:
        return "{\\mathrm{" + index.name + "}}"
    if isinstance(index, t.Symbol) and index.name in ("*", "\\ast", "\\star"):
        return _STAR
    return show(index)


@lru_cache(maxsize=4096)
def _symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True, integer=True)


def dim_of(node: t.Node | None) -> Dim | None:
    r"""A dimension written in math: ``n``, ``3``, ``d_k``, ``n+1``, ``2n``, ``(n+1)``; else None."""
    if node is None:
        return None
    if isinstance(node, t.Number):
        try:
            value = int(node.text)
        except ValueError:
            return None
        return sympy.Integer(value) if value > 0 else None
    if isinstance(node, t.Symbol):
        if node.name.startswith("\\") and node.name[1:] in ("infty", "cdots", "ldots"):
            return None
        return _symbol(node.name.lstrip("\\"))
    if isinstance(node, t.Sub) and isinstance(node.base, t.Symbol):
        return _symbol(f"{node.base.name.lstrip(chr(92))}_{_index_text(node.index)}")
    if isinstance(node, t.Paren) and node.open in ("(", "\\left("):
        return dim_of(node.body)
    if isinstance(node, t.Add):
        total: Dim = sympy.Integer(0)
        for sign, term in zip(node.signs, node.terms, strict=True):
            d = dim_of(term)
            if d is None or node.trailing:
                return None
            total = total - d if sign == "-" else total + d
        return total
    if isinstance(node, t.Power):  # 2^{10}
        base, exp = dim_of(node.base), dim_of(node.exponent)
        return (
            base**exp
            if base is not None and exp is not None and base.is_Number and exp.is_Number
            else None
        )
    if isinstance(node, t.Product):
        prod: Dim = ONE
        for f in node.factors:
            d = dim_of(f)
            if d is None:
                return None
            prod = prod * d
        return prod
    return None


def shape_of_space(space: t.Space) -> Shape | None:
    r"""``\mathbb{R}^{m \times n}`` → m×n, ``\mathbb{R}^n`` → n (a column), ``\mathbb{R}`` → scalar."""
    if space.field not in ("R", "C", "S", "Z", "N", "Q"):  # ℤⁿ, ℕⁿ: vectors all the same
        return None
    dims = [dim_of(d) for d in space.dims]
    if any(d is None for d in dims):
        return None
    if space.field == "S":  # \mathbb{S}^n: symmetric n×n matrices
        return Shape(dims[0], dims[0]) if len(dims) == 1 else None
    if not dims:
        return SCALAR
    if len(dims) == 1:
        return Shape(dims[0], ONE)
    if len(dims) == 2:
        return Shape(dims[0], dims[1])
    return None  # tensors: not checked
