"""The engine's dimensions: SymPy's, as before issue 17 moved the shape layer's to
:mod:`texgrad.shapes.dim_terms`.

The boundary: every shape the engine takes from the shape layer (a declaration's, a
definition's, a family member's, a dimension read by :func:`dim_of`) is made SymPy's here —
:func:`sympy_shape`, :func:`sympy_dim` — and the engine keeps its own constants
(:data:`ONE`, :data:`SCALAR`); ``same``, ``scalar_spreads``, ``broadcasts`` and ``Shape`` take
either kind.
A dimension of the shape layer compared or combined with one of SymPy's is turned into
SymPy's (``dim_terms.Dim.__eq__``), so a missed conversion is still right, but slower and
not hashed alike (a set of one kind does not find the other): convert at the boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import sympy

from texgrad.shapes import dims, families
from texgrad.shapes.dim_terms import Dim as ShapeDim
from texgrad.shapes.dim_terms import from_sympy
from texgrad.shapes.dims import (
    Shape,
    broadcasts,
    same,
    scalar_spreads,
)  # (either kind of dimension)
from texgrad.syntax import tree as t

__all__ = [
    "ONE", "SCALAR", "Dim", "Shape", "broadcasts", "dim_of", "same", "scalar_spreads", "sympy_shape",
]  # fmt: skip

Dim: TypeAlias = sympy.Expr
ONE = sympy.Integer(1)
SCALAR = Shape(ONE, ONE)


def sympy_dim(d: object) -> Dim:
    """A dimension as SymPy's (one of SymPy's as it is)."""
    return d.to_sympy() if isinstance(d, ShapeDim) else d


def sympy_shape(shape: Shape) -> Shape:
    """A shape whose dimensions are SymPy's (one already so, as it is)."""
    rows, cols = shape.rows, shape.cols
    if not isinstance(rows, ShapeDim) and not isinstance(cols, ShapeDim):
        return shape
    return Shape(sympy_dim(rows), sympy_dim(cols))


def optional_shape(shape: Shape | None) -> Shape | None:
    return None if shape is None else sympy_shape(shape)


def dim_of(node: t.Node | None) -> Dim | None:
    """:func:`texgrad.shapes.dims.dim_of`, as SymPy's."""
    d = dims.dim_of(node)
    return None if d is None else d.to_sympy()


def _shape_layer_shape(shape: Shape) -> Shape:
    return Shape(from_sympy(shape.rows), from_sympy(shape.cols))


def member_shape(
    base: str,
    form: str,
    tag: t.Node,
    declared: Callable[[str], Shape | None],
    named: Callable[[Dim], bool],
    tagged: bool = False,
) -> Shape | None:
    """:func:`texgrad.shapes.families.member_shape` for the engine's shapes."""

    def theirs(key: str) -> Shape | None:
        shape = declared(key)
        try:
            return None if shape is None else _shape_layer_shape(shape)
        except ValueError:  # (a shape the engine made, not a dimension: no family's member)
            return None

    found = families.member_shape(
        base, form, tag, theirs, lambda d: named(sympy_dim(d)), tagged=tagged
    )
    return optional_shape(found)
