r"""Commands of the packages a document loads (physics' ``\pdv``, ``\grad``, ``\norm``,
``\qty``, ``\mqty``; derivative's ``\odv``; diffcoeff's ``\diffp``; commath's ``\pd``) are
read as what they typeset, and a range over a whole macro call never cuts its braces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reading.test_macros import expanded
from tests.test_cli import run
from texgrad.reading.document import read_text
from texgrad.reading.source import MappedText

PHYSICS = "\\usepackage{amsmath,physics}\n"


@pytest.mark.parametrize(
    ("math", "want"),
    [
        (r"\pdv{f}{x}", r"\frac{\partial f}{\partial x}"),
        (r"\pdv{x}", r"\frac{\partial}{\partial x}"),
        (r"\pdv[2]{f}{x}", r"\frac{\partial^{2} f}{\partial x^{2}}"),
        (r"\pdv{f}{x}{y}", r"\frac{\partial^{2} f}{\partial x \partial y}"),
        (r"\pdv*{f}{x}", r"\frac{\partial f}{\partial x}"),
        (r"\dv{f}{t}", r"\frac{\mathrm{d} f}{\mathrm{d} t}"),
        (r"\dd{x}", r"\mathrm{d} x"),
        (r"\dd x", r"\mathrm{d} x"),
        (r"\grad f", r"\nabla f"),
        (r"\norm{x}_2^2", r"\|x\|_2^2"),
        (r"\abs{t}", "|t|"),
        (r"\qty(A + B)x", "(A + B)x"),
        (r"\qty[A + B]x", "[A + B]x"),
        (r"\vb{x} + \vb*{\mu}", r"\mathbf{x} + \boldsymbol{\mu}"),
        (r"\mqty(a & b \\ c & d)", r"\begin{pmatrix}a & b \\ c & d\end{pmatrix}"),
        (r"\mqty[a & b]", r"\begin{bmatrix}a & b\end{bmatrix}"),
        (r"\bmqty{a & b}", r"\begin{bmatrix}a & b\end{bmatrix}"),
        (r"\tr(A)", r"\operatorname{tr}(A)"),
    ],
)
def test_physics_commands_read_as_they_typeset(math: str, want: str) -> None:
    assert expanded(PHYSICS + f"${math}$") == [want]


def test_other_packages_and_no_package() -> None:
    assert expanded("\\usepackage{derivative}\n$\\odv{y}{t} = \\pdv{f}{x}$") == [
        r"\frac{\mathrm{d} y}{\mathrm{d} t} = \frac{\partial f}{\partial x}"
    ]
    assert expanded("\\usepackage{diffcoeff}\n$\\diffp[2]{f}{x}$") == [
        r"\frac{\partial^{2} f}{\partial x^{2}}"
    ]
    assert expanded("\\usepackage{commath}\n$\\pd{f}{x} + \\norm{x}$") == [
        r"\frac{\partial f}{\partial x} + \|x\|"
    ]
    # not loaded: left as written
    assert expanded(r"$\pdv{f}{x}$") == [r"\pdv{f}{x}"]


def test_the_documents_own_definition_wins() -> None:
    src = PHYSICS + "\\renewcommand{\\norm}[1]{\\lVert #1 \\rVert}\n$\\norm{x}$"
    assert expanded(src) == [r"\lVert x \rVert"]


def test_a_range_over_a_whole_call_keeps_its_braces() -> None:
    src = "\\newcommand{\\dx}[1]{\\mathrm{d}#1}\n$a\\,\\dx{y}$"
    (row,) = [row for reg in read_text(src).regions for row in reg.rows]
    text = row.text
    assert text.text.strip() == r"a\,\mathrm{d}y"
    start = text.text.index("a")
    a, b = text.source_range(start, len(text.text.rstrip()))
    assert src[a:b] == r"a\,\dx{y}"  # the closing brace is part of it
    y = text.text.index("y")
    a, b = text.source_range(y, y + 1)
    assert src[a:b] == "y"  # the argument alone is itself
    # a macro whose body begins with its argument, too
    src = "\\newcommand{\\T}[1]{#1^\\top}\n$\\T{A} B$"
    (row,) = [row for reg in read_text(src).regions for row in reg.rows]
    a, b = row.text.source_range(0, len(row.text.text.rstrip()))
    assert src[a:b].strip() == r"\T{A} B"


def test_call_spans_survive_slicing_concatenation_and_shifting() -> None:
    inner = MappedText.concat(
        [MappedText.synthetic("d", 10, 17), MappedText.identity("y", 15)]
    ).as_call(10, 17)
    text = MappedText.concat([MappedText.identity("a ", 7), inner, MappedText.identity(" b", 17)])
    assert text.source_range(0, 4) == (7, 17)
    assert text.slice(2, 6).source_range(0, 2) == (10, 17)
    assert text.shifted(100).source_range(0, 4) == (107, 117)
    assert text.key(0) != MappedText(text.text, text.segments).key(0)


HANDOUT = r"""\documentclass{article}
\usepackage{amsmath,bm,physics}
\begin{document}
Let $\vb{A} \in \mathbb{R}^{n\times n}$, $\vb{B}\in\mathbb{R}^{n\times p}$, $\vb{x}\in\mathbb{R}^n$ and $\vb{y}\in\mathbb{R}^p$.
\begin{align}
  \pdv{\vb x} \qty(\vb x^\top \vb A \vb x) &= 2\vb A\vb x, \\
  \pdv{\vb x} \qty(\vb x^\top \vb B \vb y) &= -\vb B \vb y, \\
  \pdv{\norm{\vb x}_2^2}{\vb x} &= \vb x, \\
  \grad_{\vb x} \qty(\vb x^\top \vb A \vb x) &= \qty(\vb A + \vb A^\top)\vb x
