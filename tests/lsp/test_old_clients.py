"""The clients of Debian 12's editors, as they announce themselves: Neovim 0.7 (UTF-16
only, lazy code-action edits, no ``workspace.configuration`` announced although it
answers it) and Emacs 28's eglot 1.9 (plain-text hovers without markdown-mode, eager
code-action edits, ``documentChanges``, one language id for all the buffers of a
server).  tests/editors/ runs the editors themselves when they are installed; these
run everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient

from tests.lsp.conftest import CONFIG, Doc, shut_down

pytestmark = [
    pytest.mark.asyncio,
    # asked of Neovim 0.7 on purpose, see test_settings_reach_the_server
    pytest.mark.filterwarnings("ignore:Client does not support 'workspace/configuration'"),
]

_SYNC = {"dynamicRegistration": False, "willSave": False, "didSave": True}
CAPABILITIES: dict[str, dict[str, Any]] = {
    # vim.lsp.protocol.make_client_capabilities() of Neovim 0.7.2, the relevant part
    "neovim-0.7": {
        "textDocument": {
            "synchronization": _SYNC,
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "codeAction": {
                "codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.rewrite"]}
                },
                "dataSupport": True,
                "resolveSupport": {"properties": ["edit"]},
            },
            "definition": {"linkSupport": True},
            "publishDiagnostics": {"relatedInformation": True},
        },
        "workspace": {"applyEdit": True, "workspaceFolders": True, "workspaceEdit": {}},
    },
    # eglot-client-capabilities of eglot 1.9 on Emacs 28 without markdown-mode
    "eglot-1.9": {
        "textDocument": {
            "synchronization": {**_SYNC, "willSave": True, "willSaveWaitUntil": True},
            "hover": {"contentFormat": ["plaintext"]},
            "codeAction": {
                "codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.rewrite"]}
                },
                "isPreferredSupport": True,
            },
            "definition": {"linkSupport": True},
            "publishDiagnostics": {"relatedInformation": False},
        },
        "workspace": {
            "applyEdit": True,
            "workspaceEdit": {"documentChanges": True},
            "configuration": True,
            "workspaceFolders": True,
        },
    },
}

TEX = r"""Café 🎉: let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$.
Ça 🎉 é: $f(x) = x^\top A x$ and $B \in \mathbb{R}^{m \times n}$ gives $B B$.
"""
MD = r"""Héllo 🎉: let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$; in code, `$x A$` is not math.

