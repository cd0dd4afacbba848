r"""Markdown answers, notebooks and Q&A posts with written derivatives
(tests/calculus/written/answers/): a Math.SE answer reading a gradient off a differential,
a Cross Validated answer with an align chain and a sum over samples, a README's trace
identities, a Quarto note with ``\begin{align}`` inside ``$$``, a MyST notebook
backpropagating by intermediates, a Jupyter note on logistic regression, and a derivation
written step by step.  Every planted slip (transpose, order, factor 2, sign, the missing
symmetric part) is flagged on its line and no right claim is."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written_derivatives import Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker

ANSWERS = Path(__file__).resolve().parent / "written" / "answers"


def _check(name: str) -> tuple[list[int], list[str], Tally]:
    path = ANSWERS / name
    text = path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    tally = Tally()
    found = check_written(
        checked, seconds=600.0, per_equation=30.0, tally=tally
    )  # (a loaded machine)
    lines = [text.count("\n", 0, f.start) + 1 for f in found]
    return lines, [d.message for d in diagnostics_of(checked, found)], tally


# (document, the lines of its planted slips, a word of each message, (read, verified) at least)
CASES = [
    # 23: the sign of ∂tr(X⁻¹B)/∂X.  Right: the differential chain (9, 10), the facts of
    # line 5, X^{-T} + A^T, det(X) X^{-T}; and line 18's X^{-1} + A, its transpose: the
    # answer states no layout, so ∂f/∂X is accepted either way round (issue 15)
    ("mathse-logdet.md", [23], ["sign"], (11, 8)),
    # 19: a factor 2 lost on the penalty only; 24: the Hessian halved; 31: the sum over
    # samples with its sign flipped.  Right: the three rows of the align chain, 2XᵀX + 2λI
    (
        "crossvalidated-ridge.md",
        [19, 24, 31],
        ["`\\lambda\\mathbf w` lacks a factor 2", "a factor 2 is missing", ""],
        (8, 5),
    ),
    # 22: a product in the other order that does not even type-check (a shape error, not
    # checked); 29: 2CZ for a general C; 35: the order of a product of square matrices.
    # Right: XᵀG, AᵀBᵀ, 2Y, (C + Cᵀ)Z, PᵀQᵀ, and line 15's GᵀX, its transpose (no layout
    # stated: ∂ℓ/∂W is accepted either way round)
    (
        "readme-linear-layer.md",
        [29, 35],
        ["unless `C` is symmetric", "other order"],
        (10, 5),
    ),
    # 24: 2Ax + b for a general A; 33: ∇²q = S (half); 40: dh/dt with its sign flipped.
    # Right: the align chain inside $$ (19, 20), 2Sx for a symmetric S, A + Aᵀ, 2S, -2xᵀ(b - tx)
    (
        "quarto-quadratic.md",
        [24, 33, 40],
        ["unless `A` is symmetric", "a factor 2 is missing", "sign"],
        (9, 6),
    ),
    # 22: tanh' written 1 - a.  Right: ∇_a L, ∇_z L in a {math} fence, ∂L/∂b, ∂L/∂W and
    # ∇_x L by the intermediates the forward pass defines, and line 32's ∂L/∂W transposed
    # (no layout stated: accepted either way round)
    ("myst-backprop.md", [22], [""], (7, 5)),
    # 13: the gradient of the log-likelihood for that of its negative; 24: the Hessian's
    # sign.  Right: the sum over samples with labels in {0,1}, Xᵀ(σ(Xw) - y), XᵀSX
    ("jupyter-logistic.md", [13, 24], ["", "sign"], (5, 3)),
    # 37: the factor 2 of ∂(uᵀXᵀXu)/∂X.  Silent: 25, 2AᵀW(Ax - b) "which needs W symmetric"
    # (a hedged claim: right for a symmetric W).  Right: every
    # row of the three derivations step by step (a function, its gradient, a differential)
    (
        "mathse-derivation-steps.md",
        [37],
        ["a factor 2 is missing"],
        (10, 9),
    ),
    # 31: ∇_μ ℓ with its sign flipped; 39: the last row of dq's align chain (SΣ⁻¹Σ⁻¹ for
    # Σ⁻¹SΣ⁻¹); 47: ∂q/∂Σ with + for -.  Right: the expansion, ∇_μ ℓ twice, dq's first rows
    # and ∂q/∂Σ for a symmetric positive definite Σ and a count N
    ("notebook-gaussian-mle.md", [31, 39, 47], ["sign", "", ""], (8, 5)),
    # numerator layout stated ("I use numerator layout throughout"): 9: Aᵀ for the Jacobian of
    # Ax + b; 16: softmax's entry s_i(δ_ij - s_i); 22: tanh' written 1 + tanh².  Right: A, the
    # entry s_i(δ_ij - s_j), diag(s) - ssᵀ, s_j(δ_ij - s_i) (the same: symmetric), diag(1 - tanh²)W
    ("mathse-jacobians.md", [9, 16, 22], ["transpose", "at every index", ""], (8, 5)),
]


@pytest.mark.parametrize(("name", "lines", "words", "counts"), CASES, ids=[c[0] for c in CASES])
def test_planted_slips_are_flagged_and_right_claims_are_not(
    name: str, lines: list[int], words: list[str], counts: tuple[int, int]
) -> None:
    found, messages, tally = _check(name)
    assert found == lines
    for word, message in zip(words, messages, strict=True):
        assert word in message, message
        assert "verified numerically" in message
    assert tally.read >= counts[0] and tally.verified >= counts[1]
    assert tally.flagged == len(lines)


def test_diff_of_a_line_that_writes_a_derivative_answers_its_left_side() -> None:
    # `texgrad diff --file answer.md --line 18` on `∂f/∂X = X^{-1} + A` (the slip): without
    # --wrt it evaluates the derivative the line writes, not "say with respect to what"
    from tests.fixtures import run_cli

    path = str(ANSWERS / "mathse-logdet.md")
    code, out, err = run_cli("diff", "--file", path, "--line", "18")
    assert (code, out.strip()) == (0, r"(X^{-1} + A)^\top") and "verified at" in err
    code, out, _ = run_cli("diff", "--file", path, "--line", "23")
    assert (code, out.strip()) == (0, r"-X^{-\top} B^\top X^{-\top}")
    # so it does with --wrt X, the derivative's own variable; by another symbol, the line's
    # value is differentiated
    code, out, _ = run_cli("diff", "--file", path, "--line", "18", "--wrt", "X")
    assert code == 0 and out.strip() == r"(X^{-1} + A)^\top"
    code, out, _ = run_cli("diff", "--file", path, "--line", "18", "--wrt", "A")
    assert code == 0 and out.strip() == r"\mathrm dA"  # (d spelled as the document does)


def test_check_reports_both_codes_in_json() -> None:
    import json

    from tests.fixtures import run_cli

    code, out, _ = run_cli("check", "--format", "json", str(ANSWERS / "mathse-step-slips.md"))
    records = json.loads(out)
    assert code == 0  # (warnings only)
    assert [(r["line"], r["code"]) for r in records] == [
        (9, "unequal-step"), (30, "unequal-step"), (44, "wrong-derivative"), (54, "unequal-step"),
    ]  # fmt: skip
    # 44 continues the differential d(xᵀBx) of the chain's head: a wrong derivative, with
    # its fix (the product `\mathrm d(…)` once kept the CLI from checking the row at all)
    assert all(r["severity"] == "warning" for r in records)
    assert [("fixes" in r) for r in records] == [False, False, True, False]
    # (d spelled as the row spells it: \mathrm d\mathbf x)
    assert records[2]["fixes"][0]["text"] == r"\mathbf x^\top (B^\top + B) \mathrm d\mathbf x"
    assert "unless `B` is symmetric" in records[2]["message"]
