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

FIRST_ANALYSIS = 5.0  # seconds the engine's import waits for the first analysis at most
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


def load_analysis(first: threading.Event | None = None) -> None:
    """Import the analysis: started in a thread once the server is built, so that the first
    document opened does not wait for these imports.  First the checker (the parser,
    the shape rules and their own dimensions, no sympy) — what the first analysis needs —,
    then, once ``first`` is set (the first analysis is done; at most FIRST_ANALYSIS
    seconds), the engine (``calculus.api``: sympy, numpy), whose import would otherwise share the interpreter with that
    analysis (0.3 s of CPU before the Cookbook's first diagnostics).  Threads importing from
    different roots cannot deadlock: texgrad's imports hold no circle
    (``tests/test_architecture.py``)."""
    try:
        if first is not None:
            import texgrad.shapes.check
            import texgrad.syntax.parse_cache

            first.wait(FIRST_ANALYSIS)
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
    if early is not None and early.workspace is not None:
        server.ws = early.workspace  # (its first analysis reuses the early one's work)
    first = threading.Event()

    async def analysed(doc: object, analysis: object) -> None:
        first.set()

    server.on_analysed(analysed)
    threading.Thread(target=load_analysis, args=(first,), name="texgrad-load", daemon=True).start()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(early=early)
    return server.exit_status
