r"""Stopping analyses and checks that are of no use any more, at points where what they
built is whole (texgrad/stop_points.py): an analysis whose text changed, one another
document waits behind (it makes way and goes on from what it parsed), a derivative check
of a text gone; and the engine's budget checks reach the server's stop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fixtures import in_fresh_process_only, run_in_fresh_process
from texgrad.calculus import deadline
from texgrad.calculus.differential import Budget
from texgrad.protocol import derivative_checks
from texgrad.protocol.app import create_server
from texgrad.protocol.server import TexgradServer
from texgrad.protocol.stopping import Job
from texgrad.shapes import check as check_module
from texgrad.shapes.check import Checker
from texgrad.stop_points import Stopped, StopRequest, point, stoppable
from texgrad.workspace import Workspace

# A document of many rows (each parsed on its own), one mismatch at its end.
ROWS = 60
BIG = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^m$.\n\n"
    + "".join(f"$$ y_{{{i}}} = A^\\top x + {i} $$\n\n" for i in range(ROWS))
    + "$$ z = A x $$\n"
)
SMALL = "Let $B \\in \\mathbb{R}^{2 \\times 3}$ and $v \\in \\mathbb{R}^2$.\n\n$$ w = B v $$\n"


def _facts(result: Any) -> list[tuple[str, int, int]]:
    return [(d.code, d.start, d.end) for d in result.diagnostics]


def test_a_stop_point_raises_only_for_a_requested_stop() -> None:
    point()  # no job: nothing
    request = StopRequest()
    with stoppable(request):
        point()
        deadline.checkpoint()
        Budget(10).check()
        request.request()
        for stop_point in (point, deadline.checkpoint, Budget(10).check):
            with pytest.raises(Stopped):  # (not BudgetExceeded: no verdict is made of it)
                stop_point()
    point()  # the block is over: this thread is no job any more


def test_a_cooperative_job_stops_at_its_points_and_a_forced_one_at_once() -> None:
    reached = []

    def loop(with_points: bool) -> None:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if with_points:
                point()
        reached.append("end")

    for with_points, force in ((True, False), (False, True)):
        job = Job(loop, with_points, cooperative=True)
        thread = threading.Thread(target=lambda j=job: _swallow(j.run))
        thread.start()
        while job.state == "waiting":
            time.sleep(0.01)
        assert job.stop(force=force)
        thread.join(10)
        assert not thread.is_alive() and job.forced is force
    assert reached == []


def _swallow(fn: Any) -> None:
    try:
        fn()
    except Stopped:
        pass


def test_a_check_stopped_between_rows_keeps_what_it_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "big.md")
    parsed: list[str] = []
    parse_row = check_module.parse_row
    request = StopRequest()

    def counting(text: Any) -> Any:
        parsed.append(text.text)
        if len(parsed) == 20:
            request.request()  # stopped before the next row
        return parse_row(text)

    monkeypatch.setattr(check_module, "parse_row", counting)
    checker = Checker()
    with stoppable(request), pytest.raises(Stopped):
        checker.check(path, None, tmp_path, BIG)
    assert len(parsed) == 20
    result = checker.check(path, None, tmp_path, BIG)
    assert len(parsed) == ROWS + 3  # every row parsed once, none twice
    assert len(set(parsed)) == len(parsed)
    assert _facts(result) == _facts(Checker().check(path, None, tmp_path, BIG))
    assert [d.code for d in result.diagnostics] == ["matmul-mismatch"]


def test_a_stopped_derivative_check_keeps_the_verdicts_it_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from texgrad.calculus import written_derivatives as wd

    def stopped_after_one(result: Any, seconds: float, cache: dict[Any, Any], **_: Any) -> Any:
        cache[("claim",)] = True
        raise Stopped

    monkeypatch.setattr(wd, "check_written", stopped_after_one)
    ws = Workspace()
    result = type("Checked", (), {"path": "/notes.md"})()
    with pytest.raises(Stopped):
        ws.wrong_derivatives(result)
    assert ws._verdicts["/notes.md"] == {("claim",): True}


# -- the server ---------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[TexgradServer]:
    ls = create_server()
    ls.debounce = 0.0
    published: dict[str, list[tuple[int | None, list[types.Diagnostic]]]] = {}

    def publish(params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.uri, []).append((params.version, list(params.diagnostics)))

    ls.text_document_publish_diagnostics = publish  # type: ignore[method-assign]
    ls.published = published  # type: ignore[attr-defined]
    yield ls
    ls.diff_pool.shutdown(wait=True)
    ls.query_pool.shutdown(wait=True)
    ls.analysis_pool.shutdown(wait=True)


def _open(ls: TexgradServer, path: Path, text: str) -> None:
    ls.open(types.TextDocumentItem(uri=path.as_uri(), language_id="markdown", version=1, text=text))


def _change(ls: TexgradServer, path: Path, text: str, version: int) -> None:
    ls.change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _until(test: Any, what: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < end, f"never: {what}"
        await asyncio.sleep(0.01)


def _slow_rows(monkeypatch: pytest.MonkeyPatch, marker: str) -> list[str]:
    """Rows holding ``marker`` take a while to parse (the analysis holds the thread); the
    rows parsed are listed."""
    parsed: list[str] = []
    parse_row = check_module.parse_row

    def slow(text: Any) -> Any:
        parsed.append(text.text)
        if marker in text.text:
            time.sleep(0.03)  # (sleeping, as C code would: the stop comes at the next row)
        return parse_row(text)

    monkeypatch.setattr(check_module, "parse_row", slow)
    return parsed


@pytest.mark.asyncio
async def test_an_edit_during_a_long_analysis_stops_it_and_the_new_text_is_published(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _slow_rows(monkeypatch, "y_")
    published = server.published  # type: ignore[attr-defined]
    big = tmp_path / "big.md"
    _open(server, big, BIG)
    await _until(lambda: len(parsed) >= 10, "the analysis parses")
    edited = BIG.replace("$$ z = A x $$", "$$ z = A^\\top x $$")
    _change(server, big, edited, 2)
    await _until(lambda: big.as_uri() in published, "diagnostics")
    await asyncio.sleep(0.2)
    # only the new text's diagnostics were published (no mismatch left in it) ...
    assert published[big.as_uri()] == [(2, [])]
    # ... and the stale analysis stopped half way: no row parsed twice, the edited one once
    assert len(parsed) == len(set(parsed)) == ROWS + 3
    # (the run is let go when its job's end is next looked at: polled, not at once — a loaded
    # CI machine took longer than the 0.2 s above once)
    await _until(lambda: server._running is None, "the run let go")
    assert server.ws.checker is not None


@in_fresh_process_only()
@pytest.mark.asyncio
async def test_a_slow_analysis_makes_way_for_another_document_and_goes_on(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from texgrad.protocol import server as server_module

    # (GRACE's wall-clock cap, 4 × GRACE, long: on a loaded machine the asked analysis may
    # wait that long for the processor before it reaches its stop point)
    monkeypatch.setattr(server_module, "GRACE", 2.5)
    parsed = _slow_rows(monkeypatch, "y_")
    published = server.published  # type: ignore[attr-defined]
    big, small = tmp_path / "big.md", tmp_path / "small.md"
    ws = server.ws
    _open(server, big, BIG)
    await _until(lambda: len(parsed) >= 5, "the analysis parses")
    _open(server, small, SMALL)
    await _until(lambda: big.as_uri() in published, "the big document's diagnostics")
    # the small document did not wait for the big one to finish ...
    assert small.as_uri() in published
    assert [d.code for d in published[small.as_uri()][0][1]] == ["matmul-mismatch"]
    # ... which went on in the same workspace from the rows it had parsed: none twice
    assert server.ws is ws
    big_rows = [r for r in parsed if "y_" in r]
    assert len(big_rows) == len(set(big_rows)) == ROWS
    (only,) = published[big.as_uri()]
    assert [d.code for d in only[1]] == ["matmul-mismatch"]


@pytest.mark.asyncio
async def test_a_derivative_check_waits_for_quiet_and_an_edit_stops_it(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(derivative_checks, "QUIET", 0.05)
    state: dict[str, Any] = {"runs": 0, "ended": []}

    def runaway(result: Any, seconds: float = 10.0, deadline: Any = None) -> list[Any]:
        state["runs"] += 1
        try:
            end = time.monotonic() + 60
            while time.monotonic() < end:  # pure Python, as the engine is
                pass
            return []
        finally:
            state["ended"].append(result.doc.text)

    server.ws.wrong_derivatives = runaway  # type: ignore[method-assign]
    doc = tmp_path / "notes.md"
    _open(server, doc, SMALL)
    await _until(lambda: state["runs"] == 1, "the check starts")
    _change(server, doc, SMALL + "\nMore.\n", 2)
    await _until(lambda: state["ended"] == [SMALL], "the stale check stops")
    await _until(lambda: state["runs"] == 2, "the new text's check starts")
    server.close(doc.as_uri())
    await _until(lambda: len(state["ended"]) == 2, "the closed document's check stops")


@pytest.mark.asyncio
async def test_the_warm_up_waits_for_the_first_analyses(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = _slow_rows(monkeypatch, "y_")
    warmed: list[int] = []
    server._initialized_hooks[:] = [lambda: warmed.append(len(parsed))]
    _open(server, tmp_path / "big.md", BIG)
    server.initialized()
    await _until(lambda: warmed, "the warm-up")
    assert warmed == [ROWS + 3]  # after the first analysis, not beside it


def test_in_a_fresh_process_a_slow_analysis_makes_way_for_another_document_and_goes_on() -> None:
    run_in_fresh_process(
        f"{__file__}::test_a_slow_analysis_makes_way_for_another_document_and_goes_on"
    )
