"""``wrong-derivative``: the derivatives a document writes, checked after its shapes.

Differentiating every derivative a document writes takes longer than checking shapes, so
it runs off the main path: once a document is analysed (and its shape diagnostics
published) and left alone for ``QUIET`` seconds, the check runs in the differentiation
pool (the workspace keeps each claim's verdict by its row and context, so an edit
elsewhere does not redo it), and the diagnostics are published again with its findings.
One :class:`~texgrad.calculus.deadline.Deadline` bounds the whole check of a document
(:data:`SECONDS`; past it, an information note ``derivatives-unchecked`` says how many were
not checked).  While the user types it does not run: an edit before it starts cancels it,
and one while it runs stops it at its next stop point (the verdicts reached so far are
kept) and cancels its deadline, so it neither delays the next analysis's diagnostics (both
share one interpreter) nor holds a worker a differentiation may need.  The findings live
on the :class:`~texgrad.workspace.Analysis` (``derivatives``), where the diagnostics and the
quick fixes read them.
"""

from __future__ import annotations

import asyncio
import logging

from texgrad.protocol.diagnostics import publish
from texgrad.protocol.server import Document, TexgradServer
from texgrad.protocol.stopping import Job, Stopped
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.workspace import Analysis

log = logging.getLogger("texgrad.lsp")

QUIET = 0.5  # seconds a document stays as analysed before its derivatives are checked

# the time one document's check may take; past it, an information note says how many of
# its derivatives were not checked (a newer text of the document stops it at once)
SECONDS = 10.0


def _current(doc: Document, analysis: Analysis) -> bool:
    return not doc.closed and doc.analysis is analysis and analysis.text is doc.text


async def check(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    result = analysis.result
    if result is None or analysis.derivatives is not None:
        return
    await asyncio.sleep(QUIET)
    if not _current(doc, analysis):
        return  # a newer text is on its way: its own check publishes
    from texgrad.calculus.deadline import Deadline  # (downward, on first use)

    deadline = Deadline(SECONDS)
    job: Job[list[Diagnostic]] = Job(server.ws.wrong_derivatives, result, SECONDS, deadline)
    fut = asyncio.get_running_loop().run_in_executor(server.diff_pool, job.run)
    try:
        while not fut.done():
            await asyncio.wait([fut], timeout=0.05)
            if not fut.done() and not _current(doc, analysis):
                deadline.cancel()  # (the document changed: this text's findings are of no use)
                job.stop()
        found = fut.result()
    except Stopped:
        return
    except asyncio.CancelledError:
        deadline.cancel()
        job.stop()
        raise
    if deadline.cancelled:
        return  # a newer text is being checked: its own check publishes
    analysis.derivatives = found
    server.collect_when_idle()  # (what the check freed goes back to the system when idle)
    if found and _current(doc, analysis):
        publish(server, doc, analysis)


def register(server: TexgradServer) -> None:
    async def analysed(doc: Document, analysis: Analysis) -> None:
        task = asyncio.ensure_future(check(server, doc, analysis))
        task.add_done_callback(_report)

    server.on_analysed(analysed)


def _report(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("checking the written derivatives failed", exc_info=task.exception())
