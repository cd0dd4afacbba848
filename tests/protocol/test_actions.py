r"""Code actions without a client: the server's handlers called directly (the end-to-end
tests are in ``tests/lsp``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad.calculus.api import DiffOutcome
from texgrad.protocol import actions
from texgrad.protocol.server import Document, RequestFailed, TexgradServer


def test_every_differentiation_thread_is_warmed_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from texgrad.calculus import api
    from texgrad.protocol.actions import warm_up

    threads: list[int] = []
    monkeypatch.setattr(api, "warm_up", lambda: threads.append(threading.get_ident()))
    pool = ThreadPoolExecutor(2)
    warm_up(SimpleNamespace(diff_pool=pool))
    pool.shutdown(wait=True)
    assert len(threads) == len(set(threads)) == 2


def test_the_engine_warm_up_differentiates() -> None:
    from texgrad.calculus import api

    assert api.warm_up()


@pytest.fixture
def servers() -> Iterator[list[TexgradServer]]:
    """Servers made in a test (never started: its handlers are called directly)."""
    made: list[TexgradServer] = []
    yield made
    for ls in made:
        ls.diff_pool.shutdown(wait=True)
        ls.analysis_pool.shutdown(wait=True)


@pytest.fixture(autouse=True)
def _a_listing_waits_for_its_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings wait up to 60 s for their differentiations, not LIST_DEADLINE's 2 s, past
    which a result is titled "not verified": the first listing of a test took 0.77-1.35 s
    at load 6 on 2 cores (1.5x).  These tests claim what is listed and resolved; the
    deadline's own behaviour is tests/protocol/test_stopping.py's."""
    monkeypatch.setattr(actions, "LIST_DEADLINE", 60.0)


def _server_with(path: Path, text: str) -> tuple[TexgradServer, Document]:
    ls = TexgradServer()
    ls.protocol.client_capabilities = types.ClientCapabilities(  # a client resolving lazily
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
                data_support=True,
            )
        )
    )
    doc = Document(path.as_uri(), str(path), "markdown", 1, text)
    ls.docs[doc.uri] = doc
    return ls, doc


async def _list(ls: TexgradServer, doc: Document, at: int) -> list[types.CodeAction]:
    pos = ls.positions_of(doc.path, doc.text)
    p = pos.position(at)
    got = await actions.code_actions(
        ls,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            range=types.Range(p, p),
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )
    return list(got or [])


MD_DOC = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $b \\in \\mathbb{R}^m$, $x \\in \\mathbb{R}^n$.\n\n"
    "$$ f(x) = \\|A x - b\\|^2 $$\n"
)


