"""Diagnostics, pushed per document: shape mismatches with their codes, related
declarations and the transpose fix (as ``data``), reading problems, and a message
for a document texgrad does not analyse.  Published each time the server has
analysed a document (the callback :func:`register` gives the server), with those
of the project's files that are not open."""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path
from typing import Any

from lsprotocol import types

from texgrad.protocol.server import Document, TexgradServer
from texgrad.reading.document import detect_format
from texgrad.reading.problems import ReadProblem
from texgrad.shapes.diagnostics import Diagnostic, Fix, said_once
from texgrad.workspace import Analysis

SOURCE = "texgrad"
log = logging.getLogger("texgrad.lsp")

# The README a code's section is linked in (``codeDescription.href``): texgrad is not
# published at a web address yet, so the README of the source tree the server runs from
# (a checkout or an editable install); a wheel has none, and the message names the
# section itself (``README.md#declaring-shapes``).
_README = Path(__file__).resolve().parents[3] / "README.md"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_lsp(server: TexgradServer, d: Diagnostic, texts: dict[str, str]) -> types.Diagnostic:
    """A diagnostic in LSP's terms; ``texts``: the text of every file it may point into."""
    pos = server.positions_of(d.path, texts.get(d.path, ""))
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=server.uri_of(r.path),
                range=server.positions_of(r.path, texts[r.path]).range(r.start, r.end),
            ),
            message=r.message,
        )
        for r in d.related
        if r.path in texts
    ]
    return types.Diagnostic(
        range=pos.range(d.start, d.end),
        severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
        code=d.code,
        source=SOURCE,
        message=d.message,
        related_information=related or None,
        data={"fixes": [_fix(server, f, texts) for f in d.fixes]} if d.fixes else None,
        code_description=help_link(d.code),
    )


def help_link(code: str) -> types.CodeDescription | None:
    """The README's section on a code (the one information note's), where there is one."""
    from texgrad.shapes.undeclared import HELP  # (loaded with the analysis, after initialize)

    anchor = HELP.get(code)
    if anchor is None or not _README.is_file():
        return None
    return types.CodeDescription(href=_README.as_uri() + anchor[anchor.index("#") :])


def _fix(server: TexgradServer, f: Fix, texts: dict[str, str]) -> dict[str, Any]:
    """A fix as the diagnostic's ``data`` carries it (plain JSON, ranges included)."""
    fr = server.positions_of(f.path, texts.get(f.path, "")).range(f.start, f.end)
    return {
        "title": f.title,
        "uri": server.uri_of(f.path),
        "range": {
            "start": {"line": fr.start.line, "character": fr.start.character},
            "end": {"line": fr.end.line, "character": fr.end.character},
        },
        "newText": f.text,
    }


def _problem(server: TexgradServer, path: str, text: str, p: ReadProblem) -> types.Diagnostic:
    pos = server.positions_of(path, text)
    return types.Diagnostic(
        range=pos.range(p.start, p.end),
        severity=_SEVERITY.get(p.severity, types.DiagnosticSeverity.Warning),
        code=p.code,
        source=SOURCE,
        message=p.message,
    )


def diagnostics_of(server: TexgradServer, analysis: Analysis) -> list[types.Diagnostic]:
    out: list[types.Diagnostic] = []
    if analysis.note:
        out.append(
            types.Diagnostic(
                range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
                code="not-analysed",
                message=analysis.note,
            )
        )
    result = analysis.result
    if result is None:
        return out
    texts = dict(result.table.texts)
    texts[result.path] = analysis.text
    out.extend(_problem(server, result.path, analysis.text, p) for p in analysis.problems)
    # the shape diagnostics, then the wrong-derivative findings: one mistake said once
    said = said_once(list(result.diagnostics), list(analysis.findings))
    out.extend(to_lsp(server, d, texts) for d in said)
    return out


# What was last published for each project file that is not open, by server and path: an
# edit of one file analyses the others of its project again, and they are published only
# where their diagnostics changed (the client holds the rest already).
_sent: weakref.WeakKeyDictionary[TexgradServer, dict[str, tuple[str, list[types.Diagnostic]]]] = (
    weakref.WeakKeyDictionary()
)


