"""Multi-file LaTeX projects and settings, end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc, wait_for_diagnostics

pytestmark = pytest.mark.asyncio

MAIN = r"""\documentclass{article}
\begin{document}
\input{notation}
\input{chapter}
\end{document}
"""
NOTATION = r"""\section{Notation}
Throughout, $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^m$ (é 😀).
"""
CHAPTER = r"""\section{Results}
Café 😀: then $A x$ is computed.
"""


async def test_a_declaration_in_notation_serves_the_chapter(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    root = client.root  # type: ignore[attr-defined]
    (root / "main.tex").write_text(MAIN, encoding="utf-8")
    (root / "notation.tex").write_text(NOTATION, encoding="utf-8")
    chapter = open_doc("chapter.tex", CHAPTER)
    diags = await chapter.diagnostics()
    assert [d.code for d in diags] == ["matmul-mismatch"]
    assert chapter.span(diags[0].range) == "A x"
    notation_uri = (root / "notation.tex").as_uri()
    assert diags[0].related_information
    assert {r.location.uri for r in diags[0].related_information} == {notation_uri}
    # the project's other files get their diagnostics too
    assert await wait_for_diagnostics(client, notation_uri) == []
    assert await wait_for_diagnostics(client, (root / "main.tex").as_uri()) == []
    # go to the declaration in the other file
    locs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=chapter.ident(), position=chapter.pos("A x"))
    )
    assert isinstance(locs, list) and locs[0].uri == notation_uri
    notation = Doc(client, root / "notation.tex", NOTATION, "latex")
    assert notation.span(locs[0].range) == "A"
    assert locs[0].range.start == notation.pos("A \\in")
    # references across files
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=chapter.ident(),
            position=chapter.pos("A x"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and {r.uri for r in refs} == {chapter.uri, notation_uri}

    # editing the notation re-checks the chapter
    notation = open_doc("notation.tex", NOTATION, write=False)
    await notation.diagnostics()
    notation.change(NOTATION.replace("\\mathbb{R}^m$", "\\mathbb{R}^n$"))
    # (a time bound, not a count of polls: under a loaded CI machine a re-check of the
    # chapter after its notation changed has taken longer than 200 polls of 50 ms)
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        if await wait_for_diagnostics(client, chapter.uri) == []:
            break
        await asyncio.sleep(0.05)
    assert await wait_for_diagnostics(client, chapter.uri) == []


async def test_settings_from_configuration(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    text = "Let $x \\in \\R^n$ and $y \\in \\R^m$ and $z = y$. Then $x + y$.\n"
    doc = open_doc("macros.tex", text)
    # \R is unknown: nothing is declared, and one note says how to
    assert [d.code for d in await doc.diagnostics()] == ["no-declarations"]
    client.set_configuration(
        {"macros": ["\\newcommand{\\R}{\\mathbb{R}}"], "inlayHints": {"enabled": False}},
        section="texgrad",
    )
    del client.published[doc.uri]  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    diags = await doc.diagnostics()
    assert [d.code for d in diags] == ["add-mismatch"]
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc.ident(),
            range=types.Range(start=types.Position(0, 0), end=types.Position(1, 0)),
        )
    )
    assert not hints
    client.set_configuration(
        {"macros": ["\\newcommand{\\R}{\\mathbb{R}}"], "inlayHints": {"enabled": True}},
        section="texgrad",
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    # (a time bound, not 100 polls of 50 ms: the settings' re-analysis on a loaded machine)
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=doc.ident(),
                range=types.Range(start=types.Position(0, 0), end=types.Position(1, 0)),
            )
        )
        if hints:
            break
        await asyncio.sleep(0.05)
    assert hints and hints[0].label == ": ℝ^{m}"


async def test_neovim_plaintex_and_quarto_language_ids(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    tex = open_doc("note.tex", "Let $A \\in \\mathbb{R}^{2 \\times 3}$. Then $A A$.\n", "plaintex")
    assert [d.code for d in await tex.diagnostics()] == ["matmul-mismatch"]
    qmd = open_doc("note.qmd", "Let $A \\in \\mathbb{R}^{2 \\times 3}$.\n\n$$\nA A\n$$\n", "quarto")
    assert [d.code for d in await qmd.diagnostics()] == ["matmul-mismatch"]
    txt = open_doc(
        "scratch.txt", "Let $A \\in \\mathbb{R}^{2 \\times 3}$. Then $A A$.\n", "markdown"
    )
    assert [d.code for d in await txt.diagnostics()] == ["matmul-mismatch"]


async def test_a_macros_file_changed_on_disk_is_read_again(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    """macros.tex edited in another program (not open here): where the client watches
    files for the server (VS Code), the section opened is analysed again with its new
    macros; Neovim watches none, and a save of the section (``:w``) reads them."""
    root = client.root  # type: ignore[attr-defined]
    (root / "main.tex").write_text(
        "\\documentclass{article}\n\\input{macros}\n\\begin{document}\n"
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $y \\in \\mathbb{R}^m$.\n"
        "\\input{section}\n\\end{document}\n",
        encoding="utf-8",
    )
    macros = root / "macros.tex"
    macros.write_text("\\newcommand{\\proj}{A^\\top}\n", encoding="utf-8")
    section = open_doc("section.tex", "Café 😀: then $\\proj y$ maps back.\n")
    assert await section.diagnostics() == []
    watches = client.profile == "visual-studio-code"  # type: ignore[attr-defined]
    for _ in range(500):  # (registered after initialized: a moment after the first publish)
        if client.registrations or not watches:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.02)
    registrations = client.registrations  # type: ignore[attr-defined]
    assert [r.method for r in registrations] == (
        ["workspace/didChangeWatchedFiles"] if watches else []
    )
    if watches:
        [watcher] = registrations[0].register_options["watchers"]
        assert watcher["globPattern"] == "**/*.{tex,ltx,sty,cls,md,markdown,qmd,Rmd,rmd}"
    macros.write_text("\\newcommand{\\proj}{A}\n", encoding="utf-8")
    if watches:
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=macros.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
    else:  # a save of the section reads its project again
        client.text_document_did_save(types.DidSaveTextDocumentParams(section.ident()))
    published = client.published  # type: ignore[attr-defined]

    async def mismatch() -> list[types.Diagnostic]:
        while True:
            got = published[section.uri].diagnostics
            if got:
                return list(got)
            await asyncio.sleep(0.02)

    diags = await asyncio.wait_for(mismatch(), 60)
    assert [d.code for d in diags] == ["matmul-mismatch"]
    assert section.span(diags[0].range) == "\\proj y"
