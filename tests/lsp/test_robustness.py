"""The server survives what editors and users send it, and keeps serving."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

SMALL = r"""Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^m$. Then $A x$.
"""


# Seconds an answer may take: the claim is that one comes (a server that stopped serving
# never answers), on a loaded CI machine where a small document's analysis took 7 s.
ANSWER = 60


async def _still_serving(client: LanguageClient, doc: Doc) -> None:
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=doc.ident(), position=doc.pos("A x"))
        ),
        ANSWER,
    )
    assert hover is not None


async def test_malformed_requests_get_an_error(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("small.tex", SMALL)
    await doc.diagnostics()
    with pytest.raises(JsonRpcException):
        await _raw_request(client, "raw-1", "textDocument/hover", {"textDocument": 5})
    # a bare Command sent to codeAction/resolve (some clients do): an answer, not a hang
    with pytest.raises(JsonRpcException):
        await _raw_request(
            client, "raw-2", "codeAction/resolve", {"title": "Run", "command": "texgrad.nothing"}
        )
    # not even JSON
    _write(client, b"{ this is not json")
    await _still_serving(client, doc)


def _write(client: LanguageClient, body: bytes) -> None:
    server = client._server
    assert server is not None and server.stdin is not None
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def _raw_request(client: LanguageClient, msg_id: str, method: str, params: Any) -> Any:
    """Send a request the typed client would refuse to build; wait for the answer."""
    fut: Future[Any] = Future()
    client.protocol._request_futures[msg_id] = fut
    body = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
    _write(client, json.dumps(body).encode())
    return await asyncio.wait_for(asyncio.wrap_future(fut), ANSWER)


async def test_resolve_hands_back_actions_it_does_not_own(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("small.tex", SMALL)
    await doc.diagnostics()
    action = types.CodeAction(
        title="Run something",
        command=types.Command(title="Run something", command="other.run", arguments=[1]),
    )
    back = await client.code_action_resolve_async(action)
    assert back.title == "Run something" and back.edit is None
    assert back.command is not None and back.command.command == "other.run"
    back = await client.code_action_resolve_async(types.CodeAction(title="x", data={"a": 1}))
    assert back.data == {"a": 1}


async def test_positions_out_of_range_and_unknown_documents(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("small.tex", SMALL)
    await doc.diagnostics()
    for pos in (types.Position(999, 0), types.Position(0, 10_000), types.Position(1, 5)):
        await client.text_document_hover_async(
            types.HoverParams(text_document=doc.ident(), position=pos)
        )
        await client.text_document_definition_async(
            types.DefinitionParams(text_document=doc.ident(), position=pos)
        )
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc.ident(),
                range=types.Range(start=pos, end=types.Position(2000, 3)),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
    unknown = types.TextDocumentIdentifier(uri="file:///nowhere/missing.tex")
    assert (
        await client.text_document_hover_async(
            types.HoverParams(text_document=unknown, position=types.Position(0, 0))
        )
        is None
    )
    await _still_serving(client, doc)


async def test_binary_junk_and_a_huge_document(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    junk = (
        "\x00\x01\x02 \ufffd\x0c\u2028 $\\begin{align} A \\\\ \\\\ \\\\ $ \x1b[31m $$ \\frac{ $$\n"
        * 50
    )
    bad = open_doc("junk.tex", junk, write=False)
    await bad.diagnostics()
    big = open_doc("big.md", ("Some text with $x^2 + y$ math. " * 40 + "\n\n") * 8200, write=False)
    assert len(big.text) > 10_000_000
    diags = await big.diagnostics(timeout=60)
    assert [d.code for d in diags] == ["not-analysed"]
    assert "does not analyse" in diags[0].message
    doc = open_doc("small.tex", SMALL)
    assert [d.code for d in await doc.diagnostics()] == ["matmul-mismatch"]
    await _still_serving(client, doc)


async def test_a_request_can_be_cancelled(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("small.tex", SMALL)
    p = doc.pos("A x")
    fut = client.protocol.send_request(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionParams(
            text_document=doc.ident(),
            range=types.Range(start=p, end=p),
            context=types.CodeActionContext(diagnostics=[]),
        ),
        msg_id="cancel-me",
    )
    client.cancel_request(types.CancelParams(id="cancel-me"))
    try:
        await asyncio.wait_for(asyncio.wrap_future(fut), ANSWER)
    except JsonRpcException as exc:  # RequestCancelled
        assert exc.code == -32800
    await _still_serving(client, doc)


async def test_rapid_edits_publish_the_last_version(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("small.tex", SMALL)
    await doc.diagnostics()
    for i in range(12):
        doc.change(doc.text.replace("Then", f"Then{'!' * (i % 3)}", 1) if i % 2 else doc.text + " ")
    doc.change(doc.text.replace("\\mathbb{R}^m$", "\\mathbb{R}^n$"))
    assert await doc.diagnostics() == []
    got = client.published[doc.uri]  # type: ignore[attr-defined]
    assert got.version == doc.version


async def test_a_differentiation_over_budget_is_not_offered(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    client.set_configuration({"differentiation": {"timeBudget": 0.1}}, section="texgrad")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    terms = " + ".join(
        f"\\operatorname{{tr}}((X^\\top X + {k} I)^{{-1}} X^\\top A X (X^\\top X + I)^{{-1}})"
        for k in range(1, 30)
    )
    text = f"Let $X \\in \\mathbb{{R}}^{{m \\times n}}$, $A \\in \\mathbb{{R}}^{{m \\times m}}$.\n\n$$\nf(X) = {terms}\n$$\n"
    doc = open_doc("slow.md", text)
    await doc.diagnostics()
    actions = await asyncio.wait_for(doc.actions("f(X)", 2), 30)
    offered = [a for a in actions if a.title.startswith("Differentiate f w.r.t. X (gradient)")]
    # not offered; a client listing disabled actions sees it disabled with the budget's reason
    assert all(a.disabled is not None and "time budget" in a.disabled.reason for a in offered)
    assert not [a for a in offered if a.edit is not None or a.command is not None]
