"""The language server: open documents, scheduling of analysis, snapshots for requests.

State changes only in notification handlers on the event loop (didOpen, didChange,
didClose, configuration); analysis runs in one background thread (the workspace's
Checker is not thread-safe), debounced per document and keyed by the text it was
run on, so a stale result is dropped rather than published over a newer one.
Requests read a :class:`Snapshot` (a document's text as analysed, its analysis and
the conversions for that text) that nothing changes under them.  Differentiation
runs in its own small pool.  Request handlers are ``async``: pygls cancels them on
``$/cancelRequest``.  Nothing is ever printed to stdout.

This module imports no feature: the features (one module each) register their
handlers, and their callbacks for the server's events (a document analysed, the
client initialized), on a server that :mod:`texgrad.protocol.app` builds.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec

from texgrad import __version__
from texgrad.reading.document import Format
from texgrad.shapes.diagnostics import Diagnostic, moved_by_edit
from texgrad.workspace import Analysis, Workspace

from . import framing
from .capabilities import ClientSupport
from .collection import (
    collected_after,
    fewer_young_collections,
    forget_generated_sources,
    one_heap,
)
from .convert import PositionCache, Positions
from .open_documents import OpenDocuments
from .paths import format_of, path_of
from .rpc import TexgradProtocol
from .stopping import Job, MemoryExceeded, Stopped

if TYPE_CHECKING:  # the checker loads after initialize: see workspace.checker
    from texgrad.shapes.check import CheckResult

log = logging.getLogger("texgrad.lsp")

DEBOUNCE = 0.2  # seconds between the last keystroke and re-analysis
# Seconds without edits before a full garbage collection.  Python's own full collections
# walk every tree of every open document (50-100 ms) at random moments while the user
# types; instead the server collects when idle and freezes what survives, so automatic
# collections only look at objects made since.
IDLE_COLLECT = 2.0
# The idle collection walks every object (unfrozen) only when this many times as many are
# frozen as after the last such walk: a walk takes ~0.1 s of the event loop (a keystroke
# or a hover waits behind it) and found ~450 objects of garbage per keystroke (cycles an
# analysis left, frozen with what it keeps), so it is done every ~40 keystrokes in the
# Cookbook (≤ 17,000 objects of garbage kept meanwhile), not at every pause in typing.
# (Collecting the young generations before each freeze kept none, for ~1.3 ms a keystroke.)
# The frozen objects are counted (``gc.get_freeze_count`` walks their list: 16 ms of the
# event loop with the Cookbook analysed, 34 ms with every corpus file) only once the
# small-object allocator's blocks in use (``sys.getallocatedblocks``: a counter on CPython
# 3.11) grew since the last count by as many as the frozen objects lack to start a walk:
# nearly every object frozen since holds a block, so the walk comes when it came.  (Tried:
# the blocks' own growth by 10% — ~3 times as many as 10% of the frozen objects — and no
# idle step while a derivative check runs, which under load is at every pause in typing:
# the walk came that much later, its garbage kept meanwhile; the server with every corpus
# file open 184-194 MB against main's 165-179 in the same runs.)
FULL_COLLECT_GROWTH = 1.1
# Seconds of CPU time (its thread's) one analysis may take before it is stopped and its
# document told so — CPU time, so that load on the machine does not cut documents — with
# ANALYSIS_WALL times that on the wall clock as a backstop (the wall clock alone where a
# thread's CPU time cannot be read); and seconds another document's analysis waits behind
# it before it is asked to make way (at its next stop point: it goes on afterwards from
# what it had parsed); one that has not made way GRACE seconds (of its CPU time) later
# keeps the thread, and the others go on in a fresh one.  The backstop is as far as the
# derivative check's (calculus.written_derivatives.WALL): on 2 cores at load 11, the
# analysis thread of a 1 MB thesis got one second of CPU time in 5.6 of the wall clock,
# in 8.5 while a derivative check held the interpreter too (3 cut it short of its budget).
ANALYSIS_BUDGET = 10.0
ANALYSIS_WALL = 10.0
WATCH_EVERY = 0.1  # seconds between two looks at a running analysis's time
HANDOVER = 0.25
POLL = 0.05  # seconds between a queued analysis's looks at its job, near the queue's front
POLL_FRONT = 8  # how many queued analyses look that often (the others, less the further back)
GRACE = 0.25
MAKE_WAY = 3  # times one analysis may be asked to make way
# Seconds after initialized before the features' warm-up (the engine's import) may start,
# once no analysis is pending.
SETTLE = 0.2
REQUEST_FAILED = -32803


class ClientWriter(StdoutWriter):
    """pygls's stdout writer that takes a client gone (its pipe closed while an answer or
    a late publish was on its way) as the end of the session: one log line and a stop,
    not a traceback per message."""

    def __init__(self, stdout: Any, stop: threading.Event) -> None:
        super().__init__(stdout)
        self._stop = stop

    def write(self, data: bytes) -> None:
        if self._stop.is_set():
            return
        try:
            super().write(data)
        except (BrokenPipeError, ConnectionResetError):
            log.info("the client closed the connection: stopping")
            self._stop.set()


class RequestFailed(JsonRpcException):
    CODE = REQUEST_FAILED


@dataclass(eq=False)
class Document:
    uri: str
    path: str  # the analysis key (a real path, or a made-up one for untitled buffers)
    fmt: Format
    version: int
    text: str
    analysis: Analysis | None = None
    inflight: tuple[str, asyncio.Future[Analysis | None]] | None = None
    task: asyncio.Task[None] | None = None
    closed: bool = False
    # The project's files as last analysed: kept while the next analysis is in flight
    # (``analysis`` is None then), so that a change to one of them still reaches it.
    project: tuple[str, ...] = ()
    # Bumped when a file it depends on (or a setting) changes: an analysis started
    # before is of stale inputs even though its own text is the same.
    epoch: int = 0
    # the text and the wrong-derivative findings last published (carried to the next
    # analysis until its own check is done)
    shown: tuple[str, list[Diagnostic]] | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a request reads of an open document: the text its analysis was made on (with
    the version that text had) and the conversions for that text.  Immutable: an edit
    arriving while the request waits changes the :class:`Document`, not this."""

    uri: str
    path: str
    fmt: Format
    version: int
    analysis: Analysis
    positions: Positions

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def result(self) -> CheckResult | None:
        return self.analysis.result

    def offset(self, position: types.Position) -> int:
        return self.positions.offset(position)

    def position(self, offset: int) -> types.Position:
        return self.positions.position(offset)

    def range(self, start: int, end: int) -> types.Range:
        return self.positions.range(start, end)