@pytest.mark.asyncio
async def test_resolve_reuses_what_the_listing_computed(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    ls, doc = _server_with(tmp_path / "reuse.md", MD_DOC)
    servers.append(ls)
    done: list[tuple[object, ...]] = []
    differentiate = ls.ws.differentiate

    def counted(*args: Any) -> DiffOutcome:
        done.append(args[1:])
        return differentiate(*args)

    ls.ws.differentiate = counted  # type: ignore[method-assign]
    listed = await _list(ls, doc, MD_DOC.index("f(x)"))
    titles = [a.title for a in listed]
    assert "Differentiate f w.r.t. x (gradient)" in titles  # verified: no "not verified"
    assert "Hessian of f w.r.t. x" in titles
    assert len(done) == len(set(done)) == 5  # x, A, b and the Hessians of x and b, once each
    for action in listed:
        assert action.edit is None  # edits are built when resolved
        if action.command is not None:  # "Show derivation": displayed, nothing to resolve
            continue
        resolved = await actions.resolve(ls, action)
        assert resolved.edit is not None
    assert len(done) == 5  # resolving differentiated nothing again
    gradient = next(a for a in listed if a.title.startswith("Differentiate f w.r.t. x"))
    assert gradient.edit is not None and gradient.edit.changes is not None
    (edit,) = gradient.edit.changes[doc.uri]
    assert "\\nabla_x f = 2 A^\\top (A x - b)" in edit.new_text
    inserted = ls.ws.inserted_in(doc.path, "\\nabla_x f = 2 A^\\top (A x - b)")
    assert inserted is not None and inserted.verified and "verified at" in inserted.note
    # another text: another outcome, and an action offered on the old text is refused
    doc.text = MD_DOC.replace("A x - b", "A x + b")
    doc.version = 2
    stale = listed[0]
    stale.edit = None
    with pytest.raises(RequestFailed):
        await actions.resolve(ls, stale)
    again = await _list(ls, doc, MD_DOC.index("f(x)"))
    assert [a.title for a in again] == titles and len(done) == 10


@pytest.mark.asyncio
async def test_an_unverified_result_is_titled_so(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    from dataclasses import replace

    ls, doc = _server_with(tmp_path / "unverified.md", MD_DOC)
    servers.append(ls)
    differentiate = ls.ws.differentiate

    def unverified(*args: Any) -> DiffOutcome:
        return replace(differentiate(*args), verified=False, note="NOT verified: test")

    ls.ws.differentiate = unverified  # type: ignore[method-assign]
    titles = [a.title for a in await _list(ls, doc, MD_DOC.index("f(x)"))]
    assert "Differentiate f w.r.t. x (gradient, not verified)" in titles
    assert "Hessian of f w.r.t. x (not verified)" in titles
    assert all("verified" in t for t in titles if t.startswith(("Differentiate", "Hessian")))


REQUEST_DOC = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$ and $B \\in \\mathbb{R}^{n \\times m}$.\n\n"
    "$$ \\frac{\\partial \\operatorname{tr}(AB)}{\\partial A} $$\n\n"
    "$$ \\nabla_A \\operatorname{tr}(AB) = $$\n"
)


@pytest.mark.asyncio
async def test_a_derivative_request_is_offered_evaluated(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    ls, doc = _server_with(tmp_path / "request.md", REQUEST_DOC)
    servers.append(ls)
    listed = await _list(ls, doc, REQUEST_DOC.index("\\frac"))
    assert [a.title for a in listed][:1] == ["Evaluate ∂ tr(AB)/∂A"]
    action = listed[0]
    assert action.kind == types.CodeActionKind.RefactorRewrite and action.edit is None
    resolved = await actions.resolve(ls, action)
    assert resolved.edit is not None and resolved.edit.changes is not None
    (edit,) = resolved.edit.changes[doc.uri]
    assert edit.new_text == " = B^\\top"
    end = REQUEST_DOC.index("$$\n\n$$ \\nabla") - 1  # right after the request
    assert edit.range.start == edit.range.end == ls.positions_of(doc.path, doc.text).position(end)
    inserted = ls.ws.inserted_in(
        doc.path, "\\frac{\\partial \\operatorname{tr}(AB)}{\\partial A} = B^\\top"
    )
    assert inserted is not None and inserted.verified
    # a request on the left of an empty `=`: the value after the `=`
    listed = await _list(ls, doc, REQUEST_DOC.index("\\nabla"))
    assert listed[0].title == "Evaluate ∇_A tr(AB)"
    resolved = await actions.resolve(ls, listed[0])
    assert resolved.edit is not None and resolved.edit.changes is not None
    (edit,) = resolved.edit.changes[doc.uri]
    assert edit.new_text == " B^\\top"
    at = REQUEST_DOC.index("= $$") + 1
    assert edit.range.start == ls.positions_of(doc.path, doc.text).position(at)


@pytest.mark.asyncio
async def test_an_unverified_evaluation_says_so_and_a_hessian_request_gets_one(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    from dataclasses import replace

    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $b \\in \\mathbb{R}^m$, $x \\in \\mathbb{R}^n$.\n\n"
        "$$ \\nabla^2_x \\frac{1}{2}\\|A x - b\\|^2 $$\n"
    )
    ls, doc = _server_with(tmp_path / "hessian.md", text)
    servers.append(ls)
    listed = await _list(ls, doc, text.index("\\nabla"))
    assert listed[0].title == "Evaluate ∇²ₓ 1/2 ‖Ax - b‖²"
    resolved = await actions.resolve(ls, listed[0])
    assert resolved.edit is not None and resolved.edit.changes is not None
    (edit,) = resolved.edit.changes[doc.uri]
    assert edit.new_text == " = A^\\top A"
    differentiate = ls.ws.differentiate

    def unverified(*args: Any) -> DiffOutcome:
        return replace(differentiate(*args), verified=False, note="NOT verified: test")

    ls.ws.differentiate = unverified  # type: ignore[method-assign]
    doc.text = text.replace("- b", "+ b")
    doc.version = 2
    listed = await _list(ls, doc, text.index("\\nabla"))
    assert listed[0].title == "Evaluate ∇²ₓ 1/2 ‖Ax + b‖² (not verified)"