\end{align}
Let $f(\vb x) = \frac12 \vb x^\top \vb A \vb x$. Then $\dd f = \vb x^\top \vb A \dd{\vb x}$.
\end{document}
"""


def test_a_physics_handout_is_checked_and_its_fixes_apply(tmp_path: Path) -> None:
    doc = tmp_path / "handout.tex"
    doc.write_text(HANDOUT, encoding="utf-8")
    _, out = run("check", "--format", "json", str(doc))
    found = json.loads(out)
    by_line = {(d["line"], d["code"]) for d in found}
    assert by_line == {
        (6, "wrong-derivative"),  # 2Ax: needs A symmetric
        (7, "wrong-derivative"),  # the sign
        (8, "wrong-derivative"),  # a factor 2 missing
        (11, "wrong-derivative"),  # x^T A dx for ½ x^T A x
    }
    # every fix applied leaves balanced braces and nothing to flag
    lines = HANDOUT.splitlines(keepends=True)
    fixes = sorted(
        (f for d in found for f in d["fixes"]), key=lambda f: (f["line"], f["column"]), reverse=True
    )
    assert len(fixes) == 4
    for f in fixes:
        assert f["line"] == f["end_line"]
        line = lines[f["line"] - 1]
        lines[f["line"] - 1] = line[: f["column"] - 1] + f["text"] + line[f["end_column"] - 1 :]
    fixed = "".join(lines)
    assert fixed.count("{") == fixed.count("}")
    doc.write_text(fixed, encoding="utf-8")
    _, out = run("check", "--format", "json", str(doc))
    assert json.loads(out) == []


def test_mathjax_require_loads_the_package_in_markdown() -> None:
    def rows(src: str) -> list[str]:
        doc = read_text(src, "markdown")
        return [
            row.text.text.strip()
            for reg in doc.regions
            for row in reg.rows
            if row.text.text.strip()
        ]

    src = "$$\\require{physics}$$\n\nThen $\\pdv{f}{x} + \\norm{x}$ and $\\grad f$.\n"
    assert rows(src) == [r"\frac{\partial f}{\partial x} + \|x\|", r"\nabla f"]
    # not required: left as written
    assert rows("Then $\\pdv{f}{x}$.\n") == [r"\pdv{f}{x}"]