AnalysedHook = Callable[[Document, Analysis], Awaitable[None]]


class TexgradServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "texgrad",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TexgradProtocol,
        )
        one_heap()  # (before the pools' threads start)
        self.ws = Workspace()
        self._docs: OpenDocuments[Document] = OpenDocuments()
        self.analysis_pool = ThreadPoolExecutor(1, thread_name_prefix="texgrad-analysis")
        self.diff_pool = ThreadPoolExecutor(2, thread_name_prefix="texgrad-diff")
        # Quick questions to the engine (what a row offers, why it offers nothing), never
        # queued behind a slow differentiation: listing actions and hovers use it.
        self.query_pool = ThreadPoolExecutor(1, thread_name_prefix="texgrad-query")
        self.debounce = float(os.environ.get("TEXGRAD_LSP_DEBOUNCE", DEBOUNCE))
        self._positions: PositionCache | None = None
        self._client: tuple[types.ClientCapabilities, ClientSupport] | None = None
        self.published_files: dict[str, object] = {}  # project files not open -> inputs
        self.init_settings: dict[str, Any] = {}
        self.client_settings: dict[str, Any] | None = None  # the last configured (merged)
        self._collect_task: asyncio.Future[None] | None = None
        self._frozen_collected = 0  # objects frozen after the last full idle collection
        # allocator blocks in use, and objects frozen, when the frozen were last counted
        self._heap_counted = self._frozen_counted = 0
        self.exit_status = 0  # of the process, once the connection ends
        # the analysis running in the analysis thread, and those waiting for it
        self._running: _Run | None = None
        self._queued: list[_Run] = []
        self._queued_seqs: list[int] = []  # (the numbers of the queued runs, in order)
        self._queued_count = 0
        self.analysis_budget = float(os.environ.get("TEXGRAD_ANALYSIS_BUDGET", ANALYSIS_BUDGET))
        # What features do when a document's analysis is ready (publish diagnostics) and
        # when the client is initialized (warm up the engine): registered by the features.
        self._analysed_hooks: list[AnalysedHook] = []
        self._initialized_hooks: list[Callable[[], None]] = []
        self._initialized_task: asyncio.Future[None] | None = None
        self.engine_warmed: asyncio.Future[Any] | None = None  # (actions.warm_up's, once)

    @property
    def docs(self) -> OpenDocuments[Document]:
        """The open documents by URI (indexed by the files each may read)."""
        return self._docs

    @docs.setter
    def docs(self, docs: dict[str, Document]) -> None:
        self._docs = docs if isinstance(docs, OpenDocuments) else OpenDocuments(docs)

    # -- the connection: messages read by texgrad's bounded reader (framing.py) -----------

    def start_io(
        self, stdin: Any = None, stdout: Any = None, early: framing.EarlyStart | None = None
    ) -> None:
        """Serve on stdio; ``early``: what was read (and ``initialize`` answered) before the
        server was loaded (:mod:`texgrad.protocol.early_initialize`)."""
        self._stop_event = threading.Event()
        fewer_young_collections()
        self.protocol.set_writer(ClientWriter(stdout or sys.stdout.buffer, self._stop_event))
        stream = early.stream if early is not None and early.stream is not None else stdin
        read = framing.stdin_reader(stream or sys.stdin.buffer, self.thread_pool)
        for uri in getattr(stream, "published", ()):  # (protocol/early_diagnostics.py)
            log.info("published the kept diagnostics of %s before loading", uri)
        for uri in getattr(stream, "analysed", ()):  # (protocol/early_analysis.py)
            log.info("published the diagnostics of %s analysed before loading", uri)
        for line in early.said if early is not None else ():
            log.info("%s", line)
        if early is not None and early.ended:
            log.info("the client closed the connection before a message: stopping")
            self.shutdown()
            return
        try:
            asyncio.run(framing.serve(read, self.protocol, self._stop_event, early))
        except BrokenPipeError:
            log.error("the connection to the client is lost: shutting down")
        except SystemExit as exc:  # ``exit``: 0 after ``shutdown``, else 1 (LSP)
            self.exit_status = exc.code if isinstance(exc.code, int) else 1
        except KeyboardInterrupt:
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        self._stop_event = stop = threading.Event()
        fewer_young_collections()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            await framing.serve(lambda: reader.read(framing.CHUNK), self.protocol, stop)
            self.shutdown()

        async def listen() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(listen())
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            pass

    # -- events features register for ---------------------------------------------------

    def on_analysed(self, hook: AnalysedHook) -> None:
        """Call ``hook`` with a document and the analysis of its current text, each time
        one is made (not for a stale one: a newer text is on its way)."""
        self._analysed_hooks.append(hook)

    def on_initialized(self, hook: Callable[[], None]) -> None:
        self._initialized_hooks.append(hook)

    def initialized(self) -> None:
        """The client is initialized: run what features asked for then — once the first
        analyses are done (the engine's warm-up would otherwise take turns with the first
        document's analysis, and its first diagnostics would wait for both)."""
        self._initialized_task = asyncio.ensure_future(self._when_settled())

    async def _when_settled(self) -> None:
        await asyncio.sleep(SETTLE)  # (documents opened right after initialized arrive)
        while self._running is not None or self._queued or self._analysing():
            await asyncio.sleep(0.05)
        for hook in self._initialized_hooks:
            hook()

    def _analysing(self) -> bool:
        return any(d.task is not None and not d.task.done() for d in self.docs.values())

    # -- the client ---------------------------------------------------------------------

    @property
    def client(self) -> ClientSupport:
        """What the client supports, read from its capabilities once per connection (when
        initialize replaces pygls's empty ones), not at every request."""
        caps = self.client_capabilities
        if self._client is None or self._client[0] is not caps:
            self._client = (caps, ClientSupport.of(caps))
        return self._client[1]

    # -- positions --------------------------------------------------------------------

    @property
    def positions(self) -> PositionCache:
        if self._positions is None:
            try:
                codec = self.workspace.position_codec
            except Exception:  # noqa: BLE001 - before initialize
                codec = PositionCodec()
            self._positions = PositionCache(codec)
        return self._positions

    def positions_of(self, path: str, text: str) -> Positions:
        return self.positions.of(path, text)

    def uri_of(self, path: str) -> str:
        """The URI a file is known by: an open document's own (first opened), else the
        path's ``file:`` URI."""
        return self.docs.uri_of(path) or from_fs_path(path) or path

    def log_client(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        log.info(message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - no client yet
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Log, do not pop up a message for every problem (the default shows one).
        log.error("server error (%s): %s", getattr(source, "__name__", source), error)

    # -- documents ----------------------------------------------------------------------

    def open(self, item: types.TextDocumentItem) -> Document:
        fmt = format_of(item.uri, item.language_id)
        path = path_of(item.uri, fmt)
        doc = Document(item.uri, path, fmt, item.version, item.text)
        old = self.docs.get(item.uri)
        if old is not None:
            self._drop(old)
        self.docs[item.uri] = doc
        self.schedule(doc, 0.0)
        self.schedule_dependents(doc, opened=old is None)
        return doc

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
            log.warning("ignored a change of %s, which is not open", params.text_document.uri)
            return
        text = doc.text
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                pos = self.positions_of(doc.path, text)  # (the last publish made it)
                a = pos.offset(change.range.start)
                b = max(a, pos.offset(change.range.end))
                text = text[:a] + change.text + text[b:]
            else:
                text = change.text
        doc.text = text
        doc.version = params.text_document.version
        self.stop_stale()
        self.schedule(doc)
        self.schedule_dependents(doc)

    def collect_when_idle(self) -> None:
        gc.freeze()  # what the analysis keeps is long-lived: out of automatic collections
        if self._collect_task is not None:
            self._collect_task.cancel()
        self._collect_task = asyncio.ensure_future(self._collect_later())

    async def _collect_later(self) -> None:
        await asyncio.sleep(IDLE_COLLECT)
        if self._analysing():
            return  # an analysis is pending: it will ask again when it is done
        walk_at = self._frozen_collected * FULL_COLLECT_GROWTH
        lacking = max(walk_at - self._frozen_counted, self._frozen_collected * 0.01)
        if sys.getallocatedblocks() - self._heap_counted >= lacking:
            frozen = gc.get_freeze_count()
            if frozen > walk_at:
                gc.unfreeze()  # (the garbage frozen since: every object walked, seldom)
                gc.collect()
                gc.freeze()
                frozen = self._frozen_collected = gc.get_freeze_count()
            self._heap_counted, self._frozen_counted = sys.getallocatedblocks(), frozen
        forget_generated_sources()
        release_freed_memory()

    def close(self, uri: str) -> None:
        doc = self.docs.pop(uri, None)
        if doc is None:
            log.warning("ignored closing %s, which is not open", uri)
            return
        self._drop(doc)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        self.analysis_pool.submit(self.ws.forget, doc.path)
        # what was kept of it and of its project's files no open document reads goes
        # (a closed copy of the Cookbook kept ~20 MB for the rest of the session)
        # (by the index of the open documents: a look at each made closing them all
        # grow as the square of their number)
        gone = [p for p in dict.fromkeys((doc.path, *doc.project)) if not self.docs.is_read(p)]
        if gone:
            self.analysis_pool.submit(self.ws.forget_documents, gone)
        self.published_files.clear()
        for other in self.docs.readers_of(doc.path):
            if doc.path in other.project:
                self.invalidate(other)

    def saved(self, uri: str) -> None:
        doc = self.docs.get(uri)
        if doc is not None:
            self.analysis_pool.submit(self.ws.forget, doc.path)
            if not self.client.watches_files:
                # not told of files changed on disk (Neovim, a macros file edited in another
                # program): a save reads the project's files again
                self.invalidate(doc)

    def files_changed(self, uris: list[str]) -> None:
        """Files changed on disk, not open here (a macros file edited in another program,
        a checkout): the projects holding them are read again, and the open documents whose
        analyses read them are analysed again (an open file's buffer is what counts)."""
        open_paths = {d.path for d in self.docs.values()}
        changed = {path_of(uri, format_of(uri, None)) for uri in uris} - open_paths
        if not changed:
            return
        for path in changed:  # (before the analyses below: one worker, in order)
            self.analysis_pool.submit(self.ws.forget, path)
        self.published_files.clear()
        for doc in self.docs.values():
            if changed & {doc.path, *doc.project}:
                self.invalidate(doc)

    def _drop(self, doc: Document) -> None:
        doc.closed = True
        if doc.task is not None:
            doc.task.cancel()
        self.stop_stale()

    def buffers(self) -> dict[str, str]:
        return {d.path: d.text for d in self.docs.values()}

    # -- analysis -----------------------------------------------------------------------

    def schedule(self, doc: Document, delay: float | None = None) -> None:
        if doc.task is not None:
            doc.task.cancel()
        wait = self.debounce if delay is None else delay
        doc.task = asyncio.ensure_future(self._analyse_later(doc, wait))

    def schedule_dependents(self, doc: Document, opened: bool = False) -> None:
        """Analyse again the documents ``doc``'s text may change the analysis of.  A file
        just ``opened`` whose text is the one on disk changes none: their analyses read
        that text (it was not open), so they are left as they are.  (Those that may read
        it are found in the index of :class:`OpenDocuments`, not by a look at every open
        document: a thousand opened took that as the square of their number.)"""
        docs = self.docs
        if opened and (not docs.any_may_read(doc.path, doc.uri) or _as_on_disk(doc)):
            return  # (read only when some document may read it)
        for other in docs.may_read(doc.path):
            if other is not doc and (doc.path in other.project or _may_include(other, doc)):
                self.invalidate(other)

    def invalidate(self, doc: Document, delay: float | None = None) -> None:
        """Analyse ``doc`` again: a file it depends on or a setting changed, not its text."""
        doc.analysis = None
        doc.inflight = None
        doc.epoch += 1
        self.stop_stale()
        self.schedule(doc, delay)

    async def _analyse_later(self, doc: Document, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            analysis = await self.current(doc)
            if doc.closed or analysis.text is not doc.text:
                return  # a newer version is on its way
            for hook in self._analysed_hooks:
                await hook(doc, analysis)
            self.collect_when_idle()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep serving
            log.exception("analysis of %s failed", doc.uri)
            self.log_client(
                f"texgrad: analysis of {doc.uri} failed: {exc}", types.MessageType.Error
            )

    async def current(self, doc: Document) -> Analysis:
        """The analysis of the document's current text and of the current text of the
        files it depends on (computed now if needed).  One made on stale inputs — its own
        text changed, or a file it depends on was edited (``epoch``) while it ran — is
        not kept (and one still running then is stopped: :meth:`stop_stale`)."""
        analysis: Analysis | None = None
        for _ in range(5):
            if doc.analysis is not None and doc.analysis.text is doc.text:
                return doc.analysis
            text, epoch = doc.text, doc.epoch
            if doc.inflight is not None and doc.inflight[0] is text:
                fut = doc.inflight[1]
            else:
                fut = self._document_analysis(doc, text)
                doc.inflight = (text, fut)
            got = await asyncio.shield(fut)
            if got is None or doc.epoch != epoch:
                continue  # stopped as stale, or a file it depends on changed meanwhile
            analysis = got
            if analysis.text is doc.text or analysis.text == doc.text:
                analysis.text = doc.text
                if analysis.derivatives is None and doc.shown is not None:
                    old, found = doc.shown
                    analysis.carried = moved_by_edit(old, analysis.text, doc.path, found)
                doc.analysis = analysis
                self.docs.set_project(doc, analysis.project)
                return analysis
        if analysis is None:  # (stopped as stale five times: the text keeps changing)
            analysis = Analysis(doc.path, "", None, (doc.path,))
        return analysis

    def run_analysis(self, path: str, text: str | None, fmt: Format) -> asyncio.Future[Analysis]:
        """The analysis of ``path`` (``text``: a buffer's; None: the file on disk), made in
        the analysis thread."""
        return asyncio.ensure_future(self._file_analysis(path, text, fmt))

    async def _file_analysis(self, path: str, text: str | None, fmt: Format) -> Analysis:
        got = await self._bounded_analysis(path, text, self.buffers(), fmt)
        return got or Analysis(path, text or "", None, (path,))  # (never stale: no document)

    def _document_analysis(self, doc: Document, text: str) -> asyncio.Future[Analysis | None]:
        """The analysis of an open document's ``text``; None if it was stopped because the
        document's text or a file it depends on changed (or it closed) meanwhile."""
        epoch = doc.epoch

        def stale() -> bool:
            return doc.closed or doc.text is not text or doc.epoch != epoch

        return asyncio.ensure_future(
            self._bounded_analysis(doc.path, text, self.buffers(), doc.fmt, stale)
        )

    async def _bounded_analysis(
        self,
        path: str,
        text: str | None,
        buffers: dict[str, str],
        fmt: Format,
        stale: Callable[[], bool] | None = None,
    ) -> Analysis | None:
        """Analyse in the analysis thread, never queued long behind another document and
        never longer than the budget.  An analysis of another document that has run for
        HANDOVER seconds is asked to make way (it stops at its next stop point, keeping
        what it parsed, and is queued again behind the waiting ones); one that does not
        stop within GRACE, or made way once already, keeps the thread (and the workspace
        it works in) to itself and the others go on in a fresh one; one that runs past
        ANALYSIS_BUDGET is stopped, and its document told so.  One whose text changed
        (``stale``) is stopped at its next stop point and gives None."""
        loop = asyncio.get_running_loop()
        made_way = 0
        retried = False  # (after a cut by the memory bound)
        while True:
            if stale is not None and stale():
                return None
            ws, pool = self.ws, self.analysis_pool
            job: Job[Analysis] = Job(self._analyse, ws, path, text, buffers, fmt, cooperative=True)
            fut = loop.run_in_executor(pool, job.run)
            fut.add_done_callback(_retrieved)  # (a moved job's Stopped is expected)
            run = _Run(job, path, fut, stale, made_way)
            self._enqueue(run)
            started = _start_signal(job, loop)
            try:
                while not fut.done():
                    waits: list[asyncio.Future[Any]] = [fut] if started.done() else [fut, started]
                    await asyncio.wait(waits, timeout=self._poll(run))
                    if job.state == "waiting":
                        self._make_way(run)
                    if job.state == "done" and not job.began and not fut.done():
                        break  # moved before it started: asked again in the fresh thread
                    # (done and begun: it ended, and its future is told in a moment — taken
                    # for moved, it was run again and never let go of _running)
                    if job.state in ("running", "stopping") and run.watch is None:
                        run.started = loop.time()
                        run.cpu_at_start = job.cpu_seconds()
                        self._running = run
                        self._watch(run, ws)
            finally:
                # (cancelled while it runs: it keeps its bound, and holds the thread)
                if fut.done() and run.watch is not None:
                    run.watch.cancel()
                self._dequeue(run)
                if fut.done() and self._running is run:
                    self._running = None
            if not fut.done():
                continue
            # (read, not raised: see derivative_checks._check_once — the stopped analysis's
            # frames, and what they held, were kept by a cycle until a full collection)
            exc = fut.exception()
            if not isinstance(exc, Stopped):
                return fut.result()
            memory = self._memory_cut(exc, ws)
            if job.overdue or (memory and retried):
                why = str(exc) if memory else None
                return self._stopped_note(path, text, why, run.bound or "cpu")
            # (cut by the memory bound, once more: the size is the process's, and the
            # memory may have been another analysis's, beside it in a thread of its own)
            retried |= memory
            made_way += run.why == "make way"
            # stale (returns above), made way, moved, or cut once: asked again

    def _memory_cut(self, stopped: Stopped, ws: Workspace) -> bool:
        """Whether an analysis was stopped by its memory bound (its workspace may be half
        changed: the server goes on in a fresh one)."""
        if not isinstance(stopped, MemoryExceeded):
            return False
        if ws is self.ws:
            self._new_lane("an analysis ran past its memory bound")
        return True

    def _stopped_note(
        self, path: str, text: str | None, why: str | None = None, bound: str = "cpu"
    ) -> Analysis:
        """The note of an analysis stopped: ``why`` (its memory bound), else the time
        bound it ran past (``bound``, as :func:`_bound_passed` says: its CPU time, the
        wall clock's backstop, or the wall clock where CPU time cannot be read)."""
        said = why or _time_bound_said(bound, self.analysis_budget)
        log.warning("stopped checking %s: %s", path, said)
        return Analysis(
            path,
            text or "",
            None,
            (path,),
            note=f"texgrad stopped checking this document: {said}. It is too large or "
            "too complex to check as you type. Other documents are checked as usual.",
        )

    def _poll(self, run: _Run) -> float:
        """How long a queued analysis waits before it looks again (its start wakes it at
        once): 0.05 s near the front of the queue, where it may ask the running one to make
        way, longer the further back (a thousand documents opened at once each looking 20
        times a second took the event loop's time as the square of their number)."""
        if run.job.state != "waiting":
            return POLL
        ahead = self._place(run) if len(self._queued) > POLL_FRONT else 0
        return POLL if ahead < POLL_FRONT else POLL * ahead / POLL_FRONT

    def _enqueue(self, run: _Run) -> None:
        """``run`` to the back of the queue, its place numbered (:meth:`_place`)."""
        self._queued_count += 1
        run.seq = self._queued_count
        self._queued.append(run)
        self._queued_seqs.append(run.seq)

    def _dequeue(self, run: _Run) -> None:
        i = self._find(run)
        if i is None:
            return
        del self._queued[i]
        if self._numbered_at(i, run):
            del self._queued_seqs[i]
        else:
            self._queued_seqs = []  # (a queue set whole: numbered again once it is empty)

    def _place(self, run: _Run) -> int:
        """How many queued analyses are ahead of ``run``: by bisection of the queue's
        numbers (a look of each queued analysis was a search of the queue), or where
        the queue was set whole, by a search."""
        i = self._find(run)
        return len(self._queued) if i is None else i

    def _find(self, run: _Run) -> int | None:
        if run.seq and self._numbered():
            i = bisect.bisect_left(self._queued_seqs, run.seq)
            if i < len(self._queued) and self._queued[i] is run:
                return i
        try:
            return self._queued.index(run)
        except ValueError:
            return None

    def _numbered_at(self, i: int, run: _Run) -> bool:
        seqs = self._queued_seqs
        return len(seqs) == len(self._queued) + 1 and i < len(seqs) and seqs[i] == run.seq

    def _numbered(self) -> bool:
        """Whether every queued run was queued by :meth:`_enqueue`, in order."""
        return len(self._queued_seqs) == len(self._queued)

    def stop_stale(self) -> None:
        """Stop the analyses whose document changed (its text, a file it depends on) or
        closed: the one running at its next stop point (what it parsed is kept), the
        waiting ones before they start."""
        for run in [*self._queued, *([self._running] if self._running else [])]:
            if run.stale is not None and run.why is None and run.stale():
                run.why, run.asked_at = "stale", asyncio.get_running_loop().time()
                run.cpu_at_ask = run.job.cpu_seconds()
                run.job.stop()

    def _make_way(self, waiting: _Run) -> None:
        """Another document's analysis waits: the running one, if it has held the thread
        for HANDOVER seconds, is asked to make way (up to MAKE_WAY times: it goes on from
        what it parsed, so it does progress) — or, if it did not within GRACE, left to its
        thread while the others go on in a fresh one.  An analysis that made way more often
        than the running one does not ask it to (no two documents take turns for ever): it
        waits, up to 4 × HANDOVER, and then the running one is left to its thread."""
        run = self._running
        if run is None or run.path == waiting.path or run.fut.done() or run.why == "moved":
            return
        now = asyncio.get_running_loop().time()
        held = now - run.started
        if held <= HANDOVER:
            return
        may_ask = waiting.made_way <= run.made_way < MAKE_WAY
        if run.why is None and may_ask:
            run.why, run.asked_at = "make way", now
            run.cpu_at_ask = run.job.cpu_seconds()
            run.job.stop()
        elif (run.why is not None and _past_grace(run, now)) or (
            run.why is None and held > 4 * HANDOVER
        ):  # (asked: GRACE decides; not asked: the waiting one waits 4 × HANDOVER at most)
            run.why = "moved"
            self._new_lane("another document's analysis is slow")

    def _watch(self, run: _Run, ws: Workspace) -> None:
        """Look at a running analysis's time every WATCH_EVERY seconds until it ends:
        stopped once past its bound (:func:`_past_budget`)."""
        job = run.job
        if job.state in ("waiting", "done") or job.overdue:
            return
        loop = asyncio.get_running_loop()
        bound = _bound_passed(run, loop.time(), self.analysis_budget)
        if bound is not None:
            run.bound = bound
            self._overdue(job, ws)
            return
        run.watch = loop.call_later(WATCH_EVERY, self._watch, run, ws)

    def _overdue(self, job: Job[Analysis], ws: Workspace) -> None:
        """An analysis past its bound: stopped at once; the workspace it worked in may be
        half changed, so the server goes on in a fresh one."""
        if job.state in ("waiting", "done"):
            return
        job.overdue = True
        if job.stop(force=True) and job.forced and ws is self.ws:
            self._new_lane("an analysis was stopped")

    def _new_lane(self, why: str) -> None:
        """Go on in a fresh workspace and thread; analyses waiting in the old one move."""
        log.info("analysis moves to a fresh thread: %s", why)
        old = self.analysis_pool
        self.ws = self.ws.fresh()
        if self.client_settings is not None:  # (a configure queued behind the old thread
            self.ws.configure(self.client_settings)  # reaches only the old workspace)
        self.analysis_pool = ThreadPoolExecutor(1, thread_name_prefix="texgrad-analysis")
        self.published_files.clear()
        for run in list(self._queued):
            if run.job.state == "waiting":
                run.job.stop()  # (its analysis is asked again in the fresh thread)
        old.shutdown(wait=False)

    def _analyse(
        self, ws: Workspace, path: str, text: str | None, buffers: dict[str, str], fmt: Format
    ) -> Analysis:
        try:
            with collected_after():  # (what it keeps frozen, as collect_when_idle would)
                return ws.analyse(path, text, buffers, fmt)
        except Exception as exc:  # a bug must not stop the server
            log.exception("checking %s failed", path)
            return Analysis(path, text or "", None, (path,), note=f"texgrad failed: {exc}")

    async def run_in(self, pool: ThreadPoolExecutor, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    async def snapshot(self, uri: str) -> Snapshot | None:
        """The open document at ``uri`` as analysed now (None: not open, or its text
        kept changing while it was analysed)."""
        doc = self.docs.get(uri)
        if doc is None:
            return None
        analysis = await self.current(doc)
        if analysis.text is not doc.text:
            return None
        positions = self.positions_of(doc.path, analysis.text)
        return Snapshot(doc.uri, doc.path, doc.fmt, doc.version, analysis, positions)

    # -- settings -----------------------------------------------------------------------

    async def configure(self, raw: Any) -> None:
        merged = dict(self.init_settings)
        if isinstance(raw, dict):
            merged.update(raw)
        hints_before = self.ws.settings.get("inlayHints.enabled")
        self.client_settings = merged
        ws = self.ws
        changed = await self.run_in(self.analysis_pool, ws.configure, merged)
        while self.ws is not ws:  # analysis moved to a fresh workspace meanwhile: there too
            ws = self.ws
            changed = await self.run_in(self.analysis_pool, ws.configure, merged) or changed
        hints_changed = self.ws.settings.get("inlayHints.enabled") != hints_before
        if changed:
            self.published_files.clear()
            for doc in self.docs.values():
                self.invalidate(doc, 0.0)
        if (changed or hints_changed) and self.client.inlay_hint_refresh:
            try:
                self.workspace_inlay_hint_refresh(None)
            except Exception:  # noqa: BLE001
                pass

    async def pull_configuration(self) -> None:
        # Asked even of a client that does not announce workspace/configuration, briefly:
        # Neovim 0.7's client answers it from its ``settings`` but does not announce it
        # (and sends no didChangeConfiguration); a client without it answers an error.
        announced = self.client.configuration
        try:
            items = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="texgrad")])
                ),
                timeout=10 if announced else 2,
            )
        except Exception as exc:  # noqa: BLE001 - a client that cannot answer
            log.log(
                logging.WARNING if announced else logging.INFO,
                "workspace/configuration failed: %s",
                exc,
            )
            items = None
        await self.configure(items[0] if items else None)


