r"""What texgrad reads of a client's capabilities, once per connection."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import client_capabilities

from texgrad.protocol.capabilities import ClientSupport


def test_a_client_announcing_nothing_gets_the_defaults() -> None:
    assert ClientSupport.of(types.ClientCapabilities()) == ClientSupport(
        markdown_hover=True,
        resolves_edits=False,
        document_changes=False,
        inlay_hint_refresh=False,
        configuration=False,
    )


def test_vs_code_and_neovim() -> None:
    code = ClientSupport.of(client_capabilities("visual-studio-code"))
    # VS Code lists disabled code actions with their reasons, opens documents shown and
    # takes file watchers (a macros file changed on disk); Neovim 0.7 takes none
    assert code == ClientSupport(
        True, True, True, False, True, disabled_actions=True, show_document=True,
        watches_files=True,
    )  # fmt: skip
    nvim = ClientSupport.of(client_capabilities("neovim"))
    assert nvim == ClientSupport(True, True, False, True, True, show_document=True)  # no docChanges


def test_plain_text_hovers_and_eager_edits() -> None:
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText]),
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["command"])
            ),
        )
    )
    support = ClientSupport.of(caps)
    assert not support.markdown_hover and not support.resolves_edits


def test_a_late_cancel_is_not_logged_as_a_warning() -> None:
    import logging

    from texgrad.protocol.app import quiet_late_cancel

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("pygls.protocol.json_rpc", logging.WARNING, "", 0, msg, (7,), None)

    assert not quiet_late_cancel(record('Cancel notification for unknown message id "%s"'))
    assert quiet_late_cancel(record("Failed to handle request %s"))
