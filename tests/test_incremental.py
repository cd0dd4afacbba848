"""Re-checking after an edit reuses the trees of untouched rows and gives the same answer."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import random_edit
from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker
from texgrad.syntax.show import show

DOC = r"""\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
\begin{align}
  r &= Ax - y \\
  g &= A^\top r
\end{align}
Wrong: $A y$.
\end{document}
"""


def _facts(result):
    return [(d.start, d.end, d.code, d.message) for d in result.diagnostics]


def test_edit_reuses_untouched_rows_and_matches_a_fresh_check(tmp_path: Path) -> None:
    path = tmp_path / "paper.tex"
    path.write_text(DOC, encoding="utf-8")
    project = load_project(path, folder=tmp_path)
    checker = Checker()
    first = checker.check(str(path), project, tmp_path)
    assert [d.code for d in first.diagnostics] == ["matmul-mismatch"]

    # insert a sentence (and a new mistake) before the align
    edited = DOC.replace("\\begin{align}", "Ünï: $x + y$.\n\\begin{align}", 1)
    second = checker.check(str(path), project, tmp_path, text=edited)
    fresh = Checker().check(str(path), project, tmp_path, text=edited)
    assert _facts(second) == _facts(fresh)
    assert [d.code for d in second.diagnostics] == ["add-mismatch", "matmul-mismatch"]
    for d in second.diagnostics:
        assert edited[d.start : d.end] in ("x + y", "A y")

    # the rows after the edit were moved, not parsed again: same trees, new places
    row = r"(Chain g = (Product (Transpose:\top A) r))"
    before = {
        show(r.tree): r.tree for r in Checker().parsed(str(path), project, tmp_path, DOC).rows
    }[row]
    after = {
        show(r.tree): r.tree for r in checker.parsed(str(path), project, tmp_path, edited).rows
    }[row]
    shift = len("Ünï: $x + y$.\n")
    assert (after.start, after.end) == (before.start + shift, before.end + shift)
    assert edited[after.start : after.end] == r"g &= A^\top r"


def test_use_is_evidence_for_undeclared_symbols(tmp_path: Path) -> None:
    import sympy

    doc = tmp_path / "notes.md"
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$. Then $Ax$ and $u^\\top A$ and $A B$.\n",
        encoding="utf-8",
    )
    result = Checker().check(str(doc), None, tmp_path)
    m, n = (sympy.Symbol(s, positive=True, integer=True) for s in "mn")
    assert result.inferred == {"x": (n, None), "u": (m, None), "B": (n, None)}
    assert result.diagnostics == []

    # a term of a sum has the shape of the others
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$. Then $Ax + r$.\n",
        encoding="utf-8",
    )
    assert Checker().check(str(doc), None, tmp_path).inferred == {"r": (m, sympy.Integer(1))}

    # uses that disagree tell nothing
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$. Then $Ax$ and $x^\\top A$.\n", encoding="utf-8"
    )
    assert Checker().check(str(doc), None, tmp_path).inferred == {}


# -- inference after an edit redoes only the rows the edit affects -----------------------------


def _everything(result):
    """All a check tells: diagnostics (with related places and fixes), inferred shapes of
    undeclared symbols, and the shape of every node."""
    shapes = sorted(
        (n.start, n.end, type(n).__name__, str(s.rows), str(s.cols))
        for row in result.rows
        if row.tree is not None
        for n in row.tree.walk()
        if (s := result.shapes.get(n)) is not None
    )
    diagnostics = [
        (d.start, d.end, d.code, d.message, d.related, d.fixes) for d in result.diagnostics
    ]
    return diagnostics, sorted(result.inferred.items(), key=str), shapes


PAPER = r"""\documentclass{article}
\begin{document}
\section{Setup}
Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
Then $y = Ax$ and $z = y + b$.
\section{Results}
We have $A^\top y$ and $x^\top x$ and $u^\top A$.
Also $B x$, where $B \in \mathbb{R}^{n \times n}$.
$f(x) = \|Ax\|^2$ gives $f(x) + 1$.
\end{document}
"""


def test_an_edit_inside_one_row_infers_only_that_row(tmp_path: Path) -> None:
    path = tmp_path / "paper.tex"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, PAPER)
    rows = len(first.rows)
    edited = PAPER.replace("$x^\\top x$", "$x^\\top A$", 1)
    second = checker.check(str(path), None, tmp_path, edited)
    assert second.stats["inferred"] == 2  # the edited row, once per pass
    assert second.stats["reused"] == 2 * rows - 2
    assert _everything(second) == _everything(Checker().check(str(path), None, tmp_path, edited))
    assert [d.code for d in second.diagnostics] == ["matmul-mismatch"]


def test_a_changed_declaration_infers_again_the_rows_that_use_it(tmp_path: Path) -> None:
    path = tmp_path / "paper.tex"
    checker = Checker()
    checker.check(str(path), None, tmp_path, PAPER)
    # x becomes m-dimensional: A x, y = Ax, x^T x, f(x) … change; u^T A does not read x
    edited = PAPER.replace("$x \\in \\mathbb{R}^n$", "$x \\in \\mathbb{R}^m$", 1)
    second = checker.check(str(path), None, tmp_path, edited)
    fresh = Checker().check(str(path), None, tmp_path, edited)
    assert _everything(second) == _everything(fresh)
    assert 0 < second.stats["reused"] < second.stats["inferred"] + second.stats["reused"]
    assert "matmul-mismatch" in [d.code for d in second.diagnostics]
    # and back: the first answer again
    third = checker.check(str(path), None, tmp_path, PAPER)
    assert _everything(third) == _everything(Checker().check(str(path), None, tmp_path, PAPER))


def test_a_definition_edited_away_reaches_every_use(tmp_path: Path) -> None:
    path = tmp_path / "paper.tex"
    checker = Checker()
    checker.check(str(path), None, tmp_path, PAPER)
    for edited in (
        PAPER.replace("$y = Ax$", "$y = x$", 1),  # y's definition changes shape
        PAPER.replace("$y = Ax$", "$w = Ax$", 1),  # y is no longer defined
        PAPER.replace("Then", "Then $b = x$ and", 1),  # b gets defined before its use
        PAPER.replace(", where $B", ". Where $B", 1),  # a sentence now ends before the "where"
        PAPER.replace("We have", "\n\nWe have", 1),  # a paragraph split
        PAPER.replace("\\section{Setup}", "\\section{Notation}", 1),  # now notation
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))


SECTIONS = r"""\documentclass{article}
\begin{document}
\section{Model}
\subsection{Data}
Let $A \in \mathbb{R}^{m \times n}$.
\subsection{Fit}
Then $A^{-1}$.
\section{More}
Again $A^{-1}$.
\end{document}
"""


def test_an_edited_heading_changes_how_far_declarations_hold(tmp_path: Path) -> None:
    """A heading's level, and whether it names a problem or an example, decide which later
    sections a declaration reaches: editing it in place re-checks what it changes."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, SECTIONS)
    assert [d.code for d in first.diagnostics] == ["not-square"]  # the Fit subsection only
    for edited in (
        SECTIONS.replace("\\subsection{Data}", "\\subsubsection{Data}", 1),
        SECTIONS.replace("\\section{More}", "\\subsection{More}", 1),
        SECTIONS.replace("\\subsection{Data}", "\\subsection{Example 1}", 1),
        SECTIONS.replace("\\section{Model}", "\\section{Problem 1}", 1),
        SECTIONS,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))