@dataclass(eq=False)
class _Run:
    """An analysis job in the analysis thread (or waiting for it)."""

    job: Job[Analysis]
    path: str
    fut: asyncio.Future[Analysis]
    stale: Callable[[], bool] | None  # (an open document's: its text or inputs changed)
    made_way: int  # (how often earlier jobs of the same analysis made way for others)
    started: float = 0.0
    why: str | None = None  # why it was asked to stop: stale, make way, moved
    asked_at: float = 0.0  # (when it was asked to stop: the loop's time)
    cpu_at_ask: float | None = None  # (and the CPU time its thread had used then)
    cpu_at_start: float | None = None  # (the CPU time its thread had used when it started)
    watch: asyncio.TimerHandle | None = None  # (the next look at its time, while it runs)
    bound: str | None = None  # (the time bound it was stopped by: see _bound_passed)
    seq: int = 0  # (its number in the queue: TexgradServer._enqueue; 0: not numbered)


def _past_budget(run: _Run, now: float, budget: float) -> bool:
    """Whether a running analysis is past its bound: ``budget`` seconds of its thread's
    CPU time (on a loaded machine the wall clock runs on while it waits its turn), or
    ANALYSIS_WALL times that on the wall clock (the backstop: a thread starved for ever,
    or blocked); the wall clock alone where the thread's CPU time cannot be read."""
    return _bound_passed(run, now, budget) is not None


