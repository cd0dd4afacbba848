"""Go to definition, find references (across the files of a project) and the
document's outline (declared symbols, defined functions, labelled equations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from texgrad.protocol.server import Snapshot, TexgradServer
from texgrad.reading.document import detect_format

if TYPE_CHECKING:  # (the analysis loads after initialize: see workspace.checker)
    from texgrad.shapes import navigation as nav
    from texgrad.shapes.check import CheckResult

_KINDS = {
    "symbol": types.SymbolKind.Variable,
    "function": types.SymbolKind.Function,
    "equation": types.SymbolKind.Key,
}


def _location(ls: TexgradServer, place: nav.Place, texts: dict[str, str]) -> types.Location:
    text = texts.get(place.path, "")
    return types.Location(
        uri=ls.uri_of(place.path),
        range=ls.positions_of(place.path, text).range(place.start, place.end),
    )


async def _project(ls: TexgradServer, snap: Snapshot) -> list[CheckResult]:
    """The checked other files of the document's project (analysed now if not open)."""
    out = []
    by_path = {d.path: d for d in ls.docs.values()}
    for path in snap.analysis.project:
        if path == snap.path:
            continue
        other = by_path.get(path)
        if other is not None:
            a = await ls.current(other)
        else:
            a = await ls.run_analysis(path, None, detect_format(path))
        if a.result is not None:
            out.append(a.result)
    return out


def register(server: TexgradServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: TexgradServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        snap = await ls.snapshot(params.text_document.uri)
        from texgrad.shapes import navigation as nav  # (with the analysis)

        if snap is None or snap.result is None:
            return None
        texts = {**snap.result.table.texts, snap.path: snap.text}
        places = nav.definition(snap.result, snap.offset(params.position))
        return [_location(ls, p, texts) for p in places] or None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(
        ls: TexgradServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        snap = await ls.snapshot(params.text_document.uri)
        from texgrad.shapes import navigation as nav  # (with the analysis)

        if snap is None or snap.result is None:
            return None
        at = nav.symbol_at(snap.result, snap.offset(params.position))
        if at is None:
            return None
        others = await _project(ls, snap)
        include = params.context.include_declaration
        places = nav.references(snap.result, others, at.key, include)
        texts = {r.path: r.doc.text for r in (snap.result, *others)}
        return [_location(ls, p, texts) for p in places]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: TexgradServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | None:
        snap = await ls.snapshot(params.text_document.uri)
        from texgrad.shapes import navigation as nav  # (with the analysis)

        if snap is None or snap.result is None:
            return None
        return [
            types.DocumentSymbol(
                name=item.name or "?",
                detail=item.detail or None,
                kind=_KINDS.get(item.kind, types.SymbolKind.Variable),
                range=snap.range(item.start, item.end),
                selection_range=snap.range(item.name_start, item.name_end),
            )
            for item in nav.outline(snap.result)
        ]