def test_a_heading_typed_late_in_a_document_re_infers_only_what_follows(tmp_path: Path) -> None:
    """A heading that appears (or goes, or changes kind) changes scopes from its section
    on: the rows well before it keep what they inferred; the result is a fresh check's."""
    early = "".join(f"Row $B_{{{i}}} = A x$ here.\n\n" for i in range(40))
    doc = SECTIONS.replace("\\subsection{Fit}", early + "\\subsection{Fit}", 1)
    path = tmp_path / "paper.tex"
    checker = Checker()
    checker.check(str(path), None, tmp_path, doc)
    total = len(checker.parsed(str(path), None, tmp_path, doc).rows)
    for edited in (
        doc.replace("\\section{More}", "\\section{Notation}", 1),  # now notation
        doc.replace("\\section{More}", "\\sectio{More}", 1),  # no heading
        doc.replace("Again", "\\subsection{Example}\nAgain", 1),  # a new one
        doc,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))
        if "Notation" not in edited:
            assert 0 < got.stats["inferred"] < total  # (of 2 × total: one per row and pass)


def test_rows_whose_questions_get_the_same_answers_are_not_inferred_again(tmp_path: Path) -> None:
    """Editing a declaration of a letter used everywhere re-infers only the rows whose
    lookups now find something else; the others ask again and get the same answers."""
    rows = "".join(f"Use $B_{{{i}}} = A x$ here.\n\n" for i in range(40))
    doc = (
        "\\section{One}\nLet $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$.\n\n"
        "Then $y = A x$.\n\n\\section{Two}\nLet $A \\in \\mathbb{R}^{p \\times n}$.\n\n" + rows
    )
    path = tmp_path / "paper.tex"
    checker = Checker()
    checker.check(str(path), None, tmp_path, doc)
    for edited in (
        doc.replace("m \\times n", "n \\times n", 1),  # A in section One only
        doc.replace("m \\times n", "k \\times n", 1),  # and a new dimension name
        doc,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))
        assert got.stats["inferred"] <= 6  # y = A x and its neighbours, not the 40 uses


