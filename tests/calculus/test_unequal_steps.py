r"""``unequal-step``: consecutive rows of a derivation that are not equal
(:mod:`texgrad.calculus.unequal_steps`).  The slip is reported on the row where it happens
(the rows that copy it after are equal to it), with its cause where a simple one explains
it; a step that rests on more than algebra — a substitution, a stated property, an
approximation, an equation to solve — and anything unreadable is silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.unequal_steps import (
    CODE,
    StepTally,
    check_steps,
    derivation_steps,
    diagnostics_of,
)
from texgrad.shapes.check import Checker
from texgrad.shapes.diagnostics import Diagnostic

HERE = Path(__file__).resolve().parent
WRITTEN = HERE / "written"
REPO = HERE.parent.parent


def _found(text: str, name: str = "steps.md") -> tuple[list[int], list[str], StepTally]:
    checked = Checker().check(name, text=text)
    tally = StepTally()
    found = check_steps(checked, seconds=60.0, tally=tally)
    lines = [text.count("\n", 0, f.start) + 1 for f in found]
    return lines, [f.message for f in found], tally


def test_the_planted_slips_of_an_answer_are_flagged_on_their_row() -> None:
    # 9: a factor 2 lost on the cross term (10 copies it: equal, silent); 30: tr(XᵀXB) for
    # tr(XXᵀB); 44: xᵀBdx + xᵀBdx for xᵀ(Bᵀ + B)dx, B general; 54: (BX)⁻¹'s factors swapped.
    # Silent: the right steps (8, 19, 20, 29, 42, 43, 53), S said symmetric (65), Q orthogonal
    # (69), the model substituted (75, 76), equations solved (82, 83), ≈ (85), a defined p (86)
    path = WRITTEN / "answers" / "mathse-step-slips.md"
    lines, messages, tally = _found(path.read_text(encoding="utf-8"), str(path))
    assert lines == [9, 30, 44, 54]
    assert messages[0].startswith("`\\mathbf x^\\top A^\\top A\\mathbf x - \\mathbf b^\\top")
    assert "does not equal the step before it, `(A\\mathbf x - \\mathbf b)^\\top" in messages[0]
    assert messages[0].endswith("(the term `-\\mathbf b^\\top A \\mathbf x` lacks a factor 2)")
    assert "the factors are in the other order" in messages[1]
    assert "the factors are in the other order" in messages[3]
    assert tally.flagged == 4 and tally.compared >= 9


STEPS = r"""Let $A \in \mathbb{R}^{m \times n}$, $\mathbf x \in \mathbb{R}^n$, $\mathbf y \in \mathbb{R}^m$ and $c \in \mathbb{R}$.

