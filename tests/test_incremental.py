"""Re-checking after an edit reuses the trees of untouched rows and gives the same answer."""

from __future__ import annotations

from pathlib import Path

from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker
from texgrad.syntax.show import show

DOC = r"""\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
\begin{align}
  r &= Ax - y \\
  g &= A^\top r
\end{align}
Wrong: $A y$.
\end{document}
"""


def _facts(result):
    return [(d.start, d.end, d.code, d.message) for d in result.diagnostics]


def test_edit_reuses_untouched_rows_and_matches_a_fresh_check(tmp_path: Path) -> None:
    path = tmp_path / "paper.tex"
    path.write_text(DOC, encoding="utf-8")
    project = load_project(path, folder=tmp_path)
    checker = Checker()
    first = checker.check(str(path), project, tmp_path)
    assert [d.code for d in first.diagnostics] == ["matmul-mismatch"]

    # insert a sentence (and a new mistake) before the align
    edited = DOC.replace("\\begin{align}", "Ünï: $x + y$.\n\\begin{align}", 1)
    second = checker.check(str(path), project, tmp_path, text=edited)
    fresh = Checker().check(str(path), project, tmp_path, text=edited)
    assert _facts(second) == _facts(fresh)
    assert [d.code for d in second.diagnostics] == ["add-mismatch", "matmul-mismatch"]
    for d in second.diagnostics:
        assert edited[d.start : d.end] in ("x + y", "A y")

    # the rows after the edit were moved, not parsed again: same trees, new places
    row = r"(Chain g = (Product (Transpose:\top A) r))"
    before = {
        show(r.tree): r.tree for r in Checker().parsed(str(path), project, tmp_path, DOC).rows
    }[row]
    after = {
        show(r.tree): r.tree for r in checker.parsed(str(path), project, tmp_path, edited).rows
    }[row]
    shift = len("Ünï: $x + y$.\n")
    assert (after.start, after.end) == (before.start + shift, before.end + shift)
    assert edited[after.start : after.end] == r"g &= A^\top r"


def test_use_is_evidence_for_undeclared_symbols(tmp_path: Path) -> None:
    import sympy

    doc = tmp_path / "notes.md"
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$. Then $Ax$ and $u^\\top A$ and $A B$.\n",
        encoding="utf-8",
    )
    result = Checker().check(str(doc), None, tmp_path)
    m, n = (sympy.Symbol(s, positive=True, integer=True) for s in "mn")
    assert result.inferred == {"x": (n, None), "u": (m, None), "B": (n, None)}
    assert result.diagnostics == []

    # a term of a sum has the shape of the others
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$. Then $Ax + r$.\n",
        encoding="utf-8",
    )
    assert Checker().check(str(doc), None, tmp_path).inferred == {"r": (m, sympy.Integer(1))}

    # uses that disagree tell nothing
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$. Then $Ax$ and $x^\\top A$.\n", encoding="utf-8"
    )
    assert Checker().check(str(doc), None, tmp_path).inferred == {}
