r"""The derivatives a document writes, checked (calculus/written_derivatives.py).

Every fixture is a small document: a wrong derivative must be flagged on exactly its right
side, a right one — including the layout traps (a gradient written as a row, a Jacobian
in the other convention, a stated layout, a declared symmetric matrix, labels) — must be
silent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.calculus.written_check import check_written
from tests.test_cli import run
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.written_derivatives import (
    CODE,
    Tally,
    diagnostics_of,
    written_derivatives,
)
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.shapes.diagnostics import CODES
from texgrad.shapes.layout_statements import stated_layout
from texgrad.syntax.parse import parse_row

DECLS = (
    r"Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times n}$, "
    r"$\mathbf x \in \mathbb{R}^n$, $X \in \mathbb{R}^{n \times n}$, "
    r"$\mathbf a \in \mathbb{R}^m$, $\mathbf b \in \mathbb{R}^p$, $Y \in \mathbb{R}^{m \times p}$, "
    r"$C \in \mathbb{R}^{m \times n}$, $t \in \mathbb{R}$."
    "\n\n"
)


def flagged(body: str, path: str = "doc.md", decls: str = DECLS) -> list[str]:
    """The written right sides flagged wrong-derivative, as written."""
    text = decls + body
    checked = Checker().check(path, text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


# -- one fixture per form: (document, the right side flagged or None) ---------------------------

FORMS = {
    "nabla-sub-right": (
        r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = (A + A^\top)\mathbf x$$",
        None,
    ),
    "nabla-sub-wrong": (
        r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x$$",
        r"2A\mathbf x",
    ),
    "nabla-defined-right": (
        "$$f(\\mathbf x) = \\|C\\mathbf x\\|^2$$\n\n$$\\nabla_{\\mathbf x} f = 2C^\\top C\\mathbf x$$",
        None,
    ),
    "nabla-defined-wrong": (
        "$$f(\\mathbf x) = \\|C\\mathbf x\\|^2$$\n\n$$\\nabla_{\\mathbf x} f = C^\\top C\\mathbf x$$",
        r"C^\top C\mathbf x",
    ),
    "nabla-argument-right": (
        "$$g(\\mathbf x) = \\mathbf x^\\top B \\mathbf x$$\n\n$$\\nabla g(\\mathbf x) = (B + B^\\top) \\mathbf x$$",
        None,
    ),
    "nabla-argument-wrong": (
        "$$g(\\mathbf x) = \\mathbf x^\\top B \\mathbf x$$\n\n$$\\nabla g(\\mathbf x) = B \\mathbf x$$",
        r"B \mathbf x",
    ),
    "frac-right": (
        r"$$\frac{\partial \mathbf a^\top Y \mathbf b}{\partial Y} = \mathbf a \mathbf b^\top$$",
        None,
    ),
    "frac-wrong": (
        r"$$\frac{\partial \mathbf a^\top Y \mathbf b}{\partial Y} = 2\mathbf a \mathbf b^\top$$",
        r"2\mathbf a \mathbf b^\top",
    ),
    # no layout stated: ∂f/∂Y written as the transpose of the gradient is numerator layout
    "frac-transposed-no-layout-right": (
        r"$$\frac{\partial \mathbf a^\top Y \mathbf b}{\partial Y} = \mathbf b \mathbf a^\top$$",
        None,
    ),
    "nabla-matrix-transposed-wrong": (
        r"$$\nabla_Y (\mathbf a^\top Y \mathbf b) = \mathbf b \mathbf a^\top$$",
        r"\mathbf b \mathbf a^\top",
    ),
    "frac-operator-right": (
        r"$$\frac{\partial}{\partial \mathbf x}(\mathbf x^\top A\mathbf x) = (A + A^\top)\mathbf x$$",
        None,
    ),
    "frac-operator-wrong": (
        r"$$\frac{\partial}{\partial \mathbf x}(\mathbf x^\top A\mathbf x) = 2A^\top\mathbf x$$",
        r"2A^\top\mathbf x",
    ),
    "total-right": (r"$$\frac{\mathrm d}{\mathrm d t}(t^2 A) = 2tA$$", None),
    "total-wrong": (r"$$\frac{\mathrm d (t^3)}{\mathrm d t} = 3t$$", "3t"),
    "slash-right": (
        r"$$\partial (\mathbf x^\top \mathbf x)/\partial \mathbf x = 2\mathbf x$$",
        None,
    ),
    "slash-wrong": (
        r"$$\partial (\mathbf x^\top \mathbf x)/\partial \mathbf x = \mathbf x$$",
        r"\mathbf x",
    ),
    "jacobian-right": ("$$h(\\mathbf x) = C\\mathbf x$$\n\n$$J_h(\\mathbf x) = C$$", None),
    "jacobian-wrong": ("$$h(\\mathbf x) = C\\mathbf x$$\n\n$$J_h(\\mathbf x) = 2C$$", "2C"),
    "differential-right": (
        r"$$\mathrm d (\operatorname{tr}(AX)) = \operatorname{tr}(A\,\mathrm dX)$$",
        None,
    ),
    "differential-wrong": (
        r"$$\mathrm d (\operatorname{tr}(AX)) = \operatorname{tr}(A^\top \mathrm dX)$$",
        r"\operatorname{tr}(A^\top \mathrm dX)",
    ),
    "differential-defined-wrong": (
        "$$F = X^\\top A X$$\n\n$$\\mathrm dF = X^\\top A\\,\\mathrm dX$$",
        r"X^\top A\,\mathrm dX",
    ),
    "differential-defined-right": (
        "$$F = X^\\top A X$$\n\n$$\\mathrm dF = \\mathrm dX^\\top A X + X^\\top A\\,\\mathrm dX$$",
        None,
    ),
    "log-det-general-wrong": (r"$$\nabla_X \log\det X = X^{-1}$$", "X^{-1}"),
    "log-det-no-layout-right": (r"$$\frac{\partial \log\det X}{\partial X} = X^{-1}$$", None),
    "log-det-denominator-wrong": (
        "We use denominator layout.\n\n"
        r"$$\frac{\partial \log\det X}{\partial X} = X^{-1}$$",
        "X^{-1}",
    ),
    "log-det-general-right": (r"$$\frac{\partial \log\det X}{\partial X} = X^{-\top}$$", None),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_wrong_flagged_right_silent(name: str) -> None:
    body, wrong = FORMS[name]
    assert flagged(body) == ([wrong] if wrong else [])


def test_latex_documents_and_align_chains() -> None:
    body = r"""