$$
\begin{aligned}
\|A\mathbf x - \mathbf y\|^2 &= \mathbf x^\top A^\top A\mathbf x - 2\mathbf y^\top A\mathbf x + \mathbf y^\top\mathbf y \\
&= \mathbf x^\top A^\top A\mathbf x - 2\mathbf x^\top A^\top\mathbf y + \mathbf y^\top\mathbf y \\
&= \mathbf x^\top A A^\top\mathbf x - 2\mathbf x^\top A^\top\mathbf y + \mathbf y^\top\mathbf y
\end{aligned}
$$
"""


def test_a_transpose_slip_whose_shapes_differ_is_the_shape_checkers() -> None:
    # AAᵀ is m×m where AᵀA is n×n: the shape checker reports that row, not this check
    lines, _, tally = _found(STEPS)
    assert lines == [] and tally.steps == 3 and tally.compared == 2


SQUARE = STEPS.replace(r"A \in \mathbb{R}^{m \times n}", r"A \in \mathbb{R}^{n \times n}")
SQUARE = SQUARE.replace(r"\mathbf y \in \mathbb{R}^m", r"\mathbf y \in \mathbb{R}^n")


def test_a_transpose_slip_between_square_matrices_is_flagged() -> None:
    lines, messages, _ = _found(SQUARE)
    assert lines == [7]
    assert "`\\mathbf x^\\top A A^\\top\\mathbf x" in messages[0]


@pytest.mark.parametrize(
    "body",
    [
        # a row broken inside an expression: `&= a +` / `&\quad - b` continues it
        r"\|A\mathbf x\|^2 &= \mathbf x^\top A^\top A\mathbf x \\ &= \mathbf x^\top A^\top"
        "\n"
        r"\\ &\quad A\mathbf x",
        r"\|A\mathbf x\|^2 &= \mathbf x^\top A^\top \\ &\quad \cdot A\mathbf x",
        # an equation solved, not an identity: `A x = y` alone, then `x = …`
        r"A^\top A\mathbf x &= A^\top\mathbf y \\ \mathbf x &= (A^\top A)^{-1}A^\top\mathbf y",
        # a condition, not a step
        r"2A^\top(A\mathbf x - \mathbf y) &= 0",
        # a symbol the document does not declare (its shape is unknown): silence
        r"\|B\mathbf x\|^2 &= \mathbf x^\top B^\top B\mathbf x \\ &= \mathbf x^\top B B\mathbf x",
        # relations other than = are not steps
        r"\|A\mathbf x\|^2 &\le \|A\|^2\|\mathbf x\|^2 \\ &= \|\mathbf x\|^2",
    ],
)
def test_what_is_not_a_step_is_silence(body: str) -> None:
    text = SQUARE.split("$$")[0] + "$$\n\\begin{aligned}\n" + body + "\n\\end{aligned}\n$$\n"
    assert _found(text)[0] == []


def test_a_property_the_paragraph_states_is_silence() -> None:
    text = SQUARE.replace("$$\n\\begin", "For an orthogonal $A$:\n$$\n\\begin", 1)
    assert _found(text)[0] == []


def test_a_matrix_the_paragraph_calls_symmetric_is_sampled_so() -> None:
    body = (
        "$$\n\\begin{aligned}\nA\\mathbf x + A^\\top\\mathbf x"
        " &= (A + A^\\top)\\mathbf x \\\\\n&= 2A\\mathbf x\n"
        "\\end{aligned}\n$$\n"
    )
    head = SQUARE.split("$$")[0]
    assert _found(head + body)[0] == [6]  # a general A: 2Ax is a slip
    assert _found(head + "Here $A$ is symmetric, so\n" + body)[0] == []


def test_steps_of_a_differential_by_an_intermediate() -> None:
    # dL by the intermediate a the document defines: the factor 2 slipped in on row 11
    path = WRITTEN / "backprop-intermediates.md"
    lines, _, _ = _found(path.read_text(encoding="utf-8"), str(path))
    assert lines == [11]


def test_a_row_wrong_derivative_reports_is_not_reported_twice() -> None:
    path = WRITTEN / "backprop-intermediates.md"
    text = path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    found = check_steps(checked)
    assert len(found) == 1
    other = Diagnostic("wrong-derivative", "warning", "…", str(path), found[0].start, found[0].end)
    assert diagnostics_of(checked, found, besides=[other]) == []
    (d,) = diagnostics_of(checked, found)
    assert d.code == CODE == "unequal-step" and d.severity == "warning"


def test_the_steps_found() -> None:
    checked = Checker().check("steps.md", text=SQUARE)
    steps = derivation_steps(checked)
    shown = [(SQUARE[s.before.start : s.before.end][:12], SQUARE[s.after.start : s.after.end][:12])
             for s in steps]  # fmt: skip
    assert shown == [
        (r"\|A\mathbf x", r"\mathbf x^\t"),
        (r"\mathbf x^\t", r"\mathbf x^\t"),
        (r"\mathbf x^\t", r"\mathbf x^\t"),
    ]


# Every unequal-step the check reports on the test documents (tests/documents, the written
# derivatives' fixtures, the derivations' documents), each read and judged a slip planted
# in its document:
# - backprop-intermediates.md 11: 2(o - y)ᵀW₂ da after (o - y)ᵀW₂ da (the factor 2)
# - answers/mathse-step-slips.md 9, 30, 44, 54: the slips the answer plants (above)
# - answers/notebook-gaussian-mle.md 39: SΣ⁻¹Σ⁻¹ for Σ⁻¹SΣ⁻¹ (wrong-derivative flags that row
#   too: the fronts say it once)
# - latex/exam.tex 31: s‖v‖² after 2s‖v‖² (the factor 2 the exam solution plants)
# - latex/lecture.tex 21: + 2Cᵀy after - 2Cᵀy (the sign the lecture notes plant)
# - held15/mathse-chain-slip.md 14, 59: + 2tr(YᵀXW) for − 2tr(YᵀXW) in the expansion, + Xᵀy
#   after − Xᵀy (the slips the answer plants; wrong-derivative flags 59 too)
# - held15/exam-solutions.tex 10, 19: 2Ax + b after (A + Aᵀ)x + b, + 2Xᵀy after - 2Xᵀy (the
#   planted slips of the align chains; wrong-derivative flags those rows: the fronts say it once)
# - held15/mathse-ridge-rayleigh.md 10: − yᵀXw for − wᵀXᵀy − yᵀXw, the factor 2 lost on the
#   cross term (the slip the answer plants in its expansion)
# - held15/mathse-long-chain.md 26: − tr(BᵀCAX) for − tr(XᵀAᵀCB) − tr(BᵀCAX), the factor 2
#   lost when the cross terms are merged (the slip the answer plants in its expansion)
# - held15/mathse-two-answers.md 33: − tr(CᵀAXB) for − 2tr(CᵀAXB), the factor 2 lost on the
#   cross term of Answer 2's expansion (the slip the answer plants)
# - held15/exam-enumerate.tex 32, 33: + 2Aᵀb after 2Aᵀ(Ax − b), and the right row after it
#   (the sign the solution sheet plants in its chain; wrong-derivative flags 32)
# - held15/notes-matrix-differentials.md 36, 37: tr(AX⁻¹X⁻¹dX) after tr(X⁻¹dX X⁻¹A), and the
#   right row after it (the order the notes plant; wrong-derivative flags 36)
# - held15/lecture-kalman.tex 24, 25: - Aᵀb for - 2Aᵀb in the ridge chain, and the right
#   row after it (the factor the lecture plants; wrong-derivative flags 24)
# - held15/answer-key.tex 45: + 2Mᵀy after 2Mᵀ(Mw - y) + 2λw (the sign the key plants)
# - held15/notes-plain-d.md 59: tr(X⁻²dX) after -tr(X⁻¹X⁻¹dX) (the sign the notes plant)
REVIEWED_STEPS = {
    "tests/calculus/written/backprop-intermediates.md": [11],
    "tests/calculus/written/answers/mathse-step-slips.md": [9, 30, 44, 54],
    "tests/calculus/written/answers/notebook-gaussian-mle.md": [39],
    "tests/calculus/written/latex/exam.tex": [31],
    "tests/calculus/written/latex/lecture.tex": [21],
    "tests/calculus/written/held15/exam-solutions.tex": [10, 19],
    "tests/calculus/written/held15/mathse-chain-slip.md": [14, 59],
    "tests/calculus/written/held15/mathse-ridge-rayleigh.md": [10],
    "tests/calculus/written/held15/mathse-long-chain.md": [26],
    "tests/calculus/written/held15/mathse-two-answers.md": [33],
    "tests/calculus/written/held15/exam-enumerate.tex": [32, 33],
    "tests/calculus/written/held15/notes-matrix-differentials.md": [36, 37],
    "tests/calculus/written/held15/lecture-kalman.tex": [24, 25],
    "tests/calculus/written/held15/answer-key.tex": [45],
    "tests/calculus/written/held15/notes-plain-d.md": [59],
    # (session 22: 20 a factor 2 in the expansion, 67 a sign in dg — reported there as the
    # differential it misstates)
    "tests/documents/homework-align-22/hw3-solutions.tex": [20, 67],
    # (session 24: 17 the cross term of the expansion loses its factor 2)
    "tests/documents/lecture-align-chains-24/lecture07.tex": [17],
    # (session 38: 29 the cross term's factor 2 appears from nowhere; 33 G + Gᵀ written 2G
    # for a general G — the row the chain's wrong-derivative is also on)
    "tests/documents/lecture-intertext-25/lecture09.tex": [29, 33],
    # (session i15/30: 15 the asker's third row doubles λ — reported as the differential it
    # misstates, the planted wrong-derivative of that row)
    "tests/documents/mathse-aligned-chains-30/answer.md": [15],
    # (session i15/32: scribe 21 the cross term's 2 lost, the prose's "drops the factor" of
    # another claim no longer silencing it; lecture06 38 the same; hw3 27 the penalty's 2
    # lost in the gradient's chain — the row's wrong-derivative — and 69 a sign in the
    # expansion of the Gaussian's form)
    "tests/documents/scribe-lqr-kalman-riccati-30/lecture11.tex": [21],
    "tests/documents/lecture-operator-products-32/lecture06.tex": [38],
    "tests/documents/solutions-aligned-slips-32/hw3-solutions.md": [27, 69],
}


def test_the_test_documents_have_only_reviewed_slips() -> None:
    found: dict[str, list[int]] = {}
    for folder in ("tests/documents", "tests/calculus/written", "tests/derivations"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in (".md", ".tex", ".qmd"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            lines, _, _ = _found(text, str(path))
            if lines:
                found[str(path.relative_to(REPO))] = lines
    assert found == REVIEWED_STEPS


# ‖Ax - y‖² expanded, then its constant ‖y‖² dropped
DROPPED = (
    r"\|A\mathbf x - \mathbf y\|^2 &= \mathbf x^\top A^\top A\mathbf x"
    r" - 2\mathbf y^\top A\mathbf x + \mathbf y^\top\mathbf y \\"
    r" &= \mathbf x^\top A^\top A\mathbf x - 2\mathbf y^\top A\mathbf x"
)


@pytest.mark.parametrize(
    ("prose", "body"),
    [
        # an assumption the prose makes: whitened data, XᵀX/n = I (the same symbols remain)
        (
            "For whitened data,",
            r"(A^\top A)^{-1}A^\top\mathbf y &= A^\top\mathbf y \\ &= A^\top\mathbf y",
        ),
        # at an optimum, a step may use the optimality condition
        (
            "At the optimum,",
            r"A^\top A\mathbf x + A^\top\mathbf x &= A^\top\mathbf x \\ &= A\mathbf x",
        ),
        # a note beside a step that may state a condition: the step is not compared
        (
            "",
            r"A\mathbf x + A^\top\mathbf x &= (A + A^\top)\mathbf x \\ &= 2A\mathbf x \quad"
            r" \text{(since $A$ is symmetric)}",
        ),
        # a recurrence: different members of a family, not one value
        ("", r"\mathbf x_{k+1} &= A\mathbf x_k \\ &= A^2\mathbf x_{k-1}"),
        # a sum over an index the document does not declare
        ("", r"\|\mathbf x\|^2 &= \mathbf x^\top\mathbf x \\ &= \sum_i x_i^2 \\ &= 2\sum_i x_i^2"),
        # a rounded number: a row may round the one before
        (
            "",
            r"\|A\mathbf x\|^2 &= 3\cdot\tfrac{1}{3}\|A\mathbf x\|^2 \\ &= 3 \cdot 0.33\,\|A\mathbf x\|^2",
        ),
        # dots: the rest is left out
        ("", r"\|A\mathbf x\|^2 &= \mathbf x^\top A^\top A\mathbf x \\ &= \cdots"),
        # terms dropped on purpose, as the prose says (silent; without it: the next test)
        (r"Dropping the terms that do not depend on $\mathbf x$,", DROPPED),
        ("Up to a constant,", DROPPED),
        (r"where we drop $\|\mathbf y\|^2$, a constant:", DROPPED),
    ],
)
def test_steps_that_rest_on_more_than_algebra_are_silence(prose: str, body: str) -> None:
    head = SQUARE.split("$$")[0]
    text = head + prose + "\n$$\n\\begin{aligned}\n" + body + "\n\\end{aligned}\n$$\n"
    assert _found(text)[0] == []


def test_a_term_dropped_without_a_word_is_a_slip() -> None:
    head = SQUARE.split("$$")[0]
    text = head + "Expanding,\n$$\n\\begin{aligned}\n" + DROPPED + "\n\\end{aligned}\n$$\n"
    lines, messages, _ = _found(text)
    assert len(lines) == 1 and "is missing" in messages[0], messages


HALVED = (
    r"\|A\mathbf x - \mathbf y\|^2 &= \mathbf x^\top A^\top A\mathbf x"
    r" - 2\mathbf y^\top A\mathbf x + \mathbf y^\top\mathbf y \\"
    r" &= \mathbf x^\top A^\top A\mathbf x - \mathbf y^\top A\mathbf x + \mathbf y^\top\mathbf y"
)


@pytest.mark.parametrize(
    "prose",
    [
        # a slip the prose says drops a factor, a sign, a transpose: not terms dropped on
        # purpose (scribe-lqr-kalman-riccati-30:21, "…, which drops the factor of the form")
        "The board had the last line, which drops the factor 2 of the cross term.",
        "A common slip drops the sign of the cross term.",
    ],
)
def test_a_slip_said_to_drop_a_factor_is_flagged(prose: str) -> None:
    head = SQUARE.split("$$")[0]
    text = head + "Expanding,\n$$\n\\begin{aligned}\n" + HALVED + "\n\\end{aligned}\n$$\n" + prose
    lines, messages, _ = _found(text)
    assert lines == [
        text.count("\n", 0, text.index(r" &= \mathbf x^\top A^\top A\mathbf x - \mathbf y")) + 1
    ]
    assert "does not equal the step before it" in messages[0], messages


ANNOTATED = r"""Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$, $\mathbf y \in \mathbb{R}^n$.

$$
\begin{aligned}
\operatorname{tr}(A\mathbf x\mathbf y^\top) &= \mathbf y^\top A\mathbf x \quad \text{(by cyclicity)} \\
&= \mathbf x^\top A\mathbf y \qquad (\text{transpose of a scalar})
\end{aligned}
$$
"""


def test_a_step_annotated_with_the_rule_it_uses_is_compared() -> None:
    # xᵀAy is the transpose of yᵀAᵀx, not of yᵀAx: the note names only the algebra done
    lines, messages, tally = _found(ANNOTATED)
    assert lines == [6] and tally.compared == 1
    assert messages[0].startswith(r"`\mathbf x^\top A\mathbf y` does not equal the step before")
