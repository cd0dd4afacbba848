r"""The server's check of the derivatives a document writes (protocol/derivative_checks.py),
driven without a client: bounded by its deadline (then an information note says how many
were not checked), and stopped by a newer text of the document."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad.protocol import derivative_checks
from texgrad.protocol.server import TexgradServer

DOC = (
    "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
    "$$ \\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2 A \\mathbf x $$\n"
)


def _open(ls: TexgradServer, path: Path, text: str, version: int = 1) -> None:
    if version == 1:
        item = types.TextDocumentItem(
            uri=path.as_uri(), language_id="markdown", version=1, text=text
        )
        ls.open(item)
        return
    ls.change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _codes(ls: TexgradServer, uri: str, want: str) -> list[str]:
    published: dict[str, list[types.Diagnostic]] = ls.published  # type: ignore[attr-defined]
    end = time.monotonic() + 120  # (the wall clock, not a count of polls: a loaded machine)
    while time.monotonic() < end:
        await asyncio.sleep(0.02)
        codes = [str(d.code) for d in published.get(uri, [])]
        if want in codes:
            return codes
    raise AssertionError(f"no {want} published: {published.get(uri)}")


@pytest.mark.asyncio
async def test_past_its_deadline_the_check_says_what_it_did_not_check(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(derivative_checks, "SECONDS", 0.0)
    doc = tmp_path / "doc.md"
    _open(server, doc, DOC)
    codes = await _codes(server, doc.as_uri(), "derivatives-unchecked")
    assert codes == ["derivatives-unchecked"]
    note = server.published[doc.as_uri()][0]  # type: ignore[attr-defined]
    assert note.severity == types.DiagnosticSeverity.Information
    assert note.message.startswith("the derivative this document writes was not checked")


@pytest.mark.asyncio
async def test_a_newer_text_stops_the_check_of_the_older_one(
    tmp_path: Path, server: TexgradServer
) -> None:
    real = server.ws.wrong_derivatives
    stopped: list[bool] = []
    first = threading.Event()

    def held(result: Any, seconds: float, deadline: Any) -> Any:
        if not first.is_set():  # the first text's check runs until it is stopped
            first.set()
            try:
                for _ in range(1000):
                    if deadline.passed():
                        break
                    threading.Event().wait(0.01)
            finally:  # (stopped at once by the server, its deadline cancelled first)
                stopped.append(deadline.cancelled)
            return []
        return real(result, seconds, deadline)

    server.ws.wrong_derivatives = held  # type: ignore[method-assign]
    doc = tmp_path / "doc.md"
    _open(server, doc, DOC)
    # (up to 60 s, not 500 polls of 10 ms: the first analysis imports the checker, 1.6 s of
    # a loaded machine's wall clock alone)
    end = time.monotonic() + 60
    while not first.is_set() and time.monotonic() < end:
        await asyncio.sleep(0.01)
    assert first.is_set()
    _open(server, doc, DOC.replace("Let", "Now let"), version=2)
    codes = await _codes(server, doc.as_uri(), "wrong-derivative")
    assert codes == ["wrong-derivative"] and stopped == [True]


@pytest.mark.asyncio
async def test_a_claim_out_of_its_time_under_load_is_checked_again_later(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim's own seconds ran out the first time (as on a loaded machine): it is not
    kept undecided for the session, but checked again RETRY_AFTER later, and its finding
    published then."""
    from texgrad.calculus import written_derivatives as wd

    real = wd.check_claim
    calls: list[int] = []

    def slow_first(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            return wd._undecided("engine: gave up after 3 s (the time budget)")
        return real(*args, **kwargs)

    monkeypatch.setattr(wd, "check_claim", slow_first)
    monkeypatch.setattr(derivative_checks, "RETRY_AFTER", 0.05)
    doc = tmp_path / "doc.md"
    _open(server, doc, DOC)
    codes = await _codes(server, doc.as_uri(), "wrong-derivative")
    assert codes == ["wrong-derivative"] and len(calls) == 2
    assert not server.ws.retries_pending(str(doc.resolve()))


@pytest.mark.asyncio
async def test_time_its_worker_waits_is_not_counted_against_the_check(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's bound is its worker thread's CPU time (a loaded machine makes it wait
    its turn: correct work is not cut short), with a wall-clock backstop far beyond."""
    monkeypatch.setattr(derivative_checks, "SECONDS", 0.3)
    monkeypatch.setattr(derivative_checks, "ANALYSIS_WALL", 100.0)
    real = server.ws.wrong_derivatives
    seen: list[bool] = []

    def waiting(result: Any, seconds: float, deadline: Any) -> Any:
        with deadline.active():
            threading.Event().wait(0.8)  # (waits, as a starved thread does: no CPU time)
            seen.append(deadline.passed())
        # (its own CPU time: what the wait left of it, so the real check gets more)
        return real(result, 60.0, type(deadline)(60.0, cpu=True))

    server.ws.wrong_derivatives = waiting  # type: ignore[method-assign]
    doc = tmp_path / "doc.md"
    _open(server, doc, DOC)
    codes = await _codes(server, doc.as_uri(), "wrong-derivative")
    assert codes == ["wrong-derivative"] and seen == [False]


ROOT = (
    "\\documentclass{{book}}\n\\begin{{document}}\n"
    "Let $X \\in \\mathbb{{R}}^{{n \\times n}}$ be invertible.\n{}\n"
    "\\input{{grad}}\n\\end{{document}}\n"
)
# ∂ log det X/∂X = X^{-1}: right in numerator layout (or none stated), wrong in denominator
CHAPTER = "\\chapter{Gradients}\n\\[ \\frac{\\partial \\log\\det X}{\\partial X} = X^{-1} \\]\n"


async def _checked(ls: TexgradServer, uri: str, version: int) -> list[str]:
    """The codes published for ``uri`` once its derivatives are checked (the analysis of
    its text after the root's edit ``version``, not an older one)."""
    for _ in range(1500):
        await asyncio.sleep(0.02)
        doc = ls.docs[uri]
        root = next(d for d in ls.docs.values() if d.uri != uri)
        analysis = doc.analysis
        if root.version == version and analysis is not None and analysis.derivatives is not None:
            if analysis.result is not None and root.path in analysis.result.project_texts:
                if analysis.result.project_texts[root.path] == root.text:
                    return [str(d.code) for d in ls.published.get(uri, [])]  # type: ignore[attr-defined]
    raise AssertionError("the chapter's derivatives were never checked")


@pytest.mark.asyncio
async def test_the_root_s_layout_statement_rechecks_an_open_chapter(
    tmp_path: Path, server: TexgradServer
) -> None:
    """Stating a layout in the root (open, edited, not saved) before the chapter's
    ``\\input`` makes the chapter's claim wrong; taking it back makes it right again."""
    main, grad = tmp_path / "main.tex", tmp_path / "grad.tex"
    main.write_text(ROOT.format(""), "utf-8")
    grad.write_text(CHAPTER, "utf-8")
    for path, text in ((main, ROOT.format("")), (grad, CHAPTER)):
        server.open(
            types.TextDocumentItem(uri=path.as_uri(), language_id="latex", version=1, text=text)
        )
    assert "wrong-derivative" not in await _checked(server, grad.as_uri(), 1)
    for version, said in ((2, "We use denominator layout throughout."), (3, "")):
        server.change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=main.as_uri(), version=version
                ),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(text=ROOT.format(said))
                ],
            )
        )
        codes = await _checked(server, grad.as_uri(), version)
        assert ("wrong-derivative" in codes) == bool(said), (version, codes)