\begin{align}
\nabla_{\mathbf x} \|C\mathbf x\|^2 &= 2 C^\top C \mathbf x \\
  &= 2 C^\top (C \mathbf x) \\
  &= 4 C^\top C \mathbf x
\end{align}
"""
    assert flagged(body, "doc.tex") == [r"4 C^\top C \mathbf x"]


def test_a_chain_on_one_row_checks_every_item() -> None:
    body = r"$$\nabla_X \operatorname{tr}(AX) = A^\top = A$$"
    assert flagged(body) == ["A"]


def test_a_row_listing_two_claims_checks_each() -> None:
    r"""``\nabla f = a, \qquad \nabla f = b``: each statement of the list is a claim."""
    body = (
        r"$$\nabla_{\mathbf x} \|C\mathbf x\|^2 = 2C^\top C\mathbf x, \qquad "
        r"\nabla_{\mathbf x} \|C\mathbf x\|^2 = C^\top C\mathbf x .$$"
    )
    assert flagged(body) == [r"C^\top C\mathbf x"]


# -- the layout traps ------------------------------------------------------------------------


def test_a_gradient_may_be_a_row_or_a_column() -> None:
    assert (
        flagged(r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = \mathbf x^\top(A + A^\top)$$")
        == []
    )
    assert (
        flagged(
            r"$$\frac{\partial \mathbf a^\top C \mathbf x}{\partial \mathbf x} = \mathbf a^\top C$$"
        )
        == []
    )


def test_a_jacobian_in_either_convention_unless_a_layout_is_stated() -> None:
    numerator = (
        "$$h(\\mathbf x) = C\\mathbf x$$\n\n$$\\frac{\\partial h}{\\partial \\mathbf x} = C$$"
    )
    denominator = (
        "$$h(\\mathbf x) = C\\mathbf x$$\n\n$$\\frac{\\partial h}{\\partial \\mathbf x} = C^\\top$$"
    )
    assert flagged(numerator) == [] and flagged(denominator) == []
    said = "We use the denominator layout.\n\n"
    assert flagged(said + numerator) == ["C"]
    assert flagged(said + denominator) == []


def test_a_matrix_derivative_either_way_unless_a_layout_is_stated() -> None:
    """No layout stated: ∂f/∂X as the matrix of ∂f/∂X_ij or as its transpose; a stated
    layout decides; ∇_X f is the gradient, of X's shape."""
    body = r"$$\frac{\partial \operatorname{tr}(AX)}{\partial X} = A$$"
    right = r"$$\frac{\partial \operatorname{tr}(AX)}{\partial X} = A^\top$$"
    assert flagged(body) == [] and flagged(right) == []
    assert flagged("We use numerator layout throughout.\n\n" + body) == []
    assert flagged("We use numerator layout throughout.\n\n" + right) == ["A^\\top"]
    assert flagged("We use the denominator layout.\n\n" + body) == ["A"]
    assert flagged("We use the denominator layout.\n\n" + right) == []
    assert flagged(r"$$\nabla_X \operatorname{tr}(AX) = A$$") == ["A"]
    assert stated_layout("numerator layout ... denominator layout") is None


def test_a_declared_symmetric_matrix_and_the_structured_derivative() -> None:
    decls = (
        r"Let $S \in \mathbb{R}^{n \times n}$ be symmetric positive definite, "
        r"$A \in \mathbb{R}^{n\times n}$." "\n\n"
    )  # fmt: skip
    assert flagged(r"$$\frac{\partial \log\det S}{\partial S} = S^{-1}$$", decls=decls) == []
    structured = r"$$\frac{\partial \operatorname{tr}(AS)}{\partial S} = A + A^\top - \operatorname{Diag}(A)$$"
    assert flagged(structured, decls=decls) == []
    assert flagged(r"$$\frac{\partial \log\det S}{\partial S} = -S^{-1}$$", decls=decls) == [
        "-S^{-1}"
    ]