def _bound_passed(run: _Run, now: float, budget: float) -> str | None:
    """Which bound of :func:`_past_budget` a running analysis is past: "cpu" (its CPU
    time), "backstop" (ANALYSIS_WALL × ``budget`` on the wall clock), "wall" (``budget``
    on the wall clock, where CPU time cannot be read); None while it is within them."""
    wall = now - run.started
    cpu = run.job.cpu_seconds()
    if cpu is None or run.cpu_at_start is None:
        return "wall" if wall > budget else None
    if cpu - run.cpu_at_start > budget:
        return "cpu"
    return "backstop" if wall > ANALYSIS_WALL * budget else None


def _time_bound_said(bound: str, budget: float) -> str:
    """What the note of an analysis stopped by ``bound`` (:func:`_bound_passed`) says."""
    if bound == "backstop":
        return (
            f"it ran past {ANALYSIS_WALL * budget:g} s on the wall clock (its time bound's "
            f"backstop, with less than {budget:g} s of CPU time: the machine is busy, or the "
            "analysis was held up)"
        )
    if bound == "wall":
        return f"it ran past {budget:g} s on the wall clock (its time bound)"
    return f"it ran past {budget:g} s of CPU time (its time bound)"


def _past_grace(run: _Run, now: float) -> bool:
    """Whether an analysis asked to stop has worked GRACE seconds since without reaching a
    stop point: CPU seconds of its thread where they can be read (on a loaded machine the
    wall clock runs on while it waits its turn), but never more than four times that on
    the wall clock (the document waiting behind it waits for the wall clock)."""
    if now - run.asked_at > 4 * GRACE:
        return True
    cpu = run.job.cpu_seconds()
    if cpu is not None and run.cpu_at_ask is not None:
        return cpu - run.cpu_at_ask > GRACE
    return now - run.asked_at > GRACE