def publish(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    _sent.setdefault(server, {}).pop(doc.path, None)  # (open: its own publications from now)
    found = diagnostics_of(server, analysis)
    doc.shown = (analysis.text, analysis.findings)
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=found, version=doc.version)
    )
    if analysis.derivatives is None:  # (the shape diagnostics, published first)
        carried = len(analysis.carried or ())  # (last in the list: not kept on disk)
        keep_for_next_session(server, doc, analysis, found[: len(found) - carried])


def keep_for_next_session(
    server: TexgradServer, doc: Document, analysis: Analysis, found: list[types.Diagnostic]
) -> None:
    """Keep a document's shape diagnostics on disk once it has stayed as analysed for a
    moment, for the next session to publish when it is opened, before the server has
    loaded (:mod:`texgrad.protocol.early_diagnostics`)."""
    from texgrad.protocol import early_diagnostics as ed

    session = ed.session()
    if session is None or analysis.result is None or analysis.note is not None:
        return
    if ed.analyse_only():
        return  # (TEXGRAD_KEEP_DIAGNOSTICS=analyse: the early analysis alone)
    if server.ws.settings != session.settings:
        return  # (settings given by workspace/configuration: the next start cannot know them)
    old = session.pending.pop(doc.uri, None)
    if old is not None:
        old.cancel()

    def store() -> None:
        session.pending.pop(doc.uri, None)
        if doc.closed or doc.analysis is not analysis or analysis.text is not doc.text:
            return
        try:
            deps = _inputs(analysis)
            if deps is None:
                return  # (another file of its project is open and differs from its file)
            unstructured = server.protocol._converter.unstructure(found, list[types.Diagnostic])
            session.cache.store(doc.uri, doc.path, analysis.text, session.start, deps, unstructured)
        except Exception:  # only a head start for the next session
            log.exception("keeping the diagnostics of %s failed", doc.uri)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # (published outside the server's loop: nothing to wait with)
        return
    session.pending[doc.uri] = loop.call_later(ed.STORE_AFTER, store)


def _inputs(analysis: Analysis) -> list[tuple[str, str, str]] | None:
    """The other files of the document's project: path, digest of the text analysed and of
    the file's bytes (None where the text analysed is not the file's: an open buffer)."""
    from texgrad.protocol.early_diagnostics import digest
    from texgrad.reading.project import read_file

    assert analysis.result is not None
    texts = analysis.result.table.texts
    out = []
    for path in analysis.project:
        if path == analysis.path:
            continue
        text = texts.get(path)
        on_disk, problems = read_file(path)
        if text is None or problems or on_disk != text:
            return None
        try:
            with open(path, "rb") as f:
                out.append((path, digest(text), digest(f.read())))
        except OSError:
            return None
    return out


async def publish_project_files(server: TexgradServer, doc: Document, analysis: Analysis) -> None:
    """Diagnostics of the files of the document's project that are not open."""
    open_paths = {d.path for d in server.docs.values()}
    buffers = server.buffers()
    inputs = (
        server.ws.generation,
        tuple(sorted((p, hash(buffers[p])) for p in analysis.project if p in buffers)),
    )
    for path in analysis.project:
        if path in open_paths or server.published_files.get(path) == inputs:
            continue
        other = await server.run_analysis(path, None, detect_format(path))
        if doc.closed:
            return
        if path in {d.path for d in server.docs.values()}:
            continue  # opened meanwhile: its own analysis publishes
        uri, found = server.uri_of(path), diagnostics_of(server, other)
        sent = _sent.setdefault(server, {})
        if sent.get(path) != (uri, found):  # (unchanged: the client has them)
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=found)
            )
            sent[path] = (uri, found)
        # (marked once published: a publication cut short, by a newer analysis cancelling
        # this one, must not leave the file marked as published for these inputs)
        server.published_files[path] = inputs


def register(server: TexgradServer) -> None:
    async def analysed(doc: Document, analysis: Analysis) -> None:
        publish(server, doc, analysis)
        await publish_project_files(server, doc, analysis)

    server.on_analysed(analysed)
