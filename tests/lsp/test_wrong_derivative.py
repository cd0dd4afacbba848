"""``wrong-derivative`` in the editor: published after the shape diagnostics, with its quick
fix (the verified derivative in place of the written one)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

NOTES = r"""# Notes

We use denominator layout.

Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times n}$ and $\mathbf x \in \mathbb{R}^n$.

$$
\frac{\partial \operatorname{tr}(AX)}{\partial X} = A
$$

$$
\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = (A + A^\top)\mathbf x
$$
"""


async def _wrong(doc: Doc, timeout: float = 60) -> list[types.Diagnostic]:
    async def wait() -> list[types.Diagnostic]:
        while True:
            found = [d for d in await doc.diagnostics() if d.code == "wrong-derivative"]
            if found:
                return found
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), timeout)


async def test_wrong_derivative_reaches_the_client_with_its_quick_fix(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("notes.md", NOTES)
    (d,) = await _wrong(doc)
    assert doc.span(d.range) == "A"
    assert d.severity == types.DiagnosticSeverity.Warning and d.source == "texgrad"
    assert "is not the derivative of `\\operatorname{tr}(AX)` with respect to `X`" in d.message
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert result is not None
    (fix,) = [a for a in result if isinstance(a, types.CodeAction)]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.title.startswith("Replace by")
    new = await doc.apply_action(fix)
    assert "\\frac{\\partial \\operatorname{tr}(AX)}{\\partial X} = A^\\top\n" in new
    assert await doc.diagnostics() == []
    await asyncio.sleep(1.0)  # the derivative check of the new text finds nothing more
    assert await doc.diagnostics() == []


LAYOUT = r"""# Notes in numerator layout

We use numerator layout throughout.

Let $A \in \mathbb{R}^{p \times m}$, $X \in \mathbb{R}^{m \times q}$ and $B \in \mathbb{R}^{q \times p}$.

$$
\frac{\partial \operatorname{tr}(AXB)}{\partial X} = A^\top B^\top
$$
"""


async def test_the_quick_fix_under_a_stated_layout_reaches_the_client(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("layout.md", LAYOUT)
    (d,) = await _wrong(doc)
    assert doc.span(d.range) == "A^\\top B^\\top"
    assert d.message.endswith("is the derivative in the other layout)")
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert result is not None
    # the shape check agrees, under the layout the text states: the n×m derivative by an m×n
    # X is not the m×n product, and its own fix transposes it (to B A as well)
    titles = sorted(a.title for a in result if isinstance(a, types.CodeAction))
    assert titles == [
        "Replace by the derivative texgrad verified: B A",
        "Transpose `A^\\top B^\\top`",
    ]
    (fix,) = [
        a for a in result if isinstance(a, types.CodeAction) and a.title.startswith("Replace")
    ]
    new = await doc.apply_action(fix)
    assert "\\frac{\\partial \\operatorname{tr}(AXB)}{\\partial X} = B A\n" in new
    await asyncio.sleep(1.0)  # the derivative check of the new text finds nothing
    codes = ("wrong-derivative", "equation-mismatch")
    assert [d for d in await doc.diagnostics() if d.code in codes] == []


SOFTMAX = r"""# Softmax

Let $\mathbf z \in \mathbb{R}^K$ and $\mathbf s = \operatorname{softmax}(\mathbf z)$.

$$
\frac{\partial s_i}{\partial z_j} = s_j(\delta_{ij} - s_i) + s_i
$$
"""


async def test_a_jacobian_entry_is_fixed_in_index_notation(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    """∂s_i/∂z_j written wrong: the warning and its quick fix, the entry texgrad verified at
    every (i, j), written in the document's ``s``; the fixed text is checked again, silent."""
    doc = open_doc("softmax.md", SOFTMAX)
    (d,) = await _wrong(doc)
    assert doc.span(d.range) == "s_j(\\delta_{ij} - s_i) + s_i"
    assert "texgrad finds `s_i \\delta_{ij} - s_i s_j`" in d.message
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert result is not None
    (fix,) = [a for a in result if isinstance(a, types.CodeAction)]
    new = await doc.apply_action(fix)
    assert "\\frac{\\partial s_i}{\\partial z_j} = s_i \\delta_{ij} - s_i s_j\n" in new
    await asyncio.sleep(1.0)
    assert [x for x in await doc.diagnostics() if x.code == "wrong-derivative"] == []


BOTH = r"""# Notes

We use denominator layout.

Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{m \times p}$ and $\mathbf y \in \mathbb{R}^n$.

$$
\frac{\partial \operatorname{tr}(AX)}{\partial X} = A
$$

Then $B \mathbf y$ is a vector.
"""


async def test_the_shape_diagnostics_come_first_and_the_derivative_check_replaces_them(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    """Issue 17: what a document's shapes say is published as soon as it is known, before
    the written derivatives are checked; the check's publish then holds both, each once
    (it replaces the first list, as LSP's publishDiagnostics does, never adds to it)."""
    doc = open_doc("both.md", BOTH)
    seen: dict[str, types.PublishDiagnosticsParams] = client.published  # type: ignore[attr-defined]
    lists: list[list[str | int | None]] = []
    last = None

    async def record() -> None:
        nonlocal last
        while True:
            got = seen.get(doc.uri)
            if got is not None and got is not last:
                last = got
                lists.append(sorted(str(d.code) for d in got.diagnostics))
                if "wrong-derivative" in lists[-1]:
                    return
            await asyncio.sleep(0.005)

    await asyncio.wait_for(record(), 60)
    assert lists[0] == ["matmul-mismatch"]  # (the shapes' list, alone)
    assert lists[-1] == ["matmul-mismatch", "wrong-derivative"]
    (mismatch,) = [d for d in last.diagnostics if d.code == "matmul-mismatch"]
    assert doc.span(mismatch.range) in ("B \\mathbf y", "B", "\\mathbf y")
