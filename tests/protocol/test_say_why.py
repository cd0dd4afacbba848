r"""Say why: a row that states a function but offers nothing to differentiate lists the
action disabled with its reason (to a client with ``disabledSupport``), or says the reason in
the hover (to the others); a failed differentiation likewise; an unknown letter's hover says
how to declare it.  The server's handlers called directly (end to end: tests/lsp)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from texgrad.protocol import actions, hover
from texgrad.protocol.capabilities import ClientSupport
from texgrad.protocol.server import Document, TexgradServer

DOC = (
    "Let $A \\in \\mathbb{R}^{n \\times n}$ and $x \\in \\mathbb{R}^n$.\n\n"
    "$$f(x) = x^\\top A x + \\lambda \\|x\\|^2$$\n\n"
    "$$L = \\mathbb{E}[x^\\top A x]$$\n\n"
    "$$g(x) = x^\\top A x$$\n\n"
    "and $\\lambda$ alone.\n"
)
LAMBDA = (
    r"the shape of `\lambda` is unknown — declare it, e.g. `\lambda > 0` or "
    r"`\lambda \in \mathbb{R}`"
)


def _caps(disabled: bool, markdown: bool = True) -> types.ClientCapabilities:
    literal = types.ClientCodeActionLiteralOptions(
        code_action_kind=types.ClientCodeActionKindOptions(value_set=["", "refactor"])
    )
    formats = [types.MarkupKind.Markdown] if markdown else [types.MarkupKind.PlainText]
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=literal, disabled_support=disabled or None
            ),
            hover=types.HoverClientCapabilities(content_format=formats),
        )
    )


@pytest.fixture
def servers() -> Iterator[list[TexgradServer]]:
    made: list[TexgradServer] = []
    yield made
    for ls in made:
        ls.diff_pool.shutdown(wait=True)
        ls.analysis_pool.shutdown(wait=True)


def _server(
    tmp_path: Path, servers: list[TexgradServer], caps: types.ClientCapabilities, text: str = ""
) -> tuple[TexgradServer, Document]:
    ls = TexgradServer()
    servers.append(ls)
    ls.protocol.client_capabilities = caps
    path = tmp_path / "say.md"
    doc = Document(path.as_uri(), str(path), "markdown", 1, text or DOC)
    ls.docs[doc.uri] = doc
    return ls, doc


async def _actions(ls: TexgradServer, doc: Document, at: int) -> list[types.CodeAction]:
    p = ls.positions_of(doc.path, doc.text).position(at)
    got = await actions.code_actions(
        ls,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            range=types.Range(p, p),
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )
    return list(got or [])


def test_capability_needs_literals_and_disabled_support() -> None:
    assert ClientSupport.of(_caps(True)).disabled_actions
    assert not ClientSupport.of(_caps(False)).disabled_actions
    assert not ClientSupport.of(types.ClientCapabilities()).disabled_actions


@pytest.mark.asyncio
async def test_disabled_actions_with_their_reasons(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    ls, doc = _server(tmp_path, servers, _caps(True))
    listed = await _actions(ls, doc, DOC.index("f(x)"))
    assert [(a.title, a.disabled.reason if a.disabled else None) for a in listed] == [
        ("Differentiate f", LAMBDA)
    ]
    (e,) = await _actions(ls, doc, DOC.index("L ="))
    assert e.title == "Differentiate L" and e.disabled is not None
    assert e.disabled.reason == r"`\mathbb{E}[\cdot]` (an expectation) is not supported"
    assert e.edit is None and e.command is None
    # a row that differentiates has no disabled action; a lone letter states no function
    ok = await _actions(ls, doc, DOC.index("g(x)"))
    assert ok and all(a.disabled is None for a in ok)
    assert await _actions(ls, doc, DOC.index("\\lambda$ alone")) == []
    # resolving a disabled action hands it back unchanged
    assert await actions.resolve(ls, e) is e


@pytest.mark.asyncio
async def test_without_disabled_support_no_action_and_the_reason_in_the_hover(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    ls, doc = _server(tmp_path, servers, _caps(False, markdown=False))
    assert await _actions(ls, doc, DOC.index("f(x)")) == []
    snap = await ls.snapshot(doc.uri)
    assert snap is not None and snap.result is not None
    at = DOC.index("f(x)")
    refusal = ls.ws.refusal(snap.result, at)
    found = hover.hover_text(ls, snap.analysis, at, False, refusal)
    assert found is not None
    assert found[2].endswith(
        r"cannot differentiate f: the shape of \lambda is unknown — declare it, e.g. "
        r"\lambda > 0 or \lambda \in \mathbb{R}"
    )
    lam = DOC.index("\\lambda \\|x")
    found = hover.hover_text(ls, snap.analysis, lam + 1, True, ls.ws.refusal(snap.result, lam))
    assert found is not None
    text = found[2]
    assert text.startswith("`\\lambda` : **unknown**")
    assert "unknown shape — declare it, e.g. `$A \\in \\mathbb{R}^{m \\times n}$`" in text
    assert text.endswith("cannot differentiate `f`: " + LAMBDA)
    # a row that differentiates says nothing of the kind
    g = DOC.index("g(x)")
    assert ls.ws.refusal(snap.result, g) is None


SILENT = (
    "Let $\\mathbf z \\in \\mathbb{R}^K$ and $\\mathbf t \\in \\{0,1\\}^K$.\n\n"
    "$$\\ell(\\mathbf z) = -\\mathbf t^\\top \\log \\operatorname{softmax}(\\mathbf z)$$\n\n"
    "$$\\frac{\\partial \\ell}{\\partial \\mathbf z}\\Big|_{\\mathbf z = 0} = "
    "\\frac{1}{K}\\mathbf 1 - \\mathbf t$$\n\n"
    "$$g = \\Phi \\mathbf z$$\n\n"
    "$$h(\\mathbf z) = \\big(\\mathbf z$$\n"
)


@pytest.mark.asyncio
async def test_the_hover_says_why_texgrad_is_silent_here(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    """A row that does not parse, a letter without a shape, a written derivative left
    undecided: the hover says why, in the document's words (Markdown and plain text)."""
    ls, doc = _server(tmp_path, servers, _caps(True))
    doc.text = SILENT
    snap = await ls.snapshot(doc.uri)
    assert snap is not None and snap.result is not None
    result = snap.result

    def said(needle: str, markdown: bool = True, shift: int = 1) -> str:
        at = SILENT.index(needle) + shift
        found = hover.hover_text(ls, snap.analysis, at, markdown, None, ls.ws.why_at(result, at))
        assert found is not None, needle
        return found[2]

    assert (
        said("\\big(") == r"`h(\mathbf z) = \big(\mathbf z` is not checked: unclosed ( at `\big(`"
    )
    assert said("\\Phi") == (
        "`\\Phi` : **K columns (inferred from use)**\n\n`\\Phi` has no shape: it is never declared (its use suggests K "
        "columns); declare it, e.g. `\\Phi \\in \\mathbb{R}^{m \\times K}` (see "
        "README.md#declaring-shapes)"
    )
    assert said("\\Phi", markdown=False).endswith(
        "\\Phi has no shape: it is never declared (its use suggests K columns); declare it, "
        "e.g. \\Phi \\in \\mathbb{R}^{m \\times K} (see README.md#declaring-shapes)"
    )
    claim = "\\frac{1}{K}\\mathbf 1"
    assert "not checked" not in said(claim, shift=8)  # (before its check has run: nothing)
    ls.ws.wrong_derivatives(result)
    assert said(claim, shift=8).endswith(
        "this derivative is not checked: it is evaluated at a point, which texgrad does not check"
    )
    ls.ws.wrong_derivatives(result)  # a second check reuses the verdict: the reason stays
    assert said(claim, shift=8).endswith("which texgrad does not check")
    # a letter with a shape, and the verified definition, say nothing of the kind
    assert "has no shape" not in said("\\mathbf t^")


