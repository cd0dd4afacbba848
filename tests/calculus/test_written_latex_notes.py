r"""LaTeX notes full of written derivatives (tests/calculus/written/latex/): a cheat sheet in
a tabular under a stated layout, a tabular headed by a function and its gradient, lecture notes with theorems and proofs, exam solutions,
a thesis whose appendix states its own layout, a Beamer deck of differentials, and notes
on a Gaussian's likelihood.  Every planted slip — a transpose, factors in the other order,
2Ax for a general A, a factor 2, a sign, X⁻¹ where X⁻ᵀ is needed under a stated layout —
is flagged on its line; no right claim is, including the traps: a symmetric matrix stated,
no layout stated, labels in {−1, 1} and {0, 1}, the Cookbook's structured form."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written_derivatives import Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker

NOTES = Path(__file__).resolve().parent / "written" / "latex"

# the file, the lines flagged, and what the message of each says
EXPECTED = {
    # stated "Convention: denominator layout."; 13: 2Ax for a general A; 16: the factor 2;
    # 18: ∂bᵀYx/∂Y transposed; 21: X^{-1} for ∂ log det X/∂X; 24: the sign of ∂ det X/∂X.
    # Right: S symmetric (14, 25), a, (A + Aᵀ)x, 2Bᵀ(Bx − b), b xᵀ, X^{-T}, Aᵀ, (A+Aᵀ)X,
    # AᵀBᵀ, −X^{-T}AᵀX^{-T}
    "cheatsheet.tex": {
        13: "unless `A` is symmetric", 16: "factor", 18: "transpose",
        21: "`X^{-1}` where `X^{-\\top}` is needed", 24: "sign",
    },
    # no layout stated; 21: the sign of the ridge chain's last row; 33: ∇_X tr(XA) = A (the
    # gradient has X's shape: Aᵀ); 37: BᵀAᵀ for AᵀBᵀ; 48: 2bᵀA(x + tb) for a general A.
    # Right: ∇f, the differential chain of the proof, the chain's first rows, ∂ log det X/∂X
    # = X^{-1} (numerator layout: none stated) beside ∇_X log det X = X^{-T}, ∂tr(AXB)/∂X = BA
    "lecture.tex": {21: "term", 33: "transpose", 37: "other order", 48: "(A + A^\\top)"},
    # 15: the logistic gradient's sign; 23: 2 Σ a_kj w_j for a general A; 31: the factor 2
    # lost on the chain's last row; 37: diag(a² − 1)B.  Right: X^T(σ(Xw) − (1 + y)/2) for
    # labels in {−1, 1} (true only for them), Xᵀ(σ(Xw) − t) for t in {0, 1}, the components,
    # the Jacobian diag(1 − a²)B and its transpose, "in the other convention"
    "exam.tex": {15: "", 23: "at every index", 31: "", 37: "Jacobian"},
    # 13: ∇_W ℓ transposed; the appendix states numerator layout for itself: 21: X^{-T},
    # 24: J_f = Wᵀ.  Right: X^{-1} and Aᵀ in the introduction (before any statement), J_f =
    # W or Wᵀ (no layout yet), A, BA, Aᵀ in the appendix, Aᵀ and X^{-T} after it
    "thesis.tex": {13: "transpose", 21: "in the layout the document states", 24: "transpose"},
    # 12: d(X²) = 2X dX; 14: −X^{-1}X^{-1} dX (the factors' order); 22: tr(2XᵀA dX) for a
    # general A; 29: d log det X = tr(X^{-T} dX); 36: the classic X^{-1} for X^{-T}
    "beamer.tex": {
        12: "", 14: "other order", 22: "", 29: "`X^{-\\top}` where `X^{-1}` is needed",
        36: "`X^{-1}` where `X^{-\\top}` is needed",
    },
    # Σ symmetric positive definite; 11: the sign of ∇_μ; 15: ∂tr(AΣ)/∂Σ = 2A.  Silent: 18,
    # 2Ax "needs a symmetric A" (a hedged claim: true for a symmetric A).  Right: Σ^{-1} and the structured 2Σ^{-1} − Σ^{-1}∘I, A + Aᵀ − A∘I and Aᵀ,
    # 2Σx, ∇_Σ of the quadratic term
    "gaussian.tex": {11: "sign", 15: "factor 2"},
    # a tabular headed $f(x)$ & $\nabla_x f$ (and $g$ & ∂g/∂X): each line a claim; 11: 2Ax
    # for a general A; 13: x for ‖x‖²'s 2x; 22: the sign of ∂ det X/∂X.  Right: a, (A + Aᵀ)x,
    # 2Sx for S symmetric, Aᵀ, X^{-T}
    "tabular.tex": {11: "unless `A` is symmetric", 13: "factor", 22: "sign"},
}  # fmt: skip
# the lines the shape check flags too: under the cheat sheet's "Convention: denominator
# layout." (read by the one reader of layout statements, shapes/layout_statements.py)
# ∂bᵀYx/∂Y has Y's shape, m×n, and x bᵀ is n×m
SHAPE_ERRORS = {"cheatsheet.tex": [18]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_planted_slip_and_no_right_claim(name: str) -> None:
    path = NOTES / name
    text = path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    shape_errors = [text.count("\n", 0, d.start) + 1 for d in checked.diagnostics]
    assert shape_errors == SHAPE_ERRORS.get(name, [])  # no other shape error in them
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    lines = [text.count("\n", 0, f.start) + 1 for f in found]
    assert lines == sorted(EXPECTED[name]), [text[f.start : f.end] for f in found]
    messages = [d.message for d in diagnostics_of(checked, found)]
    for line, message in zip(lines, messages, strict=True):
        assert EXPECTED[name][line] in message, (line, message)
    assert tally.verified + tally.flagged == tally.read  # every claim decided