def test_labels_in_their_set() -> None:
    decls = (
        r"Let $\mathbf y \in \{0,1\}^n$, $\mathbf w \in \mathbb{R}^n$." "\n\n"
    )  # fmt: skip
    # y ⊙ y = y for labels in {0, 1}: written with y, the derivative is right
    body = r"$$\nabla_{\mathbf w} (\mathbf w^\top (\mathbf y \odot \mathbf y)) = \mathbf y$$"
    assert flagged(body, decls=decls) == []


def test_unreadable_or_unverifiable_is_silence() -> None:
    assert (
        flagged(
            r"$$\frac{\partial \mathbb{E}[\mathbf x^\top A\mathbf x]}{\partial \mathbf x} = 0$$"
        )
        == []
    )
    assert flagged(r"$$\nabla_{\mathbf z} g = \mathbf z$$") == []  # g, z unknown
    assert flagged(r"$$\frac{\partial q}{\partial \mathbf x} = \mathbf x$$") == []


# -- the diagnostic, its quick fix, the front ends ----------------------------------------


def test_the_message_names_the_variable_without_its_tex_group() -> None:
    text = DECLS + r"$$\nabla_{X} \operatorname{tr}(AX) = A$$"
    checked = Checker().check("doc.md", text=text)
    (d,) = diagnostics_of(checked, check_written(checked))
    assert "with respect to `X`:" in d.message and "`{X}`" not in d.message


def test_the_diagnostic_and_its_quick_fix() -> None:
    assert CODE in CODES
    text = DECLS + r"$$\nabla_X \operatorname{tr}(AX) = A$$"
    checked = Checker().check("doc.md", text=text)
    (d,) = diagnostics_of(checked, check_written(checked))
    assert d.code == "wrong-derivative" and d.severity == "warning"
    assert text[d.start : d.end] == "A"
    assert "`A` is not the derivative of `\\operatorname{tr}(AX)` with respect to `X`" in d.message
    assert "A^\\top" in d.message and "(" not in d.message.split("finds")[0].replace("(AX)", "")
    (fix,) = d.fixes
    fixed = text[: fix.start] + fix.text + text[fix.end :]
    assert fixed.endswith(r"= A^\top$$")
    assert check_written(Checker().check("doc.md", text=fixed)) == []


def test_the_corpus_tally() -> None:
    text = (
        DECLS
        + "$$\\nabla_{\\mathbf x} \\mathbf x^\\top\\mathbf x = 2\\mathbf x$$\n\n$$\\nabla_{\\mathbf x} \\mathbf x^\\top\\mathbf x = \\mathbf x$$\n\n$$\\nabla_{\\mathbf z} q = 1$$"
    )
    tally = Tally()
    check_written(Checker().check("doc.md", text=text), tally=tally)
    assert (tally.read, tally.verified, tally.flagged) == (3, 1, 1)
    assert len(written_derivatives(Checker().check("doc.md", text=text))) == 3


def test_check_text_and_json(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        DECLS + "$$\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2A\\mathbf x$$\n"
    )
    code, out = run("check", str(doc))
    assert code == 0  # a warning: the exit status is for errors
    (line,) = out.splitlines()
    assert line.endswith("[wrong-derivative]") and ":3:" in line and "warning" in line
    (record,) = json.loads(run("check", "--format", "json", str(doc))[1])
    assert record["code"] == "wrong-derivative"
    assert (record["line"], record["column"], record["end_column"]) == (3, 53, 64)
    (fix,) = record["fixes"]
    assert fix["text"] == r"(A + A^\top)\mathbf x" and (fix["line"], fix["column"]) == (3, 53)
    assert run("check", "--no-derivatives", str(doc)) == (0, "")


def test_the_document_set_has_no_wrong_derivative() -> None:
    """The realistic documents of tests/documents write many derivatives, all right (in
    their layouts, with their stated symmetries): never a false alarm — but for the wrong
    ones planted on purpose, which their markers name (``% expect: wrong-derivative``)."""
    from tests.documents.harness import read_markers
    from texgrad.reading.document import detect_format
    from texgrad.reading.project import load_project, normalize

    root = Path(__file__).resolve().parents[1] / "documents"
    read = 0
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in (".tex", ".md", ".qmd", ".rmd") or not path.is_file():
            continue
        folder = root / path.relative_to(root).parts[0]
        key = normalize(str(path))
        project = load_project(key, folder=folder) if detect_format(key) == "latex" else None
        tally = Tally()
        checked = Checker().check(key, project, folder)
        found = check_written(checked, seconds=60.0, tally=tally)
        read += tally.read
        rel = path.relative_to(folder).as_posix()
        planted = {
            m.line for m in read_markers(folder) if m.path == rel and m.code == "wrong-derivative"
        }
        found = [f for f in found if checked.doc.text.count("\n", 0, f.start) + 1 not in planted]
        assert found == [], (path.name, [f.message for f in found])
    assert read > 100


