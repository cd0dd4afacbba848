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


def test_a_power_of_a_named_square_is_written_with_its_root() -> None:
    r"""σ² named by the document (σ its root, as ``lower`` reads σ): (σ²)^{1/2} is σ and
    (σ²)^{-3/2} is 1/σ³ — only where the document writes σ itself."""
    import sympy

    from texgrad.calculus.printing import latex

    s2 = e.var("\\sigma^{2}", Shape(e.ONE, e.ONE))
    style = Style(symbols={"\\sigma^{2}": "\\sigma^{2}", "\\sigma": "\\sigma"})
    assert latex(e.power(s2, sympy.Rational(1, 2)), style) == "\\sigma"
    assert latex(e.power(s2, sympy.Rational(-3, 2)), style) == "\\frac{1}{\\sigma^{3}}"
    assert latex(e.power(s2, sympy.Rational(1, 3)), style) == "(\\sigma^{2})^{1/3}"
    alone = Style(symbols={"\\sigma^{2}": "\\sigma^{2}"})  # σ never written: σ² as it is
    assert latex(e.power(s2, sympy.Rational(1, 2)), alone) == "\\sqrt{\\sigma^{2}}"