SUPPOSED = r"""\documentclass{article}
\begin{document}
\section{Basics}
Here we work with a long sentence that goes on and on about the setting, and then we say: assume
$A \in \mathbb{R}^{m \times n}$.
\section{Inverses}
Then $A^{-1}$.
\end{document}
"""


def test_an_edit_to_what_a_sentence_supposes_re_checks_its_declarations(tmp_path: Path) -> None:
    """Whether a declaration holds in the sections after it depends on its sentence ("assume"):
    an edit there, far before the declaration, re-checks what it declares."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    assert checker.check(str(path), None, tmp_path, SUPPOSED).diagnostics == []
    for edited in (
        SUPPOSED.replace("then we say: assume", "then we say: let", 1),
        SUPPOSED.replace("Here we work", "If we work", 1),
        SUPPOSED,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))
    let = checker.check(str(path), None, tmp_path, SUPPOSED.replace("assume", "let", 1))
    assert [d.code for d in let.diagnostics] == ["not-square"]


def test_random_edits_to_corpus_documents_give_what_a_fresh_check_gives(corpus: Path) -> None:
    import random

    rng = random.Random(7)
    snippets = [" ", "x", "+ y", "A^\\top", "\\in \\mathbb{R}^{n}", "Ax", ". ", "\\mathbf{x}",
                ", where $z \\in \\mathbb{R}^{k}$", "$y = Ax$", "\n\n"]  # fmt: skip
    for name in ("mit-matrixcalc/pset1sol.tex", "parr-howard-matrix-calculus/matrix-calculus.md"):
        path = corpus / name
        text = path.read_text(encoding="utf-8")
        checker = Checker()
        checker.check(str(path), None, path.parent, text)
        for _ in range(6):
            rows = checker.parsed(str(path), None, path.parent, text).rows
            if rows and rng.random() < 0.7:
                row = rng.choice(rows)
                at = rng.randint(row.start, row.end)
            else:
                at = rng.randint(0, len(text))
            text = random_edit(rng, text, at, snippets, most=6)
            got = checker.check(str(path), None, path.parent, text)
            fresh = Checker().check(str(path), None, path.parent, text)
            assert _everything(got) == _everything(fresh), f"{name}: edit at {at}"


def test_dollars_and_declarations_typed_in_paragraphs_give_what_a_fresh_check_gives(
    corpus: Path,
) -> None:
    # the edits read again paragraph by paragraph (rescan.rescan_paragraph) or spliced after
    # a whole scan (document._spliced): a `$` deleted or typed, a declaration typed in prose
    # or in inline math, a word beside a bracket
    import random
    import re

    from texgrad.reading.project import SCANS

    rng = random.Random(17)
    kinds = ["delete $", "type $", "declare", "declare in math", "word"]
    for name in ("parr-howard-matrix-calculus/matrix-calculus.md", "d2l-en/backprop.md"):
        path = corpus / name
        text = path.read_text(encoding="utf-8")
        checker = Checker()
        checker.check(str(path), None, path.parent, text)
        reused = SCANS.reused
        for k in range(10):
            kind = kinds[k % len(kinds)]
            inline = [m for m in re.finditer(r"(?<![$\\])\$[^$\n]{1,40}\$(?!\$)", text)]
            m = rng.choice(inline)
            if kind == "delete $":
                at = rng.choice([m.start(), m.end() - 1])
                text = text[:at] + text[at + 1 :]
            elif kind == "type $":
                text = text[: m.end()] + " $" + text[m.end() :]
            elif kind == "declare":
                text = (
                    text[: m.end()] + ", where $Q \\in \\mathbb{R}^{n \\times n}$" + text[m.end() :]
                )
            elif kind == "declare in math":
                at = m.end() - 1
                text = text[:at] + ", x \\in \\mathbb{R}^{k}" + text[at:]
            else:
                text = text[: m.start()] + "[see] " + text[m.start() :]
            got = checker.check(str(path), None, path.parent, text)
            fresh = Checker().check(str(path), None, path.parent, text)
            assert _everything(got) == _everything(fresh), f"{name}: {kind} at {m.start()}"
        assert SCANS.reused > reused  # (some were read again paragraph by paragraph)


def test_boundaries_after_an_edit_are_those_of_the_new_text(corpus: Path) -> None:
    import random

    from texgrad.shapes.sections import Boundaries

    rng = random.Random(3)
    snippets = [" ", "x", "word", "#", "# ", "\n", "\n\n", "```", "~~~", "\\section{", "{", "\t",
                "\\subsection*{Examples}", "Notation", " \n", "\\begin{lemma}", "\\end{lemma}",
                "\\begin{proof}", "\\end{proof}"]  # fmt: skip
    moved = 0
    for name in ("matrix-cookbook-md/main.md", "tensor-cookbook/chapters/functions.tex",
                 "d2l-en/backprop.md"):  # fmt: skip
        text = (corpus / name).read_text(encoding="utf-8")
        bounds = Boundaries.of(text)
        for _ in range(60):
            at = rng.randint(0, len(text))
            if bounds.sections and rng.random() < 0.3:  # near a heading
                at = min(len(text), rng.choice(bounds.sections) + rng.randint(-3, 12))
            new = random_edit(rng, text, at, snippets)
            got = Boundaries.after(text, bounds, new)
            assert got == Boundaries.of(new), f"{name}: edit at {at}"
            moved += got.levels is bounds.levels
            text, bounds = new, got
    assert moved > 60  # most edits move the boundaries instead of finding them again


CARRIED = (
    r"""\documentclass{article}
