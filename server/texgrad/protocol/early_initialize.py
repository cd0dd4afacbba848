"""``initialize`` answered before pygls and lsprotocol are loaded (issue 17: start to
initialized ≤ 0.5 s; importing lsprotocol's types alone takes ~0.45 s of CPU).

On stdio, :func:`main` reads the client's first message with texgrad's own framing
(:mod:`texgrad.protocol.framing`, standard library only).  When it is an ``initialize``
request whose parameters read as LSP says, it is answered at once from
:data:`CAPABILITIES` — texgrad's capabilities as pygls builds them — with the position
encoding chosen as pygls chooses it; then the server is loaded and every message read so far
is handed to it in order, ``initialize`` included: pygls sets up its workspace, texgrad
reads the folders and settings, and the answer pygls makes is compared with the one sent
(a difference is logged, never sent twice: :meth:`TexgradProtocol.replay_initialize`).
Anything else first (a request before ``initialize``, a malformed message, the end of the
stream) goes to the server as it came, which answers it as before.

:data:`CAPABILITIES` must be what pygls builds from the features the server registers:
``tests/protocol/test_early_initialize.py`` compares them for several clients' capabilities
and prints the value to write here when a feature is added.
"""

from __future__ import annotations

import json
import logging
from typing import Any, BinaryIO

from texgrad import __version__

from .framing import CHUNK, EarlyStart, Framer

log = logging.getLogger("texgrad.lsp")

# texgrad's capabilities as pygls 2 builds them for a client announcing none, but for the
# position encoding and textDocumentSync's willSave fields, which depend on the client.
CAPABILITIES: dict[str, Any] = {
    "textDocumentSync": {"openClose": True, "change": 2, "save": True},
    "hoverProvider": True,
    "definitionProvider": True,
    "referencesProvider": True,
    "documentSymbolProvider": True,
    "codeActionProvider": {
        "codeActionKinds": ["quickfix", "refactor.rewrite"],
        "resolveProvider": True,
    },
    "executeCommandProvider": {
        "commands": ["texgrad.differentiateOther", "texgrad.showDerivation"]
    },
    "inlayHintProvider": {"resolveProvider": False},
    "workspace": {
        "workspaceFolders": {"supported": True, "changeNotifications": True},
        "fileOperations": {},
    },
}
SERVER_INFO = {"name": "texgrad", "version": __version__}
ENCODINGS = ("utf-8", "utf-16", "utf-32")  # (pygls's, in the client's order of preference)
_CAPABILITY_SECTIONS = ("workspace", "textDocument", "notebookDocument", "window", "general")
_CONTENT_TYPE = "application/vscode-jsonrpc; charset=utf-8"


def position_encoding(capabilities: dict[str, Any]) -> str:
    """The encoding pygls agrees on: the client's first it supports, else UTF-16."""
    general = capabilities.get("general")
    encodings = general.get("positionEncodings") if isinstance(general, dict) else None
    for kind in encodings or ():
        if kind in ENCODINGS:
            return str(kind)
    return "utf-16"


def initialize_result(params: Any) -> dict[str, Any] | None:
    """The answer to ``initialize`` with these parameters, or None where they do not read as
    LSP's (the server, loaded, answers those itself)."""
    if not _readable(params):
        return None
    caps = params["capabilities"]
    sync = dict(CAPABILITIES["textDocumentSync"])
    text_document = caps.get("textDocument") or {}
    synchronization = text_document.get("synchronization") or {}
    for name in ("willSave", "willSaveWaitUntil"):  # (announced: pygls says False)
        if synchronization.get(name) is not None:
            sync[name] = False
    capabilities = {
        "positionEncoding": position_encoding(caps),
        **CAPABILITIES,
        "textDocumentSync": sync,
    }
    return {"capabilities": capabilities, "serverInfo": SERVER_INFO}


def _readable(params: Any) -> bool:
    """Whether ``initialize``'s parameters are plainly of LSP's types where texgrad or the
    answer reads them (what is not is answered by the server itself, once loaded)."""
    if not isinstance(params, dict) or not isinstance(params.get("capabilities"), dict):
        return False
    pid = params.get("processId")
    if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
        return False
    for key in ("rootUri", "rootPath", "locale"):
        if params.get(key) is not None and not isinstance(params[key], str):
            return False
    if params.get("trace") not in (None, "off", "messages", "verbose"):
        return False
    folders = params.get("workspaceFolders")
    if folders is not None and not (
        isinstance(folders, list)
        and all(
            isinstance(f, dict) and isinstance(f.get("uri"), str) and isinstance(f.get("name"), str)
            for f in folders
        )
    ):
        return False
    info = params.get("clientInfo")
    if info is not None and not (isinstance(info, dict) and isinstance(info.get("name"), str)):
        return False
    caps = params["capabilities"]
    if any(caps.get(k) is not None and not isinstance(caps[k], dict) for k in _CAPABILITY_SECTIONS):
        return False
    general = caps.get("general") or {}
    encodings = general.get("positionEncodings")
    if encodings is not None and not (
        isinstance(encodings, list) and all(isinstance(e, str) for e in encodings)
    ):
        return False
    sync = (caps.get("textDocument") or {}).get("synchronization")
    return sync is None or isinstance(sync, dict)


