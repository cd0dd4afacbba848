"""The one place the language server is put together: the server and every feature.

Each feature module has a ``register(server)`` that adds its LSP handlers and, where it
needs them, its callbacks for the server's events; :mod:`texgrad.protocol.server`
imports none of them, so a new capability is one new module and one line below.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from texgrad.protocol import (
    actions,
    derivative_checks,
    diagnostics,
    hover,
    inlay,
    navigation,
    settings,
)
from texgrad.protocol.framing import EarlyStart
from texgrad.protocol.server import TexgradServer

FEATURES = (settings, diagnostics, derivative_checks, hover, inlay, navigation, actions)


def quiet_late_cancel(record: logging.LogRecord) -> bool:
    """Drop pygls's warning for a ``$/cancelRequest`` of a request already answered: an
    editor cancels what it no longer needs, often just after the answer left (noise at
    every keystroke, not a problem)."""
    return not record.getMessage().startswith("Cancel notification for unknown message id")


def quiet_unreadable(record: logging.LogRecord) -> bool:
    """Drop pygls's traceback for a message it cannot read: texgrad's protocol answers
    it and logs it in one line (:mod:`texgrad.protocol.rpc`)."""
    return not record.getMessage().startswith("Unable to deserialize message")


def create_server() -> TexgradServer:
    server = TexgradServer()
    for feature in FEATURES:
        feature.register(server)
    return server


def load_analysis() -> None:
    """Import the analysis (the checker: sympy for dimensions, lark for the parser; the
    engine: numpy): started in a thread once the server is built, so that ``initialize``,
    which needs none of it, is answered at once, and the first document opened does not wait
    for all of these imports.  It imports ``calculus.api``, as the analysis thread and the
    engine's warm-up do first: threads importing from one root take its module locks in one
    order (two roots could each hold a module the other needs, and one get a module half
    made)."""
    try:
        import texgrad.calculus.api  # noqa: F401  (imported for its loading only)
    except Exception:  # logged: the first analysis imports it again and says why
        logging.getLogger("texgrad.lsp").exception("loading the analysis failed")


def main(tcp: str | None = None, early: EarlyStart | None = None) -> int:
    """Serve (``early``: what :mod:`~texgrad.protocol.early_initialize` read and answered
    on stdio before this module was loaded)."""
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("TEXGRAD_LOG", "WARNING").upper(),
        format="texgrad %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    logging.getLogger("pygls.protocol.json_rpc").addFilter(quiet_late_cancel)
    logging.getLogger("pygls.protocol.json_rpc").addFilter(quiet_unreadable)
    server = create_server()
    threading.Thread(target=load_analysis, name="texgrad-load", daemon=True).start()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(early=early)
    return server.exit_status
