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
    # commands the client runs itself, announced as rust-analyzer's clients do in
    # ``experimental.commands.commands`` (VS Code's texgrad.copyToClipboard)
    commands: frozenset[str] = frozenset()
    # lists a code action disabled with its reason (``CodeAction.disabled``: literal code
    # actions and ``disabledSupport``); to the others the reason is said in a hover
    disabled_actions: bool = False
    show_document: bool = False  # ``window/showDocument`` (Neovim 0.8+, VS Code)
    # takes file watchers registered by the server (``workspace/didChangeWatchedFiles``)
    watches_files: bool = False

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
            commands=_client_commands(caps.experimental),
            disabled_actions=bool(
                get_capability(caps, "text_document.code_action.code_action_literal_support")
                and get_capability(caps, "text_document.code_action.disabled_support")
            ),
            show_document=bool(get_capability(caps, "window.show_document.support", False)),
            watches_files=bool(
                get_capability(caps, "workspace.did_change_watched_files.dynamic_registration")
            ),
        )


def _client_commands(experimental: object) -> frozenset[str]:
    """The names in ``experimental.commands.commands`` (a JSON object from the client)."""
    commands = experimental.get("commands") if isinstance(experimental, dict) else None
    names = commands.get("commands") if isinstance(commands, dict) else None
    if not isinstance(names, list):
        return frozenset()
    return frozenset(n for n in names if isinstance(n, str))
