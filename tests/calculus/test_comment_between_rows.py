r"""A comment after a row break (``\\ % the slip``) does not end a derivation: the row after
it still continues the derivative of the row before (a document read the same with or
without its comments)."""

from __future__ import annotations

import pytest

from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker

DOC = (
    "\\documentclass{article}\\begin{document}\n"
    "Let $A \\in \\mathbb{R}^{n\\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$.\n"
    "\\begin{align}\n"
    "\\nabla_{\\mathbf x} (\\mathbf x^\\top A\\mathbf x) &= A\\mathbf x + A^\\top\\mathbf x \\\\ COMMENT\n"
    "&= 2A\\mathbf x\n"
    "\\end{align}\n\\end{document}\n"
)


@pytest.mark.parametrize("comment", ["", "% by the product rule", "%"])
def test_the_row_after_a_comment_continues(comment: str) -> None:
    text = DOC.replace("COMMENT", comment)
    found = check_written(Checker().check("doc.tex", text=text), seconds=60.0)
    assert [text.count("\n", 0, f.start) + 1 for f in found] == [5]
    assert "(A + A^\\top)" in found[0].message or "A^\\top" in found[0].message
