r"""What a stated layout decides for a written derivative: the forms of the engine's result
it may take.  Which layout is stated, and where, is read by shapes/layout_statements.py (the
one reader of layout statements, which the shape check asks too); a claim's layouts are
the one in force where it stands and any its own sentence names (``layouts_at`` in
written_derivatives.py).  :func:`accepted_forms` turns them into forms:

- a gradient by a vector: a column or a row, whatever layout is stated — but a column where
  the document says "Gradients are column vectors" (and allows no row in that sentence);
- ``\nabla_X f`` by a matrix: the gradient, X's shape (and, under a stated numerator
  layout, its transpose too — many authors who state it still write ∇ for it);
- ``\frac{\partial f}{\partial X}`` by a matrix: with no layout stated either arrangement
  (the matrix of ∂f/∂X_{ij}, as the Cookbook writes it, or its transpose); a stated
  denominator layout wants the first, a stated numerator layout the second;
- by a transpose (``\frac{\partial f}{\partial X^\top}``, whose meaning authors do not
  agree on): either arrangement; ``\frac{\partial \mathbf y}{\partial \mathbf x^\top}`` is the
  m×n Jacobian under a stated layout (either way round with none);
- a Jacobian: either convention, unless a layout is stated; ``J_f(x)`` is the matrix of
  ∂f_i/∂x_j in any layout (and its transpose unless numerator layout is stated); a
  convention stated for Jacobians alone ("we write the Jacobian as $m \times n$",
  shapes/layout_statements.py's ``jacobian_statements``) decides them, and nothing else;
- for a symmetric X, the Cookbook's structured form beside the plain one.
"""

from __future__ import annotations

import functools
import re

from texgrad.calculus.sympy_dims import ONE, Shape
from texgrad.casefold import folded, folded_pattern

BY_TRANSPOSE = "by a transpose"  # among a claim's layouts: written ∂f/∂X^T or ∂y/∂x^T
# among a claim's layouts: the convention stated for Jacobians alone ("we write the Jacobian
# as m × n"), then "numerator" or "denominator": it decides a Jacobian, and nothing else
JACOBIANS = "Jacobians: "
# among a claim's layouts: "Gradients are column vectors" said before it — a gradient by a
# column vector is then a column, not a row, whatever layout its Jacobians are in
COLUMNS = "gradients are columns"

# among a claim's layouts: "$\partial f/\partial \mathbf x$ is a row vector" said before it — a
# derivative ∂f/∂x (not ∇f) by a column vector is then a row, whatever else is said
ROWS = "derivatives by a column are rows"

_ROWS_SAID = folded_pattern(
    r"(?:\\partial\s*\\?[a-z]{1,8}\s*/\s*\\partial[^$]{1,30}\$"
    r"|\\frac\s*\{\s*\\partial\s*\\?[a-z]{1,8}\s*\}\s*\{\s*\\partial[^$]{1,30}\$"
    r"|\bderivatives?\s+of\s+a\s+scalar\s+(?:function\s+)?(?:by|with\s+respect\s+to)\s+a\s+"
    r"(?:column\s+)?vector)"
    r"\s*(?:is|are)\s+(?:always\s+)?(?:written\s+as\s+)?(?:a\s+)?row\s+vectors?\b"
)
_COLUMNS = folded_pattern(
    r"\bgradients?\s+(?:are|is)\s+(?:always\s+)?(?:written\s+as\s+)?(?:an?\s+)?column\s+vectors?\b"
    # "the derivative of a scalar by a column vector is a column vector"
    r"|\bderivatives?\s+of\s+a\s+scalar\s+(?:function\s+)?(?:by|with\s+respect\s+to)\s+a\s+"
    r"(?:column\s+)?vector\s+(?:is|are)\s+(?:always\s+)?(?:written\s+as\s+)?(?:a\s+)?column\s+vectors?\b"
    # "标量对列向量求导得到列向量", "梯度是列向量"
    r"|(?:\u6807\u91cf\u5bf9(?:\u5217)?\u5411\u91cf\u6c42\u5bfc|\u68af\u5ea6|\u6a19\u91cf\u5c0d(?:\u5217)?\u5411\u91cf\u6c42\u5c0e)\s*(?:\u5f97\u5230|\u7684\u7ed3\u679c\u662f|\u7ed3\u679c\u4e3a|\u662f|\u4e3a|\u70ba|\u90fd\u662f|\u5747\u4e3a)\s*\u5217\u5411\u91cf"
)
# not a supposition, a denial or a hedge before it in its sentence ("If gradients are column
# vectors, …", "gradients are not column vectors")
_NOT_SAID = folded_pattern(r"\b(?:if|when|whenever|suppose|assuming|unless|not|never|would)\b")
_ROWS = re.compile(r"\brows?\b")  # "…; where a row is written it is the same vector"
_SENTENCE_END = re.compile(r"[.!?]\s|\n\s*\n")
_SENTENCE_START = re.compile(r"[.!?:;]\s|\n\s*\n")


def columns_stated(text: str, at: int) -> bool:
    """Whether the text says before offset ``at`` that gradients are column vectors
    ("Gradients are column vectors and Jacobians are in numerator layout")."""
    said = _columns_said(text)
    return bool(said) and said[0] < at