$$
f(x) = x^\top A x
$$
"""


@pytest_lsp.fixture(config=CONFIG, params=list(CAPABILITIES))
async def client(lsp_client: LanguageClient, request: Any, tmp_path: Path):
    lsp_client.set_configuration({"gradientNotation": "partial"}, section="texgrad")
    caps = default_converter().structure(CAPABILITIES[request.param], types.ClientCapabilities)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
        )
    )
    lsp_client.profile = request.param  # type: ignore[attr-defined]
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    yield
    await shut_down(lsp_client)


def _open(client: LanguageClient, name: str, text: str, language: str) -> Doc:
    path: Path = client.root / name  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    doc = Doc(client, path, text, language)  # UTF-16 positions: the profile is not "neovim"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id=language, version=1, text=text
            )
        )
    )
    return doc


async def test_hover_in_the_format_the_client_renders(client: LanguageClient) -> None:
    doc = _open(client, "note.tex", TEX, "latex")
    assert [d.code for d in await doc.diagnostics()] == ["matmul-mismatch"]
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("A x$"))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.range is not None and doc.span(hover.range) == "A"
    value = hover.contents.value
    assert "ℝ^{n×n} (declared)" in value
    if client.profile == "eglot-1.9":  # type: ignore[attr-defined]
        assert hover.contents.kind == types.MarkupKind.PlainText
        assert "`" not in value and "**" not in value and "](" not in value
        assert "(note.tex:1)" in value
    else:
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert f"({doc.uri}#L1)" in value


async def test_settings_reach_the_server(client: LanguageClient) -> None:
    """Neovim 0.7 does not announce workspace/configuration but answers it: its
    ``settings`` are asked for all the same (here: ∂f/∂x instead of ∇ₓf)."""
    doc = _open(client, "note.tex", TEX, "latex")
    await doc.diagnostics()
    actions = [a for a in await doc.actions("f(x)") if "f w.r.t. x" in a.title]
    assert [a.title for a in actions] == [
        "Differentiate f w.r.t. x (gradient)",
        "Hessian of f w.r.t. x",
    ]
    lazy = client.profile == "neovim-0.7"  # type: ignore[attr-defined]
    assert (actions[0].edit is None) == lazy
    new = await doc.apply_action(actions[0])
    assert r"$\frac{\partial f}{\partial x} = (A + A^\top) x$" in new.splitlines()[1]


async def test_markdown_opened_with_the_latex_language_id(client: LanguageClient) -> None:
    """eglot 1.9 sends the language id of the buffer that started the server for every
    buffer: a .md file arrives as ``latex`` and is still read as Markdown (a code span is
    not math; the result goes in a $$ block)."""
    doc = _open(client, "notes.md", MD, "latex")
    assert await doc.diagnostics() == []
    actions = [
        a for a in await doc.actions("f(x)") if a.title.startswith("Differentiate f w.r.t. x")
    ]
    new = await doc.apply_action(actions[0])
    assert new.endswith("$$\n\n$$\n\\frac{\\partial f}{\\partial x} = (A + A^\\top) x\n$$\n"), new


async def test_a_derivative_request_is_evaluated(client: LanguageClient) -> None:
    """Neovim 0.7 resolves the edit lazily, eglot 1.9 gets it at once: either way
    "Evaluate ∂ tr(AB)/∂A" writes `= B^\\top` after the request."""
    text = (
        "Soit 🎉 $A \\in \\mathbb{R}^{m \\times n}$, $B \\in \\mathbb{R}^{n \\times m}$:\n"
        "$\\frac{\\partial \\operatorname{tr}(AB)}{\\partial A}$ et fin.\n"
    )
    doc = _open(client, "request.tex", text, "latex")
    await doc.diagnostics()
    actions = [a for a in await doc.actions("\\operatorname") if a.title.startswith("Evaluate")]
    assert [a.title for a in actions] == ["Evaluate ∂ tr(AB)/∂A"]
    lazy = client.profile == "neovim-0.7"  # type: ignore[attr-defined]
    assert (actions[0].edit is None) == lazy
    new = await doc.apply_action(actions[0])
    assert new.splitlines()[1] == (
        "$\\frac{\\partial \\operatorname{tr}(AB)}{\\partial A} = B^\\top$ et fin."
    )


async def test_show_derivation_as_a_message(client: LanguageClient) -> None:
    """Neither announces ``window/showDocument``: "Show derivation" (a command the client
    sends back as ``workspace/executeCommand``, as both do for a code action's command)
    shows it as a plain-text message; the document is not edited."""
    doc = _open(client, "note.tex", TEX, "latex")
    await doc.diagnostics()
    actions = await doc.actions("f(x)")
    show = next(a for a in actions if a.title == "Show derivation of ∇ₓf")
    assert show.edit is None and show.command is not None
    assert show.command.command == "texgrad.showDerivation"
    assert any(a.title == "Insert derivation of ∇ₓf" for a in actions)
    shown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=show.command.command, arguments=show.command.arguments)
    )
    assert shown["verified"] is True
    [message] = [m for m in client.messages if "Derivation of" in m.message]  # type: ignore[attr-defined]
    assert message.type == types.MessageType.Info
    lines = message.message.splitlines()
    assert lines[:3] == ["Derivation of ∇ₓf", "", r"  f = x^\top A x"]
    assert r"  \nabla_{x} f = (A + A^\top) x" in lines
    assert "        (product rule; $\\mathrm{d}(A^\\top) = (\\mathrm{d}A)^\\top$)" in lines
    assert lines[-1].startswith("Verified by texgrad: verified at")
    assert client.shown_documents == []  # type: ignore[attr-defined]
    assert client.applied_edits == []  # type: ignore[attr-defined]
