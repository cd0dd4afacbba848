r"""The quick fix of a wrong derivative is the claim's own text with its slip undone
(calculus/written_fixes.py): the document's macros (``\T``), spacing and form kept, every
edit read back and verified numerically; where no edit of the claim holds, the engine's
result stays the fix.  Also: a transposed mixed block ∂²r/∂x∂zᵀ, and a statement that is a
chain itself before ``\qquad``."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written import statements
from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

HEAD = (
    "\\documentclass{article}\n\\newcommand{\\T}{^{\\top}}\n\\begin{document}\n"
    "Gradients have the shape of the variable (denominator layout). Let "
    "$M \\in \\mathbb{R}^{m \\times n}$, $U \\in \\mathbb{R}^{m \\times r}$, "
    "$V \\in \\mathbb{R}^{n \\times r}$, $A, X \\in \\mathbb{R}^{n \\times n}$, "
    "$\\mathbf x, \\mathbf b \\in \\mathbb{R}^n$, $\\lambda > 0$, "
    "$F(U, V) = \\frac12 \\|M - UV\\T\\|_F^2$, $s(X) = \\|X - A\\|_F^2$ and "
    "$p(X) = \\operatorname{tr}(X^{-1} A)$.\n"
)


@pytest.mark.parametrize(
    ("claim", "fix"),
    [
        # the transpose: the factors reversed, each transposed, the macro \T kept
        ("\\nabla_V F = U\\T (UV\\T - M)", "(UV\\T - M)\\T U"),
        # the sign: the difference inside turned round, not a minus in front
        ("\\nabla_U F = (M - UV\\T)V", "(UV\\T - M)V"),
        ("\\nabla_X s = 2(A - X)", "2(X - A)"),
        # a factor 2 on one term
        ("\\nabla_{\\mathbf x} (\\|A\\mathbf x - \\mathbf b\\|^2 + \\lambda\\|\\mathbf x\\|^2) = "
         "2A^\\top(A\\mathbf x - \\mathbf b) + \\lambda\\mathbf x",
         "2A^\\top(A\\mathbf x - \\mathbf b) + 2\\lambda\\mathbf x"),
        # 2Ax where (A + Aᵀ)x is needed
        ("\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2A\\mathbf x", "(A + A^\\top)\\mathbf x"),
        # X⁻¹ where X⁻ᵀ: the transposes go where the claim writes its inverses
        # (the transpose written with the document's macro, \\T, as its rows write it)
        ("\\nabla_X p = -X^{-1} A X^{-1}", "-X^{-\\top} A\\T X^{-\\top}"),
        # the order of two factors
        ("\\frac{\\partial \\operatorname{tr}(AXM^\\top M)}{\\partial X} = M^\\top M A^\\top", "A^\\top M^\\top M"),
        # no simple cause found: the sign of one term inside, tried and verified
        (
            "\\frac{\\partial}{\\partial \\mathbf x}\\left(\\frac{\\mathbf x}{\\|\\mathbf x\\|}\\right) = "
            "\\frac{1}{\\|\\mathbf x\\|}\\left(I + \\frac{\\mathbf x \\mathbf x^\\top}{\\|\\mathbf x\\|^2}\\right)",
            "\\frac{1}{\\|\\mathbf x\\|}\\left(I - \\frac{\\mathbf x \\mathbf x^\\top}{\\|\\mathbf x\\|^2}\\right)",
        ),
    ],
)  # fmt: skip
def test_the_fix_is_the_claim_with_its_slip_undone(claim: str, fix: str) -> None:
    text = HEAD + f"\\begin{{equation}}\n{claim}\n\\end{{equation}}\n\\end{{document}}\n"
    (finding,) = check_written(Checker().check("doc.tex", text=text), seconds=60.0)
    assert finding.correct == fix
    fixed = text[: finding.start] + finding.correct + text[finding.end :]
    assert check_written(Checker().check("doc.tex", text=fixed), seconds=60.0) == []


def test_the_message_quotes_the_fix_as_the_document_spells_it() -> None:
    # the message said what the engine printed, `(A + A^\top) \mathbf x`, beside a fix that
    # edits the claim: both now read the same, in the claim's own spelling
    text = HEAD + (
        "\\begin{equation}\n\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x + \\mathbf b^\\top \\mathbf x) = "
        "2A\\mathbf x + \\mathbf b\n\\end{equation}\n\\end{document}\n"
    )
    (finding,) = check_written(Checker().check("doc.tex", text=text), seconds=60.0)
    assert finding.correct == "(A + A^\\top)\\mathbf x + \\mathbf b"
    assert f"texgrad finds `{finding.correct}`, verified numerically" in finding.message


@pytest.mark.parametrize(
    ("claim", "fix"),
    [
        # the sign: the claim's `\det X\,` and `\,\mathrm dX` kept (the engine prints
        # `\det(X) \operatorname{tr}(X^{-1} \mathrm dX)`)
        ("\\mathrm d\\det X = -\\det X\\,\\operatorname{tr}(X^{-1}\\,\\mathrm dX)",
         "\\det X\\,\\operatorname{tr}(X^{-1}\\,\\mathrm dX)"),
        # X⁻ᵀ where X⁻¹ is needed, no space added before the differential
        ("\\mathrm d\\log\\det X = \\operatorname{tr}(X^{-\\top}\\mathrm dX)",
         "\\operatorname{tr}(X^{-1}\\mathrm dX)"),
        # a factor 2
        ("\\mathrm d\\|X\\|_F^2 = \\operatorname{tr}(X^\\top \\mathrm dX)",
         "2\\operatorname{tr}(X^\\top \\mathrm dX)"),
    ],
)  # fmt: skip
def test_a_differential_is_fixed_in_the_claim_s_notation(claim: str, fix: str) -> None:
    text = "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible with $\\det X > 0$.\n\n" + (
        f"$${claim}$$\n"
    )
    (finding,) = check_written(Checker().check("notes.md", text=text), seconds=60.0)
    assert finding.correct == fix
    assert f"texgrad finds `{fix}`" in finding.message
    fixed = text[: finding.start] + finding.correct + text[finding.end :]
    assert check_written(Checker().check("notes.md", text=fixed), seconds=60.0) == []


def test_a_derivative_rewritten_with_derivatives_starts_a_chain() -> None:
    # an exam's step: ∂φ/∂X &= ∂/∂X tr(v uᵀ X) - X (no claim: it still differentiates),
    # then &= v uᵀ - X, the transpose of the first term: flagged on that row
    text = (
        "Let $\\mathbf u, \\mathbf v \\in \\mathbb{R}^n$, $X \\in \\mathbb{R}^{n \\times n}$ and "
        "$\\phi(X) = \\mathbf u^\\top X \\mathbf v - \\tfrac12\\|X\\|_F^2$.\n\n"
        "$$\n\\begin{aligned}\n"
        "\\frac{\\partial \\phi}{\\partial X} &= \\frac{\\partial}{\\partial X}"
        "\\operatorname{tr}(\\mathbf v\\mathbf u^\\top X) - X \\\\\n"
        " &= {}\n\\end{aligned}\n$$\n"
    )
    for row, flagged in (
        ("\\mathbf v \\mathbf u^\\top - X", True),
        ("\\mathbf u \\mathbf v^\\top - X", False),
    ):
        doc = text.replace("{}", row)
        found = check_written(Checker().check("exam.md", text=doc), seconds=60.0)
        assert [doc[f.start : f.end] for f in found] == ([row] if flagged else [])
    # by another variable on the right (∂/∂Y): no chain, nothing read after it
    doc = text.replace("{}", "\\mathbf v \\mathbf u^\\top - X").replace(
        "\\frac{\\partial}{\\partial X}\\operatorname",
        "\\frac{\\partial}{\\partial Y}\\operatorname",
    )
    assert check_written(Checker().check("exam.md", text=doc), seconds=60.0) == []


@pytest.mark.parametrize(
    ("claim", "flagged"),
    [
        ("\\nabla^2 \\tfrac12 \\mathbf x^\\top A \\mathbf x = \\tfrac12 (A + A^\\top)", False),
        ("\\nabla^2 \\tfrac12\\|W\\mathbf x\\|^2 = W^\\top W", False),
        ("\\nabla^2 \\tfrac12\\|W\\mathbf x\\|^2 = 2W^\\top W", True),
        ("\\nabla^2 \\tfrac12 \\mathbf x^\\top A \\mathbf x = A", True),
        # two vectors, one of them x: by x, as a table headed ∇f reads each line's x
        ("\\nabla^2 \\tfrac12 (\\mathbf x - \\mathbf a)^\\top A (\\mathbf x - \\mathbf a) = A", True),
        ("\\nabla^2 (\\mathbf a^\\top \\mathbf x)^2 = 2\\mathbf a \\mathbf a^\\top", False),
        ("\\nabla^2 (\\mathbf a^\\top \\mathbf x)^2 = \\mathbf a \\mathbf a^\\top", True),
        ("\\nabla (\\mathbf x^\\top A \\mathbf x) = 2A \\mathbf x", True),
        # two vectors, neither x: by which is not written, nothing read
        ("\\nabla^2 \\tfrac12 (\\mathbf u - \\mathbf a)^\\top A (\\mathbf u - \\mathbf a) = A", False),
    ],
)  # fmt: skip
def test_a_hessian_written_without_its_variable_is_by_the_one_vector(
    claim: str, flagged: bool
) -> None:
    # a Jacobian sheet's "∇² ½‖Wx‖² = WᵀW": ∇² before a number was the operator applied to ½
    text = (
        "Let $\\mathbf x, \\mathbf u, \\mathbf a \\in \\mathbb{R}^n$, $W \\in \\mathbb{R}^{m \\times n}$ and "
        f"$A \\in \\mathbb{{R}}^{{n \\times n}}$.\n\n$${claim}$$\n"
    )
    tally = Tally()
    found = check_written(Checker().check("sheet.md", text=text), seconds=60.0, tally=tally)
    assert len(found) == int(flagged)
    assert tally.verified + tally.flagged == (0 if "\\mathbf u -" in claim else 1)


def test_where_no_edit_holds_the_engine_s_result_is_the_fix() -> None:
    # Mᵀ(Mx - b) for the gradient of ‖Mx - b‖² … of a different norm: two slips at once
    text = HEAD + (
        "\\begin{equation}\n\\nabla_{\\mathbf x}\\|A\\mathbf x - \\mathbf b\\|^2 = "
        "-A(A\\mathbf x - \\mathbf b)\n\\end{equation}\n\\end{document}\n"
    )
    (finding,) = check_written(Checker().check("doc.tex", text=text), seconds=60.0)
    # (as the engine prints it, in the document's own transpose macro)
    assert finding.correct == "2 A\\T (A \\mathbf x - \\mathbf b)"


MIXED = (
    "Let $\\mathbf x \\in \\mathbb{R}^n$, $\\mathbf z \\in \\mathbb{R}^p$, "
    "$C \\in \\mathbb{R}^{n \\times p}$ and $r(\\mathbf x, \\mathbf z) = \\mathbf x^\\top C \\mathbf z$.\n\n"
)


@pytest.mark.parametrize(
    ("claim", "flagged", "reason"),
    [
        ("\\frac{\\partial^2 r}{\\partial \\mathbf x\\, \\partial \\mathbf z^\\top} = C", False, ""),
        ("\\frac{\\partial^2 r}{\\partial \\mathbf x\\, \\partial \\mathbf z^\\top} = C^\\top", True, ""),
        ("\\frac{\\partial^2 r}{\\partial \\mathbf x\\, \\partial \\mathbf z^\\top} = 2C", True, ""),
        # the orientation not written (no transpose on z): not checked, and said so
        ("\\frac{\\partial^2 r}{\\partial \\mathbf x\\, \\partial \\mathbf z} = C^\\top", False,
         "mixed second derivative without its orientation"),
    ],
)  # fmt: skip
def test_a_mixed_block_is_the_matrix_of_its_entries(claim: str, flagged: bool, reason: str) -> None:
    text = MIXED + f"$${claim}$$\n"
    tally = Tally()
    found = check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally)
    assert len(found) == flagged
    if flagged:
        assert found[0].message.startswith(
            f"`{claim.split(' = ')[1]}` is not `\\frac{{\\partial^2 r}}{{\\partial \\mathbf x\\, "
            "\\partial \\mathbf z^\\top}`: texgrad finds `C`"
        )
        fixed = text[: found[0].start] + found[0].correct + text[found[0].end :]
        assert check_written(Checker().check("doc.md", text=fixed), seconds=60.0) == []
    elif reason:
        assert [r[2] for r in tally.undecided] == [reason]
    else:
        assert tally.verified == 1


def test_a_statement_that_is_a_chain_before_qquad_keeps_its_next_claim() -> None:
    row = parse_row(MappedText.identity("dg = a = b, \\qquad h = c = d")).tree
    assert isinstance(row, t.Chain)
    said = [[type(i).__name__ for i in s.items] for s in statements(row)]
    assert said == [["Symbol"] * 3, ["Symbol"] * 3] or [len(s.items) for s in statements(row)] == [
        3,
        3,
    ]


def test_a_differential_chain_then_its_gradient(tmp_path: Path) -> None:
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times m}$, $\\mathbf u \\in \\mathbb{R}^n$, "
        "$\\mathbf v \\in \\mathbb{R}^m$ and $g(X) = \\mathbf u^\\top X \\mathbf v$.\n\n"
        "$$\\mathrm d g = \\mathbf u^\\top \\mathrm dX\\, \\mathbf v = \\operatorname{tr}("
        "\\mathbf v \\mathbf u^\\top \\mathrm dX),\n\\qquad \\nabla_X g = \\mathbf v \\mathbf u^\\top$$\n"
    )
    tally = Tally()
    found = check_written(Checker().check(str(tmp_path / "d.md"), text=text), 60.0, tally=tally)
    assert [f.correct for f in found] == ["\\mathbf u \\mathbf v^\\top"] and tally.verified == 2
