"""Inlay hints: inferred shapes after symbols, the shape of defined functions
(``texgrad.inlayHints.enabled``)."""

from __future__ import annotations

from lsprotocol import types

from texgrad.protocol.server import TexgradServer


def register(server: TexgradServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    async def inlay_hint(
        ls: TexgradServer, params: types.InlayHintParams
    ) -> list[types.InlayHint] | None:
        if not ls.ws.settings.get("inlayHints.enabled", True):
            return []
        snap = await ls.snapshot(params.text_document.uri)
        if snap is None:
            return None
        if snap.result is None:
            return []
        from texgrad.shapes.hints import hints  # (loaded with the analysis, after initialize)

        start, end = snap.offset(params.range.start), snap.offset(params.range.end)
        return [
            types.InlayHint(
                position=snap.position(h.offset),
                label=h.label,
                kind=types.InlayHintKind.Type,
                tooltip=h.tooltip,
                padding_left=False,
            )
            for h in hints(snap.result, start, end)
        ]
