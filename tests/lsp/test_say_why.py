r"""Say why, end to end, under VS Code's, Neovim 0.7's and eglot 1.9's capabilities: a row
that states a function but offers nothing to differentiate lists the action disabled with
its reason where the client shows disabled actions (VS Code), else says the reason in the
hover of the function; a document that declares nothing gets one information note linking
the README's "Declaring shapes"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import CONFIG, Doc, shut_down
from tests.lsp.test_old_clients import CAPABILITIES

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:Client does not support 'workspace/configuration'"),
]

PROFILES = ["visual-studio-code", *CAPABILITIES]  # neovim-0.7, eglot-1.9

DOC = r"""Let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$.

$$
f(x) = x^\top A x + \lambda \|x\|^2
$$

$$
g(x) = x^\top A x
$$
"""
REASON = (
    r"the shape of `\lambda` is unknown — declare it, e.g. `\lambda > 0` or "
    r"`\lambda \in \mathbb{R}`"
)
BARE = "Minimise $f(x) = \\|A x - b\\|^2$ over $x$, and $g = x^\\top y$.\n"


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def client(lsp_client: LanguageClient, request: Any, tmp_path: Path):
    if request.param in CAPABILITIES:
        caps = default_converter().structure(CAPABILITIES[request.param], types.ClientCapabilities)
    else:
        caps = client_capabilities(request.param)
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


def _open(client: LanguageClient, name: str, text: str) -> Doc:
    path: Path = client.root / name  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    doc = Doc(client, path, text, "markdown")  # UTF-16 positions: no profile is "neovim"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id="markdown", version=1, text=text
            )
        )
    )
    return doc


async def _actions(client: LanguageClient, doc: Doc, needle: str) -> list[types.CodeAction]:
    at = doc.pos(needle)
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=types.Range(at, at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in got or [] if isinstance(a, types.CodeAction)]


async def test_a_refused_row_says_why(client: LanguageClient) -> None:
    doc = _open(client, "refused.md", DOC)
    await doc.diagnostics()
    listed = await _actions(client, doc, "f(x) =")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("f(x) ="))
    )
    if client.profile == "visual-studio-code":  # type: ignore[attr-defined]
        assert [(a.title, a.disabled.reason if a.disabled else None) for a in listed] == [
            ("Differentiate f", REASON)
        ]
        assert hover is None or REASON not in str(hover.contents)
    else:  # no disabledSupport: nothing listed, the reason in the hover of the function
        assert listed == []
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        value = hover.contents.value
        if client.profile == "eglot-1.9":  # type: ignore[attr-defined]
            assert value.endswith("cannot differentiate f: " + REASON.replace("`", ""))
        else:
            assert value.endswith("cannot differentiate `f`: " + REASON)
    # a row that differentiates offers its actions, none disabled
    ok = await _actions(client, doc, "g(x) =")
    assert any(a.title.startswith("Differentiate g w.r.t. x") for a in ok)
    assert all(a.disabled is None for a in ok)


async def test_a_document_declaring_nothing_gets_one_note(client: LanguageClient) -> None:
    doc = _open(client, "bare.md", BARE)
    (note,) = await doc.diagnostics()
    assert note.code == "no-declarations"
    assert note.severity == types.DiagnosticSeverity.Information
    assert doc.span(note.range) == "f(x) = \\|A x - b\\|^2"
    assert note.code_description is not None
    assert note.code_description.href.endswith("/README.md#declaring-shapes")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("b\\|"))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    said = hover.contents.value
    if hover.contents.kind == types.MarkupKind.PlainText:
        assert "b has no shape: it is never declared; declare it, e.g. b \\in" in said
    else:  # why this letter has no shape, with a declaration and the README's section
        assert "`b` has no shape: it is never declared; declare it, e.g. `b \\in" in said
    assert "README.md#declaring-shapes" in said


ASKED = r"""Let $A \in \mathbb{R}^{m \times n}$ and $\mathbf x \in \mathbb{R}^n$.

$$\frac{\partial}{\partial \mathbf x} \kappa \|A\mathbf x\|^2$$

$$\nabla_{\mathbf x}\, \mathbb{E}\big[\|A\mathbf x\|^2\big]$$
"""
KAPPA = (
    r"the shape of `\kappa` is unknown — declare it, e.g. `\kappa > 0` or "
    r"`\kappa \in \mathbb{R}`"
)
EXPECTATION = r"`\mathbb{E}[\cdot]` (an expectation) is not supported"


@pytest.mark.parametrize(
    ("needle", "title", "reason"),
    [
        ("\\kappa", "Evaluate ∂/∂x κ ‖Ax‖²", KAPPA),
        ("\\mathbb{E}", "Evaluate ∇ₓ E [‖Ax‖²]", EXPECTATION),
    ],
)
async def test_a_derivative_written_to_be_computed_says_why_it_cannot_be(
    client: LanguageClient, needle: str, title: str, reason: str
) -> None:
    # never an empty menu: "Evaluate …" listed disabled with why (once), or why in the hover
    doc = _open(client, "asked.md", ASKED)
    await doc.diagnostics()
    at = ASKED.index(needle) + 1
    listed = await _actions(client, doc, ASKED[at - 1 : at + 8])
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos(ASKED[at - 1 : at + 8]))
    )
    if client.profile == "visual-studio-code":  # type: ignore[attr-defined]
        shown = [(a.title, a.disabled.reason if a.disabled else None) for a in listed]
        assert shown == [(title, reason)]
    else:
        assert listed == []
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        plain = client.profile == "eglot-1.9"  # type: ignore[attr-defined]
        said = reason.replace("`", "") if plain else reason
        assert hover.contents.value.endswith(f"cannot evaluate {title[len('Evaluate ') :]}: {said}")
