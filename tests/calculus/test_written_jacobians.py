r"""Jacobians written entry by entry (``\frac{\partial f_i}{\partial x_j} = a_{ij}``,
``\delta_{ij}``, the softmax's ``s_i(\delta_{ij} - s_j)``), the softmax Jacobian in the
document's name (``\operatorname{diag}(\mathbf s) - \mathbf s \mathbf s^\top``), and
differentials said wrong with how they differ
(tests/calculus/written/jacobian-entries.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.calculus.written_jacobians import how_it_differs
from texgrad.shapes.check import Checker

WRITTEN = Path(__file__).resolve().parent / "written"


def _check(path: Path, text: str | None = None) -> tuple[list[int], list[str], Tally]:
    text = text if text is not None else path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    return [text.count("\n", 0, f.start) + 1 for f in found], [f.message for f in found], tally


def test_jacobian_entries_right_and_wrong() -> None:
    # right and silent: 8 (a_ij), 12 (b_ij), 15 (δ_ij), 20 (softmax's entries), 24 (its
    # matrix form), 29 (tanh, both the δ_ij form and the diagonal ∂h_i/∂x_i)
    lines, messages, tally = _check(WRITTEN / "jacobian-entries.md")
    assert lines == [10, 13, 16, 22, 26, 30, 30]
    assert tally.verified == 7 and tally.flagged == 7
    swapped_m_by_n, swapped_square, one, softmax, matrix, diagonal, sign = messages
    assert swapped_m_by_n == (  # (the text calls it a slip itself)
        "as the text says (“slip”), `a_{ji}` is not the derivative of `f_i` with respect to `x_j`: texgrad finds "
        "`a_{ij}`, verified numerically at every index (i and j are swapped)"
    )
    assert "(i and j are swapped: this is the entry (j, i))" in swapped_square
    assert "texgrad finds `\\delta_{ij}`" in one
    assert "texgrad finds `s_i \\delta_{ij} - s_i s_j`" in softmax  # in the document's s
    assert matrix.endswith(
        "texgrad finds `\\operatorname{diag}(\\mathbf s) - \\mathbf s \\mathbf s^\\top`, "
        "verified numerically (the term `\\mathbf s \\mathbf s^\\top` has the wrong sign)"
    )
    assert "its entries differ from the Jacobian" in diagonal and "sign" not in diagonal
    assert sign.endswith("(the sign is wrong)")


def test_an_entry_claim_about_an_undefined_vector_is_silence(tmp_path: Path) -> None:
    text = (
        "Let $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
        "$$\\frac{\\partial f_i}{\\partial x_j} = \\delta_{ij}$$\n\n"
        "$$\\frac{\\partial f_i}{\\partial x_j} = 7$$\n"
    )
    lines, _, tally = _check(tmp_path / "n.md", text)
    assert lines == [] and tally.read == 2 and tally.verified == 0


def test_the_relation_found_between_entries() -> None:
    g = np.arange(6.0).reshape(2, 3) + 1
    h = np.arange(9.0).reshape(3, 3) + 1
    assert how_it_differs([(h.T, h)] * 3, "i", "j").startswith("i and j are swapped")
    assert how_it_differs([(-g, g)] * 3, "i", "j") == "the sign is wrong"
    assert how_it_differs([(2 * g, g)] * 3, "i", "j") == "it is 2 times the entry"
    assert how_it_differs([(g / 2, g)] * 3, "i", "j") == "it is the entry divided by 2"
    assert how_it_differs([(g + 1, g)] * 3, "i", "j") == ""


@pytest.mark.parametrize(
    ("written", "cause"),
    [
        (
            r"\operatorname{tr}(X \mathrm dX)",
            "a factor 2 is missing",
        ),
        (r"2\operatorname{tr}(X^\top \mathrm dX)", "the transposes are misplaced"),
    ],
)
def test_a_wrong_differential_says_how(tmp_path: Path, written: str, cause: str) -> None:
    text = f"Let $X \\in \\mathbb{{R}}^{{n \\times n}}$.\n\n$$\\mathrm d \\operatorname{{tr}}(X^2) = {written}$$\n"
    lines, messages, _ = _check(tmp_path / "d.md", text)
    assert lines == [3]
    assert cause in messages[0], messages[0]


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("\\frac{\\partial \\operatorname{vec}(AXB)}{\\partial \\operatorname{vec}(X)^\\top} = B^\\top \\otimes A", False),
        # by vec(X)ᵀ: the numerator Jacobian, though the document writes gradients in the other
        ("\\frac{\\partial \\operatorname{vec}(AXB)}{\\partial \\operatorname{vec}(X)^\\top} = B \\otimes A^\\top", True),
        ("\\frac{\\partial \\operatorname{vec}(XA)}{\\partial \\operatorname{vec}(X)^\\top} = A \\otimes I", True),
        ("\\frac{\\partial \\operatorname{vec}(XA)}{\\partial \\operatorname{vec}(X)^\\top} = A^\\top \\otimes I", False),
    ],
)  # fmt: skip
def test_a_jacobian_by_a_transposed_vec(tmp_path: Path, claim: str, wrong: bool) -> None:
    text = (
        "Gradients are in denominator layout. Let $A, B, X \\in \\mathbb{R}^{n \\times n}$.\n\n"
        f"$${claim}$$\n"
    )
    lines, _, tally = _check(tmp_path / "vec.md", text)
    assert (lines, tally.verified) == (([3], 0) if wrong else ([], 1))
