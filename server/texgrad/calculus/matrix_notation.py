r"""Functions of whole matrices written with a script: ``\operatorname{vec}^{-1}(y)`` and
``\operatorname{softmax}_{\text{row}}(Z)`` / ``\operatorname{softmax}_{\text{col}}(Z)``.

A softmax of a matrix with no script is taken row by row (each row sums to one), the
convention of attention papers (``\operatorname{softmax}(QK^\top/\sqrt{d})V``);
``_{\text{col}}`` says column by column.  ``\operatorname{vec}^{-1}`` of a column of n²
entries is the n×n matrix whose columns they are (the engine prints the solution of a
Sylvester equation so).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.casefold import folded, folded_pattern
from texgrad.syntax import tree as t

ROW_WORDS = frozenset({"row", "rows", "r", "rowwise", "row-wise"})
COLUMN_WORDS = frozenset({"col", "cols", "column", "columns", "c", "colwise", "column-wise"})


def script_word(node: t.Node | None) -> str | None:
    r"""The word of a script: ``\text{row}`` → ``row``, ``\mathrm{row}`` → ``row``, ``r``."""
    if isinstance(node, t.Text):
        text = node.text
        if "{" in text and text.endswith("}"):
            text = text[text.index("{") + 1 : -1]
        return text.strip().lower()
    if isinstance(node, t.Func):
        return node.name.lower()
    if isinstance(node, t.Symbol) and not node.accents:
        return node.name.lower()
    if isinstance(node, t.Font) and node.body is not None:
        return script_word(node.body)
    if isinstance(node, t.Product) and all(isinstance(f, t.Symbol) for f in node.factors):
        return "".join(f.name for f in node.factors if isinstance(f, t.Symbol)).lower()
    return None


def _minus_one(node: t.Node | None) -> bool:
    return (
        isinstance(node, t.Neg)
        and node.sign == "-"
        and isinstance(node.operand, t.Number)
        and node.operand.text == "1"
    )


def _shape_of(node: t.Node) -> tuple[sympy.Expr, sympy.Expr]:
    r"""``m \times n`` of ``\operatorname{vec}^{-1}_{m \times n}``: two dimensions."""
    if isinstance(node, t.BinOp) and node.op == "\\times" and node.right is not None:
        return _dimension(node.left), _dimension(node.right)
    raise CalculusError("cannot read the shape under vec⁻¹ (write `_{m \\times n}`)")


def _dimension(node: t.Node) -> sympy.Expr:
    if isinstance(node, t.Number) and node.text.isdigit() and int(node.text) > 0:
        return sympy.Integer(int(node.text))
    if isinstance(node, t.Symbol) and node.name.isalpha() and not node.accents and not node.font:
        return sympy.Symbol(node.name, integer=True, positive=True)
    raise CalculusError("cannot read the shape under vec⁻¹ (write `_{m \\times n}`)")


def square_unvec(y: Expr) -> Expr:
    """vec⁻¹ y as a square matrix (y has n² entries)."""
    if y.cols != e.ONE:
        raise CalculusError(f"vec⁻¹ of a {y.shape.short()} matrix (it takes a column)")
    n = sympy.sqrt(y.rows)
    if n.has(sympy.Pow) or not (n.is_Integer or n.free_symbols):  # √(mn), √6: no square
        raise CalculusError(
            f"cannot tell the shape of vec⁻¹ of a column of {y.rows} entries (not a square)"
        )
    return e.unvec(y, n, n)


def scripted_operation(f: t.Func, args: list[Expr]) -> Expr | None:
    r"""``\operatorname{vec}^{-1}(y)``, ``\operatorname{softmax}_{\text{row}}(Z)``; None for
    any other scripted function."""
    if len(args) != 1:
        return None
    (x,) = args
    if f.name == "vec" and _minus_one(f.sup):
        if f.sub is None:
            return square_unvec(x)
        return e.unvec(x, *_shape_of(f.sub))
    if f.name == "softmax" and f.sup is None and f.sub is not None:
        word = script_word(f.sub)
        if word in ROW_WORDS:
            return e.softmax(x)
        if word in COLUMN_WORDS:
            return e.transpose(e.softmax(e.transpose(x))) if x.cols != e.ONE else e.softmax(x)
        raise CalculusError(
            "cannot read the subscript of this softmax (write `_{\\text{row}}` or `_{\\text{col}}`)"
        )
    return None


def matrix_notes(f: Expr) -> str:
    """What the answer should say about how it read a matrix function: a softmax of a
    matrix is row by row."""
    if any(isinstance(x, e.Softmax) and x.cols != e.ONE for x in f.walk()):
        return "; softmax of a matrix taken row by row (each row sums to 1)"
    return ""


def sylvester_lines(df: Expr, show: Callable[[Expr], str]) -> list[str]:
    r"""For each solution of a Sylvester equation in ``df`` (printed as
    ``vec^{-1}((I ⊗ R + Rᵀ ⊗ I)^{-1} vec E)``), the equation itself: ``R Y + Y R = E``."""
    out: list[str] = []
    for x in df.walk():
        parts = _sylvester_parts(x)
        if parts is None:
            continue
        root, direction = parts
        r = show(root)
        line = (
            f"Y = {show(x)} \\;\\text{{solves}}\\; {r}\\, Y + Y {r} = {show(direction)}"
            " \\quad \\text{(Sylvester equation)}"
        )
        if line not in out:
            out.append(line)
    return out


def _sylvester_parts(x: Expr) -> tuple[Expr, Expr] | None:
    """(R, E) of ``vec^{-1}((I ⊗ R + Rᵀ ⊗ I)^{-1} vec E)``; None for anything else."""
    if not isinstance(x, e.Unvec) or not isinstance(x.arg, e.Mul) or len(x.arg.factors) != 2:
        return None
    inverse, vector = x.arg.factors
    if not isinstance(inverse, e.Inv) or not isinstance(inverse.arg, e.Add):
        return None
    terms = inverse.arg.terms
    if len(terms) != 2 or not all(isinstance(t, e.Kron) for t in terms):
        return None
    first, second = terms
    assert isinstance(first, e.Kron) and isinstance(second, e.Kron)
    if not (isinstance(first.left, e.Identity) and isinstance(second.right, e.Identity)):
        return None
    if e.transpose(first.right) != second.left:
        return None
    direction = e.unvec(vector, x.rows, x.cols)
    return first.right, direction


_COLUMNS = r"(?:column[- ]?wise|column by column|over (?:the |its |each )?columns|along (?:the )?columns|to each column|of each column|per column)"
_SOFTMAX_BY_COLUMNS = re.compile(
    rf"softmax[^.;]{{0,120}}?{_COLUMNS}|{_COLUMNS}[^.;]{{0,60}}?softmax", re.IGNORECASE
)


_BY_COLUMNS_FOLDED = folded_pattern(_SOFTMAX_BY_COLUMNS.pattern)  # (the same, fast)


def softmax_by_columns(text: str) -> bool:
    """Whether the prose says a softmax is taken column by column ("the softmax is
    applied column-wise", "softmax over the columns")."""
    return "softmax" in text.lower() and _BY_COLUMNS_FOLDED.search(folded(text)) is not None
