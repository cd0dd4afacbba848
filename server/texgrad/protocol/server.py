"""The language server: pygls wiring, open documents, scheduling of analysis.

State changes only in notification handlers on the event loop (didOpen, didChange,
didClose, configuration); analysis runs in one background thread (the workspace's
Checker is not thread-safe), debounced per document and keyed by the text it was
run on, so a stale result is dropped rather than published over a newer one.
Differentiation runs in its own small pool.  Request handlers are ``async``: pygls
cancels them on ``$/cancelRequest``.  Nothing is ever printed to stdout.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import types as pytypes
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from texgrad import __version__
from texgrad.reading.document import Format, detect_format
from texgrad.reading.project import LATEX_SUFFIXES, MARKDOWN_SUFFIXES, normalize
from texgrad.workspace import Analysis, Workspace

from .convert import PositionCache, Positions

log = logging.getLogger("texgrad.lsp")

DEBOUNCE = 0.2  # seconds between the last keystroke and re-analysis
# Seconds without edits before a full garbage collection.  Python's own full collections
# walk every tree of every open document (50-100 ms) at random moments while the user
# types; instead the server collects when idle and freezes what survives, so automatic
# collections only look at objects made since.
IDLE_COLLECT = 2.0
REQUEST_FAILED = -32803


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
    inflight: tuple[str, asyncio.Future[Analysis]] | None = None
    task: asyncio.Task[None] | None = None
    closed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class TexgradProtocol(LanguageServerProtocol):
    """Answers a request whose parameters cannot be read with an error (pygls alone
    logs it and never answers, and the client waits forever)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "method" in data and "id" in data:
                method = data.get("method")
                err = JsonRpcInvalidParams(f"texgrad cannot read the parameters of {method}")
                try:
                    self._send_response(data["id"], error=err.to_response_error())
                except Exception:  # noqa: BLE001 - an unanswerable id
                    log.warning("cannot answer a malformed %s request", method)
            log.warning("ignored a malformed message: %s", exc)
            return pytypes.SimpleNamespace(jsonrpc="invalid")


class TexgradServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "texgrad",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TexgradProtocol,
        )
        self.ws = Workspace()
        self.docs: dict[str, Document] = {}
        self.analysis_pool = ThreadPoolExecutor(1, thread_name_prefix="texgrad-analysis")
        self.diff_pool = ThreadPoolExecutor(2, thread_name_prefix="texgrad-diff")
        self.debounce = float(os.environ.get("TEXGRAD_LSP_DEBOUNCE", DEBOUNCE))
        self._positions: PositionCache | None = None
        self._published_files: dict[str, object] = {}  # project files not open -> inputs
        self.init_settings: dict[str, Any] = {}
        self._collect_task: asyncio.Future[None] | None = None
        self._engine_imported = False

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
        for doc in self.docs.values():
            if doc.path == path:
                return doc.uri
        return from_fs_path(path) or path

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
        fmt = _format_of(item.uri, item.language_id)
        path = _path_of(item.uri, fmt)
        doc = Document(item.uri, path, fmt, item.version, item.text)
        old = self.docs.get(item.uri)
        if old is not None:
            self._drop(old)
        self.docs[item.uri] = doc
        self.schedule(doc, 0.0)
        self.schedule_dependents(doc)
        return doc

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
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
        self.schedule(doc)
        self.schedule_dependents(doc)

    def collect_when_idle(self) -> None:
        gc.freeze()  # what the analysis keeps is long-lived: out of automatic collections
        if self._collect_task is not None:
            self._collect_task.cancel()
        self._collect_task = asyncio.ensure_future(self._collect_later())

    async def _collect_later(self) -> None:
        await asyncio.sleep(IDLE_COLLECT)
        if any(d.task is not None and not d.task.done() for d in self.docs.values()):
            return  # an analysis is pending: it will ask again when it is done
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def close(self, uri: str) -> None:
        doc = self.docs.pop(uri, None)
        if doc is None:
            return
        self._drop(doc)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        self.analysis_pool.submit(self.ws.forget, doc.path)
        self._published_files.clear()
        for other in self.docs.values():
            if other.analysis is not None and doc.path in other.analysis.project:
                self.invalidate(other)

    def saved(self, uri: str) -> None:
        doc = self.docs.get(uri)
        if doc is not None:
            self.analysis_pool.submit(self.ws.forget, doc.path)

    def _drop(self, doc: Document) -> None:
        doc.closed = True
        if doc.task is not None:
            doc.task.cancel()

    def buffers(self) -> dict[str, str]:
        return {d.path: d.text for d in self.docs.values()}

    # -- analysis -----------------------------------------------------------------------

    def schedule(self, doc: Document, delay: float | None = None) -> None:
        if doc.task is not None:
            doc.task.cancel()
        wait = self.debounce if delay is None else delay
        doc.task = asyncio.ensure_future(self._analyse_later(doc, wait))

    def schedule_dependents(self, doc: Document) -> None:
        for other in self.docs.values():
            if (
                other is not doc
                and other.analysis is not None
                and doc.path in other.analysis.project
            ):
                self.invalidate(other)

    def invalidate(self, doc: Document, delay: float | None = None) -> None:
        """Analyse ``doc`` again: a file it depends on or a setting changed, not its text."""
        doc.analysis = None
        doc.inflight = None
        self.schedule(doc, delay)

    async def _analyse_later(self, doc: Document, delay: float) -> None:
        from texgrad.protocol.diagnostics import publish, publish_project_files

        try:
            if delay > 0:
                await asyncio.sleep(delay)
            analysis = await self.current(doc)
            if doc.closed or analysis.text is not doc.text:
                return  # a newer version is on its way
            publish(self, doc, analysis)
            await publish_project_files(self, doc, analysis)
            self.collect_when_idle()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep serving
            log.exception("analysis of %s failed", doc.uri)
            self.log_client(
                f"texgrad: analysis of {doc.uri} failed: {exc}", types.MessageType.Error
            )

    async def current(self, doc: Document) -> Analysis:
        """The analysis of the document's current text (computed now if needed)."""
        for _ in range(5):
            if doc.analysis is not None and doc.analysis.text is doc.text:
                return doc.analysis
            text = doc.text
            if doc.inflight is not None and doc.inflight[0] is text:
                fut = doc.inflight[1]
            else:
                fut = self.run_analysis(doc.path, text, doc.fmt)
                doc.inflight = (text, fut)
            analysis = await asyncio.shield(fut)
            if analysis.text is doc.text or analysis.text == doc.text:
                analysis.text = doc.text
                doc.analysis = analysis
                return analysis
        return analysis

    def run_analysis(self, path: str, text: str | None, fmt: Format) -> asyncio.Future[Analysis]:
        loop = asyncio.get_running_loop()
        buffers = self.buffers()
        return loop.run_in_executor(self.analysis_pool, self._analyse, path, text, buffers, fmt)

    def _analyse(
        self, path: str, text: str | None, buffers: dict[str, str], fmt: Format
    ) -> Analysis:
        try:
            if not self._engine_imported:
                # The differentiation engine (numpy, scipy) is imported once, by whichever
                # thread comes first; the warm-up starts at initialization.  Waiting for it
                # here, before the first analysis, keeps that import (half a second of
                # CPU) from slowing the first keystrokes' analyses instead.
                import texgrad.calculus.api  # noqa: F401

                self._engine_imported = True
            return self.ws.analyse(path, text, buffers, fmt)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server
            log.exception("checking %s failed", path)
            return Analysis(path, text or "", None, (path,), note=f"texgrad failed: {exc}")

    async def run_in(self, pool: ThreadPoolExecutor, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    async def analysed(self, uri: str) -> tuple[Document, Analysis] | None:
        """The open document at ``uri`` and the analysis of its current text."""
        doc = self.docs.get(uri)
        if doc is None:
            return None
        analysis = await self.current(doc)
        if analysis.text is not doc.text:
            return None
        return doc, analysis

    # -- settings -----------------------------------------------------------------------

    async def configure(self, raw: Any) -> None:
        merged = dict(self.init_settings)
        if isinstance(raw, dict):
            merged.update(raw)
        hints_before = self.ws.settings.get("inlayHints.enabled")
        changed = await self.run_in(self.analysis_pool, self.ws.configure, merged)
        hints_changed = self.ws.settings.get("inlayHints.enabled") != hints_before
        if changed:
            self._published_files.clear()
            for doc in self.docs.values():
                self.invalidate(doc, 0.0)
        if (changed or hints_changed) and _supports(
            self.client_capabilities, "workspace", "inlay_hint", "refresh_support"
        ):
            try:
                self.workspace_inlay_hint_refresh(None)
            except Exception:  # noqa: BLE001
                pass

    async def pull_configuration(self) -> None:
        # Asked even of a client that does not announce workspace/configuration, briefly:
        # Neovim 0.7's client answers it from its ``settings`` but does not announce it
        # (and sends no didChangeConfiguration); a client without it answers an error.
        announced = _supports(self.client_capabilities, "workspace", "configuration")
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


def _supports(caps: Any, *path: str) -> bool:
    node = caps
    for name in path:
        node = getattr(node, name, None)
        if node is None:
            return False
    return bool(node)


def _format_of(uri: str, language_id: str | None) -> Format:
    """The format of an opened document: its language id's, unless its file name is
    LaTeX's or Markdown's and the language id names the other.  Then the name wins:
    eglot before 1.10 (Emacs 28) starts one server for all the modes of an
    ``eglot-server-programs`` entry and sends the language id of the first buffer
    opened for every buffer (a ``.md`` file arrives as ``latex``)."""
    by_id = detect_format(uri, language_id)
    name = uri.split("?", 1)[0].split("#", 1)[0]
    suffix = os.path.splitext(name)[1].lower()
    if suffix in LATEX_SUFFIXES or suffix in MARKDOWN_SUFFIXES:
        by_name = detect_format(name)
        if by_name != by_id:
            log.info("%s opened as %s: read as %s, as its name says", uri, language_id, by_name)
            return by_name
    return by_id


def _path_of(uri: str, fmt: Format) -> str:
    """The analysis key of a document: its file's path, made to end in the suffix of
    its format when the editor's language id says otherwise (or for untitled buffers)."""
    fs = to_fs_path(uri) if uri.startswith("file:") else None
    if fs is None:
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in uri.split(":", 1)[-1])
        fs = os.path.join(os.getcwd(), ".texgrad-untitled", name or "untitled")
    path = normalize(fs)
    if detect_format(path) != fmt:
        path += ".md" if fmt == "markdown" else ".tex"
    return path


def create_server() -> TexgradServer:
    from texgrad.protocol import actions, diagnostics, hover, inlay, navigation, settings

    server = TexgradServer()
    settings.register(server)
    diagnostics.register(server)
    hover.register(server)
    inlay.register(server)
    navigation.register(server)
    actions.register(server)
    return server


def main(tcp: str | None = None) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("TEXGRAD_LOG", "WARNING").upper(),
        format="texgrad %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