_TRIM: list[Callable[[int], int] | None] = []


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``): an
    analysis and a derivative check free most of what they allocate, and glibc keeps the
    freed pages otherwise (the Cookbook's check left ~25 MB resident so).  Nowhere but on
    glibc."""
    if not _TRIM:
        trim = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                trim = ctypes.CDLL("libc.so.6").malloc_trim
                trim.argtypes = [ctypes.c_size_t]
            except (OSError, AttributeError):  # (musl, another C library)
                trim = None
        _TRIM.append(trim)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def _start_signal(job: Job[Any], loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """A future done when ``job`` starts in its thread (a queued analysis need not look
    often to tell)."""
    started: asyncio.Future[None] = loop.create_future()

    def done() -> None:
        if not started.done():
            started.set_result(None)

    def told() -> None:
        try:
            loop.call_soon_threadsafe(done)
        except RuntimeError:  # (the loop closed: the server is ending)
            pass

    job.on_start = told
    return started


def _retrieved(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()


def _may_include(doc: Document, changed: Document) -> bool:
    """Whether ``doc``, never analysed yet but being analysed, may read ``changed`` (its
    first analysis, running, read the old text): LaTeX files of one folder tree."""
    if doc.project or doc.inflight is None or doc.fmt != "latex" or changed.fmt != "latex":
        return False
    a, b = os.path.dirname(doc.path), os.path.dirname(changed.path)
    return a == b or b.startswith(a + os.sep) or a.startswith(b + os.sep)


def _as_on_disk(doc: Document) -> bool:
    """Whether ``doc``'s text is its file's on disk, read as an analysis reads it."""
    from texgrad.reading.project import read_file

    text, problems = read_file(doc.path)
    return not problems and text == doc.text