def test_a_sum_going_on_in_the_next_row_is_not_a_claim() -> None:
    body = r"""
\begin{align}
\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x + \mathbf x^\top B \mathbf x) &= (A + A^\top)\mathbf x \\
  &\quad + (B + B^\top)\mathbf x
\end{align}
\begin{align}
\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x + \mathbf x^\top B \mathbf x) &= (A + A^\top)\mathbf x + \\
  & (B + B^\top)\mathbf x
\end{align}
"""
    assert flagged(body, "doc.tex") == []


def test_symmetry_said_in_the_paragraph_before() -> None:
    said = "Assume $A$ and $B$ to be symmetric, then\n\n"
    body = r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x$$"
    assert flagged(said + body) == []
    assert flagged(body) == [r"2A\mathbf x"]
    assert flagged("Here $A = A^\\top$.\n\n" + body) == []
    assert (
        flagged(
            r"For symmetric $A$, $\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x$."
        )
        == []
    )


WRITTEN = Path(__file__).resolve().parent / "written"


def _flagged_lines(name: str) -> list[int]:
    path = WRITTEN / name
    text = path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    return [text.count("\n", 0, f.start) + 1 for f in check_written(checked, seconds=120.0)]


def test_a_cheat_sheet_every_planted_slip_and_no_right_one() -> None:
    # 10: 2Mx for a general M; 20: 2MX; 31: the logistic loss's gradient without its sign;
    # 34: d(X^{-1}) = -X^{-2} dX.  Right and silent: S declared symmetric positive definite
    # (9, 22), a gradient as a row (12), det(X) X^{-1} (23) and -X^{-1} M X^{-1} (25): ∂f/∂X
    # in numerator layout, and the sheet states no layout
    assert _flagged_lines("cheat-sheet.md") == [10, 20, 31, 34]


def test_identities_for_any_shapes_typed_by_their_letters() -> None:
    # no declaration at all: bold capitals are matrices, bold small letters vectors (the
    # identities hold for square ones); 4: 2Ax for a general A; 6: the factors of A^T B^T
    # swapped.  Right: X^{-1} for ∂ log det X/∂X (10, numerator layout: none is stated), a
    # row gradient (11), 1/N a number (12)
    assert _flagged_lines("undeclared.md") == [4, 6]


def test_notes_with_macros_and_align_chains() -> None:
    # 25: the logistic gradient with its sign flipped (written with the macros \vw, \vy);
    # the ridge chain's right rows and the factorisation's first line are silent (the slips
    # of lines 17 and 32 are shape errors, reported as such)
    assert _flagged_lines("notes.tex") == [25]
    text = (WRITTEN / "notes.tex").read_text(encoding="utf-8")
    checked = Checker().check(str(WRITTEN / "notes.tex"), text=text)
    (d,) = diagnostics_of(checked, check_written(checked))
    assert d.message.startswith(  # (information: the notes call it a slip themselves)
        r"as the text says (“slip”), `X^\top(\vy - \mathbf{p})` is not the derivative of "
        r"`\ell` with respect to `\vw`"
    )
    assert d.severity == "information"
    assert d.fixes[0].text == r"X^\top(\mathbf{p} - \vy)"  # the claim's own text, its slip undone


def test_an_answer_with_an_aligned_chain_and_jacobians() -> None:
    # 19: σ(1 + σ).  Right and silent: the chain's rows (the last, 7, the transpose of the
    # gradient of a matrix: ∂E/∂W in numerator layout, none being stated), ∇ₓE, ∂z/∂x = W,
    # tanh's Jacobian (15); the other order of its factors (17) is a shape error
    assert _flagged_lines("answer.md") == [19]


def test_hessians() -> None:
    body = (
        "$$f(\\mathbf x) = \\frac{1}{2}\\|C\\mathbf x - \\mathbf a\\|^2$$\n\n"
        "Let $\\mathbf a \\in \\mathbb{R}^m$.\n\n"
        "$$\\nabla^2 f(\\mathbf x) = C^\\top C$$\n\n"
        "$$\\nabla_{\\mathbf x}^2 (\\mathbf x^\\top A \\mathbf x) = A + A^\\top$$\n\n"
        "$$\\nabla_{\\mathbf x}^2 (\\mathbf x^\\top A \\mathbf x) = 2A$$\n\n"
        "$$\\frac{\\partial^2 (\\mathbf x^\\top A \\mathbf x)}{\\partial \\mathbf x \\partial \\mathbf x^\\top}"
        " = A + A^\\top$$\n"
    )
    assert flagged(body) == ["2A"]
    text = DECLS + body
    checked = Checker().check("doc.md", text=text)
    (d,) = diagnostics_of(checked, check_written(checked))
    assert d.message.startswith("`2A` is not the Hessian of `\\mathbf x^\\top A \\mathbf x`")


# -- the Cookbook's forms (corpus coverage) ---------------------------------------------------


def _tally(text: str) -> tuple[list[str], Tally]:
    tally = Tally()
    checked = Checker().check("doc.md", text=text)
    found = [text[f.start : f.end] for f in check_written(checked, tally=tally)]
    return found, tally


