r"""Every feature of the language server, end to end, in VS Code's and Neovim's shoes.

The documents put non-ASCII text (``é`` and an emoji, two UTF-16 units and four UTF-8
bytes) before the math, so a column computed in the wrong unit shows up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

TEX = r"""Café é 😀 notes. Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$ and $x \in \mathbb{R}^n$.
\[ f(x) = \frac12 \|Ax - b\|_2^2 \]
Wrong 😀: $A b$. Define $g = A x$.
\begin{align}
  h(x) &= x^\top A^\top A x \label{eq:h}
\end{align}
"""


async def test_diagnostics_with_codes_related_and_fix(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    diags = await doc.diagnostics()
    assert [d.code for d in diags] == ["matmul-mismatch"]
    d = diags[0]
    assert doc.span(d.range) == "A b"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "texgrad"
    assert d.related_information
    rel = d.related_information[0]
    assert rel.location.uri == doc.uri
    assert doc.span(rel.location.range) in ("A", "b")


async def test_hover_shapes_and_declaration(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("Ax - b", 0))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "ℝ^{m×n}" in hover.contents.value and "declared" in hover.contents.value
    assert f"{doc.uri}#L1" in hover.contents.value
    assert hover.range is not None and doc.span(hover.range) == "A"
    # a subexpression: the smallest enclosing one
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("- b\\|", 0))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "ℝ^{m}" in hover.contents.value
    assert hover.range is not None and doc.span(hover.range) == "Ax - b"
    # outside math: nothing
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("notes"))
    )
    assert hover is None


async def test_inlay_hints(client: LanguageClient, open_doc: Callable[..., Doc]) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    end = doc.pos("\\end{align}")
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc.ident(),
            range=types.Range(start=types.Position(0, 0), end=end),
        )
    )
    assert hints is not None
    got = {(h.position.line, h.position.character, h.label) for h in hints}
    assert (*_lc(doc.pos("g = A x", 1)), ": ℝ^{m}") in got
    assert (*_lc(doc.pos("_2^2 ", 4)), " : ℝ") in got


def _lc(p: types.Position) -> tuple[int, int]:
    return p.line, p.character


async def test_definition_and_references(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    locs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc.ident(), position=doc.pos("Ax - b", 1))
    )
    assert isinstance(locs, list) and len(locs) == 1
    assert locs[0].uri == doc.uri
    assert locs[0].range.start == doc.pos("x \\in")
    assert doc.span(locs[0].range) == "x"
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc.ident(),
            position=doc.pos("A b"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert {doc.span(r.range) for r in refs} == {"A"}
    assert len(refs) == 6  # declaration, f, the mistake, g, and twice in h


async def test_document_symbols(client: LanguageClient, open_doc: Callable[..., Doc]) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc.ident())
    )
    assert symbols is not None
    names = [(s.name, s.kind) for s in symbols if isinstance(s, types.DocumentSymbol)]
    assert ("A", types.SymbolKind.Variable) in names
    assert ("f(x)", types.SymbolKind.Function) in names
    assert ("eq:h", types.SymbolKind.Key) in names


async def test_differentiate_action_applied(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions("\\frac12", 2)
    titles = [a.title for a in actions]
    assert "Differentiate f w.r.t. x (gradient)" in titles
    assert "Hessian of f w.r.t. x" in titles
    assert "Show derivation of ∇ₓf" in titles
    assert "Insert derivation of ∇ₓf" in titles
    action = next(a for a in actions if a.title == "Differentiate f w.r.t. x (gradient)")
    if client.profile == "visual-studio-code":  # type: ignore[attr-defined]
        assert action.edit is None  # resolved lazily
    new = await doc.apply_action(action)
    assert new == TEX.replace(
        "\\|_2^2 \\]\n",
        "\\|_2^2 \\]\n\\[\n  \\nabla_x f = A^\\top (A x - b)\n\\]\n",
    )
    # the inserted result: hover says it was verified
    await doc.diagnostics()
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos("(A x - b)", 1))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "verified numerically" in hover.contents.value


async def test_new_row_in_align_and_derivation(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions("A^\\top A x \\label")
    action = next(a for a in actions if a.title == "Differentiate h w.r.t. x (gradient)")
    new = await doc.apply_action(action)
    assert "A x \\label{eq:h} \\\\\n  \\nabla_x h &= 2 A^\\top A x\n\\end{align}" in new
    await doc.diagnostics()
    actions = await doc.actions("A^\\top A x \\label")
    action = next(a for a in actions if a.title == "Insert derivation of ∇ₓh")
    new = await doc.apply_action(action)
    assert "\\end{align}\n\\begin{align*}\n  h &= \\|A x\\|_2^2 \\\\\n" in new
    assert "\\nabla_{x} h &= 2 A^\\top A x \\quad \\text{(identification: " in new


async def test_quick_fix_inserts_the_transpose(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    diags = await doc.diagnostics()
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=diags[0].range,
            context=types.CodeActionContext(
                diagnostics=diags, only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    assert result is not None
    fixes = [a for a in result if isinstance(a, types.CodeAction)]
    assert fixes and all(a.kind == types.CodeActionKind.QuickFix for a in fixes)
    assert fixes[0].diagnostics and fixes[0].diagnostics[0].code == "matmul-mismatch"
    new = await doc.apply_action(fixes[0])
    assert "Wrong 😀: $A^\\top b$." in new
    assert await doc.diagnostics() == []


MD = r"""# Notes é 😀

Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$, and $y = A x$ inline.

