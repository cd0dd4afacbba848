r"""A layout stated in another file of a LaTeX project (the root, a notation chapter, a
preamble or macros file) holds in the chapters read after it, scoped like declarations
(shapes/layout_statements.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written_derivatives import check_written
from texgrad.reading.project import load_project, normalize
from texgrad.shapes.check import Checker
from texgrad.shapes.layout_statements import inherited

DECLS = r"Let $X \in \mathbb{R}^{n \times n}$ be invertible and $A \in \mathbb{R}^{n \times n}$."
# ∂ log det X/∂X = X^{-1}: the numerator-layout answer (wrong in denominator layout, line 3);
# ∂ tr(AX)/∂X = A^T: the denominator-layout answer (wrong in numerator layout, line 5)
CHAPTER = (
    "\\chapter{Gradients}\nFor invertible $X$,\n"
    "\\[ \\frac{\\partial \\log\\det X}{\\partial X} = X^{-1} \\]\nand\n"
    "\\[ \\frac{\\partial \\operatorname{tr}(AX)}{\\partial X} = A^\\top . \\]\n"
)


def _root(
    before: str, after: str = "", preamble: str = "\\usepackage{amsmath}\n"
) -> dict[str, str]:
    return {
        "main.tex": (
            "\\documentclass{book}\n\\input{preamble}\n\\begin{document}\n"
            f"\\chapter{{Notation}}\n{DECLS}\n{before}\n"
            f"\\input{{chapters/notation}}\n\\input{{chapters/grad}}\n{after}\n\\end{{document}}\n"
        ),
        "preamble.tex": preamble,
        "chapters/notation.tex": "\\chapter{More notation}\nWe write $n$ for the size.\n",
        "chapters/grad.tex": CHAPTER,
    }


def _flagged(tmp_path: Path, files: dict[str, str], which: str = "chapters/grad.tex") -> list[int]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = normalize(tmp_path / which)
    project = load_project(path, folder=tmp_path)
    checked = Checker().check(path, project, tmp_path)
    text = checked.doc.text
    return [text.count("\n", 0, f.start) + 1 for f in check_written(checked, seconds=60.0)]


@pytest.mark.parametrize(
    ("files", "lines"),
    [
        # none stated anywhere: either layout accepted
        (_root(""), []),
        # the root states it before the chapter's \input: X^{-1} is wrong in denominator layout
        (_root("We use denominator layout throughout."), [3]),
        (_root("All derivatives are in numerator layout."), [5]),
        # stated after the \input: nothing for the chapter read before it
        (_root("", after="We use denominator layout throughout."), []),
        # in the preamble: a comment of a file without prose, or the directive
        (_root("", preamble="\\usepackage{amsmath}\n% Convention: denominator layout.\n"), [3]),
        (_root("", preamble="\\usepackage{amsmath}\n% texgrad: numerator layout\n"), [5]),
        # a statement for "this chapter" of the notation chapter ends with it
        (
            {
                **_root(""),
                "chapters/notation.tex": (
                    "\\chapter{More notation}\nIn this chapter we use denominator layout.\n"
                ),
            },
            [],
        ),
        # … and one for the rest of the book holds in the chapters after it
        (
            {
                **_root(""),
                "chapters/notation.tex": (
                    "\\chapter{More notation}\nWe use denominator layout throughout.\n"
                ),
            },
            [3],
        ),
    ],
)
def test_a_layout_stated_elsewhere_in_the_project(
    tmp_path: Path, files: dict[str, str], lines: list[int]
) -> None:
    assert _flagged(tmp_path, files) == lines


def test_the_chapter_s_own_statement_takes_over(tmp_path: Path) -> None:
    files = _root("We use denominator layout throughout.")
    files["chapters/grad.tex"] = (
        "\\chapter{Gradients}\nHere we use numerator layout.\n" + CHAPTER.split("\n", 1)[1]
    )
    assert _flagged(tmp_path, files) == [6]  # A^T, now in numerator layout


def test_a_file_read_later_states_nothing_for_an_earlier_one(tmp_path: Path) -> None:
    files = _root("")
    files["chapters/notation.tex"] = CHAPTER.replace("Gradients", "Early")
    files["chapters/grad.tex"] = "\\chapter{Later}\nWe use denominator layout throughout.\n"
    assert _flagged(tmp_path, files, "chapters/notation.tex") == []


def test_inherited_on_plain_texts() -> None:
    texts = {
        "/p/main.tex": "We use denominator layout throughout.\n\\input{a}\n\\input{b}\n",
        "/p/a.tex": "In this chapter, we use numerator layout.\n",
        "/p/b.tex": "x",
    }
    found = inherited("/p/b.tex", texts)
    assert found is not None and (found.layout, found.start, found.end) == ("denominator", -1, 1)
    assert inherited("/p/main.tex", texts) is None  # the root reads nothing before it
    assert inherited("/p/b.tex", {"/p/b.tex": "x"}) is None  # alone


@pytest.mark.parametrize(
    ("sentence", "layout"),
    [
        (
            r"The derivative of a scalar with respect to a matrix $X$ has the same shape as $X$.",
            "denominator",
        ),
        (
            r"We follow the convention that $\partial f/\partial X$ has the shape of $X$.",
            "denominator",
        ),
        (r"Here $\frac{\partial f}{\partial X}$ has the shape of $X^\top$.", "numerator"),
        (r"Note that $\nabla_W L$ has the same shape as $W$.", None),  # every gradient does
        (r"It is wrong to say the derivative has the shape of $X$.", None),
        ("% texgrad: denominator layout", "denominator"),
        ("<!-- texgrad: numerator layout -->", "numerator"),
    ],
)
def test_a_layout_said_by_the_shape_of_a_derivative(sentence: str, layout: str | None) -> None:
    from texgrad.shapes.layout_statements import stated_layout

    assert stated_layout(sentence) == layout


def test_a_request_is_answered_in_the_layout_the_root_states(tmp_path: Path) -> None:
    r"""An "Evaluate ∂(Ax)/∂x" written without a right side in a chapter takes the layout
    the root states before the chapter's ``\input``, as the chapter's claims do."""
    from texgrad.calculus.api import diff_in_document

    files = _root("We use denominator layout throughout.")
    files["chapters/grad.tex"] = (
        "\\chapter{Gradients}\nLet $x \\in \\mathbb{R}^n$.\n"
        "\\[ \\frac{\\partial (A x)}{\\partial x} \\]\n"
    )
    outcomes = {}
    for before, key in (("We use denominator layout throughout.", "stated"), ("", "none")):
        files["main.tex"] = _root(before)["main.tex"]
        for name, text in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        path = normalize(tmp_path / "chapters/grad.tex")
        project = load_project(path, folder=tmp_path)
        out = diff_in_document(path, 3, "", project=project, folder=tmp_path)
        outcomes[key] = (out.result, out.layout, out.verified)
    assert outcomes["stated"] == ("A^\\top", "denominator", True)
    assert outcomes["none"] == ("A", "numerator", True)  # the setting's (default: numerator)


@pytest.mark.parametrize(
    ("comment", "lines"),
    [
        ("% Convention: denominator layout", [3]),
        ("% All derivatives below are in numerator layout.", [5]),
        ("% \\usepackage{hyperref}", []),  # a comment that states nothing
    ],
)
def test_a_comment_in_the_root_s_own_preamble(
    tmp_path: Path, comment: str, lines: list[int]
) -> None:
    """The root's preamble, before \\begin{document}, is a preamble too: a layout its
    comments state holds in the chapters (as in a preamble file)."""
    files = _root("")
    files["main.tex"] = files["main.tex"].replace(
        "\\begin{document}", comment + "\n\\begin{document}", 1
    )
    assert _flagged(tmp_path, files) == lines
    # a comment in the root's body is not read as its prose
    files = _root("% Convention: denominator layout")
    assert _flagged(tmp_path, files) == []


def test_a_macros_file_the_root_includes_states_the_layout_for_the_root(tmp_path: Path) -> None:
    r"""A comment of a macros file (``\input{preamble}``) states the layout for the rest of
    the document: the chapters, and the root's own text after the include (as the shape
    check reads it, shapes/layout_statements.py)."""
    files = _root("", preamble="\\usepackage{amsmath}\n% texgrad: denominator layout\n")
    files["main.tex"] = files["main.tex"].replace(
        "\\input{chapters/notation}", CHAPTER.split("\n", 1)[1] + "\\input{chapters/notation}"
    )
    main = files["main.tex"]
    line = main[: main.index("X^{-1}")].count("\n") + 1  # X^{-1}: wrong in denominator layout
    assert _flagged(tmp_path, files, "main.tex") == [line]
    assert _flagged(tmp_path / "grad", files) == [3]
    files["preamble.tex"] = "\\usepackage{amsmath}\n"
    assert _flagged(tmp_path / "none", files, "main.tex") == []
