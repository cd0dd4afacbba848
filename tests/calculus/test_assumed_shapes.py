r"""An expression given alone, nothing declared: the shapes its letters and their use say.

The answers are the engine's, verified numerically on the assumed shapes (a different size
for every name); these tests pin what is assumed, that the answer is verified, and that the
command says what it assumed."""

from __future__ import annotations

import json

import pytest

from texgrad import cli
from texgrad.calculus.api import diff_latex
from texgrad.calculus.assumed_shapes import assumed_declarations
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row


def _assumed(latex: str) -> list[str] | None:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.error is None and parsed.tree is not None
    return assumed_declarations(parsed.tree, latex)


@pytest.mark.parametrize(
    ("latex", "want"),
    [
        (r"\operatorname{tr}(AB)",
         [r"A \in \mathbb{R}^{n \times m}", r"B \in \mathbb{R}^{m \times n}"]),
        (r"\|Ax - b\|^2 + \lambda\|x\|^2",
         [r"A \in \mathbb{R}^{m \times n}", r"x \in \mathbb{R}^{n}", r"b \in \mathbb{R}^{m}",
          r"\lambda \in \mathbb{R}"]),
        (r"\mathbf a^\top X \mathbf b",
         [r"\mathbf a \in \mathbb{R}^{n}", r"X \in \mathbb{R}^{n \times m}", r"\mathbf b \in \mathbb{R}^{m}"]),
        (r"\log\det(X^{-1} + A)", [r"X \in \mathbb{R}^{n \times n}", r"A \in \mathbb{R}^{n \times n}"]),
        (r"\frac{x^\top A x}{x^\top x}", [r"x \in \mathbb{R}^{n}", r"A \in \mathbb{R}^{n \times n}"]),
        (r"\frac{\partial \operatorname{tr}(AXB)}{\partial X}",
         [r"A \in \mathbb{R}^{n \times m}", r"X \in \mathbb{R}^{m \times p}", r"B \in \mathbb{R}^{p \times n}"]),
    ],
)  # fmt: skip
def test_shapes_read_from_the_letters(latex: str, want: list[str]) -> None:
    assert _assumed(latex) == want


@pytest.mark.parametrize(
    "latex",
    [
        r"A + \lambda",  # a number plus a matrix: broadcasting, not guessed
        r"x_i^\top A x_i",  # members of a family: which sizes is not said
        r"f(x) + A",  # a function the expression does not define
        r"\mathbb{E}[x]",
    ],
)
def test_no_guess_where_the_letters_do_not_say(latex: str) -> None:
    assert _assumed(latex) is None


@pytest.mark.parametrize(
    ("expr", "wrt", "want"),
    [
        (r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "", r"B^\top"),
        (r"x^\top A x", "x", r"(A + A^\top) x"),
        (r"\|Ax - b\|^2", "x", r"2 A^\top (A x - b)"),
        (r"\mathbf a^\top X \mathbf b", "X", r"\mathbf a \mathbf b^\top"),
        # a definition typed whole: its right side says the shapes, the name defined none
        (r"\mathcal{L}(w) = \|Aw - b\|^2", "w", r"2 A^\top (A w - b)"),
        (r"g(X) := \log\det X", "X", r"X^{-\top}"),
    ],
)
def test_an_expression_alone_is_differentiated_on_assumed_shapes(
    expr: str, wrt: str, want: str
) -> None:
    out = diff_latex(expr, wrt, budget=60)
    assert out.error is None and out.verified, out.error
    assert out.result == want
    assert out.assumed and all(r"\in \mathbb{R}" in d for d in out.assumed)


def test_declared_shapes_are_never_replaced_by_assumed_ones() -> None:
    out = diff_latex(r"x^\top A x", "x", r"A \in \mathbb{R}^{n \times n}", budget=60)
    assert out.error is not None and "x" in out.error and out.assumed == []


def test_the_command_says_what_it_assumed(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        ["diff", "--budget", "60", r"\frac{\partial \operatorname{tr}(AB)}{\partial A}"]
    )
    captured = capsys.readouterr()
    assert (code, captured.out.strip()) == (0, r"B^\top")
    assert (
        "% shapes assumed from the letters (declare them with --where to change them): "
        r"A \in \mathbb{R}^{n \times m}; B \in \mathbb{R}^{m \times n}" in captured.err
    )
    code = cli.main(["diff", "--budget", "60", "--format", "json", "--wrt", "x", r"x^\top A x"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["assumed"] == [
        r"x \in \mathbb{R}^{n}",
        r"A \in \mathbb{R}^{n \times n}",
    ]
