r"""Stopping work nobody waits for: a job stopped in its thread, and code actions whose
differentiations are stopped when their request is cancelled or a newer listing starts,
so that the next cheap action does not queue behind them."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad.calculus.api import DiffOutcome
from texgrad.protocol import actions
from texgrad.protocol.server import Document, TexgradServer
from texgrad.protocol.stopping import Job, Stopped


def _busy(seconds: float) -> int:
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
    return n


def test_a_running_job_stops_at_once_and_its_pool_keeps_working() -> None:
    pool = ThreadPoolExecutor(1)
    try:
        job = Job(_busy, 30.0)
        fut = pool.submit(job.run)
        time.sleep(0.2)
        start = time.monotonic()
        assert job.stop()
        with pytest.raises(Stopped):
            fut.result(5)
        assert time.monotonic() - start < 1
        # stops racing with the end of short jobs never reach the pool's own loop
        rng = random.Random(7)
        for _ in range(200):
            job = Job(_busy, rng.random() * 0.002)
            fut = pool.submit(job.run)
            time.sleep(rng.random() * 0.002)
            job.stop()
            try:
                fut.result(5)
            except Stopped:
                pass
        assert pool.submit(Job(_busy, 0.01).run).result(5) > 0
        waiting = Job(_busy, 1.0)
        assert waiting.stop() and waiting.state == "done"
        with pytest.raises(Stopped):
            waiting.run()
    finally:
        pool.shutdown(wait=True)


DOC = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $b \\in \\mathbb{R}^m$, $x \\in \\mathbb{R}^n$.\n\n"
    "$$ f(x) = \\|A x - b\\|^2 $$\n"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TexgradServer]:
    ls = TexgradServer()
    ls.protocol.client_capabilities = types.ClientCapabilities(  # resolves edits lazily
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
                data_support=True,
            )
        )
    )
    for name in ("slow.md", "cheap.md"):
        doc = Document((tmp_path / name).as_uri(), str(tmp_path / name), "markdown", 1, DOC)
        ls.docs[doc.uri] = doc
    differentiate = ls.ws.differentiate

    def slow_there(result: Any, *args: Any) -> DiffOutcome:
        if result.path.endswith("slow.md"):
            _busy(60.0)  # a runaway differentiation, in pure Python
        return differentiate(result, *args)

    ls.ws.differentiate = slow_there  # type: ignore[method-assign]
    yield ls
    for fut in list(actions._jobs):
        actions._stop(fut)
    ls.diff_pool.shutdown(wait=True)
    ls.query_pool.shutdown(wait=True)
    ls.analysis_pool.shutdown(wait=True)


async def _list(ls: TexgradServer, name: str) -> list[types.CodeAction]:
    doc = next(d for d in ls.docs.values() if d.path.endswith(name))
    p = ls.positions_of(doc.path, doc.text).position(DOC.index("f(x)"))
    got = await actions.code_actions(
        ls,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            range=types.Range(p, p),
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )
    return list(got or [])


VERIFIED = "Differentiate f w.r.t. x (gradient)"
# The listing deadline while the cheap document is listed after the slow one: its
# differentiations took 0.26-0.73 s on a loaded machine (load 8-10 on 2 cores), against the
# 2 s of LIST_DEADLINE (2.7x); past it they are titled "not verified".  30 s is well under
# the slow differentiations' 60 s: queued behind them, the cheap ones would still miss it.
CHEAP_DEADLINE = 30.0


@pytest.mark.asyncio
async def test_a_cancelled_listing_frees_the_workers(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _list(server, "cheap.md")  # (warm: analysed, the engine imported)
    actions._cache.clear()
    listing = asyncio.ensure_future(_list(server, "slow.md"))
    await asyncio.sleep(0.5)  # its differentiations hold both workers
    listing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listing
    monkeypatch.setattr(actions, "LIST_DEADLINE", CHEAP_DEADLINE)
    start = time.monotonic()
    titles = [a.title for a in await _list(server, "cheap.md")]
    assert VERIFIED in titles, titles  # computed at once, not queued behind the slow ones
    assert time.monotonic() - start < CHEAP_DEADLINE


@pytest.mark.asyncio
async def test_a_newer_listing_stops_what_an_older_one_left_running(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _list(server, "cheap.md")
    actions._cache.clear()
    start = time.monotonic()
    slow = [a.title for a in await _list(server, "slow.md")]
    # listing never waits for a slow differentiation (60 s): listed by the deadline,
    # unverified (a loaded machine's slack beside it)
    assert time.monotonic() - start < actions.LIST_DEADLINE + 5
    assert "Differentiate f w.r.t. x (gradient, not verified)" in slow
    monkeypatch.setattr(actions, "LIST_DEADLINE", CHEAP_DEADLINE)
    start = time.monotonic()
    titles = [a.title for a in await _list(server, "cheap.md")]
    assert VERIFIED in titles, titles
    assert time.monotonic() - start < CHEAP_DEADLINE
