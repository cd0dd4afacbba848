r"""The analysis budget is CPU time of the analysis thread, with a wall-clock backstop: an
analysis that waits (a loaded machine, where its thread does not get the CPU) is not cut
off for the time it waited, and one that never gets on is still cut off by the wall clock."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad.protocol import server as srv
from texgrad.protocol.server import TexgradServer, _bound_passed, _past_budget, _Run

TEXT = "\\section{Results}\nLet $A \\in \\mathbb{R}^{2 \\times 3}$, $x \\in \\mathbb{R}^2$. Then $A x$.\n"


class _Clock:
    """A job whose thread has used ``cpu`` seconds (None: not measurable)."""

    def __init__(self, cpu: float | None) -> None:
        self.cpu = cpu

    def cpu_seconds(self) -> float | None:
        return self.cpu


def _run(cpu_now: float | None, cpu_at_start: float | None) -> _Run:
    run = _Run(_Clock(cpu_now), "p", None, None, 0)  # type: ignore[arg-type]
    run.started, run.cpu_at_start = 100.0, cpu_at_start
    return run


def test_the_budget_is_cpu_time_with_a_wall_clock_backstop() -> None:
    budget = 10.0
    # 25 s on the wall clock, 4 s of CPU: a loaded machine, not a runaway
    assert not _past_budget(_run(54.0, 50.0), 125.0, budget)
    # 11 s of CPU in 12 s: past it
    assert _past_budget(_run(61.0, 50.0), 112.0, budget)
    # the backstop: past ANALYSIS_WALL × budget on the wall clock, whatever the CPU
    assert _past_budget(_run(51.0, 50.0), 100.0 + srv.ANALYSIS_WALL * budget + 0.1, budget)
    assert not _past_budget(_run(51.0, 50.0), 100.0 + srv.ANALYSIS_WALL * budget - 0.1, budget)
    # where the thread's CPU time cannot be read: the wall clock
    assert _past_budget(_run(None, None), 110.5, budget)
    assert not _past_budget(_run(None, None), 109.5, budget)


def test_the_note_says_which_bound_stopped_the_analysis() -> None:
    budget = 10.0
    backstop = 100.0 + srv.ANALYSIS_WALL * budget + 0.1
    assert _bound_passed(_run(61.0, 50.0), 112.0, budget) == "cpu"
    assert _bound_passed(_run(61.0, 50.0), backstop, budget) == "cpu"  # (both: CPU time)
    assert _bound_passed(_run(51.0, 50.0), backstop, budget) == "backstop"
    assert _bound_passed(_run(None, None), 110.5, budget) == "wall"
    assert _bound_passed(_run(54.0, 50.0), 125.0, budget) is None
    server = TexgradServer()
    server.analysis_budget = budget

    def said(bound: str) -> str:
        note = server._stopped_note("p.tex", "", None, bound).note
        assert note is not None
        return note

    assert "ran past 10 s of CPU time" in said("cpu")
    wall = said("backstop")
    assert f"ran past {srv.ANALYSIS_WALL * budget:g} s on the wall clock" in wall
    assert "CPU time:" in wall and "less than 10 s of CPU time" in wall
    assert "ran past 10 s on the wall clock" in said("wall") and "CPU" not in said("wall")
    assert "needed more than 5 MB" in server._stopped_note("p", "", "it needed more than 5 MB").note


async def _published(server: TexgradServer, uri: str, within: float) -> list[types.Diagnostic]:
    published: dict[str, list[types.Diagnostic]] = server.published  # type: ignore[attr-defined]
    end = time.monotonic() + within
    while uri not in published:
        assert time.monotonic() < end, "never published"
        await asyncio.sleep(0.02)
    return published[uri]


def _open(ls: TexgradServer, path: Path, text: str) -> None:
    ls.open(types.TextDocumentItem(uri=path.as_uri(), language_id="latex", version=1, text=text))


@pytest.mark.asyncio
async def test_an_analysis_that_waits_past_its_budget_is_not_cut_off(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 s on the wall clock with almost no CPU (its thread waiting, as on a loaded
    machine) under a 2 s budget: analysed, with its diagnostics (the wall clock's
    backstop is 20 s)."""
    from texgrad.workspace import Workspace

    analyse = Workspace.analyse

    def waiting(self: Workspace, path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("slow.tex"):
            end = time.monotonic() + 4.0
            while time.monotonic() < end:
                time.sleep(0.02)
        return analyse(self, path, *args, **kwargs)

    monkeypatch.setattr(Workspace, "analyse", waiting)
    warm = tmp_path / "warm.tex"  # (the first analysis imports the checker)
    _open(server, warm, TEXT)
    await _published(server, warm.as_uri(), 30)
    server.analysis_budget = 2.0
    slow = tmp_path / "slow.tex"
    _open(server, slow, TEXT)
    got = await _published(server, slow.as_uri(), 30)
    assert [d.code for d in got] == ["matmul-mismatch"]
