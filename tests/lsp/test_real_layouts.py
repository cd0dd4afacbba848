r"""Projects laid out as people lay them out, opened in the editor section first: a local
package (``\usepackage{mymacros}``, xparse commands), ``\input`` without braces, a
``% !TEX root`` comment, and a Quarto book."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

PACKAGE = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{mymacros}[2026/01/01 notation]
\RequirePackage{amsmath,bm}
\makeatletter
\newcommand{\vw}{\bm{w}}
\newcommand{\mA}{\mathbf{A}}
\def\R{\mathbb{R}}
\NewDocumentCommand{\norm}{m}{\lVert #1 \rVert}
\makeatother
"""
MAIN = r"""\documentclass{article}
\usepackage{mymacros}
\begin{document}
\input sections/setup
\input{sections/model.tex}
\end{document}
"""
SETUP = r"""% !TEX root = ../main.tex
\section{Setup}
Let $\mA \in \R^{n \times p}$ and $\bm{w} \in \R^{p}$ (written $\vw$ below).
"""
MODEL = r"""% !TEX root = ../main.tex
\section{Model}
The trap $\norm{\mA\vw}^2 = \vw^\top\mA^\top\mA\vw$ holds; the mistake is $\mA^\top\vw$.
"""


async def _settled(doc: Doc, codes: list[str]) -> list[str]:
    """The codes published for ``doc`` once they are ``codes`` (or after 30 s: the last)."""
    deadline = asyncio.get_running_loop().time() + 30
    found: list[str] = []
    while asyncio.get_running_loop().time() < deadline:
        found = [str(d.code) for d in await doc.diagnostics()]
        if found == codes:
            break
        await asyncio.sleep(0.05)
    return found


async def test_a_section_opened_first_reads_its_local_package_and_root(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    root = client.root  # type: ignore[attr-defined]
    (root / "sections").mkdir()
    for name, text in {
        "mymacros.sty": PACKAGE,
        "main.tex": MAIN,
        "sections/setup.tex": SETUP,
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    model = open_doc("sections/model.tex", MODEL)  # before main.tex or the package
    diags = await model.diagnostics()
    assert [(d.code, model.span(d.range)) for d in diags] == [("matmul-mismatch", "\\mA^\\top\\vw")]
    setup_uri = (root / "sections" / "setup.tex").as_uri()
    assert {r.location.uri for r in diags[0].related_information or []} == {setup_uri}
    # \vw made another letter in the package: undeclared, the mistake goes (and comes back)
    package = open_doc("mymacros.sty", PACKAGE, write=False)
    package.change(PACKAGE.replace("\\newcommand{\\vw}{\\bm{w}}", "\\newcommand{\\vw}{\\bm{v}}"))
    assert await _settled(model, []) == []
    package.change(PACKAGE)
    assert await _settled(model, ["matmul-mismatch"]) == ["matmul-mismatch"]


async def test_a_chapter_of_a_quarto_book_reads_the_chapters_before_it(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    root = client.root  # type: ignore[attr-defined]
    (root / "_quarto.yml").write_text(
        "book:\n  chapters:\n    - index.qmd\n    - model.qmd\n", encoding="utf-8"
    )
    (root / "index.qmd").write_text(
        "$$\n\\newcommand{\\mW}{\\mathbf{W}}\n$$\n\nLet $\\mW \\in \\mathbb{R}^{m \\times n}$ "
        "and $x \\in \\mathbb{R}^{n}$.\n",
        encoding="utf-8",
    )
    model = open_doc(
        "model.qmd", "The trap $x^\\top\\mW^\\top\\mW x$; wrong: $\\mW^\\top x$.\n", "quarto"
    )
    diags = await model.diagnostics()
    assert [(d.code, model.span(d.range)) for d in diags] == [("matmul-mismatch", "\\mW^\\top x")]


async def test_a_package_added_to_the_open_root_serves_its_sections(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    # the notation is in a local class; \R comes from a local package the user adds to the
    # root while both are open (a line that changes what the project reads)
    root = client.root  # type: ignore[attr-defined]
    (root / "thesis.cls").write_text(
        "\\ProvidesClass{thesis}\n\\LoadClass{report}\n\\newcommand{\\mA}{\\mathbf{A}}\n",
        encoding="utf-8",
    )
    (root / "reals.sty").write_text("\\newcommand{\\R}{\\mathbb{R}}\n", encoding="utf-8")
    main_text = "\\documentclass{thesis}\n\\usepackage{amsmath}\n\\begin{document}\n\\input{ch}\n\\end{document}\n"
    chapter = open_doc(
        "ch.tex", "Let $\\mA \\in \\R^{n \\times p}$ and $x \\in \\R^{n}$: $\\mA x$.\n"
    )
    main = open_doc("main.tex", main_text)
    # \R unknown: nothing is declared (a note says so)
    assert [d.code for d in await chapter.diagnostics()] == ["no-declarations"]
    main.change(main_text.replace("{amsmath}", "{amsmath,reals}"))
    assert await _settled(chapter, ["matmul-mismatch"]) == ["matmul-mismatch"]


async def test_editing_an_earlier_chapter_re_checks_a_later_one(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    root = client.root  # type: ignore[attr-defined]
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n- file: model\n", encoding="utf-8"
    )
    intro_text = "Let $W \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^{n}$.\n"
    (root / "intro.md").write_text(intro_text, encoding="utf-8")
    model = open_doc("model.md", "The trap $W x$; wrong: $W^\\top x$.\n")
    assert [d.code for d in await model.diagnostics()] == ["matmul-mismatch"]
    intro = open_doc("intro.md", intro_text, write=False)
    await intro.diagnostics()
    intro.change(intro_text.replace("m \\times n", "n \\times n"))  # W square: both right
    assert await _settled(model, []) == []
