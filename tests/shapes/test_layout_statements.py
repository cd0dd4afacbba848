r"""One reader of layout statements (shapes/layout_statements.py), asked by the shape check
and the derivative check alike: a statement holds where it is made and scoped, and the shape
check's verdict on ``\frac{\partial L}{\partial W}`` (numerator layout: Wᵀ's shape) follows
it — a statement for one section leaves the others accepting both layouts, and a supposed
or denied layout states nothing."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import random_edit
from tests.shapes.helpers import check_fixture, found
from texgrad.shapes import layout_statements
from texgrad.shapes.layout_statements import (
    Statement,
    _read,
    layout_in_force,
    sentence_layouts,
    stated_in,
    statements,
)


def _at(text: str, marker: str) -> str | None:
    return layout_in_force(text, text.index(marker))


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        ("We use the denominator layout. X", "denominator"),
        ("Throughout, we work in numerator layout. X", "numerator"),
        ("We assume denominator layout throughout. X", "denominator"),
        # a supposition or a denial before (or in) the statement: nothing stated
        ("If we use the numerator layout, the result is $X$. X", None),
        ("Assuming numerator layout, the result is $X$. X", None),
        ("When the gradients are rows (numerator layout), it is $X$. X", None),
        ("We do not use the numerator layout. X", None),
        ("Numerator layout is not used throughout. X", None),
        ("We never write derivatives in numerator layout. X", None),
        # both named: neither
        ("We use numerator layout for Jacobians and denominator layout for gradients. X", None),
        # the document's own work done in a layout, the shape of a gradient, a formulation
        (
            "We derive the backward pass of the layer by hand, in the denominator layout"
            " (gradients have the shape of the variable). X",
            "denominator",
        ),
        ("I compute every gradient in numerator layout. X", "numerator"),
        ("A gradient has the shape of the quantity it is taken with respect to. X", "denominator"),
        ("This sheet uses the Jacobian formulation. X", "numerator"),
        ("We use the Hessian formulation. X", "denominator"),
        # … but not a layout described, supposed, denied, an aside or a comparison
        ("In the numerator layout, this reads $A^\\top$. X", None),
        (
            "In the numerator layout, this reads $A^\\top$ (gradients have the shape of the"
            " transpose). X",
            None,
        ),
        ("If we derive it in the numerator layout, we get $X^\\top$. X", None),
        ("We would derive it in the numerator layout. X", None),
        ("We do not derive anything in the numerator layout. X", None),
        ("We also derive it in the numerator layout, for comparison. X", None),
        ("We derive it by hand in numerator layout; $A$ would be wrong. X", None),
        (
            "If a gradient has the shape of the quantity it is taken with respect to, it is X. X",
            None,
        ),
        ("A gradient does not have the shape of the quantity it is taken by. X", None),
        ("This sheet does not use the Jacobian formulation. X", None),
        # without a quantifier, and a shape said in a participle (held15's seventh batch)
        (
            "**Setup.** Gradients are in denominator layout (the gradient has the shape of"
            " the variable). X",
            "denominator",
        ),
        (
            "I want the gradient of $f$ (the gradient having the same shape as $X$). X",
            "denominator",
        ),
        # a bold heading names no layout: the shape said after it is read
        (
            "**Hessian convention.** The derivative of a scalar by a matrix has the shape of the"
            " matrix. X",
            "denominator",
        ),
        (
            "If $df = G \\cdot dX$, then $\\nabla f = G$ (denominator layout: the gradient has"
            " the shape of $X$). X",
            "denominator",
        ),
        ("It is $A^\\top$ (numerator layout: wrong here). X", None),
        # the other layout's formula, beside a claim: no statement of the document's layout
        ("It is $-X^\\top R$ (numerator layout: $-R^\\top X$, a $q \\times p$ matrix). X", None),
        ("If gradients are in numerator layout, it is $A$. X", None),
        ("Gradients are not in numerator layout here. X", None),
        ("Assuming the Jacobian formulation, the result is $A$. X", None),
        ("Some texts use the Jacobian formulation, others the Hessian formulation. X", None),
        # held15's ninth batch: a shape said of "the parameter" or of "that matrix", with
        # "have"; the Jacobians' layout named beside the gradients' shape (their columns)
        (
            "All gradients in this post have the shape of the parameter (denominator layout). X",
            "denominator",
        ),
        (
            "The gradient of a scalar with respect to a matrix has the shape of that matrix. X",
            "denominator",
        ),
        (
            "Gradients are column vectors and Jacobians are in numerator layout,"
            " $(J)_{ij} = \\partial p_i / \\partial z_j$. X",
            "denominator",
        ),
        ("Jacobians are in numerator layout. X", "numerator"),
        # i15new: the shape said "with", and the layout named beside it (the same one)
        (
            "We write $\\frac{\\partial f}{\\partial X}$ with the shape of $X$, i.e.\\"
            " $[\\cdot]_{ij} = \\partial f/\\partial X_{ij}$ (denominator layout). X",
            "denominator",
        ),
        (
            "We write $\\frac{\\partial f}{\\partial X}$ with the shape of $X^\\top$"
            " (numerator layout). X",
            "numerator",
        ),
        # the shape of one result written before it states nothing
        (
            "A version I see is $$\\frac{\\partial L}{\\partial W} = \\mathbf a\\mathbf r^\\top ,$$"
            " which has the shape of $W^\\top$. X",
            None,
        ),
        # i15 (-25 sheets): a layout named outside a parenthesis, with a subject no
        # statement of use reads, and the shape it implies said after it: stated
        (
            "The tool works in denominator layout: the derivative of a scalar by a matrix has"
            " the same shape as the matrix. X",
            "denominator",
        ),
        ("The tool works in denominator layout. X", None),  # (by its name alone: no subject)
        (
            "The tool works in numerator layout: the derivative of a scalar by a matrix has"
            " the same shape as the matrix. X",
            None,
        ),
        # a shape and a name that disagree state nothing
        (
            "We write $\\frac{\\partial f}{\\partial X}$ with the shape of $X$"
            " (numerator layout). X",
            None,
        ),
        # a line or a sentence that opens with the layout, as cheat sheets head them
        ("Denominator layout: all gradients below are columns. X", "denominator"),
        ("Intro.\n**Numerator layout.** Gradients are rows. X", "numerator"),
        (
            "See above. Denominator layout: gradients have the shape of the variable. X",
            "denominator",
        ),
        # (not the other layout's formula, nor a sentence naming both)
        ("Numerator layout: $A^\\top$. X", None),
        ("Numerator layout: $A$; denominator layout: $A^\\top$. X", None),
        ("Numerator layout ... denominator layout. X", None),  # (an ellipsis ends no sentence)
    ],
)
def test_what_a_sentence_states_for_the_text_after_it(text: str, layout: str | None) -> None:
    assert _at(text, " X") == layout


def test_a_statement_for_this_section_ends_with_it() -> None:
    text = (
        "\\section{One}\nA.\n\n\\section{Two}\nThis section uses the numerator layout.\n\n"
        "B.\n\n\\subsection{Two-a}\nC.\n\n\\section{Three}\nD.\n"
    )
    assert [_at(text, m) for m in ("A.", "B.", "C.", "D.")] == [
        None,
        "numerator",
        "numerator",
        None,
    ]


def test_a_statement_for_this_example_ends_with_its_environment() -> None:
    text = (
        "\\section{One}\n\\begin{example}\nIn this example we use numerator layout.\n\nA.\n"
        "\\end{example}\nB.\n\n\\begin{example}\nC.\n\\end{example}\n"
    )
    assert [_at(text, m) for m in ("A.", "B.", "C.")] == ["numerator", None, None]
    # outside an environment: to the end of its section
    text = "\\section{Example}\nIn this example we use numerator layout.\nA.\n\\section{Next}\nB.\n"
    assert [_at(text, m) for m in ("A.", "B.")] == ["numerator", None]


def test_a_comment_in_a_file_s_own_preamble_states_its_layout() -> None:
    text = (
        "\\documentclass{article}\n% We use the denominator layout throughout.\n"
        "\\begin{document}\nA.\n\\end{document}\n"
    )
    assert [s.layout for s in statements(text)] == ["denominator"]
    assert _at(text, "A.") == "denominator"
    # a comment in the body is not prose
    body = text.replace("% We use", "We write").replace("A.", "% We use numerator layout.\nA.")
    assert _at(body, "A.") is None


def test_the_root_s_statement_before_an_input_is_carried_into_the_file() -> None:
    texts = {
        "/p/main.tex": "We use denominator layout throughout.\n\\input{a}\n",
        "/p/a.tex": "A.\n\\section{B}\nThis section uses numerator layout.\nB.\n",
    }
    a = texts["/p/a.tex"]
    said = stated_in("/p/a.tex", a, texts)
    assert [layout_in_force(a, a.index(m), said) for m in ("A.", "B.")] == [
        "denominator",
        "numerator",
    ]
    # another text than the project's (an unsaved buffer of another file): its own only
    assert stated_in("/p/a.tex", "A.", texts) == []


# The shape check: ∂L/∂W of an m×n W is W's shape (denominator layout) or Wᵀ's (numerator
# layout); with no layout stated where it stands, either is accepted.
DECLS = r"Let $W \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $\delta \in \mathbb{R}^m$."
ROW = r"$$\frac{{\partial L}}{{\partial W}} = \delta x^\top \qquad \text{{({name})}}$$"
COLUMN = r"$$\frac{{\partial L}}{{\partial W}} = x \delta^\top \qquad \text{{({name})}}$$"


def _both(name: str) -> str:
    return ROW.format(name=name + " row") + "\n\n" + COLUMN.format(name=name + " column") + "\n"


def _flagged(tmp_path: Path, text: str, name: str | None = None) -> list[str]:
    """The names (the ``\\text`` tag) of the displays the shape check flags."""
    fx, result = check_fixture(tmp_path, text, name=name)
    doc = result.doc.text
    out = []
    for start, _, code in sorted(found(result)):
        assert code == "equation-mismatch", code
        tag = doc.index(r"\text{(", start)
        out.append(doc[tag + 7 : doc.index(")", tag)])
    return out


def _sections(second: str) -> str:
    return (
        "%! notes.tex\n\\documentclass{article}\n\\begin{document}\n"
        f"\\section{{Setting}}\n{DECLS}\n\n{_both('one')}\n"
        f"\\section{{Backprop}}\n{second}\n\n{_both('two')}\n"
        f"\\section{{Outlook}}\nMore.\n\n{_both('three')}\n\\end{{document}}\n"
    )


def test_a_layout_stated_for_one_section_decides_there_only(tmp_path: Path) -> None:
    # in the numerator section δxᵀ (W's shape) is the mistake; elsewhere both are accepted
    said = "This section uses the numerator layout."
    assert _flagged(tmp_path / "num", _sections(said)) == ["two row"]
    said = "In this section we use the denominator layout."
    assert _flagged(tmp_path / "den", _sections(said)) == ["two column"]
    # for the rest of the document: from its section on, never before it
    said = "From here on we use the denominator layout."
    assert _flagged(tmp_path / "rest", _sections(said)) == ["two column", "three column"]


@pytest.mark.parametrize(
    "said",
    [
        "We do not use the numerator layout.",
        "If we used the numerator layout, the first display would be transposed.",
        "Assuming numerator layout, the gradient is transposed.",
        "Some texts use numerator layout, others denominator layout.",
        "% We use the numerator layout.",
    ],
)
def test_a_denied_or_supposed_layout_decides_nothing(tmp_path: Path, said: str) -> None:
    assert _flagged(tmp_path, _sections(said)) == []


def test_a_comment_in_the_preamble_states_the_layout(tmp_path: Path) -> None:
    text = _sections("Backprop.").replace(
        "\\begin{document}", "% Convention: numerator layout.\n\\begin{document}"
    )
    assert _flagged(tmp_path / "own", text) == ["one row", "two row", "three row"]
    macros = (  # a macros file of commands and comments: its comments are its prose
        "%! main.tex\n\\documentclass{article}\n\\input{macros}\n\\begin{document}\n"
        f"{DECLS}\n\n{_both('one')}\\end{{document}}\n"
        "%! macros.tex\n% Throughout, we use the denominator layout.\n\\newcommand{\\R}{\\mathbb{R}}\n"
    )
    assert _flagged(tmp_path / "macros", macros) == ["one column"]


def _project(before: str, after: str = "") -> str:
    return (
        "%! main.tex\n\\documentclass{article}\n\\begin{document}\n"
        f"\\section{{Setting}}\n{DECLS}\n{before}\n\n"
        f"\\input{{sections/grad}}\n{after}\n\\end{{document}}\n"
        f"%! sections/grad.tex\n\\section{{Gradients}}\nBackprop gives\n\n{_both('grad')}"
    )


def test_a_statement_of_the_root_before_an_input_holds_in_the_file(tmp_path: Path) -> None:
    grad = "sections/grad.tex"
    said = "We use the numerator layout throughout."
    assert _flagged(tmp_path / "num", _project(said), grad) == ["grad row"]
    said = "We use the denominator layout throughout."
    assert _flagged(tmp_path / "den", _project(said), grad) == ["grad column"]
    # stated after the \input, or for the root's own section: nothing for the file
    assert _flagged(tmp_path / "after", _project("", after=said), grad) == []
    said = "In this section we use the denominator layout."
    assert _flagged(tmp_path / "section", _project(said), grad) == []


# the derivative written as an operator applied to its function: as a fraction, it is a
# derivative whose layout is the document's to state
OPERATOR_DECLS = (
    r"Let $W_1 \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$."
)
OPERATOR_ROWS = (
    r"$$\frac{\partial}{\partial W_1} \frac12\|W_1 x - y\|^2 = x (W_1 x - y)^\top"
    r" \qquad \text{(op row)}$$"
    "\n\n"
    r"$$\nabla_{W_1} \frac12\|W_1 x - y\|^2 = (W_1 x - y) x^\top \qquad \text{(nabla column)}$$"
    "\n\n"
    r"$$\frac{\partial}{\partial W_1} \frac12\|W_1 x - y\|^2 = y^\top (W_1 x - y)"
    r" \qquad \text{(op scalar)}$$"
    "\n"
)


def test_a_derivative_written_as_an_operator_takes_either_layout_unless_one_is_stated(
    tmp_path: Path,
) -> None:
    # unstated: Wᵀ's shape (numerator layout) and W's shape are both accepted; a scalar is not
    text = f"%! notes.md\n{OPERATOR_DECLS}\n\n{OPERATOR_ROWS}"
    assert _flagged(tmp_path / "none", text) == ["op scalar"]
    # the denominator layout stated: the Wᵀ-shaped one is the mistake
    said = "We use the denominator layout.\n\n"
    text = f"%! notes.md\n{said}{OPERATOR_DECLS}\n\n{OPERATOR_ROWS}"
    assert _flagged(tmp_path / "den", text) == ["op row", "op scalar"]


def test_a_jacobian_convention_said_by_its_shape_is_read_for_jacobians() -> None:
    from texgrad.shapes.layout_statements import jacobian_layout_in_force, jacobian_statements

    text = (
        r"For $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ we write the Jacobian as $m \times n$."
        "\n\nA.\n"
    )
    assert [s.layout for s in jacobian_statements(text)] == ["numerator"]
    assert jacobian_layout_in_force(text, text.index("A.")) == "numerator"
    assert statements(text) == []  # (not a layout of the gradients)
    flipped = text.replace(r"$m \times n$", r"$n \times m$")
    assert jacobian_layout_in_force(flipped, flipped.index("A.")) == "denominator"
    # the map said in the sentence before, and a blamed or denied statement
    before = (
        r"Let $\mathbf g: \mathbb{R}^{p} \to \mathbb{R}^{q}$. Its Jacobian is a $q \times p$"
        " matrix.\n\nA.\n"
    )
    assert jacobian_layout_in_force(before, before.index("A.")) == "numerator"
    # its entries, the matrix named in parentheses: "$(J)_{ij} = \partial p_i/\partial z_j$"
    entries = (
        r"Jacobians are in numerator layout, $(J)_{ij} = \partial p_i / \partial z_j$." + "\nA.\n"
    )
    assert [s.layout for s in jacobian_statements(entries)] == ["numerator"]
    for said in (
        r"Writing the Jacobian of $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ as $n \times m$ is wrong.",
        r"The Jacobian of $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ is not $n \times m$.",
        r"% The Jacobian of $\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$ is $m \times n$.",
    ):
        assert jacobian_statements(said + "\n") == (), said


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("**Hessian convention.** The Hessian of $f$ is $H$: $D = A$ here.", set()),
        ("\\paragraph{Jacobian convention} The entries of $J$ are its rows: $D = A$ here.", set()),
        ("We follow the Hessian convention: $D = A$ here.", {"denominator"}),
        ("In the Jacobian formulation, $D = A$ here.", {"numerator"}),
    ],
)
def test_a_heading_names_no_layout_for_its_sentence(sentence: str, named: set[str]) -> None:
    at = sentence.index("$D")
    assert sentence_layouts(sentence, at, at + 7) == named


# -- after an edit: a file's own statements read again only near their words ---------------


def _fresh(text: str) -> list[Statement]:
    return list(_read(text)[0])


def test_random_edits_state_what_a_fresh_read_states(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's statements after each of a sequence of random edits are those of its text
    read afresh (the edits far from any word of a statement reuse the last read)."""
    reads: list[str] = []

    def counted(text: str) -> Any:
        reads.append(text)
        return _read(text)

    monkeypatch.setattr(layout_statements, "_read", counted)
    rng = random.Random(17)
    plain = [" ", "x", "a. ", "$", "\n", "%", "\\"]
    stating = [*plain, "size ", "We use numerator layout. ", "texgrad: denominator",
               "# Head\n", "\\begin{document}", "in this section "]  # fmt: skip
    edits = reused = 0
    for name in ("matrix-cookbook-md/main.md", "parr-howard-matrix-calculus/matrix-calculus.md",
                 "d2l-en/linear-algebra.md", "cs229m-notes/master.tex"):  # fmt: skip
        path = str(corpus / name)
        text = (corpus / name).read_text(encoding="utf-8", errors="replace")
        assert stated_in(path, text, {}) == _fresh(text)
        for k in range(60):  # (edits that state nothing, then some that may)
            snippets = plain if k < 40 else stating
            text = random_edit(rng, text, rng.randrange(len(text)), snippets)
            reads.clear()
            assert stated_in(path, text, {}) == _fresh(text), name
            edits += 1
            reused += not reads
    assert 30 <= reused < edits  # (most edits of the Cookbook are far from every stretch)


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        # an escaped % made a comment sign, and back, on a long line
        ("\\x%" + " filler" * 200 + " We use denominator layout. X", (1, 2, "")),
        ("\\%" + " filler" * 200 + " We use denominator layout. X", (1, 1, "x")),
        # a preamble's comment line made prose far from its words
        (
            "\\documentclass{article}\nx" + " " * 1500 + "% We use denominator layout.\n"
            "\\begin{document}\n" + "words " * 300 + "\\end{document}\n",
            (24, 25, ""),
        ),
        # a directive, a statement's word typed far from the others
        ("Text. " * 400 + "X", (1200, 1200, "texgrad: numerator layout\n")),
        ("Text. " * 400 + "We use denominator layou. X", (2424, 2424, "t")),
    ],
)
def test_an_edit_far_from_the_words_is_read_again_where_it_may_state(
    text: str, edit: tuple[int, int, str]
) -> None:
    path = f"/nowhere/edited-{hash(text)}.tex"
    assert stated_in(path, text, {}) == _fresh(text)
    a, b, new = edit
    edited = text[:a] + new + text[b:]
    assert stated_in(path, edited, {}) == _fresh(edited)
    assert _fresh(edited) != _fresh(text)  # (the edit changes what is stated)


