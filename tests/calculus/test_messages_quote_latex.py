"""Messages a user reads quote LaTeX, never the name of one of texgrad's internal classes
(``cannot differentiate `HPow```)."""

from __future__ import annotations

import re
from pathlib import Path

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.printing import quoted
from texgrad.shapes.dims import Shape

ANALYSIS = Path(__file__).resolve().parents[2] / "server" / "texgrad"


def test_an_expression_is_quoted_in_latex() -> None:
    x = e.var("x", Shape(sympy.Symbol("n"), sympy.Integer(1)))
    assert quoted(e.hpow(x, 3)) == r"`x^{\circ 3}`"


def test_no_error_message_names_an_internal_class() -> None:
    raised = re.compile(r"raise \w*Error\(\s*f[\"'][^\"']*type\([^)]*\)\.__name__")
    found = [
        f"{path.relative_to(ANALYSIS)}:{text.count(chr(10), 0, m.start()) + 1}"
        for folder in ("calculus", "shapes")
        for path in sorted((ANALYSIS / folder).rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for m in raised.finditer(text)
    ]
    # (only the printer's own: "cannot print", caught where it quotes)
    assert [f.partition(":")[0] for f in found] == ["calculus/printing.py"], found