SIGMOID = (
    "Let $x \\in \\mathbb{R}^n$ and $w \\in \\mathbb{R}^n$. "
    "Define $\\sigma(t) = \\frac{1}{1 + e^{-t}}$.\n\n$$ f(w) = \\sigma(w^\\top x) $$\n"
)


@pytest.mark.asyncio
async def test_the_hover_of_a_function_the_document_defines_names_its_definition(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    """σ of ``σ(wᵀx)`` is a function the document defines: "declare it" would be wrong
    advice (seen in Neovim and Emacs)."""
    ls, doc = _server(tmp_path, servers, _caps(True), SIGMOID)
    snap = await ls.snapshot(doc.uri)
    assert snap is not None and snap.result is not None
    at = SIGMOID.index("\\sigma(w") + 2
    found = hover.hover_text(ls, snap.analysis, at, True)
    assert found is not None
    assert "declare it" not in found[2]
    assert (
        "`\\sigma` is a function the document defines (`\\sigma(t) = \\frac{1}{1 + e^{-t}}`)"
    ) in found[2]
    # a letter with no shape and no definition is still told how to declare one
    from texgrad.calculus.context import function_named_at

    assert function_named_at(snap.result, SIGMOID.index("e^{-t}")) is None


MACRO_FUNCTION = (
    "\\newcommand{\\vx}{\\mathbf{x}}\n"
    "Let $\\vx \\in \\mathbb{R}^n$.\n\n"
    "Here 🎉 $g(\\vx) = \\lambda \\vx^\\top \\vx$ is a penalty.\n"
)


@pytest.mark.asyncio
async def test_the_hover_quotes_the_definition_as_the_document_writes_it(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    """Its macros kept (``\\vx``, not ``\\mathbf{x}`` or a bare ``x``): seen in Neovim on a
    project whose macros file defines ``\\vx``."""
    ls, doc = _server(tmp_path, servers, _caps(False), MACRO_FUNCTION)
    snap = await ls.snapshot(doc.uri)
    assert snap is not None and snap.result is not None
    found = hover.hover_text(ls, snap.analysis, MACRO_FUNCTION.index("g(\\vx)"), True)
    assert found is not None
    said = found[2]
    assert "(`g(\\vx) = \\lambda \\vx^\\top \\vx`)" in said, said
    assert "mathbf" not in said, said