def test_edits_near_the_words_read_only_there_and_state_what_a_fresh_read_states(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edits near a stretch of a text that states nothing read the stretches near them only
    (not the whole text again), and find the statements and stretches a fresh read finds —
    a statement typed there too ("We use numerator layout", a sentence beside a size)."""
    reads: list[str] = []

    def counted(text: str) -> Any:
        reads.append(text)
        return _read(text)

    monkeypatch.setattr(layout_statements, "_read", counted)
    rng = random.Random(29)
    snippets = [" ", "x", "a. ", "size ", "shape", "the matrix of ", "ize", "numerator ",
                "We use numerator layout. ", "denominator layout", "dimension "]  # fmt: skip
    near = whole = 0
    for name in ("matrix-cookbook-md/main.md", "d2l-en/linear-algebra.md"):
        path = str(corpus / name) + "#near"
        text = (corpus / name).read_text(encoding="utf-8", errors="replace")
        for _ in range(50):
            stretches = _read(text)[1]
            assert stretches, name
            lo, hi = stretches[rng.randrange(len(stretches))]
            at = max(0, min(len(text) - 1, rng.randrange(lo - 300, hi + 300)))
            text = random_edit(rng, text, at, snippets, most=2)
            reads.clear()
            assert stated_in(path, text, {}) == _fresh(text), name
            kept = layout_statements._OWN[path]
            assert set(kept[2]) == set(_read(text)[1])  # (the stretches: where to look next)
            near += not reads
            whole += bool(reads)
            if kept[1]:  # (a statement typed: reads from a plain text again)
                text = (corpus / name).read_text(encoding="utf-8", errors="replace")
                stated_in(path, text, {})
    assert near >= 40 and whole >= 3  # (some edits: a statement made, the whole text read)
