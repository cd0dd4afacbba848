r""" "Show derivation of ∇ₓf" displays the derivation without editing the document: a code
action carrying a command.  VS Code's texgrad client (announcing ``texgrad.previewDerivation``)
previews it itself, asking the server for it with ``{"display": false}``; to VS Code's and
Neovim 0.11's profiles without it the server opens it as a Markdown file
(``window/showDocument``).  "Insert derivation of ∇ₓf" still writes it into the document.
(Neovim 0.7 and eglot, which show it as a message: tests/lsp/test_old_clients.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import CONFIG, Doc, shut_down

pytestmark = pytest.mark.asyncio

SHOW, PREVIEW = "texgrad.showDerivation", "texgrad.previewDerivation"
TEX = r"""Café é 😀 notes. Let $X \in \mathbb{R}^{n \times n}$ and $\mathbf{w} \in \mathbb{R}^n$.
\[ \mathcal{L}(X) = \log\det X \]
"""


async def _run(client: LanguageClient, action: types.CodeAction, *extra: Any) -> Any:
    assert action.command is not None
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=SHOW, arguments=[*(action.command.arguments or []), *extra]
        )
    )


async def test_show_derivation_opens_it_beside_the_document_unchanged(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions("\\log\\det", 2)
    titles = [a.title for a in actions]
    show = next(a for a in actions if a.title == "Show derivation of ∇_X \\mathcal{L}")
    assert titles.index(show.title) < titles.index("Insert derivation of ∇_X \\mathcal{L}")
    assert show.edit is None and show.command is not None
    assert show.command.command == SHOW
    shown = await _run(client, show)
    assert shown["title"] == "Derivation of ∇_X \\mathcal{L}"
    assert shown["verified"] is True
    markdown = shown["markdown"]
    assert markdown.startswith("### Derivation of ∇_X \\mathcal{L}\n\n$$\n\\begin{aligned}\n")
    assert "\\mathcal{L} &= \\log(\\det(X)) \\\\\n" in markdown
    assert "Jacobi's formula" in markdown and "identification" in markdown
    assert "\\nabla_{X} \\mathcal{L} &= X^{-\\top}" in markdown
    assert "Verified by texgrad: verified at" in markdown
    assert "\\log(\\det(X))" in shown["text"] and "$$" not in shown["text"]
    # displayed as a Markdown file (both profiles support window/showDocument)
    [opened] = client.shown_documents  # type: ignore[attr-defined]
    path = Path(unquote(urlparse(opened.uri).path))
    assert path.suffix == ".md" and path.read_text(encoding="utf-8") == markdown
    assert opened.take_focus is True
    assert client.applied_edits == []  # type: ignore[attr-defined]
    # the document itself is unchanged; inserting stays a separate action
    insert = next(a for a in actions if a.title == "Insert derivation of ∇_X \\mathcal{L}")
    new = await doc.apply_action(insert)
    assert "\\begin{align*}\n  \\mathcal{L} &= \\log(\\det(X)) \\\\\n" in new


async def test_a_changed_row_is_refused_not_shown(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions("\\log\\det", 2)
    show = next(a for a in actions if a.title.startswith("Show derivation"))
    doc.change(TEX.replace("\\log\\det X", "\\operatorname{tr}(X)"))
    await doc.diagnostics()
    with pytest.raises(Exception, match="changed since this action was offered"):
        await _run(client, show)
    assert client.shown_documents == []  # type: ignore[attr-defined]


@pytest_lsp.fixture(config=CONFIG)
async def previewing(lsp_client: LanguageClient, tmp_path: Path):
    """VS Code with texgrad's client, which announces that it previews derivations."""
    caps = client_capabilities("visual-studio-code")
    caps.experimental = {"commands": {"commands": [PREVIEW, "texgrad.copyToClipboard"]}}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
        )
    )
    lsp_client.profile = "visual-studio-code"  # type: ignore[attr-defined]
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    yield
    await shut_down(lsp_client)


async def test_a_client_that_previews_gets_its_command_and_the_markdown(
    previewing: LanguageClient,
) -> None:
    lsp_client = previewing
    path = lsp_client.root / "notes.md"  # type: ignore[attr-defined]
    text = "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$.\n\n$$\ng(x) = \\|A x\\|^2\n$$\n"
    path.write_text(text, encoding="utf-8")
    doc = Doc(lsp_client, path, text, "markdown")
    lsp_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id="markdown", version=1, text=text
            )
        )
    )
    await doc.diagnostics()
    actions = await doc.actions("\\|A x", 2)
    show = next(a for a in actions if a.title == "Show derivation of ∇ₓg")
    assert show.command is not None and show.command.command == PREVIEW
    [data] = show.command.arguments or []
    assert data["wrt"] == "x" and data["mode"] == "show"
    shown = await _run(lsp_client, show, {"display": False})
    assert "g &= \\|A x\\|^2" in shown["markdown"]
    assert "\\nabla_{x} g &= 2 A^\\top A x" in shown["markdown"]
    assert lsp_client.shown_documents == [] and lsp_client.messages == []  # type: ignore[attr-defined]


async def test_the_markdown_defines_the_project_macros_it_uses(
    previewing: LanguageClient,
) -> None:
    """A section of a project whose macros file defines ``\\vx`` and ``\\mB``: the derivation
    is written with them, and its Markdown defines them first in its math block, so that
    the preview (KaTeX, which has not read macros.tex) renders it; seen in code-server as
    "KaTeX parse error: Undefined control sequence: \\mB"."""
    lsp_client = previewing
    root: Path = lsp_client.root  # type: ignore[attr-defined]
    (root / "sections").mkdir()
    (root / "macros.tex").write_text(
        "\\newcommand{\\mB}{\\mathbf{B}}\n\\newcommand{\\vx}{\\mathbf{x}}\n"
        "\\newcommand{\\unused}{\\mathbf{u}}\n",
        encoding="utf-8",
    )
    (root / "main.tex").write_text(
        "\\documentclass{article}\n\\input{macros}\n\\begin{document}\n"
        "Let $\\mB \\in \\mathbb{R}^{n \\times n}$ and $\\vx \\in \\mathbb{R}^n$.\n"
        "\\input{sections/model}\n\\end{document}\n",
        encoding="utf-8",
    )
    text = "Ça 🎉: $f(\\vx) = \\vx^\\top \\mB \\vx$ is a form.\n"
    path = root / "sections" / "model.tex"
    path.write_text(text, encoding="utf-8")
    doc = Doc(lsp_client, path, text, "latex")
    lsp_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id="latex", version=1, text=text
            )
        )
    )
    await doc.diagnostics()
    actions = await doc.actions("\\vx^", 0)
    show = next(a for a in actions if a.title.startswith("Show derivation of ∇"))
    shown = await _run(lsp_client, show, {"display": False})
    markdown = shown["markdown"]
    head, _, rest = markdown.partition("$$\n")
    defs, _, body = rest.partition("\n")
    assert defs == "\\def\\mB{\\mathbf{B}}\\def\\vx{\\mathbf{x}}", markdown
    assert body.startswith("\\begin{aligned}\nf &= \\vx^\\top \\mB \\vx \\\\\n"), body
    assert "\\def" not in shown["text"]  # (the plain text: as the document writes it)
