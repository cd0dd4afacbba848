r"""Tables of identities headed in words (``| Function | Gradient |``, ``\textbf{Function} &
\textbf{Gradient} \\``): each line is the claim that its derivative cell is that derivative of
its function cell, checked as a table headed in math is — every slip flagged, no right line."""

from __future__ import annotations

import pytest

from texgrad.calculus.written_derivatives import Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker

DECLARED = (
    r"Let $\mathbf x, \mathbf a \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$ and "
    r"$M \in \mathbb{R}^{m \times n}$."
)

MARKDOWN = f"""{DECLARED}

| Function | Gradient | Hessian |
|---|---|---|
| $\\mathbf a^\\top \\mathbf x$ | $\\mathbf a$ | $0$ |
| $\\mathbf x^\\top A \\mathbf x$ | $(A + A^\\top)\\mathbf x$ | $A + A^\\top$ |
| $\\mathbf x^\\top A \\mathbf x$ | $2A\\mathbf x$ | $2A$ |
| $\\|\\mathbf x\\|_2$ | $\\mathbf x / \\|\\mathbf x\\|_2$ | |

| Map | Jacobian |
|---|---|
| $M\\mathbf x$ | $M$ |
| $\\mathbf x \\odot \\mathbf x$ | $\\operatorname{{diag}}(\\mathbf x)$ |

| Expression | Derivative w.r.t. $\\mathbf x$ | Notes |
|---|---|---|
| $\\mathbf x^\\top\\mathbf x$ | $\\mathbf x$ | the notes column holds math too: $n > 0$ |
"""

LATEX = f"""\\documentclass{{article}}
\\begin{{document}}
{DECLARED}
\\begin{{tabular}}{{ll}}
\\hline
\\textbf{{Function}} & \\textbf{{Gradient}} \\\\
\\hline
$\\mathbf a^\\top \\mathbf x$ & $\\mathbf a$ \\\\
$\\mathbf x^\\top A \\mathbf x$ & $(A + A^\\top)\\mathbf x$ \\\\
$\\mathbf x^\\top \\mathbf x$ & $\\mathbf x$ \\\\
\\hline
\\end{{tabular}}
\\end{{document}}
"""


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # 7: 2Ax for a general A, its Hessian 2A; 13: diag(x) for 2 diag(x).  Not read: the
        # third table, whose two columns of math leave its function unsaid (x̄ᵀx = x is wrong,
        # and silence is right)
        ("sheet.md", MARKDOWN, {7: ["unless `A` is symmetric"] * 2, 13: ["factor 2"]}),
        ("sheet.tex", LATEX, {10: ["factor 2"]}),
    ],
)
def test_every_line_of_a_table_headed_in_words_is_a_claim(
    name: str, text: str, expected: dict[int, list[str]]
) -> None:
    checked = Checker().check(name, text=text)
    assert checked.diagnostics == []
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    said: dict[int, list[str]] = {}
    for f, d in zip(found, diagnostics_of(checked, found), strict=True):
        said.setdefault(text.count("\n", 0, f.start) + 1, []).append(d.message)
    assert sorted(said) == sorted(expected), said
    for line, words in expected.items():
        assert len(said[line]) == len(words)
        for message, word in zip(said[line], words, strict=True):
            assert word in message, (line, message)
    assert tally.verified + tally.flagged == tally.read  # every line read decided
    assert tally.read == (8 if name.endswith(".md") else 3)  # (a Hessian 0 is no claim)


@pytest.mark.parametrize(
    ("title", "read"),
    [
        ("Its gradient", True),
        ("d/dx", True),
        ("∂/∂x", True),
        ("Derivative w.r.t. x", True),
        # not a derivative's title: a word after the operator, or none at all
        ("d/dx of", False),
        ("w.r.t. x", False),
    ],
)
def test_a_derivative_titled_by_its_operator_or_with_its_in_front(title: str, read: bool) -> None:
    text = (
        f"{DECLARED}\n\n| Function | {title} |\n|---|---|\n"
        "| $\\mathbf a^\\top \\mathbf x$ | $\\mathbf a$ |\n"
        "| $\\mathbf x^\\top A \\mathbf x$ | $2A\\mathbf x$ |\n"
    )
    tally = Tally()
    found = check_written(Checker().check("t.md", text=text), seconds=60.0, tally=tally)
    assert [text[f.start : f.end] for f in found] == (["2A\\mathbf x"] if read else [])
    assert (tally.read, tally.verified) == ((2, 1) if read else (0, 0))
