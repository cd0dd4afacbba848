"""``wrong-derivative``: the derivatives a document writes, checked after its shapes.

Differentiating every derivative a document writes takes longer than checking shapes, so
it runs off the main path: once a document is analysed (and its shape diagnostics
published) and left alone for ``QUIET`` seconds, the check runs in the differentiation
pool (the workspace keeps each claim's verdict by its row and context, so an edit
elsewhere does not redo it), and the diagnostics are published again with its findings.
One :class:`~texgrad.calculus.deadline.Deadline` bounds the whole check of a document
(:data:`SECONDS` of its worker thread's CPU time, as the server bounds an analysis, so that
a loaded machine does not cut correct work short; ``ANALYSIS_WALL`` times that on the wall
clock as a backstop; past it, an information note ``derivatives-unchecked`` says how many
were not checked).  While the user types it does not run: an edit before it starts cancels it,
and one while it runs stops it at its next stop point (the verdicts reached so far are
kept) and cancels its deadline, so it neither delays the next analysis's diagnostics (both
share one interpreter) nor holds a worker a differentiation may need.  The findings live
on the :class:`~texgrad.workspace.Analysis` (``derivatives``), where the diagnostics and the
quick fixes read them.  A claim left undecided because its own few seconds ran out (a
loaded machine) is not undecided for the session: the check runs again ``RETRY_AFTER``
seconds later while the document stays as it is (only such claims are redone), up to
``RETRIES`` times.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from texgrad.protocol.diagnostics import publish
from texgrad.protocol.server import ANALYSIS_WALL, Document, TexgradServer
from texgrad.protocol.stopping import Job, MemoryExceeded, Stopped
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.workspace import Analysis

if TYPE_CHECKING:
    from texgrad.shapes.check import CheckResult

log = logging.getLogger("texgrad.lsp")

QUIET = 0.5  # seconds a document stays as analysed before its derivatives are checked

# the CPU time (its worker thread's; ANALYSIS_WALL times that on the wall clock at most)
# one document's check may take; past it, an information note says how many of
# its derivatives were not checked (a newer text of the document stops it at once)
SECONDS = 10.0
# A claim left undecided because its own time ran out (a loaded machine) is checked again
# this many seconds later, up to RETRIES times (calculus/written_derivatives.py's Retry).
RETRY_AFTER = 20.0
RETRIES = 3


def _current(doc: Document, analysis: Analysis) -> bool:
    return not doc.closed and doc.analysis is analysis and analysis.text is doc.text


async def check(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    result = analysis.result
    if result is None or analysis.derivatives is not None:
        return
    await asyncio.sleep(QUIET)
    for tries in range(RETRIES + 1):
        if not _current(doc, analysis):
            return  # a newer text is on its way: its own check publishes
        found = await _check_once(server, doc, analysis, result)
        if found is None:  # stopped: a newer text is being checked, and its own check
            if _current(doc, analysis) and analysis.carried:  # publishes (or out of memory:
                analysis.carried = None  # what was carried from the text before goes)
                publish(server, doc, analysis)
            return
        before = analysis.findings  # (its own, or those carried from the text before)
        analysis.derivatives = found
        if found != before and _current(doc, analysis):
            publish(server, doc, analysis)
        if tries == RETRIES or not server.ws.retries_pending(result.path):
            return
        # A claim ran out of its own time (a loaded machine): checked again later, when
        # the document is still as it is (its other verdicts are kept: only it is redone).
        await asyncio.sleep(RETRY_AFTER)


async def _check_once(
    server: TexgradServer, doc: Document, analysis: Analysis, result: CheckResult
) -> list[Diagnostic] | None:
    """The findings of one check of ``result``'s written derivatives; None if it was
    stopped because the document changed."""
    from texgrad.calculus.deadline import Deadline  # (downward, on first use)

    deadline = Deadline(SECONDS, cpu=True, wall=ANALYSIS_WALL)
    job: Job[list[Diagnostic]] = Job(server.ws.wrong_derivatives, result, SECONDS, deadline)
    fut = asyncio.get_running_loop().run_in_executor(server.diff_pool, job.run)
    fut.add_done_callback(_retrieved)  # (cancelled at shutdown, its Stopped is awaited by none)
    doc_changed = False
    try:
        while not fut.done():
            await asyncio.wait([fut], timeout=0.05)
            if not fut.done() and not _current(doc, analysis):
                deadline.cancel()  # (the document changed: this text's findings are of no use)
                job.stop()
                doc_changed = True
        # (its exception read, not raised here: raised, its traceback would hold this
        # frame, which holds ``fut``, which holds it — a cycle that kept the result checked,
        # and every frame of the stopped check, until a full collection: at every edit
        # during a check)
        stopped = fut.exception()
    except asyncio.CancelledError:
        deadline.cancel()
        job.stop()
        raise
    if isinstance(stopped, MemoryExceeded):
        said = str(stopped)  # (a record holding the exception would hold its frames too)
        log.warning("stopped checking the written derivatives of %s: %s", result.path, said)
        return None
    if isinstance(stopped, Stopped):
        return None
    found = fut.result()
    if deadline.cancelled or doc_changed:
        return None
    server.collect_when_idle()  # (what the check freed goes back to the system when idle)
    return found


def _retrieved(fut: asyncio.Future[list[Diagnostic]]) -> None:
    """Take the outcome of a check whose awaiting task was cancelled (server shutdown), so
    that its ``Stopped`` is not logged as a never-retrieved exception with a traceback."""
    if not fut.cancelled() and fut.exception() is not None:
        log.debug("a cancelled derivative check ended: %r", fut.exception())


def register(server: TexgradServer) -> None:
    async def analysed(doc: Document, analysis: Analysis) -> None:
        task = asyncio.ensure_future(check(server, doc, analysis))
        task.add_done_callback(_report)

    server.on_analysed(analysed)


def _report(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("checking the written derivatives failed", exc_info=task.exception())
