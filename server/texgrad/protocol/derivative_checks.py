"""``wrong-derivative``: the derivatives a document writes, checked after its shapes.

Differentiating every derivative a document writes takes longer than checking shapes, so
it runs off the main path: once a document is analysed (and its shape diagnostics
published), the check runs in the differentiation pool (the workspace keeps each claim's
verdict by its row and context, so an edit elsewhere does not redo it), and the
diagnostics are published again with its findings — if the document has not changed
meanwhile.  One :class:`~texgrad.calculus.deadline.Deadline` bounds the whole check of a
document (:data:`SECONDS`; past it, an information note ``derivatives-unchecked`` says how
many were not checked), and a newer text of the document cancels the older one's check,
so that the pool's thread is free for it.  The findings live on the :class:`~texgrad.workspace.Analysis`
(``derivatives``), where the diagnostics and the quick fixes read them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from texgrad.protocol.diagnostics import publish
from texgrad.protocol.server import Document, TexgradServer
from texgrad.workspace import Analysis

if TYPE_CHECKING:
    from texgrad.calculus.deadline import Deadline

log = logging.getLogger("texgrad.lsp")


# the time one document's check may take; past it, an information note says how many of
# its derivatives were not checked (a newer text of the document stops it at once)
SECONDS = 10.0


async def check(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    result = analysis.result
    if result is None or analysis.derivatives is not None:
        return
    from texgrad.calculus.deadline import Deadline  # (downward, on first use)

    deadline = Deadline(SECONDS)
    before = _running.pop(doc.uri, None)
    if before is not None:
        before.cancel()  # an older text's check: its verdicts are of no use now
    _running[doc.uri] = deadline
    try:
        found = await server.run_in(
            server.diff_pool, server.ws.wrong_derivatives, result, SECONDS, deadline
        )
    finally:
        if _running.get(doc.uri) is deadline:
            del _running[doc.uri]
    if deadline.cancelled:
        return  # a newer text is being checked: its own check publishes
    analysis.derivatives = found
    if doc.closed or doc.analysis is not analysis or analysis.text is not doc.text:
        return  # a newer text is on its way: its own check publishes
    if found:
        publish(server, doc, analysis)


_running: dict[str, Deadline] = {}  # each document's check under way, by URI


def register(server: TexgradServer) -> None:
    async def analysed(doc: Document, analysis: Analysis) -> None:
        task = asyncio.ensure_future(check(server, doc, analysis))
        task.add_done_callback(_report)

    server.on_analysed(analysed)


def _report(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("checking the written derivatives failed", exc_info=task.exception())
