r"""Held-out-style documents for ``wrong-derivative`` (tests/calculus/written/held-*):
a Markdown table of identities, LaTeX lecture notes with a stated layout and align
chains, a StackExchange-style answer and a homework solution with Hessians and
Jacobians.  Every planted slip is flagged on its line, no right claim is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.calculus.written_check import check_written
from texgrad.calculus.written_derivatives import Tally, diagnostics_of
from texgrad.shapes.check import Checker

WRITTEN = Path(__file__).resolve().parent / "written"


def _check(name: str) -> tuple[str, list[int], list[str], Tally]:
    path = WRITTEN / name
    text = path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    lines = [text.count("\n", 0, f.start) + 1 for f in found]
    messages = [d.message for d in diagnostics_of(checked, found)]
    return text, lines, messages, tally


def test_a_table_of_identities() -> None:
    # 11: 2Ax for a general A; 15: the factor 2 missing; 23: a sign.
    # Right and silent: S ∈ 𝕊ⁿ (12), a gradient as a row (14), (AA)ᵀ (20), d/dt (22), and
    # ∂f/∂X written transposed (17: x aᵀ, 19: X^{-1}, 21: Aᵀ): numerator layout, and the
    # table states no layout (see test_the_table_under_a_stated_layout)
    # The tables of one column per side (a header | $f(x)$ | $\nabla_x f$ |): 31: aᵀAx's
    # gradient transposed (Aa).  Right: 29, 30, 32, 33, 37, 38, and 39: -X^{-2} for
    # ∂tr(X⁻¹)/∂X, the transpose of -X^{-2T} (numerator layout)
    _, lines, messages, tally = _check("held-table.md")
    assert lines == [11, 15, 23, 31]
    assert "unless `A` is symmetric" in messages[0]
    assert "factor" in messages[1]
    assert "sign" in messages[2]
    assert (tally.read, tally.flagged, tally.verified) == (23, 4, 19)


def test_the_table_under_a_stated_layout() -> None:
    """The same table with "We use denominator layout throughout." before it: the
    transposed ∂f/∂X (17, 19, 21, 39) are slips again, each saying how it differs."""
    path = WRITTEN / "held-table.md"
    text = path.read_text(encoding="utf-8")
    text = "We use denominator layout throughout.\n" + text
    checked = Checker().check(str(path), text=text)
    found = check_written(checked, seconds=120.0)
    lines = [text.count("\n", 0, f.start) for f in found]  # lines of the file as it was
    messages = [d.message for d in diagnostics_of(checked, found)]
    assert lines == [11, 15, 17, 19, 21, 23, 31, 39]
    assert "transpose" in messages[2]
    assert "`X^{-1}` where `X^{-\\top}` is needed" in messages[3]


def test_lecture_notes_with_a_stated_layout_and_align_chains() -> None:
    # 18: the chain's last row Ax - b, hedged right after ("only right for a symmetric A"):
    # a claim about a symmetric A, right, silent (issue 15's hedge rule); 31: ∂k/∂x = A in
    # the stated denominator layout; 36: the factor 2 missing on the second row of an
    # align of two claims; 39: d tr(AA) = 2 tr(Aᵀ dA).  Right and silent: the chain's first
    # rows, S symmetric (23, 24, 26, 33), Cᵀ in the stated layout (29), C said to be the
    # numerator-layout answer (30), 2CᵀCA (35), d tr(AᵀA) (38)
    _, lines, messages, _ = _check("held-lecture.tex")
    assert lines == [31, 36, 39]
    assert "in the layout the document states: it is" in messages[0]
    assert messages[0].endswith("is the derivative in the other layout)")


def test_a_stackexchange_answer() -> None:
    # 18: X^{-1} for X^{-T} in ∂(uᵀX⁻¹v)/∂X; 28: the factor 2 of d(t²)/dt.  Silent:
    # 25: ∇g = 2Xu in "the gradient is not … unless X is symmetric" (a hedged claim: true).
    # Right and silent: the differentials, the chain of df, ∂f/∂X, dh/dt, the component form;
    # det(X) X^{-1} (21): the answer states no layout, and in numerator layout it is right
    _, lines, messages, _ = _check("held-answer.md")
    assert lines == [18, 28]
    assert all("verified numerically" in m for m in messages)


def test_a_homework_solution_with_hessians_and_jacobians() -> None:
    # (12: ∇²f = 2A, "this needs A symmetric": a hedged claim, right for a symmetric A,
    # silent); 19: the
    # Jacobian of tanh with 1 + tanh²; 32: ∇²r = 2WWᵀ (r(x) written
    # with a letter that is no conventional function name); 38: σ(-cᵀx) for σ(cᵀx).
    # Right and silent: the Jacobian in both conventions (16, 18), labels y ∈ {0,1}ᵏ (24),
    # ∂ℓ/∂W transposed (26: numerator layout, none stated), 2WᵀW (30), the component form (34)
    _, lines, messages, tally = _check("held-homework.md")
    assert lines == [19, 32, 38]
    assert (
        r"is not the Jacobian of `\mathbf h(\mathbf x)` with respect to `\mathbf x`" in messages[0]
    )
    assert tally.verified >= 7


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        (r"$$\frac{\partial \tanh(W\mathbf x)}{\partial \mathbf x} = \operatorname{diag}(1 - \tanh^2(W\mathbf x)) W$$", None),
        (r"$$\frac{\partial \tanh(W\mathbf x)}{\partial \mathbf x} = \operatorname{diag}(1 + \tanh^2(W\mathbf x)) W$$", r"\operatorname{diag}(1 + \tanh^2(W\mathbf x)) W"),
    ],
)  # fmt: skip
def test_a_function_squared_entrywise(body: str, wrong: str | None) -> None:
    decls = r"Let $W \in \mathbb{R}^{k \times d}$, $\mathbf x \in \mathbb{R}^d$." "\n\n"  # fmt: skip
    text = decls + body
    checked = Checker().check("doc.md", text=text)
    found = [text[f.start : f.end] for f in check_written(checked)]
    assert found == ([wrong] if wrong else [])


def test_a_symmetric_variable_accepts_any_gradient_of_its_symmetric_part() -> None:
    # for a symmetric A, 2CᵀCA and ACᵀC + CᵀCA are the same derivative (tr(Gᵀ dA) agrees for
    # every symmetric dA); a wrong one stays wrong
    decls = (
        r"Let $A \in \mathbb{R}^{n \times n}$ be symmetric, $C \in \mathbb{R}^{m \times n}$."
        "\n\n"
    )
    d = r"\frac{\partial \operatorname{tr}(A^\top C^\top C A)}{\partial A}"
    text = decls + f"$${d} = 2 C^\\top C A$$\n\n$${d} = C^\\top C A$$\n"
    checked = Checker().check("doc.md", text=text)
    assert [text[f.start : f.end] for f in check_written(checked)] == [r"C^\top C A"]


def test_a_hedge_next_to_a_claim_makes_it_a_claim_about_a_symmetric_matrix() -> None:
    """A hedge in the claim's sentence or the next ("only right for a symmetric $A$",
    "would hold only for symmetric $A$", "unless $A$ is symmetric") is the condition under
    which the author claims it: right there, silent.  Further away it says nothing of the
    claim, and a matrix said non-symmetric or skew-symmetric is none."""
    decls = r"Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$." "\n\n"  # fmt: skip
    claim = r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x$$"
    for hedge in (
        "This is only right for a symmetric $A$.",
        "This needs $A$ symmetric.",
        "It is not the gradient unless $A$ is symmetric.",
        "which would hold only for symmetric $A$.",
        "if $A$ is symmetric.",
        "when $A^\\top = A$.",
    ):
        text = decls + claim + "\n" + hedge + "\n"
        checked = Checker().check("doc.md", text=text)
        assert check_written(checked) == [], hedge
    for said in ("If $A$ is symmetric, then", "For a symmetric $A$,", "Let $A$ be symmetric."):
        text = decls + said + "\n\n" + claim + "\n"
        checked = Checker().check("doc.md", text=text)
        assert check_written(checked) == [], said
    # not next to it: a sentence after the next, another paragraph; nor a negation
    for far in (
        "We go on. Then we compare. This is only right for a symmetric $A$.",
        "\nMore text.\n\nThis is only right for a symmetric $A$.",
    ):
        text = decls + claim + "\n" + far + "\n"
        assert len(check_written(Checker().check("doc.md", text=text))) == 1, far
    for said in (
        "Here $A$ is a non-symmetric matrix.",
        "Let $A$ be skew-symmetric.",
        "We do not assume $A$ symmetric.",
        "For an asymmetric $A$,",
    ):
        text = decls + said + "\n" + claim + "\n"
        assert len(check_written(Checker().check("doc.md", text=text))) == 1, said
    # "$A = A^\top$" as a condition or hedge elsewhere states nothing for a later claim
    for far in (
        "Note: this holds only if $A = A^\\top$.\n\n## Later\n\nMore.\n\n",
        "If $A = A^\\top$ we get one thing.\n\n## Later\n\nMore.\n\n",
    ):
        text = decls + far + claim + "\n"
        assert len(check_written(Checker().check("doc.md", text=text))) == 1, far
    text = decls + claim + "\nwhich holds only if $A = A^\\top$.\n"  # next to it: its condition
    assert check_written(Checker().check("doc.md", text=text)) == []
    # the end of a chain "= A^\top = A" says nothing of A's symmetry
    text = decls + r"$$\nabla_X \operatorname{tr}(AX) = A^\top = A$$" + "\n"
    text = text.replace("$\\mathbf x", "$X \\in \\mathbb{R}^{n \\times n}$, $\\mathbf x", 1)
    assert len(check_written(Checker().check("doc.md", text=text))) == 1


def test_a_table_with_a_column_per_side() -> None:
    decls = (
        r"Let $\mathbf x, \mathbf a \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$."
        "\n\n"
    )
    table = (
        "| $f$ | $\\nabla f$ | note |\n|---|---|---|\n"
        "| $\\|\\mathbf x\\|^2$ | $2\\mathbf x$ | the norm, with pipes inside |\n"
        "| $\\|A\\mathbf x\\|^2$ | $2A^\\top\\mathbf x$ | |\n"
        "| $\\mathbf a^\\top \\mathbf x$ | $\\mathbf a^\\top$ | a row |\n"
        "| $\\mathbf a^\\top A$ | $A$ | |\n"
    )
    text = decls + table
    checked = Checker().check("doc.md", text=text)
    found = check_written(checked)
    assert [text[f.start : f.end] for f in found] == [r"2A^\top\mathbf x"]
    (d,) = diagnostics_of(checked, found)
    assert d.message.startswith(r"`2A^\top\mathbf x` is not the derivative of `\|A\mathbf x\|^2`")
    assert d.fixes[0].text == r"2 A^\top A \mathbf x"
    # in LaTeX, pipes are no table
    assert check_written(Checker().check("doc.tex", text=text)) == []


def test_notes_of_traps_stay_silent_and_their_slips_are_flagged() -> None:
    """A note of right claims that are easy to flag by mistake (a Jacobian with no stated
    layout, an optimality condition, σ', the softmax Jacobian of a defined s, a symmetric S
    and its Hessian, ∇‖Ax − b‖₂, log-sum-exp, ∇det and d det) — silent; the same note with
    a slip planted in each — every one flagged but the Jacobian written as Aᵀ, which is
    the derivative in denominator layout (no layout is stated)."""
    _, lines, _, _ = _check("held-traps.md")
    assert lines == []
    _, lines, messages, _ = _check("held-traps-planted.md")
    assert lines == [9, 11, 13, 15, 19, 19]
    assert "X^{-1}` where `X^{-\\top}` is needed" in messages[4]
