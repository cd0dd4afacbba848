r"""Where symbols are: the symbol under an offset, its declaration, its uses, the outline."""

from __future__ import annotations

from pathlib import Path

from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.navigation import definition, occurrences, outline, references, symbol_at

DOC = r"""Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
\[ f(x) = \|A x\|^2 \label{eq:f} \]
Then $y = A x$ and $W_1 x$ and $u^\top A$.
"""


def checked(tmp_path: Path) -> CheckResult:
    path = tmp_path / "doc.tex"
    path.write_text(DOC, encoding="utf-8")
    return Checker().check(str(path))


def test_navigation(tmp_path: Path) -> None:
    result = checked(tmp_path)
    at = DOC.index("A x\\|")
    assert symbol_at(result, at).key == "A"  # type: ignore[union-attr]
    assert symbol_at(result, at + 1).key == "A"  # type: ignore[union-attr]  # end of the word
    (d,) = definition(result, at)
    assert (d.start, d.end) == (DOC.index("A \\in"), DOC.index("A \\in") + 1)
    (d,) = definition(result, DOC.index("y = A"))
    assert DOC[d.start : d.end] == "y"
    w1 = symbol_at(result, DOC.index("W_1"))
    assert w1 is not None and w1.key == "W_{1}"
    uses = occurrences([result], "A")
    assert [DOC[p.start : p.end] for p in uses] == ["A"] * 4
    assert occurrences([result], "W") == []
    names = [(i.name, i.kind) for i in outline(result)]
    assert names == [("A", "symbol"), ("x", "symbol"), ("eq:f", "equation"), ("f(x)", "function")]


def test_references_across_files_with_or_without_declarations(tmp_path: Path) -> None:
    main, other = tmp_path / "main.tex", tmp_path / "other.tex"
    text = "% texgrad: A n×m, x m\nThen $A x$ and $y = A x$.\n"
    main.write_text(text, encoding="utf-8")
    other.write_text("Also $A^\\top A$.\n", encoding="utf-8")
    result, elsewhere = Checker().check(str(main)), Checker().check(str(other))
    uses = [(p.path, p.start) for p in references(result, [elsewhere], "A", False)]
    assert uses == [(str(main), 28), (str(main), 42), (str(other), 6), (str(other), 13)]
    declared = references(result, [elsewhere], "A", True)
    assert [(p.path, p.start) for p in declared] == [(str(main), text.index("A n"))] + uses
    assert references(result, [], "W", True) == []