\begin{document}
\section{Introduction}
We fit $X w$ and never $w X$.
\section{Notation}
Let $X \in \mathbb{R}^{n \times p}$ and $w \in \mathbb{R}^p$.
"""
    + "An aside that goes on. " * 25
    + r"""
\section{Data}
Let $Z \in \mathbb{R}^{n \times q}$ and $v \in \mathbb{R}^q$.
\section{Example}
Take $X \in \mathbb{R}^{m \times k}$, $Z \in \mathbb{R}^{m \times k}$ and $w \in \mathbb{R}^k$: $X w$.
\section{Method}
Then $Z v$ and $X w$, but $v Z$ and $w X$.
\end{document}
"""
)


def test_an_edit_to_a_carried_declaration_re_checks_the_sections_after_it(tmp_path: Path) -> None:
    """Declarations in running text hold in the later sections (and notation before it) when
    what problems and examples declare is set aside: an edit that changes a declaration, or
    makes an example running text (or back), re-checks the uses before and after it."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, CARRIED)
    assert [d.code for d in first.diagnostics] == ["matmul-mismatch"] * 3
    examples = CARRIED.replace(
        "\\section{Example}",
        "\\section{Examples}\n\\subsection{First}\n"
        + "A long aside. " * 50
        + "\n\\subsection{Second}",
        1,
    )  # (the asides: the uses before and the declarations after lie beyond what an edit reaches)
    for edited in (
        CARRIED.replace("n \\times q", "q \\times n", 1),  # Z in Data: carried to Method
        CARRIED.replace("\\section{Example}", "\\section{Extra}", 1),  # X, Z, w now conflict
        CARRIED.replace("\\section{Data}", "\\section{Model}", 1),  # Z's sets up the rest
        CARRIED.replace("\\section{Example}", "\\section{Extra}", 1).replace(
            "\\section{Data}", "\\section{Model}", 1
        ),
        CARRIED.replace("Take $X", "Assume $X", 1),  # what Extra supposes is its own
        examples,  # the example a subsection under Examples …
        examples.replace("{Examples}", "{Extras}", 1),  # … and then no more
        examples,
        CARRIED.replace("\\section{Notation}", "\\section{Remarks}", 1),
        CARRIED,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))
    extra = CARRIED.replace("\\section{Example}", "\\section{Extra}", 1)
    assert checker.check(str(path), None, tmp_path, extra).diagnostics == []


