r"""A claim hedged in its own sentence ("Up to sign, …", "… holds only up to symmetrising
$D$") is right as far as its hedge goes (calculus/written_hedges.py): a slip of the kind
the hedge allows is no finding, any other still is; the note says why it is not reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.unchecked import claim_reason
from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.calculus.written_hedges import hedged_kinds
from texgrad.shapes.check import Checker

HEAD = (
    "Gradients have the shape of the variable (denominator layout). Let $\\mathbf x \\in "
    "\\mathbb{R}^n$, $A \\in \\mathbb{R}^{m \\times n}$, $D \\in \\mathbb{R}^{n \\times n}$ and "
    "$\\mathbf b \\in \\mathbb{R}^m$.\n\n"
)
GRAD = "\\nabla_{\\mathbf x}\\|A\\mathbf x - \\mathbf b\\|^2"
QUAD = "\\nabla_{\\mathbf x}(\\mathbf x^\\top D \\mathbf x)"


def _lines(tmp_path: Path, body: str) -> tuple[list[int], Tally]:
    text = HEAD + body
    checked = Checker().check(str(tmp_path / "doc.md"), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    return [text.count("\n", 0, f.start) + 1 for f in found], tally


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("Up to sign, $x$ is the step.", {"sign"}),
        ("It is $x$, up to a constant factor.", {"factor", "sign", "scaled"}),
        ("It is $x$ up to transposition.", {"transpose"}),
        ("$x$ holds only up to\nsymmetrising $D$.", {"symmetric"}),
        ("$x$ holds up to an overall minus sign.", {"sign"}),
        ("It is $x$. Up to sign, the next one is.", set()),  # another sentence's hedge
        ("We go up to the second order: $x$.", set()),
    ],
)
def test_the_hedge_of_a_claims_sentence(sentence: str, kinds: set[str]) -> None:
    at = sentence.index("$x$")
    assert hedged_kinds(sentence, at, at + 3) == kinds


def test_a_slip_the_hedge_allows_is_no_finding(tmp_path: Path) -> None:
    body = (
        f"Up to sign, ${GRAD} = 2A^\\top(\\mathbf b - A\\mathbf x)$ is the descent step.\n\n"
        f"Up to sign, ${GRAD} = A^\\top(\\mathbf b - A\\mathbf x)$ still lacks a factor 2.\n\n"
        f"The gradient ${QUAD} = 2D\\mathbf x$ holds only up to symmetrising $D$.\n\n"
        f"The gradient ${QUAD} = -2D\\mathbf x$ holds only up to symmetrising $D$.\n\n"
        f"Without a hedge, ${GRAD} = 2A^\\top(\\mathbf b - A\\mathbf x)$ is wrong.\n"
    )
    lines, tally = _lines(tmp_path, body)
    assert lines == [5, 9, 11]  # the factor 2 and the sign: no hedge allows them
    reasons = [r[2] for r in tally.undecided if r[2].startswith("hedged")]
    assert reasons == ["hedged: up to sign", "hedged: up to symmetrising"]
    assert claim_reason(reasons[0]) == (
        "this derivative is not checked: its sentence hedges it, and it is right up to sign"
    )


def test_a_claim_said_of_another_function_is_no_finding(tmp_path: Path) -> None:
    body = (
        f"With labels in $\\{{0, 1\\}}$ instead, ${GRAD} = A^\\top(\\mathbf b - A\\mathbf x)$, "
        "which is a different loss.\n\n"
        f"And ${GRAD} = A^\\top(\\mathbf b - A\\mathbf x)$ for this loss.\n"
    )
    lines, tally = _lines(tmp_path, body)
    assert lines == [5]  # the second: the same slip, said of the document's own f
    reasons = [r[2] for r in tally.undecided if "another" in r[2]]
    assert reasons == ["said of another function"]
    assert claim_reason(reasons[0]) == (
        "this derivative is not checked: its sentence says it is of another function"
    )
