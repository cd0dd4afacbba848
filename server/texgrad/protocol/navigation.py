"""Go to definition, find references (across the files of a project) and the
document's outline (declared symbols, defined functions, labelled equations)."""

from __future__ import annotations

from lsprotocol import types

from texgrad.protocol.server import TexgradServer
from texgrad.reading.document import detect_format
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


def register(server: TexgradServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: TexgradServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        got = await ls.analysed(params.text_document.uri)
        if got is None or got[1].result is None:
            return None
        doc, analysis = got
        result = analysis.result
        assert result is not None
        offset = ls.positions_of(doc.path, analysis.text).offset(params.position)
        texts = {**result.table.texts, result.path: analysis.text}
        places = nav.definition(result, offset)
        return [_location(ls, p, texts) for p in places] or None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(
        ls: TexgradServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        got = await ls.analysed(params.text_document.uri)
        if got is None or got[1].result is None:
            return None
        doc, analysis = got
        result = analysis.result
        assert result is not None
        offset = ls.positions_of(doc.path, analysis.text).offset(params.position)
        at = nav.symbol_at(result, offset)
        if at is None:
            return None
        results: list[CheckResult] = [result]
        by_path = {d.path: d for d in ls.docs.values()}
        for path in analysis.project:
            if path == doc.path:
                continue
            other = by_path.get(path)
            if other is not None:
                a = await ls.current(other)
            else:
                a = await ls.run_analysis(path, None, detect_format(path))
            if a.result is not None:
                results.append(a.result)
        texts = {r.path: r.doc.text for r in results}
        places = nav.occurrences(results, at.key)
        if params.context.include_declaration:
            for d in result.table.declarations.get(at.key, ()):
                if d.path in texts and d.how != "definition":
                    places.append(nav.Place(d.path, d.start, d.end))
        places = sorted(set(places), key=lambda p: (p.path, p.start))
        return [_location(ls, p, texts) for p in places]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: TexgradServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | None:
        got = await ls.analysed(params.text_document.uri)
        if got is None or got[1].result is None:
            return None
        doc, analysis = got
        assert analysis.result is not None
        pos = ls.positions_of(doc.path, analysis.text)
        out = []
        for item in nav.outline(analysis.result):
            out.append(
                types.DocumentSymbol(
                    name=item.name or "?",
                    detail=item.detail or None,
                    kind=_KINDS.get(item.kind, types.SymbolKind.Variable),
                    range=pos.range(item.start, item.end),
                    selection_range=pos.range(item.name_start, item.name_end),
                )
            )
        return out