LEMMA = r"""\documentclass{article}
\begin{document}
\section{Results}
Let $A \in \mathbb{R}^{N \times N}$ and $x \in \mathbb{R}^N$.
\begin{lemma}
Let $A \in \mathbb{R}^{m \times n}$. Then $A^\top A$ is square.
\end{lemma}
\begin{proof}
Its entries are those of $A^\top A$.
\end{proof}
Hence $A x$ and $x^\top A$.
\end{document}
"""


def test_an_edited_lemma_changes_how_far_its_declarations_hold(tmp_path: Path) -> None:
    """What a lemma declares is its own (and its proof's): an edit that makes it a lemma, a
    definition, or none, or moves its end, re-checks the text after it as a fresh check."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    assert checker.check(str(path), None, tmp_path, LEMMA).diagnostics == []
    for edited in (
        LEMMA.replace("{lemma}", "{definition}"),  # its A holds after it: A x is m×n times N
        LEMMA.replace("\\begin{lemma}", "\\begin{remark}").replace("\\end{lemma}", "\\end{remark}"),
        LEMMA.replace("\\begin{proof}", "Here.\n\n" * 60 + "\\begin{proof}", 1),  # a far proof
        LEMMA.replace("\\begin{lemma}", "\\begin{lemmx}", 1),  # unbalanced: no lemma
        LEMMA.replace("Hence", "\\begin{claim}Hence", 1).replace(
            "\\end{document}", "\\end{claim}\n\\end{document}"
        ),
        LEMMA,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))
    definition = checker.check(str(path), None, tmp_path, LEMMA.replace("{lemma}", "{definition}"))
    assert [d.code for d in definition.diagnostics] == ["matmul-mismatch", "matmul-mismatch"]


CALLOUT = r"""## Estimation

Let $B \in \mathbb{R}^{K \times m}$ and $Z \in \mathbb{R}^{m \times T}$.

::: {.callout-tip}
## vec rules
For $A \in \mathbb{R}^{r \times s}$ and $B \in \mathbb{R}^{q \times n}$, $(B^\top \otimes A)$ is $nr \times qs$.
:::

So $B Z$ conforms and $Z B$ does not.
"""


def test_an_edited_callout_changes_how_far_its_declarations_hold(tmp_path: Path) -> None:
    """A callout's letters are its own where declared otherwise outside: an edit that makes
    it a plain div, a lemma, or none, re-checks the text after it as a fresh check."""
    path = tmp_path / "page.qmd"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, CALLOUT)
    assert [d.code for d in first.diagnostics] == ["matmul-mismatch"]  # Z B only
    for edited in (
        CALLOUT.replace("{.callout-tip}", "{.column-margin}"),  # a plain div: its B holds on
        CALLOUT.replace("{.callout-tip}", "{#lem-vec}"),
        CALLOUT.replace("\n:::\n", "\n\n", 1),  # unclosed: no callout
        CALLOUT.replace("So $B Z$", "::: {.callout-note}\nSo $B Z$") + ":::\n",
        CALLOUT,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(Checker().check(str(path), None, tmp_path, edited))


LAYOUT = r"""\documentclass{article}
\begin{document}
\section{Setting}
Let $W \in \mathbb{R}^{h \times d}$, $X \in \mathbb{R}^{n \times d}$ and $G \in \mathbb{R}^{n \times h}$.
We use the denominator layout.

