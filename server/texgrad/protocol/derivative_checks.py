"""``wrong-derivative``: the derivatives a document writes, checked after its shapes.

Differentiating every derivative a document writes takes longer than checking shapes, so
it runs off the main path: once a document is analysed (and its shape diagnostics
published), the check runs in the differentiation pool (the workspace keeps each claim's
verdict by its row and context, so an edit elsewhere does not redo it; a time budget
bounds it), and the diagnostics are published again with its findings — if the document
has not changed meanwhile.  The findings live on the :class:`~texgrad.workspace.Analysis`
(``derivatives``), where the diagnostics and the quick fixes read them.
"""

from __future__ import annotations

import asyncio
import logging

from texgrad.protocol.diagnostics import publish
from texgrad.protocol.server import Document, TexgradServer
from texgrad.workspace import Analysis

log = logging.getLogger("texgrad.lsp")


async def check(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    result = analysis.result
    if result is None or analysis.derivatives is not None:
        return
    found = await server.run_in(server.diff_pool, server.ws.wrong_derivatives, result)
    analysis.derivatives = found
    if doc.closed or doc.analysis is not analysis or analysis.text is not doc.text:
        return  # a newer text is on its way: its own check publishes
    if found:
        publish(server, doc, analysis)


def register(server: TexgradServer) -> None:
    async def analysed(doc: Document, analysis: Analysis) -> None:
        task = asyncio.ensure_future(check(server, doc, analysis))
        task.add_done_callback(_report)

    server.on_analysed(analysed)


def _report(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("checking the written derivatives failed", exc_info=task.exception())
