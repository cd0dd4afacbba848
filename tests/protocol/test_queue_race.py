r"""The analysis queue's race (issue 18): a job's state says "done" as its function returns,
a moment before its future does.  A queued analysis that looked in that moment took the
job for one stopped before it started (moved to a fresh thread), ran the analysis again
and never let go of ``_running`` — the 1-in-11 failure of
``test_an_edit_during_a_long_analysis_stops_it_and_the_new_text_is_published``.  The
moment is widened here (the job's thread sleeps after its job ended) so that it is seen
every time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad.protocol import server as server_module
from texgrad.protocol.server import TexgradServer
from texgrad.protocol.stopping import Job

SMALL = "Let $B \\in \\mathbb{R}^{2 \\times 3}$ and $v \\in \\mathbb{R}^2$.\n\n$$ w = B v $$\n"


@pytest.mark.asyncio
async def test_a_job_done_before_its_future_is_neither_run_again_nor_kept_running(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Job.run

    def late(self: Job[Any]) -> Any:
        try:
            return run(self)
        finally:
            time.sleep(0.3)  # (its state is "done"; its future is not, for a while)

    monkeypatch.setattr(Job, "run", late)
    analysed: list[str] = []
    analyse = server._analyse

    def counted(*args: Any) -> Any:
        analysed.append(args[1])
        return analyse(*args)

    monkeypatch.setattr(server, "_analyse", counted)
    path = tmp_path / "small.md"
    server.open(
        types.TextDocumentItem(uri=path.as_uri(), language_id="markdown", version=1, text=SMALL)
    )
    published = server.published  # type: ignore[attr-defined]
    end = time.monotonic() + 60
    while path.as_uri() not in published or server._running is not None:
        assert time.monotonic() < end, "never published and let go"
        await asyncio.sleep(0.01)
    assert [d.code for d in published[path.as_uri()]] == ["matmul-mismatch"]
    assert analysed == [str(path.resolve())]  # (once: not again as if it had been moved)
    assert not server._queued


def test_a_job_stopped_before_it_started_says_it_never_began() -> None:
    job: Job[int] = Job(lambda: 1)
    assert job.stop() and job.state == "done" and not job.began
    ran: Job[int] = Job(lambda: 2)
    assert ran.run() == 2 and ran.state == "done" and ran.began
    assert server_module.POLL > 0