\section{Gradients}
Far from where the layout is said, $\frac{\partial L}{\partial W} = X^\top G$.
The other one is $\frac{\partial L}{\partial W} = G^\top X$.
\end{document}
"""


def test_an_edit_to_the_layout_said_re_checks_the_gradients(tmp_path: Path) -> None:
    """Whether a gradient by a matrix may be written transposed depends on the layout the text
    says it uses, anywhere in it (the denominator layout, the numerator layout, or none): an
    edit there re-checks every gradient."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, LAYOUT)
    assert [d.code for d in first.diagnostics] == ["equation-mismatch"]
    for edited in (
        LAYOUT.replace("denominator", "numerator", 1),
        LAYOUT.replace("We use the denominator layout.", "", 1),
        LAYOUT,
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        fresh = Checker().check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(fresh)
        flagged = [edited[d.start : d.end].split("= ")[1] for d in got.diagnostics]
        said = "denominator" if edited == LAYOUT else "numerator" if "numerator" in edited else ""
        assert flagged == {"denominator": ["X^\\top G"], "numerator": ["G^\\top X"], "": []}[said]


SCOPED_LAYOUT = r"""\documentclass{article}
\begin{document}
\section{Setting}
Let $W \in \mathbb{R}^{h \times d}$, $X \in \mathbb{R}^{n \times d}$ and $G \in \mathbb{R}^{n \times h}$.
First $\frac{\partial L}{\partial W} = X^\top G$.

\section{Gradients}
This section uses the denominator layout.
Here $\frac{\partial L}{\partial W} = X^\top G$.

\section{Outlook}
Last $\frac{\partial L}{\partial W} = X^\top G$.
\end{document}
"""


def test_an_edit_to_a_scoped_layout_re_checks_the_gradients_it_reaches(tmp_path: Path) -> None:
    """A layout stated for one section decides there only: an edit to the statement, or to
    the heading that ends its section, re-checks the gradients as a fresh check does."""
    path = tmp_path / "paper.tex"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, SCOPED_LAYOUT)
    assert [SCOPED_LAYOUT[: d.start].count("\n") + 1 for d in first.diagnostics] == [9]
    for edited, lines in (
        (SCOPED_LAYOUT.replace("This section uses", "From here on we use"), [9, 12]),
        (SCOPED_LAYOUT.replace("\\section{Outlook}\n", "", 1), [9, 11]),
        (SCOPED_LAYOUT.replace("This section uses", "We do not use"), []),
        (SCOPED_LAYOUT, [9]),
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        fresh = Checker().check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(fresh)
        assert [edited[: d.start].count("\n") + 1 for d in got.diagnostics] == lines


ALL_IN = r"""Let $U \in \mathbb{R}^{n \times n}$ and $r \in \mathbb{R}^{n}$.

$$
\begin{aligned}
u &= g \odot r, \\
v &= g \odot (1 - r),
\end{aligned}
$$

all in $\mathbb{R}^{n}$. So $U u$ is fine, but not $v^\top U \odot r$.
"""


def test_an_edit_to_a_display_re_reads_the_space_said_after_it(tmp_path: Path) -> None:
    """ "… $$ all in $\\mathbb{R}^n$" after a blank line declares what the display defines:
    an edit to the display (not to the paragraph that says "all in") is read there too."""
    path = tmp_path / "notes.md"
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, ALL_IN)
    assert [d.code for d in first.diagnostics] == ["elementwise-mismatch"]
    for edited, codes in (
        (ALL_IN.replace("v &= g", "v &\\le g"), []),  # a row that defines nothing
        (ALL_IN.replace("all in", "none in"), []),  # no space said
        (
            ALL_IN.replace("u &= g", "w &= g").replace("not $v^", "not $w^"),
            ["elementwise-mismatch"],
        ),
        (ALL_IN, ["elementwise-mismatch"]),
    ):
        got = checker.check(str(path), None, tmp_path, edited)
        fresh = Checker().check(str(path), None, tmp_path, edited)
        assert _everything(got) == _everything(fresh)
        assert [d.code for d in got.diagnostics] == codes


