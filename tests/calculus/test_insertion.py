r"""Where and how a differentiation result or derivation is written into a document."""

from __future__ import annotations

from texgrad.calculus.insertion import (
    derivation_insertion,
    function_label,
    left_side,
    notation_of,
    result_insertion,
)
from texgrad.reading.document import read_text


def _insert(text: str, fmt: str, needle: str, line: str) -> str:
    doc = read_text(text, fmt)
    at = text.index(needle)
    region = next(r for r in doc.regions if r.start <= at <= r.end)
    row = next(r for r in region.rows if r.start <= at <= r.end)
    ins = result_insertion(text, fmt, region, row.start, row.end, line)
    return text[: ins.offset] + ins.text + text[ins.offset :]


def test_result_insertion_follows_the_document_style() -> None:
    line = r"\nabla_x f = 2 x"
    assert _insert("See\n\\[ f(x) = x^2 \\].\nNext\n", "latex", "f(x)", line) == (
        "See\n\\[ f(x) = x^2 \\].\n\\[\n  \\nabla_x f = 2 x\n\\]\nNext\n"
    )
    assert _insert("\\begin{equation}\n  f = x\n\\end{equation}\n", "latex", "f =", line) == (
        "\\begin{equation}\n  f = x\n\\end{equation}\n"
        "\\begin{equation*}\n  \\nabla_x f = 2 x\n\\end{equation*}\n"
    )
    assert _insert(
        "\\begin{align}\n  f &= x \\\\\n  g &= y\n\\end{align}\n", "latex", "f &", line
    ) == ("\\begin{align}\n  f &= x \\\\\n  \\nabla_x f &= 2 x \\\\\n  g &= y\n\\end{align}\n")
    assert _insert("Then $f = x$, done.\n", "latex", "f =", line) == (
        "Then $f = x$ $\\nabla_x f = 2 x$, done.\n"
    )
    assert _insert("Text\n\n$$\nf = x\n$$\n\nMore\n", "markdown", "f =", line) == (
        "Text\n\n$$\nf = x\n$$\n\n$$\n\\nabla_x f = 2 x\n$$\n\nMore\n"
    )


def test_derivation_insertion() -> None:
    text = "Text\n\n$$\nf = x\n$$\n"
    doc = read_text(text, "markdown")
    ins = derivation_insertion(text, "markdown", doc.regions[0], ["f = x", r"\nabla_{x} f = 1"])
    assert text[: ins.offset] + ins.text == (
        "Text\n\n$$\nf = x\n$$\n\n$$\n\\begin{aligned}\n  f &= x \\\\\n  \\nabla_{x} f &= 1\n"
        "\\end{aligned}\n$$"
    )


def test_left_sides_and_notation() -> None:
    assert (
        notation_of(r"\frac{\partial f}{\partial x} and \frac{\partial g}{\partial y}") == "partial"
    )
    assert notation_of(r"\nabla f", "partial") == "partial"
    assert notation_of("nothing") == "nabla"
    assert left_side("gradient", "f", "W", "nabla") == r"\nabla_W f"
    assert left_side("gradient", "f", r"\mathbf{x}", "nabla") == r"\nabla_{\mathbf{x}} f"
    assert left_side("gradient", "f", "x", "partial") == r"\frac{\partial f}{\partial x}"
    assert left_side("jacobian", "y", "x", "nabla") == r"\frac{\partial y}{\partial x}"
    assert left_side("hessian", "f", "x", "nabla") == r"\nabla^2_x f"
    assert left_side("matrix", "F", "X", "nabla", r"\mathrm{d}X A") == r"\mathrm{d} F"


def test_the_differential_of_an_expression_has_one_pair_of_parentheses() -> None:
    # function_label wraps an unnamed expression; its differential does not wrap it again
    label = function_label("", "", r"X^{-1} A")
    assert left_side("matrix", label, "X", "nabla", r"\mathrm{d}X") == (
        r"\mathrm{d}\left(X^{-1} A\right)"
    )
    # two groups side by side are not one: wrapped
    two = r"\left(A\right) B \left(C\right)"
    assert left_side("matrix", two, "X", "nabla", r"\mathrm{d}X") == (
        r"\mathrm{d}\left(" + two + r"\right)"
    )