def rows_stated(text: str, at: int) -> bool:
    """Whether the text says before offset ``at`` that ∂f/∂x by a vector is a row vector
    ("Numerator layout: $\\partial f/\\partial \\mathbf x$ is a row vector")."""
    said = _rows_said(text)
    return bool(said) and said[0] < at


@functools.lru_cache(maxsize=8)
def _rows_said(text: str) -> tuple[int, ...]:
    """Where the text says a derivative by a vector is a row vector (read once per text:
    looking for "row" at every claim read a 1 MB thesis once per claim)."""
    if "row" not in text:
        return ()
    low = folded(text)
    out = []
    for m in _ROWS_SAID.finditer(low):
        begin = max(
            (s.end() for s in _SENTENCE_START.finditer(low, max(0, m.start() - 200), m.start())),
            default=0,
        )
        if not _NOT_SAID.search(low, begin, m.end()):
            out.append(m.start())
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _columns_said(text: str) -> tuple[int, ...]:
    """Where the text says gradients are column vectors (read once per text: looking for
    "column" at every claim read a 1 MB thesis once per claim)."""
    if "column" not in text and "列向量" not in text:
        return ()
    low = folded(text)
    out = []
    for m in _COLUMNS.finditer(low):
        begin = max(
            (s.end() for s in _SENTENCE_START.finditer(low, max(0, m.start() - 200), m.start())),
            default=0,
        )
        end = _SENTENCE_END.search(low, m.end())
        rest = low[m.end() : end.start() if end is not None else len(low)]
        if not _NOT_SAID.search(low, begin, m.end()) and not _ROWS.search(rest):
            out.append(m.start())
    return tuple(out)


def accepted_forms(
    kind: str, shape: Shape, symmetric: bool, layouts: frozenset[str], nabla: bool,
    named_jacobian: bool = False, frechet: bool = False, entries: str | None = None,
) -> tuple[str, ...]:  # fmt: skip
    """The forms of the engine's result ``G`` (``plain``: the gradient, of the variable's
    shape; ``transpose``; ``structured``: the Cookbook's form for a symmetric variable) a
    written derivative of ``kind`` by a variable of ``shape`` may take, in ``layouts`` (the
    layouts stated for it; empty: none).  ``nabla``: written ``\\nabla_X f``;
    ``named_jacobian``: written ``J_f(x)``, the Jacobian matrix of ∂f_i/∂x_j whatever layout
    the document uses for ∂f/∂x (its transpose too, unless numerator layout is stated);
    ``entries``: written as a matrix of its entries, ∂h_i/∂x_j along a row ("rows": the
    matrix of ∂f_i/∂x_j) or down a column ("columns": its transpose), whatever the layout;
    ``frechet``: written ``Df(x)``, the m×n matrix of the derivative in every text that
    writes it (Boyd and Vandenberghe, Magnus and Neudecker), whatever layout is in force."""
    if kind == "jacobian" and (frechet or entries == "rows"):
        return ("plain",)
    if kind == "jacobian" and entries == "columns":  # [∂h_j/∂x_i]: the transpose, as written
        return ("transpose",)
    jacobians = {lay.removeprefix(JACOBIANS) for lay in layouts if lay.startswith(JACOBIANS)}
    if jacobians:
        layouts = frozenset(lay for lay in layouts if not lay.startswith(JACOBIANS))
        if kind == "jacobian" and len(jacobians) == 1:  # (said of Jacobians: it decides them)
            layouts = (
                (layouts & {BY_TRANSPOSE}) | (layouts - {"numerator", "denominator"}) | jacobians
            )
    columns = COLUMNS in layouts
    rows = ROWS in layouts
    layouts = layouts - {COLUMNS, ROWS}
    if BY_TRANSPOSE in layouts:  # ∂f/∂X^T: either arrangement; ∂y/∂x^T: the m×n Jacobian
        stated = layouts - {BY_TRANSPOSE}
        if kind == "jacobian" and stated:
            return ("plain",)
        layouts = frozenset()
    if kind == "gradient":
        if columns and shape.cols == ONE and shape.rows != ONE:
            return ("plain",)  # "Gradients are column vectors": by a column, a column
        if rows and not nabla and shape.cols == ONE and shape.rows != ONE:
            return ("transpose",)  # "∂f/∂x is a row vector": by a column, a row
        if ONE in (shape.rows, shape.cols):  # a vector: a column or a row
            return ("plain", "transpose")
        if nabla:  # the gradient has the variable's shape
            base: tuple[str, ...] = ("plain", "transpose") if "numerator" in layouts else ("plain",)
        elif not layouts:
            base = ("plain", "transpose")
        else:
            base = tuple(f for f, lay in (("plain", "denominator"), ("transpose", "numerator"))
                         if lay in layouts)  # fmt: skip
        return (*base, "structured") if symmetric else base
    if kind == "jacobian":
        return _jacobian_forms(layouts, named_jacobian)
    return ("plain", "transpose")  # by a scalar: a vector written as a row or a column


def _jacobian_forms(layouts: frozenset[str], named_jacobian: bool) -> tuple[str, ...]:
    """:func:`accepted_forms` of a Jacobian, in the layouts stated for it."""
    if named_jacobian:
        return ("plain",) if layouts == {"numerator"} else ("plain", "transpose")
    if not layouts:
        return ("plain", "transpose")
    return tuple(f for f, lay in (("plain", "numerator"), ("transpose", "denominator"))
                 if lay in layouts)  # fmt: skip