@pytest.mark.asyncio
@pytest.mark.parametrize("error", ["stopped", "memory"])
async def test_a_stopped_check_leaves_no_cycle_holding_what_it_checked(
    server: TexgradServer, error: str
) -> None:
    """A check stopped (by an edit, or its memory bound) lets go of the result it checked
    and of its frames at once: its ``Stopped`` raised where the check is awaited, its
    traceback held that frame, which held the future, which held it — a cycle that kept
    the result, at every edit during a check, until the next full collection."""
    import gc
    import weakref

    from texgrad.protocol.stopping import MemoryExceeded, Stopped

    class Checked:  # (stands for the CheckResult checked: weakly referable)
        path = "/doc.md"

    def stopped(result: Any, seconds: float, deadline: Any) -> Any:  # (its frame holds it)
        raise (
            Stopped("edited") if error == "stopped" else MemoryExceeded("past 2048 MB", 2048 << 20)
        )

    server.ws.wrong_derivatives = stopped  # type: ignore[method-assign]
    result = Checked()
    gone = weakref.ref(result)
    doc: Any = type("Doc", (), {"closed": False, "analysis": None, "text": ""})()
    doc.analysis = analysis = type("Analysis", (), {"text": ""})()
    gc.disable()
    try:
        found = await derivative_checks._check_once(server, doc, analysis, result)  # type: ignore[arg-type]
        del result
        await asyncio.sleep(0.05)  # (the future's callbacks run)
        assert found is None and gone() is None
    finally:
        gc.enable()