def _request(body: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return None
    msg_id = message.get("id")
    if message.get("method") != "initialize" or isinstance(msg_id, bool):
        return None
    return message if isinstance(msg_id, (int, str)) else None


def answer(body: bytes) -> tuple[Any, dict[str, Any], bytes] | None:
    """For an ``initialize`` request that can be answered now: its id, the result and the
    bytes of the answer (headers as pygls writes them)."""
    message = _request(body)
    if message is None:
        return None
    result = initialize_result(message.get("params"))
    if result is None:
        return None
    data = json.dumps({"id": message["id"], "jsonrpc": "2.0", "result": result})
    header = f"Content-Length: {len(data)}\r\nContent-Type: {_CONTENT_TYPE}\r\n\r\n"
    return message["id"], result, (header + data).encode("utf-8")


def read_start(stdin: BinaryIO, stdout: BinaryIO) -> EarlyStart:
    """Read up to the client's first message and answer it if it is ``initialize``."""
    early = EarlyStart(Framer())
    read1 = getattr(stdin, "read1", None) or stdin.read
    while not early.bodies:
        data = read1(CHUNK)
        if not data:
            early.ended = True
            return early
        early.bodies.extend(early.framer.feed(data))
    got = answer(early.bodies[0])
    if got is not None:
        msg_id, result, raw = got
        try:
            stdout.write(raw)
            stdout.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            return early  # (the server finds the client gone itself)
        early.answered = (msg_id, result)
    return early


def main(tcp: str | None = None) -> int:
    """``texgrad lsp``: on stdio, ``initialize`` answered first, then the server loaded."""
    import sys

    early = None
    if not tcp:
        try:
            early = read_start(sys.stdin.buffer, sys.stdout.buffer)
        except OSError as exc:  # (stdin closed or unreadable: the server says so)
            log.warning("reading the client's first message failed: %s", exc)
    from .collection import one_heap

    one_heap()  # (after initialize is answered, before any thread: the pump's, the early analysis's)
    pump = _pump(early) if early is not None else None
    if pump is not None:
        assert early is not None
        early.workspace = _analyse_first(early, pump)
    from texgrad.protocol.app import main as serve

    if pump is not None:
        pump.loaded()  # (from here on the server alone writes to the client)
    return serve(tcp=tcp, early=early)


def _analyse_first(early: EarlyStart, pump: Any) -> Any:
    """The first opened document analysed and published before the server loads
    (:mod:`.early_analysis`): the workspace it was analysed in, or None."""
    try:
        from . import early_analysis, early_diagnostics

        session = early_diagnostics.session()
        if session is None:
            return None
        return early_analysis.analyse_first(early, pump, session)
    except Exception:  # only a head start: the server starts as without it
        log.exception("analysing the first document before loading failed")
        return None


def _pump(early: EarlyStart) -> Any:
    """Go on reading the client while the server loads, publishing the diagnostics kept
    from the last session for the documents it opens (:mod:`.early_diagnostics`); None
    where there are none to publish (``initialize`` not answered here, no cache)."""
    import sys

    if early.answered is None or early.ended or not early.framer.idle():
        return None
    try:
        from . import early_diagnostics as ed

        if ed.turned_off():
            return None
        params = json.loads(early.bodies[0])["params"]
        encoding = early.answered[1]["capabilities"]["positionEncoding"]
        out = sys.stdout.buffer

        def write(data: bytes) -> None:
            out.write(data)
            out.flush()

        # (set up here, not in the pump's thread: there it waited for the server's imports
        # to finish, and so published nothing before the server had loaded)
        session = ed.begin(params, encoding)
        if session is None:
            return None
        early.stream = pump = ed.Pump(sys.stdin.buffer, write, lambda: session)
        return pump
    except Exception:  # only a head start: the server starts as without it
        log.exception("reading ahead while the server loads failed")
        return None