def test_every_align_row_writing_its_own_derivative_is_read() -> None:
    # a row after a chain's row writes a derivative of its own (not `&= …`): it is a claim too
    decls = (
        r"Let $A \in \mathbb{R}^{p \times m}$, $X \in \mathbb{R}^{m \times n}$, "
        r"$B \in \mathbb{R}^{n \times p}$, $C \in \mathbb{R}^{m \times n}$." + "\n\n"
    )
    body = (
        "$$\n\\begin{aligned}\n"
        r"\frac{\partial}{\partial X} \operatorname{tr}(C^\top X) &= C \\" + "\n"
        r"\frac{\partial}{\partial X} \operatorname{tr}(X C^\top) &= C \\" + "\n"
        r"\frac{\partial}{\partial X} \operatorname{tr}(A X B) &= B A" + "\n"
        "\\end{aligned}\n$$\n"
    )
    found, tally = _tally(decls + body)
    assert (tally.read, tally.verified, tally.flagged) == (3, 3, 0)  # B A: numerator layout
    found, tally = _tally("We use denominator layout.\n\n" + decls + body)
    assert (tally.read, tally.verified, tally.flagged) == (3, 2, 1)
    assert found == ["B A"]  # the transpose of A^T B^T


COOKBOOK_DIFFERENTIALS = r"""The rules for the differential:

$$
\begin{array}{rlr}
\partial \mathbf{A} & =0 \\
\partial(\mathbf{X}+\mathbf{Y}) & =\partial \mathbf{X}+\partial \mathbf{Y} \\
\partial(\operatorname{Tr}(\mathbf{X})) & =\operatorname{Tr}(\partial \mathbf{X}) \\
\partial(\mathbf{X} \mathbf{Y}) & =(\partial \mathbf{X}) \mathbf{Y}+\mathbf{X}(\partial \mathbf{Y}) \\
\partial(\mathbf{X} \circ \mathbf{Y}) & =(\partial \mathbf{X}) \circ \mathbf{Y}+\mathbf{X} \circ(\partial \mathbf{Y}) \\
\partial\left(\mathbf{X}^{-1}\right) & =-\mathbf{X}^{-1}(\partial \mathbf{X}) \mathbf{X}^{-1} \\
\partial(\ln (\operatorname{det}(\mathbf{X}))) & =\operatorname{Tr}\left(\mathbf{X}^{-1} \partial \mathbf{X}\right) \\
\partial \mathbf{X}^{T} & =(\partial \mathbf{X})^{T}
\end{array}
$$
"""


def test_the_cookbook_differentials_with_the_partial_sign() -> None:
    # ∂ as the differential, in an `array` used as an align; no declaration: typed by letters
    found, tally = _tally(COOKBOOK_DIFFERENTIALS)
    assert found == []
    assert (tally.read, tally.verified) == (7, 7)  # ∂A = 0 is no identity to check


def test_a_wrong_differential_under_guessed_shapes_is_not_verified_nor_reported() -> None:
    wrong = COOKBOOK_DIFFERENTIALS.replace(
        r"=(\partial \mathbf{X}) \mathbf{Y}+\mathbf{X}(\partial \mathbf{Y})",
        r"=\mathbf{Y}(\partial \mathbf{X})+\mathbf{X}(\partial \mathbf{Y})",
    ).replace(
        r"=-\mathbf{X}^{-1}(\partial \mathbf{X}) \mathbf{X}^{-1}",
        r"=-\mathbf{X}^{-1}\mathbf{X}^{-1}(\partial \mathbf{X})",
    )
    found, tally = _tally(wrong)
    assert found == []  # shapes guessed: never a finding
    assert (tally.read, tally.verified, tally.flagged) == (7, 5, 0)


def test_a_partial_differential_of_a_declared_matrix_is_checked() -> None:
    decls = r"Let $X \in \mathbb{R}^{n \times n}$ be invertible." + "\n\n"
    found, tally = _tally(
        decls
        + r"$$\partial(X^{-1}) = -X^{-1}(\partial X)X^{-1}$$"
        + "\n\n"
        + r"$$\partial(X^{-1}) = -X^{-2}\,\partial X$$"
        + "\n"
    )
    assert (tally.read, tally.verified, tally.flagged) == (2, 1, 1)
    assert found == [r"-X^{-2}\,\partial X"]


def test_a_bold_letter_another_section_types_otherwise_is_typed_by_its_letter() -> None:
    # `a` is a number and `c` a defined quantity elsewhere; in the identity they are vectors
    text = (
        r"Let $a \in \mathbb{R}$ and $c = a^2$." + "\n\n"
        r"$$\frac{\partial \mathbf{x}^{T} \mathbf{a}}{\partial \mathbf{x}} = \mathbf{a}$$" + "\n\n"
        r"$$\frac{\partial \mathbf{b}^{T} \mathbf{X}^{T} \mathbf{X} \mathbf{c}}{\partial \mathbf{X}}"
        r" = \mathbf{X}\left(\mathbf{b} \mathbf{c}^{T}+\mathbf{c} \mathbf{b}^{T}\right)$$" + "\n\n"
        r"$$\frac{\partial \mathbf{x}^{T} \mathbf{a}}{\partial \mathbf{x}} = 2\mathbf{a}$$" + "\n"
    )
    found, tally = _tally(text)
    assert found == []  # the last is wrong, but `a` is declared otherwise: silence
    assert (tally.read, tally.verified, tally.flagged) == (3, 2, 0)
    assert tally.reasons["guessed: False"] == 1