def _both_ways_as_fresh(path: Path, one: str, other: str, seen) -> None:
    """Checking ``other`` after ``one`` (and ``one`` after ``other``) in one Checker gives
    what a fresh check gives, as ``seen`` reads a result."""
    for first, second in ((one, other), (other, one)):
        checker = Checker()
        checker.check(str(path), None, path.parent, first)
        got = checker.check(str(path), None, path.parent, second)
        assert seen(got) == seen(Checker().check(str(path), None, path.parent, second))


def test_a_function_definition_edited_away_re_reads_a_scalar_said_elsewhere(
    tmp_path: Path,
) -> None:
    r""" "for scalar $z$" declares z unless the text defines z(…) = …, anywhere (prose.py);
    a paragraph read before the definition came or went is read again (fuzz seed 65759)."""
    path = tmp_path / "post.md"
    with_definition = (
        "The $\\max(0,z)$ call on scalar $z$ is fine, $z + w$.\n\n"
        "We introduce:\n\n\\[z(\\mathbf{w},b) = \\mathbf{w} + b\\]\n\nEnd $a b$.\n"
    )
    without = with_definition.replace("\\[z(\\mathbf{w},b) = \\mathbf{w} + b\\]", "")
    _both_ways_as_fresh(path, with_definition, without, _facts)
    codes = [d.code for d in Checker().check(str(path), None, tmp_path, without).diagnostics]
    assert "no-declarations" not in codes  # (z is declared a scalar there)


def test_a_definition_edited_in_the_paragraph_before_last_re_reads_a_sized_definition(
    tmp_path: Path,
) -> None:
    r""" "$K = k(X, X)$, an $m \times m$ matrix" sizes K unless K was set equal to something
    in the sentences just before (prose._defined_before reads up to SENTENCE_LOOKBACK back,
    past its paragraph's start): a paragraph kept as it was, after a short one, is read again
    when a definition there came or went (_Paragraph.looked_back)."""
    path = tmp_path / "post.md"
    defined = (
        "Let $B \\in \\mathbb{R}^{n \\times n}$ and $x \\in \\mathbb{R}^{m}$. Set $K = B$.\n\n"
        "Next.\n\n"
        "$K = k(X, X)$, an $m \\times m$ matrix, acts on $K x$ here.\n"
    )
    undefined = defined.replace("Set $K = B$", "Set $L = B$")
    _both_ways_as_fresh(path, defined, undefined, _everything)
    # (K = B sizes K n×n, and K x does not multiply; the words size a K defined afresh)
    codes = [d.code for d in Checker().check(str(path), None, tmp_path, defined).diagnostics]
    assert codes == ["matmul-mismatch"]
    assert not Checker().check(str(path), None, tmp_path, undefined).diagnostics


def test_an_edit_before_a_plain_letter_said_positive_moves_it(tmp_path: Path) -> None:
    r"""A plain letter said positive with nothing declaring it (a margin $m > 0$) is knowledge
    of its own kind (SymbolTable.plain_positive, kept for calculus): an edit before it, or in
    it, moves or changes it like any declaration (it made an IndexError in _places)."""
    path = tmp_path / "svm.md"
    text = (
        "Let $\\mathbf{w}, \\mathbf{x} \\in \\mathbb{R}^d$ and a margin $m > 0$.\n\n"
        "$$L = \\max(0, m - \\mathbf{w}^\\top\\mathbf{x})$$\n"
    )
    for edited in (
        "Intro é.\n\n" + text,
        text.replace("$m > 0$", "$m > 1$"),
        text.replace("a margin $m > 0$", "a margin"),
    ):
        _both_ways_as_fresh(path, text, edited, _everything)
        _both_ways_as_fresh(path, text, edited, lambda r: r.table.plain_positive.keys())
