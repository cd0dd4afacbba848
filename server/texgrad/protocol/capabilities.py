"""What the client can do, read once from the capabilities it announced at initialize.

Features ask :attr:`TexgradServer.client <texgrad.protocol.server.TexgradServer.client>`
(a :class:`ClientSupport`) instead of walking the nested, mostly optional
``ClientCapabilities`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.capabilities import get_capability


@dataclass(frozen=True, slots=True)
class ClientSupport:
    markdown_hover: bool  # renders Markdown hovers (else plain text: eglot without markdown-mode)
    resolves_edits: bool  # resolves code actions' edits (``codeAction/resolve``)
    document_changes: bool  # takes versioned ``documentChanges`` in a workspace edit
    inlay_hint_refresh: bool  # ``workspace/inlayHint/refresh``
    configuration: bool  # announces ``workspace/configuration``

    @classmethod
    def of(cls, caps: types.ClientCapabilities) -> ClientSupport:
        formats = get_capability(caps, "text_document.hover.content_format")
        resolve = get_capability(caps, "text_document.code_action.resolve_support")
        return cls(
            markdown_hover=not formats or types.MarkupKind.Markdown in formats,
            resolves_edits=resolve is not None and "edit" in (resolve.properties or []),
            document_changes=bool(
                get_capability(caps, "workspace.workspace_edit.document_changes")
            ),
            inlay_hint_refresh=bool(get_capability(caps, "workspace.inlay_hint.refresh_support")),
            configuration=bool(get_capability(caps, "workspace.configuration")),
        )
