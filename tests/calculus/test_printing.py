r"""LaTeX in the document's notation (:mod:`texgrad.calculus.printing`)."""

from __future__ import annotations

from texgrad.calculus import expr as e
from texgrad.calculus.printing import Style
from texgrad.shapes.dims import Shape


def test_the_remembering_printer_prints_as_latex() -> None:
    from texgrad.calculus.printing import latex, printer

    n = __import__("sympy").Symbol("n", positive=True, integer=True)
    a, x = e.var("A", Shape(n, n)), e.var("x", Shape(n, e.ONE))
    ax = e.mul(a, x)
    exprs = [ax, e.transpose(ax), e.mul(e.transpose(ax), ax), e.add(ax, x), e.mul(e.num(2), ax)]
    style = Style(transpose="^T", symbols={"x": r"\mathbf{x}"})
    text = printer(style)
    assert [text(y) for y in exprs * 2] == [latex(y, style) for y in exprs * 2]
    assert text(e.mul(e.transpose(ax), ax)) == r"\|A \mathbf{x}\|_2^2"