$$
f(x) = \|A x\|^2
$$

More text.
"""


async def test_markdown_display_and_inline(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("notes.md", MD)
    assert await doc.diagnostics() == []
    actions = await doc.actions("\\|A x\\|^2", 2)
    action = next(a for a in actions if a.title == "Differentiate f w.r.t. x (gradient)")
    new = await doc.apply_action(action)
    assert "f(x) = \\|A x\\|^2\n$$\n\n$$\n\\nabla_x f = 2 A^\\top A x\n$$\n\nMore text." in new
    await doc.diagnostics()
    actions = await doc.actions("y = A x", 4)
    action = next(a for a in actions if a.title.startswith("Differentiate y w.r.t. x"))
    assert action.title == "Differentiate y w.r.t. x (Jacobian)"
    new = await doc.apply_action(action)
    assert "$y = A x$ $\\frac{\\partial y}{\\partial x} = A$ inline." in new
    await doc.diagnostics()
    actions = await doc.actions("\\|A x\\|^2", 2)
    action = next(a for a in actions if a.title == "Insert derivation of ∇ₓf")
    new = await doc.apply_action(action)
    assert "$$\n\n$$\n\\begin{aligned}\n  f &= \\|A x\\|^2 \\\\\n" in new


REQUESTS = r"""Café 😀: let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times m}$ and
$\mathbf{x} \in \mathbb{R}^n$.
\[ \frac{\partial \operatorname{tr}(AB)}{\partial A} \]
\begin{align}
  \nabla_{\mathbf{x}} \|A\mathbf{x}\|^2 &=
\end{align}
"""


async def test_a_derivative_request_is_evaluated(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("requests.tex", REQUESTS)
    await doc.diagnostics()
    actions = await doc.actions("\\operatorname{tr}(AB)}", 3)
    assert actions[0].title == "Evaluate ∂ tr(AB)/∂A"
    new = await doc.apply_action(actions[0])
    assert new == REQUESTS.replace("{\\partial A} \\]", "{\\partial A} = B^\\top \\]")
    await doc.diagnostics()
    actions = await doc.actions("\\|A\\mathbf{x}\\|^2", 2)
    assert actions[0].title == "Evaluate ∇ₓ ‖Ax‖²"
    new = await doc.apply_action(actions[0])
    assert (
        "\\nabla_{\\mathbf{x}} \\|A\\mathbf{x}\\|^2 &= 2 A^\\top A \\mathbf{x}\n\\end{align}" in new
    )
