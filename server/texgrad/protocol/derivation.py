r"""Show derivation: the derivation of a result displayed beside the document, which stays
as it is ("Insert derivation of …" is the action that writes it into the document).

The code action carries a command.  A client that announces
:data:`PREVIEW_COMMAND` (VS Code's texgrad extension, in ``experimental.commands``) runs
it itself: it asks the server for the derivation with :data:`SHOW_COMMAND` and
``{"display": false}`` and shows the Markdown in a rendered preview to the side.  Any other
client runs :data:`SHOW_COMMAND` on the server (``workspace/executeCommand``), which shows
it: as a Markdown file opened with ``window/showDocument`` where the client supports that
(Neovim 0.8+), else as a plain-text ``window/showMessage`` (Neovim 0.7, eglot).  Either way
the command's result is the derivation: ``{"title", "markdown", "text", "verified"}``.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types

from texgrad.calculus.actions import Offer
from texgrad.protocol.server import Snapshot, TexgradServer

log = logging.getLogger("texgrad.lsp")

SHOW_COMMAND = "texgrad.showDerivation"  # the server's: computes (and, asked, displays) it
PREVIEW_COMMAND = "texgrad.previewDerivation"  # VS Code's: a rendered preview to the side


def show_action(ls: TexgradServer, snap: Snapshot, offer: Offer) -> types.CodeAction:
    """ "Show derivation of ∇ₓf": a command, no edit (nothing to resolve)."""
    data = {
        "uri": snap.uri, "version": snap.version, "row": offer.row_start,
        "rowText": offer.row_text, "wrt": offer.wrt, "mode": offer.mode, "head": offer.head,
        "title": offer.title,
    }  # fmt: skip
    command = PREVIEW_COMMAND if PREVIEW_COMMAND in ls.client.commands else SHOW_COMMAND
    return types.CodeAction(
        title=offer.title,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title=offer.title, command=command, arguments=[data]),
    )


async def display(ls: TexgradServer, shown: dict[str, Any], uri: str) -> None:
    """Shows a derivation to a client that does not preview it itself: a Markdown file
    beside the document, else a message."""
    if ls.client.show_document:
        path = _file_for(uri, str(shown["title"]))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(shown["markdown"]), encoding="utf-8")
        except OSError as exc:
            log.warning("cannot write the derivation to %s: %s", path, exc)
        else:
            result = await ls.window_show_document_async(
                types.ShowDocumentParams(uri=path.as_uri(), take_focus=True)
            )
            if result is not None and result.success:
                return
    ls.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Info, message=str(shown["text"]))
    )


def _file_for(uri: str, title: str) -> Path:
    """A file of its own for each document and derivation, outside the project."""
    key = hashlib.sha256(f"{uri}\n{title}".encode()).hexdigest()[:12]
    stem = Path(uri.rsplit("/", 1)[-1]).stem or "document"
    return Path(tempfile.gettempdir()) / "texgrad-derivations" / f"{stem}-derivation-{key}.md"