def test_a_section_headed_symmetric_and_the_identity_sized_by_the_one_size() -> None:
    # the Cookbook's "Symmetric" section: ∂/∂X for a symmetric X, written in the structured
    # form 2X^{-1} - X^{-1}∘I; ∂ tr(X)/∂X = I with the I sized by the identity's one size
    text = (
        "\\subsubsection{Symmetric}\n\n$$\n\\begin{aligned}\n"
        r"\frac{\partial \ln \operatorname{det}(\mathbf{X})}{\partial \mathbf{X}} & "
        r"=2 \mathbf{X}^{-1}-\left(\mathbf{X}^{-1} \circ \mathbf{I}\right)" + "\n"
        "\\end{aligned}\n$$\n\n\\subsubsection{Trace}\n\n"
        r"$$\frac{\partial}{\partial \mathbf{X}} \operatorname{Tr}(\mathbf{X}) = \mathbf{I}$$"
        + "\n\n"
        r"$$\frac{\partial \ln \operatorname{det}(\mathbf{X})}{\partial \mathbf{X}}"
        r" = 2 \mathbf{X}^{-1}-\left(\mathbf{X}^{-1} \circ \mathbf{I}\right)$$" + "\n"
    )
    found, tally = _tally(text)
    # the last: no longer under "Symmetric", and 2X^{-1} - X^{-1}∘I is wrong for a general X
    assert found == [r"2 \mathbf{X}^{-1}-\left(\mathbf{X}^{-1} \circ \mathbf{I}\right)"]
    assert (tally.read, tally.verified, tally.flagged) == (3, 2, 1)


def test_scalar_calculus_small_letters_are_numbers_verified_never_reported() -> None:
    # d2l's scalar examples: nothing declares x; a small letter is then a number (only to
    # verify: a wrong one stays silent, the letter might be a vector to its author)
    text = (
        "$$f(x) = 3x^4 - 4x^3 - 12x^2$$\n\n"
        r"$$\frac{df}{dx} = 12x^3 - 12x^2 -24x$$" + "\n\n"
        r"$$\frac{df}{dx} = 12x^3 - 12x^2 -12x$$" + "\n"
    )
    found, tally = _tally(text)
    assert found == []
    assert (tally.read, tally.verified, tally.flagged) == (2, 1, 0)


def test_the_fix_of_a_partial_differential_writes_the_partial_sign() -> None:
    text = (
        r"Let $X \in \mathbb{R}^{n \times n}$ be invertible." + "\n\n"
        r"$$\partial(\ln \det X) = \operatorname{tr}(X^{-2}\partial X)$$" + "\n"
    )
    (finding,) = check_written(Checker().check("doc.md", text=text))
    assert r"\partial X" in finding.correct and r"\mathrm{d}" not in finding.correct
    assert "X^{-1}" in finding.correct


def test_a_boxed_answer_is_its_body() -> None:
    text = DECLS + (
        "$$f(\\mathbf x) = \\mathbf x^\\top A \\mathbf x$$\n\n"
        r"$$\nabla_{\mathbf x} f = \boxed{(A + A^\top)\mathbf x}$$" + "\n\n"
        r"$$\nabla_{\mathbf x} f = \boxed{2A\mathbf x}$$" + "\n"
    )
    found, tally = _tally(text)
    assert (tally.read, tally.verified, tally.flagged) == (2, 1, 1)
    assert found == [r"2A\mathbf x"]


# -- the quick fix under a stated layout, and with the result's names expanded ---------------


def _the_fix(text: str) -> tuple[str, str, str]:
    """The flagged side, the quick fix's text, and the document with the fix applied."""
    checked = Checker().check("doc.md", text=text)
    (d,) = diagnostics_of(checked, check_written(checked))
    (fix,) = d.fixes
    assert (fix.start, fix.end) == (d.start, d.end)  # the written side, exactly
    return text[d.start : d.end], fix.text, text[: fix.start] + fix.text + text[fix.end :]


def _central(fn: Callable[[np.ndarray], object], x0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂fn/∂x0_{ij} by central differences, arranged as x0."""
    out = np.zeros_like(x0)
    for j in range(x0.size):
        step = np.zeros_like(x0)
        step.flat[j] = h
        out.flat[j] = (np.asarray(fn(x0 + step)).item() - np.asarray(fn(x0 - step)).item()) / (
            2 * h
        )
    return out


def _read(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None and row.error is None
    return np.asarray(evaluate_tree(row.tree, values), dtype=float)


SIZED = (
    r"Let $A \in \mathbb{R}^{p \times m}$, $X \in \mathbb{R}^{m \times q}$, "
    r"$B \in \mathbb{R}^{q \times p}$, $C \in \mathbb{R}^{p \times m}$, "
    r"$\mathbf x \in \mathbb{R}^m$." "\n\n"
)  # fmt: skip


def test_the_quick_fix_of_a_matrix_derivative_under_a_stated_numerator_layout() -> None:
    text = SIZED + "We use numerator layout throughout.\n\n" + (
        r"$$\frac{\partial \operatorname{tr}(AXB)}{\partial X} = A^\top B^\top$$" "\n"
    )  # fmt: skip
    written, fix, fixed = _the_fix(text)
    assert written == r"A^\top B^\top" and fix == "B A"
    assert check_written(Checker().check("doc.md", text=fixed)) == []
    # numerator layout: the fix is the transpose of the matrix of ∂ tr(AXB)/∂X_ij
    rng = np.random.default_rng(3)
    a, x, b = (rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2)))
    values = {"A": a, "X": x, "B": b}
    fd = _central(lambda v: np.trace(a @ v @ b), x)
    assert np.allclose(_read(fix, values), fd.T, atol=1e-6)


def test_the_quick_fix_of_a_jacobian_under_a_stated_denominator_layout() -> None:
    text = SIZED + "We use the denominator layout.\n\n" + (
        "$$h(\\mathbf x) = C\\mathbf x$$\n\n$$\\frac{\\partial h}{\\partial \\mathbf x} = C$$\n"
    )  # fmt: skip
    written, fix, fixed = _the_fix(text)
    assert written == "C" and fix == r"C^\top"
    assert fixed.endswith(r"{\partial \mathbf x} = C^\top$$" "\n")
    assert check_written(Checker().check("doc.md", text=fixed)) == []
    rng = np.random.default_rng(4)
    c, x0 = rng.standard_normal((2, 3)), rng.standard_normal((3, 1))

    def entry(i: int) -> Callable[[np.ndarray], object]:
        return lambda v: (c @ v)[i, 0]

    jac = np.stack([_central(entry(i), x0)[:, 0] for i in range(2)])
    assert np.allclose(_read(fix, {"C": c}), jac.T, atol=1e-6)  # ∂h_j/∂x_i in row i


def test_the_quick_fix_writes_the_names_of_the_result_out() -> None:
    text = (
        r"Let $\mathbf x \in \mathbb{R}^m$, $\gamma \in \mathbb{R}$, $\alpha > 0$, "
        r"$\epsilon > 0$." "\n\n"
        r"$$\nabla_{\mathbf x} \left(\mathbf 1^\top (\gamma (\mathbf x - \alpha \mathbf{1}"
        r"\mathbf{1}^\top \mathbf x)(\alpha \|\mathbf x - \alpha \mathbf{1}\mathbf{1}^\top"
        r" \mathbf x\|^2 + \epsilon)^{-1/2})\right) = \mathbf x$$" "\n"
    )  # fmt: skip
    checked = Checker().check("doc.md", text=text)
    (finding,) = check_written(checked)
    assert "where \\mathbf{t}_0 = " in finding.message  # the message keeps the name
    written, fix, fixed = _the_fix(text)
    assert written == r"\mathbf x" and "t_0" not in fix and fix.startswith(r"\gamma \left(")
    assert check_written(Checker().check("doc.md", text=fixed)) == []
    rng = np.random.default_rng(5)
    x0, g, a, eps = rng.standard_normal((5, 1)), 1.3, 0.3, 0.5
    ones = np.ones((5, 1))

    def f(v: np.ndarray) -> float:
        t0 = v - a * ones @ ones.T @ v
        return (ones.T @ (g * t0)).item() * (a * (t0.T @ t0).item() + eps) ** -0.5

    values = {"x": x0, "\\gamma": np.array([[g]]), "\\alpha": np.array([[a]]),
              "\\epsilon": np.array([[eps]]), "m": np.array([[5.0]]), "I": np.eye(5)}  # fmt: skip
    assert np.allclose(_read(fix, values), _central(f, x0), atol=1e-5)


def test_entry_derivatives_checked_at_every_index() -> None:
    """∂f/∂x_i, ∂f/∂X_{ij}: the written side at every index value against the entries of
    the verified gradient (distinct sizes n, m); right ones silent, wrong ones flagged."""
    decls = (
        r"Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$, "
        r"$W \in \mathbb{R}^{m \times n}$, $\mathbf u \in \mathbb{R}^n$, "
        r"$X \in \mathbb{R}^{n \times n}$."
        "\n\n"
    )
    f = r"$$f(\mathbf x) = \mathbf x^\top A \mathbf x$$" "\n\n"
    g = r"$$g(\mathbf u) = \|W\mathbf u\|^2$$" "\n\n"
    right = [
        f + r"$$\frac{\partial f}{\partial x_i} = \sum_j (a_{ij} + a_{ji}) x_j$$",
        f + r"$$\frac{\partial f}{\partial x_i} = ((A + A^\top)\mathbf x)_i$$",
        f + r"$\partial f/\partial x_i = ((A + A^\top)\mathbf x)_i$",
        g + r"$$\frac{\partial g}{\partial u_i} = 2(W^\top W\mathbf u)_i$$",
        r"$$\frac{\partial \operatorname{tr}(A X)}{\partial X_{ij}} = a_{ji}$$",
    ]
    for body in right:
        assert flagged(body, decls=decls) == [], body
    wrong = [
        (f + r"$$\frac{\partial f}{\partial x_i} = 2(A\mathbf x)_i$$", r"2(A\mathbf x)_i"),
        (f + r"$$\frac{\partial f}{\partial x_i} = \sum_j a_{ij} x_j$$", r"\sum_j a_{ij} x_j"),
        (f + r"$\partial f/\partial x_i = 2(A\mathbf x)_i$", r"2(A\mathbf x)_i"),
        (
            g + r"$$\frac{\partial g}{\partial u_i} = (W^\top W\mathbf u)_i$$",
            r"(W^\top W\mathbf u)_i",
        ),
        (r"$$\frac{\partial \operatorname{tr}(A X)}{\partial X_{ij}} = a_{ij}$$", "a_{ij}"),
    ]
    for body, side in wrong:
        assert flagged(body, decls=decls) == [side], body
    # an index the entry does not have, or a symmetric A (2(Ax)_i right): silence
    assert flagged(r"$$\frac{\partial \operatorname{tr}(A X)}{\partial X_{ij}} = a_{jk}$$",
                   decls=decls) == []  # fmt: skip
    sym = decls.replace(
        r"$A \in \mathbb{R}^{n \times n}$,", r"$A \in \mathbb{R}^{n \times n}$ symmetric,"
    )
    assert flagged(f + r"$$\frac{\partial f}{\partial x_i} = 2(A\mathbf x)_i$$", decls=sym) == []


def test_entry_derivatives_fixture_and_quick_fix() -> None:
    path = Path(__file__).parent / "written" / "components.md"
    text = path.read_text()
    checked = Checker().check(str(path), text=text)
    findings = check_written(checked)
    assert [text[f.start : f.end] for f in findings] == [r"2(A\mathbf x)_i", "a_{ij}"]
    assert "with respect to `x_i`" in findings[0].message
    assert findings[1].correct == "a_{ji}"
    (diag,) = diagnostics_of(checked, findings[1:])
    assert diag.code == CODE and diag.fixes[0].text == "a_{ji}"


def test_the_jacobian_of_a_name_defined_without_parameters_taken_at_its_variable() -> None:
    r"""``J_{\mathbf y}(\mathbf x)`` where the document defines ``\mathbf y = \sigma(W\mathbf x +
    \mathbf b)``: the Jacobian of y's value by x (it once named y with an argument it has
    not, and stayed undecided); under a stated numerator layout its transpose is a slip."""
    text = (
        "We use the numerator layout. Let $W \\in \\mathbb{R}^{m \\times n}$, "
        "$\\mathbf x \\in \\mathbb{R}^n$, $\\mathbf b \\in \\mathbb{R}^m$ and "
        "$\\mathbf y = \\tanh(W\\mathbf x + \\mathbf b)$.\n\n"
        "$$J_{\\mathbf y}(\\mathbf x) = \\operatorname{diag}(1 - \\mathbf y \\odot \\mathbf y)\\, W$$\n\n"
        "$$J_{\\mathbf y}(\\mathbf x) = W^\\top \\operatorname{diag}(1 - \\mathbf y \\odot \\mathbf y)$$\n"
    )
    tally = Tally()
    found = check_written(Checker().check("doc.md", text=text), tally=tally)
    assert [text.count("\n", 0, f.start) + 1 for f in found] == [5]
    assert "transpose" in found[0].message
    assert tally.read == 2 and tally.verified == 1


def test_the_operator_of_a_parenthesis_raised_to_a_power_takes_the_power() -> None:
    r"""``\nabla^2_{\mathbf x} (\mathbf c^\top \mathbf x)^3`` parses as the operator's power;
    it is read as the Hessian (the gradient) of the power, as written to be read."""
    decls = DECLS + r"Let $\mathbf c \in \mathbb{R}^n$." + "\n\n"
    hessian = r"$$\nabla^2_{\mathbf x} (\mathbf c^\top \mathbf x)^3 = K(\mathbf c^\top \mathbf x)\,\mathbf c \mathbf c^\top$$"
    gradient = r"$$\nabla_{\mathbf x} (\mathbf c^\top \mathbf x)^3 = K(\mathbf c^\top \mathbf x)^2\,\mathbf c$$"
    assert flagged(hessian.replace("K", "6"), decls=decls) == []
    assert flagged(hessian.replace("K", "3"), decls=decls) == [
        r"3(\mathbf c^\top \mathbf x)\,\mathbf c \mathbf c^\top"
    ]
    assert flagged(gradient.replace("K", "3"), decls=decls) == []
    assert flagged(gradient.replace("K", "-3"), decls=decls) == [
        r"-3(\mathbf c^\top \mathbf x)^2\,\mathbf c"
    ]
    checked = Checker().check("doc.md", text=decls + hessian.replace("K", "6"))
    tally = Tally()
    check_written(checked, tally=tally)
    assert tally.verified == 1
